"""``storyfuse audit``: check every claim of every story against the articles it cites."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from storyfuse.cli.common import EXIT_OK, EXIT_REJECTED, words_option
from storyfuse.evaluation.datasets import DatasetError
from storyfuse.models import InputError, RawDocument

if TYPE_CHECKING:  # the pipeline is imported when the command runs, not when help lists it
    from storyfuse.evaluation.audit import AuditFailure


def _cluster_batches(paths: Sequence[str], limit: int | None) -> Iterator[list[RawDocument]]:
    """One batch of documents per labelled cluster of each JSONL file."""
    from storyfuse.evaluation.summarize import read_clusters

    for path in paths:
        for cluster in read_clusters(Path(path), limit):
            yield [
                RawDocument(source=f"{path}:{cluster.id}:{number}", text=text)
                for number, text in enumerate(cluster.documents)
                if text.strip()
            ]


def _failure_line(failure: AuditFailure) -> str:
    where = f" [{failure.article}]" if failure.article else ""
    return f"FAIL {failure.kind}: story {failure.story}{where}: {failure.reason}: {failure.claim}"


@click.command("audit")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@click.option("--json", "as_json", is_flag=True, help="Print the counts and failures as JSON.")
@words_option
@click.option(
    "--clusters",
    is_flag=True,
    help="Read each input as labelled clusters (the JSONL of eval summarize) and run "
    "the pipeline on each cluster on its own.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="With --clusters: only the first K clusters of each file.",
)
def audit(
    inputs: tuple[str, ...], as_json: bool, words: int, clusters: bool, limit: int | None
) -> None:
    """Check every claim of every story against the raw text of the articles it cites.

    Runs the pipeline as summarize does, then checks that each summary sentence,
    shared fact, unique fact and contradiction is printed in its article, that every
    citation of a summary sentence or shared fact is supported (the cited article
    prints a sentence with the claim's content words and all its figures), and that
    every quote is verbatim in each article it cites.

    \b
    Example:
        storyfuse audit demo/corpus
        storyfuse audit ../shared/data/duc2006.jsonl --clusters --json
        storyfuse audit ../shared/data/multinews-val.jsonl --clusters --limit 300

    Exit code 0 when every claim holds and every input was read, 1 otherwise
    (each failure printed, each unreadable input named on stderr), 2 on a usage error.
    """
    from storyfuse.evaluation.audit import audit_documents, audit_table
    from storyfuse.pipeline import PipelineOptions
    from storyfuse.sources.inputs import read_inputs
    from storyfuse.stories.summarize import SummaryOptions

    if limit is not None and not clusters:
        raise click.UsageError("--limit needs --clusters")
    options = PipelineOptions(summary=SummaryOptions(words=words))
    read_errors: tuple[InputError, ...] = ()
    if clusters:
        try:
            result = audit_documents(_cluster_batches(inputs, limit), options)
        except (DatasetError, OSError) as problem:
            click.echo(f"storyfuse: {problem}", err=True)
            sys.exit(EXIT_REJECTED)
    else:
        documents, read_errors = read_inputs(inputs)
        result = audit_documents([documents], options)
    for rejected in (*read_errors, *result.rejected):
        click.echo(f"storyfuse: {rejected.source}: {rejected.reason}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        for failure in result.failures:
            click.echo(_failure_line(failure))
        click.echo(audit_table(result))
    failed = bool(result.failures) or bool(read_errors) or (not clusters and bool(result.rejected))
    sys.exit(EXIT_REJECTED if failed else EXIT_OK)
