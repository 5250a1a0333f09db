"""The ``storyfuse`` command line."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import shlex
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from storyfuse import __version__
from storyfuse.evaluation.datasets import DatasetError
from storyfuse.store.database import database_target
from storyfuse.stories.changes import parse_when, story_changes

if TYPE_CHECKING:
    from storyfuse.evaluation.cluster import Scores
    from storyfuse.store.store import Store
from storyfuse.evaluation.summarize import (
    DEFAULT_METHODS,
    EvalOptions,
    MissingDependency,
    evaluate_summaries,
    known_methods,
    summary_markdown,
    summary_table,
)
from storyfuse.models import InputError, RawDocument, Report
from storyfuse.pipeline import PipelineOptions, story_from_articles, summarize_paths
from storyfuse.render import (
    changes_json,
    changes_markdown,
    report_json,
    report_markdown,
    splits_json,
    splits_markdown,
    story_markdown,
    story_row_json,
)
from storyfuse.sources.inputs import read_inputs
from storyfuse.stories.summarize import SUMMARIZERS, SummaryOptions
from storyfuse.stories.wire import SentenceIndex

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


def _command_line(ctx: click.Context) -> str:
    """The command as typed (the arguments and options given), for reports."""
    words = ctx.command_path.split()
    for param in ctx.command.params:
        name = param.name or ""
        if ctx.get_parameter_source(name) != ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[name]
        if not isinstance(param, click.Option):
            words.append(str(value))
        elif param.is_flag:
            words.append(param.opts[-1])
        else:
            for item in value if param.multiple else (value,):
                words += [param.opts[-1], str(item)]
    return shlex.join(words)


@eval_group.command("summarize")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--words", required=True, type=click.IntRange(min=10), help="Word budget.")
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(sorted(known_methods())),
    help=f"Method to run; repeatable (default: {', '.join(DEFAULT_METHODS)}).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first K clusters.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--save-summaries",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Write one {"id", "method", "summary"} line per cluster and method.',
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a Markdown table headed by this command.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of random and the bootstrap.")
def eval_summarize_command(
    dataset: Path,
    words: int,
    methods: tuple[str, ...],
    limit: int | None,
    as_json: bool,
    save_summaries: Path | None,
    report: Path | None,
    seed: int,
) -> None:
    """Score each method's summaries of labelled clusters with ROUGE, side by side.

    \b
    Example:
        storyfuse eval summarize ../shared/data/multiling2011-en.jsonl --words 250
        storyfuse eval summarize data.jsonl --words 300 --method storyfuse --method lexrank --json
    """
    options = EvalOptions(words, methods or DEFAULT_METHODS, limit, seed)
    for path in (save_summaries, report):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    sink = save_summaries.open("w", encoding="utf-8") if save_summaries else None
    try:
        with sink or contextlib.nullcontext():
            result = evaluate_summaries(dataset, options, sink)
    except (DatasetError, MissingDependency) as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(result.as_json(), indent=2, ensure_ascii=False) if as_json else None
    click.echo(text or summary_table(result), nl=text is not None)
    if report is not None:
        command = _command_line(click.get_current_context())
        report.write_text(summary_markdown(result, command), encoding="utf-8")
        click.echo(f"storyfuse: wrote {report}", err=True)


@eval_group.command("cluster")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="Read only the first N lines.")
@click.option(
    "--save-assignments",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Write one {"id", "story"} line per article.',
)
@click.option(
    "--batch",
    type=click.IntRange(min=0),
    default=0,
    help="Feed the stream in batches of N articles, as a store would (0: all at once).",
)
def eval_cluster_command(
    dataset: Path, as_json: bool, limit: int, save_assignments: Path | None, batch: int
) -> None:
    """Cluster a labelled set as one stream; print BCubed and pairwise scores.

    \b
    Example:
        storyfuse eval cluster ../shared/data/ecbplus.jsonl
        storyfuse eval cluster ../shared/data/ecbplus.jsonl --batch 100
    """
    from storyfuse.evaluation.cluster import BASELINE, evaluate_clustering

    try:
        result = evaluate_clustering(dataset, limit=limit, batch=batch)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    if save_assignments is not None:
        with save_assignments.open("w", encoding="utf-8") as handle:
            for identifier, story in result.assignments:
                handle.write(json.dumps({"id": identifier, "story": story}) + "\n")
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
        return
    click.echo(
        f"dataset: {result.dataset}  articles: {result.articles}  "
        f"batches of: {result.batch or 'all'}  "
        f"gold stories: {result.gold_stories}  stories: {result.stories}"
    )
    _echo_cluster_scores(result.bcubed, result.pairwise)
    click.echo(f"articles per second: {result.articles_per_second:.1f}")
    click.echo(f"baseline, {BASELINE}: stories: {result.baseline.stories}")
    _echo_cluster_scores(result.baseline.bcubed, result.baseline.pairwise)


def _echo_cluster_scores(bcubed: Scores, pairwise: Scores) -> None:
    for name, scores in (("BCubed", bcubed), ("pairwise", pairwise)):
        click.echo(f"{name:>8}: P {scores.p:.4f}  R {scores.r:.4f}  F1 {scores.f:.4f}")


@eval_group.command("extract")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first K pages.")
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap.")
def eval_extract_command(dataset: Path, as_json: bool, limit: int | None, seed: int) -> None:
    """Score HTML extraction against human gold text, storyfuse beside plain trafilatura.

    DATASET is a folder laid out like Zyte's article-extraction benchmark
    (ground-truth.json and html/*.html.gz). Precision, recall and F1 over
    4-token shingles, computed the way the benchmark's evaluate.py does, with
    95% bootstrap intervals.

    \b
    Example:
        storyfuse eval extract ../shared/data/article-extraction-benchmark
    """
    from storyfuse.evaluation.extract import evaluate_extraction, extraction_table

    try:
        result = evaluate_extraction(dataset, limit=limit, seed=seed)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(result.as_json(), indent=2) if as_json else extraction_table(result))


@main.command("extract")
@click.argument("pages", nargs=-1, required=True, metavar="PAGE_OR_URL...")
@click.option("--json", "output_format", flag_value="json", help="Print one JSON array.")
@click.option("--jsonl", "output_format", flag_value="jsonl", help="Print one JSON line per page.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow URLs on private, loopback or link-local addresses (refused by default).",
)
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
    named on stderr with the reason).
    """
    from storyfuse.sources.fetch import FetchOptions
    from storyfuse.sources.pages import extraction_record, extraction_text, read_page

    failed = False
    records: list[dict[str, object]] = []
    results: list[RawDocument | InputError] = []
    for page in pages:
        if page.startswith(("http://", "https://")):
            fetched, errors = read_inputs([page], fetch=FetchOptions(allow_private=allow_private))
            results += [*fetched, *errors]
        else:
            results.append(read_page(Path(page)))
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


def _db_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--db",
        envvar="STORYFUSE_DB",
        help="The store: a file, or a postgresql:// URL "
        "(default: $STORYFUSE_DB, else storyfuse.db in the user data directory).",
    )(command)


def _open_store(db: str | None) -> Store:
    from storyfuse.store.store import Store

    try:
        return Store(db)
    except (sqlite3.DatabaseError, RuntimeError) as error:
        raise click.ClickException(
            f"{database_target(db)}: not a storyfuse store ({error})"
        ) from None
    except Exception as error:  # a PostgreSQL server that refuses or is not there
        raise click.ClickException(
            f"{database_target(db)}: cannot open the store ({error})"
        ) from None


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH...")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Fetch URLs on private, loopback and link-local addresses too.",
)
def ingest(
    inputs: tuple[str, ...], db: str | None, as_json: bool, quiet: bool, allow_private: bool
) -> None:
    """Add article files, folders, JSONL, pages, feeds, archives or URLs to the store.

    \b
    Example:
        storyfuse ingest demo/corpus --db stories.db
        storyfuse ingest https://news.example/feed.xml

    A URL is fetched (a feed's items' pages too). Ingesting the same input
    again changes nothing. Exit code 1 when some inputs were rejected (each
    named on stderr; the reasons are kept in the store).
    """
    from storyfuse.ingestion.service import Ingestion
    from storyfuse.sources.fetch import FetchOptions

    documents, errors = read_inputs(inputs, fetch=FetchOptions(allow_private=allow_private))
    show = not quiet and not as_json and sys.stderr.isatty() and len(documents) > 20
    with _open_store(db) as store:
        if show:
            with click.progressbar(
                length=len(documents), label="ingesting", file=sys.stderr
            ) as bar:
                result = Ingestion(store).ingest(documents, errors, progress=bar.update)
        else:
            result = Ingestion(store).ingest(documents, errors)
    for error in result.rejected:
        click.echo(f"storyfuse: {error.source}: {error.reason}", err=True)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "added": result.added,
                    "duplicate": result.duplicates + result.near_duplicates,
                    "revised": result.revised,
                    "rejected": [{"source": e.source, "reason": e.reason} for e in result.rejected],
                    "stories": list(result.stories_touched),
                },
                indent=2,
            )
        )
    else:
        click.echo(f"storyfuse: {result.summary_line()}", err=True)
    sys.exit(EXIT_REJECTED if result.rejected else EXIT_OK)


@main.command()
@_db_option
@click.option(
    "--since", help="Only stories active since then: 2025-04-02, 2025-04-02T10:00, 3d, 12h."
)
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
def stories(db: str | None, since: str | None, as_json: bool) -> None:
    """List the stories in the store, most recent first.

    \b
    Example:
        storyfuse stories --since 7d
    """
    moment = _when(since) if since else None
    with _open_store(db) as store:
        rows = store.stories(moment)
    if as_json:
        click.echo(json.dumps([story_row_json(row) for row in rows], indent=2, ensure_ascii=False))
        return
    for row in rows:
        dates = f"{_day(row.first_published)}..{_day(row.last_published)}"
        marker = " (single article)" if row.size == 1 else ""
        click.echo(
            f"{row.id}  {row.size:>3} articles  {row.independent_sources:>2} sources  {dates}  "
            f"{row.headline}{marker}  [{', '.join(row.outlets) or 'unknown outlets'}]"
        )


@main.command()
@click.argument("story_id", metavar="ID")
@_db_option
@click.option("--json", "output", flag_value="json", help="Print the story as JSON.")
@click.option("--md", "output", flag_value="md", default=True, help="Markdown (default).")
@click.option("--since", help="Also show what the story gained since then (2025-04-02, 3d...).")
@click.option(
    "--words",
    default=120,
    show_default=True,
    type=click.IntRange(min=10),
    help="Word budget of the summary.",
)
def story(story_id: str, db: str | None, output: str, since: str | None, words: int) -> None:
    """Show one story from the store: cited summary and coverage comparison.

    \b
    Example:
        storyfuse story s-1a2b3c4d5e --since 2d
    """
    moment = _when(since) if since else None
    options = PipelineOptions(summary=SummaryOptions(words=words))
    with _open_store(db) as store:
        current = store.resolve(story_id)
        if current is None:
            raise click.ClickException(f"no story {story_id} in {store.path}")
        if current != story_id:
            click.echo(f"storyfuse: story {story_id} was merged into {current}", err=True)
        articles = store.story_articles(current)
        before = store.story_articles(current, before=moment) if moment else []
        splits = store.story_splits(current)
    index = SentenceIndex(articles, options.match)
    view = story_from_articles(current, articles, options, index)
    changes = None
    if moment is not None:
        then = story_from_articles(current, before, options) if before else None
        changes = story_changes(then, view, moment)
    by_id = {article.id: article for article in articles}
    report = Report(articles=tuple(articles), wire=index.wire_links(), stories=(view,))
    if output == "json":
        document = json.loads(report_json(report))
        if changes is not None:
            document["changes"] = changes_json(changes)
        if splits:
            document["splits"] = splits_json(splits)
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(story_markdown(view, by_id), nl=False)
    if splits:
        click.echo("\n" + splits_markdown(current, splits), nl=False)
    if changes is not None:
        click.echo("\n" + changes_markdown(changes, by_id), nl=False)


@main.command()
@click.argument("query")
@_db_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(query: str, db: str | None, limit: int, as_json: bool) -> None:
    """Full-text search over the stored articles (SQLite FTS5 query syntax).

    \b
    Example:
        storyfuse search 'warehouse AND fire'
    """
    with _open_store(db) as store:
        try:
            hits = store.search(query, limit)
        except sqlite3.OperationalError as error:
            raise click.UsageError(f"cannot search for {query!r}: {error}") from None
    if as_json:
        click.echo(
            json.dumps([dataclasses.asdict(hit) for hit in hits], indent=2, ensure_ascii=False)
        )
        return
    for hit in hits:
        click.echo(
            f"{hit.story or '-'}  {hit.article}  {hit.outlet or 'unknown outlet'}: "
            f"{hit.title or ''}\n    {' '.join(hit.snippet.split())}"
        )


def _when(value: str) -> str:
    try:
        return parse_when(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else "?"


@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-env",
    default="STORYFUSE_TOKEN",
    show_default=True,
    metavar="NAME",
    help="Environment variable holding the API token that allows POST /api/articles; "
    "without it the server is read-only.",
)
def serve(db: str | None, host: str, port: int, token_env: str) -> None:
    """Serve the store as web pages, a JSON API (/api/, /docs) and feeds.

    \b
    Example:
        storyfuse serve --db stories.db
        STORYFUSE_TOKEN=$(openssl rand -hex 16) storyfuse serve --port 8080

    Binds to 127.0.0.1 unless --host says otherwise. Needs the 'web' extra:
    pip install 'storyfuse[web]'.
    """
    import os

    try:
        import uvicorn

        from storyfuse.web.app import create_app
    except ImportError as error:
        raise click.ClickException(
            f"the web app needs the 'web' extra: pip install 'storyfuse[web]' ({error})"
        ) from None
    with _open_store(db) as store:
        target = store.path
    token = os.environ.get(token_env) or None
    mode = (
        f"POST /api/articles allowed with ${token_env}"
        if token
        else f"read-only (set ${token_env} to allow POST /api/articles)"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"storyfuse: listening on {host}: reachable beyond this machine", err=True)
    click.echo(f"storyfuse: serving {target} at http://{host}:{port}/, {mode}", err=True)
    uvicorn.run(create_app(target, token=token), host=host, port=port, log_level="info")


@main.command()
@click.argument(
    "feeds_file",
    required=False,
    metavar="[FEEDS.txt]",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@_db_option
@click.option(
    "--every",
    metavar="INTERVAL",
    help="Keep polling: start a pass this often (15m, 1h; at least 1m). Ctrl-C stops.",
)
@click.option("--once", is_flag=True, help="One pass, then exit (the default).")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Fetch from private, loopback and link-local addresses too.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to the same host.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only the summary line of each pass.")
def follow(
    feeds_file: Path | None,
    db: str | None,
    every: str | None,
    once: bool,
    allow_private: bool,
    delay: float,
    quiet: bool,
) -> None:
    """Fetch feeds, then their new articles' pages, into the store.

    FEEDS.txt lists feed URLs, one per line (# starts a comment); they join
    the store's feeds table. Without it, every feed in that table is followed.
    Each feed is fetched with a conditional GET; items already stored are
    skipped. A failing feed is recorded with its reason and the others go on.

    \b
    Example:
        storyfuse follow feeds.txt --db stories.db
        storyfuse follow feeds.txt --every 15m

    Exit code 0 when every feed was read, 1 when some failed (each named on
    stderr with the reason).
    """
    import time

    from storyfuse.ingestion.follow import (
        FeedReport,
        FollowOptions,
        follow_pass,
        parse_interval,
        read_feed_list,
    )
    from storyfuse.ingestion.service import Ingestion
    from storyfuse.sources.fetch import Fetcher, FetchOptions

    if once and every:
        raise click.UsageError("--once and --every exclude each other")
    interval = None
    if every is not None:
        try:
            interval = parse_interval(every)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--every") from None
        if interval < 60:
            raise click.BadParameter("at least 1m between passes, please", param_hint="--every")
    urls: list[str] | None = None
    failed = False
    if feeds_file is not None:
        urls, problems = read_feed_list(feeds_file)
        for problem in problems:
            click.echo(f"storyfuse: {problem.source}: {problem.reason}", err=True)
        failed = bool(problems)
        if not urls:
            raise click.UsageError(f"{feeds_file} lists no http(s) feed URLs")
    fetch = FetchOptions(allow_private=allow_private, host_delay=delay)

    def show(report: FeedReport) -> None:
        if not quiet or not report.ok:
            click.echo(f"storyfuse: {report.line()}", err=True)

    with _open_store(db) as store, Fetcher(fetch) as fetcher:
        if urls is not None:
            store.add_feeds(urls)
        elif not store.feeds():
            raise click.UsageError("no feeds to follow: give FEEDS.txt (one feed URL per line)")
        ingestion = Ingestion(store)
        number, in_pass = 0, False
        try:
            while True:
                number += 1
                started, in_pass = time.monotonic(), True
                report = follow_pass(
                    store, fetcher, urls, FollowOptions(fetch=fetch), show, ingestion
                )
                in_pass = False
                click.echo(f"storyfuse: pass {number}: {report.summary_line()}", err=True)
                failed = failed or report.failed > 0
                if interval is None:
                    break
                time.sleep(max(0.0, started + interval - time.monotonic()))
        except KeyboardInterrupt:
            note = " in the middle of a pass (feeds stored so far are kept)" if in_pass else ""
            click.echo(f"storyfuse: stopped{note}", err=True)
            sys.exit(130 if in_pass else EXIT_OK)
    sys.exit(EXIT_REJECTED if failed else EXIT_OK)
