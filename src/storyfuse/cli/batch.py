"""``storyfuse batch``: files to stories as one job, on this machine or on a Spark cluster."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from storyfuse.cli.common import EXIT_OK, EXIT_REJECTED, reports_crashes, words_option
from storyfuse.pipeline import PipelineOptions
from storyfuse.stories.summarize import SummaryOptions


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out",
    required=True,
    help="Folder (or, with Spark, a Hadoop filesystem URI) for the result.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="local: a process per core on this machine; spark: a Spark job.",
)
@click.option(
    "--master",
    default="local[2]",
    show_default=True,
    help="Spark master (local[N], spark://HOST:PORT, yarn); ignored under spark-submit.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="Processes of --engine local (default: the cores).",
)
@click.option(
    "--spark-conf",
    "spark_conf",
    multiple=True,
    metavar="KEY=VALUE",
    callback=lambda _ctx, _param, values: tuple(_setting(value) for value in values),
    help="A Spark setting, as spark-submit's --conf (repeatable), e.g. spark.driver.memory=8g; "
    "local[N] masters get spark.driver.memory=4g unless set.",
)
@words_option
@click.option(
    "--block-terms",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Distinctive terms each article is blocked by: more find more pairs, and cost more.",
)
@reports_crashes
def batch(
    inputs: tuple[str, ...],
    out: str,
    engine: str,
    master: str,
    processes: int | None,
    spark_conf: tuple[tuple[str, str], ...],
    words: int,
    block_terms: int,
) -> None:
    """Cluster, summarize and compare a whole corpus as one batch job.

    INPUT is a file or folder of articles (text, JSONL, HTML, WARC/ARC); with
    --engine spark also a Hadoop filesystem URI (file://, hdfs://, s3a://).
    The result in OUT: Parquet tables articles/, stories/, story_articles/,
    stories.jsonl (the stories as `storyfuse summarize --format json` gives
    them) and rejected.jsonl (every input that gave no article, with why).

    \b
    Example:
        storyfuse batch demo/corpus --out out/batch
        storyfuse batch news.jsonl --out out/batch --engine spark --master local[2]
        storyfuse batch news/ --out out/batch --engine spark --spark-conf spark.driver.memory=8g

    Exit code 0 when every input gave an article, 1 when some were rejected
    (counted on stderr, listed in rejected.jsonl), 3 when the job failed (one
    line on stderr; the traceback, a failed Spark job's included, in a log file).
    """
    from storyfuse.batch.stages import BatchOptions
    from storyfuse.batch.tables import MissingDependency

    if spark_conf and engine != "spark":
        raise click.UsageError("--spark-conf is for --engine spark")
    options = BatchOptions(
        pipeline=PipelineOptions(summary=SummaryOptions(words=words)), block_terms=block_terms
    )
    try:
        if engine == "spark":
            from storyfuse.batch.spark_engine import run_spark

            result = run_spark(list(inputs), out, options, master, spark_conf)
        else:
            from storyfuse.batch.local_engine import run_local

            result = run_local(list(inputs), Path(out), options, processes or os.cpu_count() or 1)
    except MissingDependency as error:
        raise click.ClickException(str(error)) from None
    seconds = ", ".join(f"{stage.name} {stage.seconds:.1f}s" for stage in result.stages)
    click.echo(
        f"storyfuse: {result.articles} articles in {result.stories} "
        f"{'story' if result.stories == 1 else 'stories'}, "
        f"{result.rejected} rejected ({seconds}); wrote {out}",
        err=True,
    )
    sys.exit(EXIT_REJECTED if result.rejected else EXIT_OK)


def _setting(value: str) -> tuple[str, str]:
    """``KEY=VALUE`` as (key, value); a value may hold ``=`` itself."""
    key, equals, setting = value.partition("=")
    if not equals or not key.strip():
        raise click.BadParameter(f"{value!r} is not KEY=VALUE (e.g. spark.driver.memory=8g)")
    return key.strip(), setting


def ingest_batch(
    inputs: tuple[str, ...], db: str | None, folder: Path | None, as_json: bool
) -> None:
    """``storyfuse ingest --from-batch DIR``: load a batch result into the store, then exit."""
    from storyfuse.batch.load import load_batch
    from storyfuse.batch.tables import MissingDependency
    from storyfuse.cli.common import open_store

    if folder is None or inputs:
        raise click.UsageError("give PATHs to read, or --from-batch DIR, not both or neither")
    with open_store(db, create=True) as store:
        try:
            result = load_batch(store, folder)
        except (FileNotFoundError, MissingDependency) as error:
            raise click.ClickException(str(error)) from None
    if as_json:
        counts = {"added": result.added, "duplicate": result.known, "stories": result.stories}
        click.echo(json.dumps({**counts, "rejected": len(result.rejected)}, indent=2))
    else:
        click.echo(
            f"storyfuse: {result.added} added, {result.known} already stored, "
            f"{result.stories} stories, {len(result.rejected)} rejected (from {folder})",
            err=True,
        )
    sys.exit(EXIT_OK)
