"""``python -m storyfuse``: the ``storyfuse`` command line."""

from storyfuse.cli import main

main(prog_name="storyfuse")
