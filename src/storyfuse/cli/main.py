"""The ``storyfuse`` command line: the ``main`` group and its commands.

Each command lives in the module of its group; this one only gathers them.
"""

from __future__ import annotations

import importlib
import logging

import click

from storyfuse import __version__

# Each command's module, imported only when the command runs (or help lists it), so that
# a quick command never loads what a slow one needs.
_COMMANDS = {
    "summarize": "storyfuse.cli.summarize:summarize",
    "extract": "storyfuse.cli.summarize:extract_command",
    "eval": "storyfuse.cli.evaluate:eval_group",
    "ingest": "storyfuse.cli.store:ingest",
    "stories": "storyfuse.cli.store:stories",
    "story": "storyfuse.cli.store:story",
    "search": "storyfuse.cli.store:search",
    "serve": "storyfuse.cli.store:serve",
    "follow": "storyfuse.cli.follow:follow",
    "outlets": "storyfuse.cli.outlets:outlets_group",
    "audit": "storyfuse.cli.audit:audit",
    "batch": "storyfuse.cli.batch:batch",
}


class _LazyGroup(click.Group):
    """A group whose commands are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS and cmd_name not in self.commands:
            module, name = _COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyfuse")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """Turn news from many outlets into verified, cited stories."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="storyfuse: %(levelname)s: %(message)s")
