"""The ``storyfuse`` command line (entry point ``storyfuse.cli:main``)."""

from storyfuse.cli.main import main

__all__ = ["main"]
