"""``storyfuse summarize`` and ``storyfuse extract``: articles in, stories or extractions out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from storyfuse.cli.common import EXIT_OK, EXIT_REJECTED, reports_crashes, words_option
from storyfuse.models import InputError, RawDocument, Report
from storyfuse.pipeline import PipelineOptions, summarize_paths
from storyfuse.render import report_json, report_markdown
from storyfuse.stories.summarize import SUMMARIZERS, SummaryOptions


def _report_errors(report: Report) -> None:
    for error in report.errors:
        click.echo(f"storyfuse: {error.source}: {error.reason}", err=True)


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@words_option
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
    "--focus",
    metavar="TEXT",
    default="",
    help='Favour what this topic statement names ("the cost of the repairs").',
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the result to this file.",
)
@reports_crashes
def summarize(
    inputs: tuple[str, ...],
    words: int,
    output_format: str,
    explain: bool,
    method: str,
    focus: str,
    output: Path | None,
) -> None:
    """Summarize and compare the stories in article files, folders or JSONL.

    \b
    Example:
        storyfuse summarize demo/corpus --words 120
        storyfuse summarize a.txt b.txt --format json > stories.json
        storyfuse summarize demo/corpus --focus "evacuation of residents"

    Exit code 0 when every input was read, 1 when some were rejected
    (each named on stderr with the reason), 2 on a usage error, 3 on an
    internal error (the traceback is in the log file named on stderr).
    """
    options = PipelineOptions(summary=SummaryOptions(words=words, focus=focus), method=method)
    report = summarize_paths(inputs, options)
    _report_errors(report)
    text = (
        report_json(report) if output_format == "json" else report_markdown(report, explain=explain)
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        stories = len(report.stories)
        click.echo(
            f"storyfuse: wrote {stories} {'story' if stories == 1 else 'stories'} to {output}",
            err=True,
        )
    sys.exit(EXIT_REJECTED if report.errors else EXIT_OK)


@click.command("extract")
@click.argument("pages", nargs=-1, required=True, metavar="PAGE_OR_URL...")
@click.option("--json", "output_format", flag_value="json", help="Print one JSON array.")
@click.option("--jsonl", "output_format", flag_value="jsonl", help="Print one JSON line per page.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow URLs on private, loopback or link-local addresses (refused by default).",
)
@reports_crashes
def extract_command(pages: tuple[str, ...], output_format: str | None, allow_private: bool) -> None:
    """Show the article storyfuse extracts from HTML pages, and what it dropped.

    PAGE_OR_URL is a saved page on disk (.html, .htm, or gzipped: .html.gz,
    .htm.gz) or an http(s) URL, fetched politely (a feed URL shows its items).

    \b
    Example:
        storyfuse extract saved/story.html
        storyfuse extract https://example.org/news/story --json
        storyfuse extract saved/*.html.gz --jsonl > articles.jsonl

    Exit code 0 when every page gave an article, 1 when some did not (each
    named on stderr with the reason), 3 on an internal error.
    """
    from storyfuse.sources.fetch import FetchOptions
    from storyfuse.sources.input_guard import guarded, scrub_document, scrub_error
    from storyfuse.sources.inputs import read_inputs
    from storyfuse.sources.pages import extraction_record, extraction_text, read_page
    from storyfuse.sources.urls import is_url

    failed = False
    records: list[dict[str, object]] = []
    results: list[RawDocument | InputError] = []
    for page in pages:
        if is_url(page):
            fetched, errors = read_inputs([page], fetch=FetchOptions(allow_private=allow_private))
            results += [*fetched, *errors]
        else:
            read = guarded(page, (read_page(Path(name)) for name in [page]))
            results += [
                scrub_error(r) if isinstance(r, InputError) else scrub_document(r) for r in read
            ]
    for result in results:
        if isinstance(result, InputError):
            failed = True
            click.echo(f"storyfuse: {result.source}: {result.reason}", err=True)
        record = extraction_record(result)
        if output_format == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        elif output_format == "json":
            records.append(record)
        elif isinstance(result, RawDocument):
            click.echo(extraction_text(result))
    if output_format == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    sys.exit(EXIT_REJECTED if failed else EXIT_OK)
