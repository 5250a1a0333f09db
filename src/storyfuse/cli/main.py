"""The ``storyfuse`` command line: the ``main`` group and its commands.

Each command lives in the module of its group; this one only gathers them.
"""

from __future__ import annotations

import logging

import click

from storyfuse import __version__
from storyfuse.cli.batch import batch
from storyfuse.cli.evaluate import eval_group
from storyfuse.cli.follow import follow
from storyfuse.cli.outlets import outlets_group
from storyfuse.cli.store import ingest, search, serve, stories, story
from storyfuse.cli.summarize import extract_command, summarize


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyfuse")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """Turn news from many outlets into verified, cited stories."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="storyfuse: %(levelname)s: %(message)s")


for command in (
    summarize,
    extract_command,
    eval_group,
    ingest,
    stories,
    story,
    search,
    serve,
    follow,
    outlets_group,
    batch,
):
    main.add_command(command)
