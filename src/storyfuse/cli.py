"""The ``storyfuse`` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from storyfuse import __version__
from storyfuse.models import Report
from storyfuse.pipeline import PipelineOptions, summarize_paths
from storyfuse.render import report_json, report_markdown
from storyfuse.summarize import SUMMARIZERS, SummaryOptions

EXIT_OK = 0
EXIT_REJECTED = 1


def _report_errors(report: Report) -> None:
    for error in report.errors:
        click.echo(f"storyfuse: {error.source}: {error.reason}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyfuse")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """Turn news from many outlets into verified, cited stories."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="storyfuse: %(levelname)s: %(message)s")


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@click.option(
    "--words",
    default=120,
    show_default=True,
    type=click.IntRange(min=10),
    help="Word budget of each story's summary.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown for people, JSON for programs.",
)
@click.option("--explain", is_flag=True, help="Show the boilerplate removed from each article.")
@click.option(
    "--method",
    type=click.Choice(sorted(SUMMARIZERS)),
    default="storyfuse",
    show_default=True,
    help="Summarizer to use.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the result to this file.",
)
def summarize(
    inputs: tuple[str, ...],
    words: int,
    output_format: str,
    explain: bool,
    method: str,
    output: Path | None,
) -> None:
    """Summarize and compare the stories in article files, folders or JSONL.

    \b
    Example:
        storyfuse summarize demo/corpus --words 120
        storyfuse summarize a.txt b.txt --format json > stories.json

    Exit code 0 when every input was read, 1 when some were rejected
    (each named on stderr with the reason), 2 on a usage error.
    """
    options = PipelineOptions(summary=SummaryOptions(words=words), method=method)
    report = summarize_paths(inputs, options)
    _report_errors(report)
    text = (
        report_json(report) if output_format == "json" else report_markdown(report, explain=explain)
    )
    click.echo(text, nl=False)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"storyfuse: wrote {output}", err=True)
    sys.exit(EXIT_REJECTED if report.errors else EXIT_OK)


@main.group("eval")
def eval_group() -> None:
    """Measure storyfuse against labelled data, side by side with baselines."""
