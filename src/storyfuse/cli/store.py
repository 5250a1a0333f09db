"""The store commands: ``ingest``, ``stories``, ``story``, ``search`` and ``serve``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
import sys
from pathlib import Path

import click

from storyfuse.cli.common import EXIT_OK, EXIT_REJECTED, db_option, open_store, reports_crashes
from storyfuse.models import Report, StoryRow
from storyfuse.render import (
    changes_json,
    changes_markdown,
    report_json,
    splits_json,
    splits_markdown,
    story_markdown,
    story_row_json,
)
from storyfuse.stories.changes import parse_when, story_changes

_LIST_PAGE = 500  # stories read and printed at a time


@click.command()
@click.argument("inputs", nargs=-1, metavar="PATH...")
@db_option
@click.option(
    "--from-batch",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Load the result of `storyfuse batch --out DIR` instead of reading PATHs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Fetch URLs on private, loopback and link-local addresses too.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes preparing articles (cleaning, features, MinHash); default: the cores.",
)
@reports_crashes
def ingest(
    inputs: tuple[str, ...],
    db: str | None,
    from_batch: Path | None,
    as_json: bool,
    quiet: bool,
    allow_private: bool,
    workers: int | None,
) -> None:
    """Add article files, folders, JSONL, pages, feeds, archives or URLs to the store.

    \b
    Example:
        storyfuse ingest demo/corpus --db stories.db
        storyfuse ingest https://news.example/feed.xml

    A URL is fetched (a feed's items' pages too). Ingesting the same input
    again changes nothing. Exit code 1 when some inputs were rejected (each
    named on stderr; the reasons are kept in the store), 3 on an internal
    error (the traceback is in the log file named on stderr).
    """
    from storyfuse.ingestion.prepare import default_workers
    from storyfuse.ingestion.service import Ingestion
    from storyfuse.sources.fetch import FetchOptions
    from storyfuse.sources.inputs import read_inputs
    from storyfuse.store.database import StoreBusy

    if from_batch is not None or not inputs:
        from storyfuse.cli.batch import ingest_batch

        ingest_batch(inputs, db, from_batch, as_json)
    documents, errors = read_inputs(inputs, fetch=FetchOptions(allow_private=allow_private))
    show = not quiet and not as_json and sys.stderr.isatty() and len(documents) > 20
    with (
        open_store(db, create=True) as store,
        Ingestion(store, workers=workers or default_workers()) as ingestion,
    ):
        try:
            if show:
                with click.progressbar(
                    length=len(documents), label="ingesting", file=sys.stderr
                ) as bar:
                    result = ingestion.ingest(documents, errors, progress=bar.update)
            else:
                result = ingestion.ingest(documents, errors)
        except StoreBusy as busy:
            raise click.ClickException(
                f"{store.path}: {busy}; what was ingested before stays, try again"
            ) from None
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


@click.command()
@db_option
@click.option(
    "--since",
    help="Only stories with an article published since then (by publication date, not "
    "ingest time): 2025-04-02, 2025-04-02T10:00, 3d, 12h.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
def stories(db: str | None, since: str | None, as_json: bool) -> None:
    """List the stories in the store, most recent first.

    \b
    Example:
        storyfuse stories --since 7d
    """
    from storyfuse.store.listing import StoryFilter

    moment = _when(since) if since else None
    story_filter = StoryFilter(published_since=moment)
    with open_store(db) as store:
        if as_json:
            rows = store.lists.recent(story_filter)
            click.echo(
                json.dumps([story_row_json(row) for row in rows], indent=2, ensure_ascii=False)
            )
            return
        try:
            for offset in itertools.count(0, _LIST_PAGE):
                page = store.lists.recent(story_filter, _LIST_PAGE, offset)
                for row in page:
                    click.echo(_story_line(row))
                if len(page) < _LIST_PAGE:
                    break
        except BrokenPipeError:  # the reader has seen enough (``| head``)
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that exiting flushes nowhere


def _story_line(row: StoryRow) -> str:
    dates = f"{_day(row.first_published)}..{_day(row.last_published)}"
    marker = " (single article)" if row.size == 1 else ""
    articles = "article " if row.size == 1 else "articles"
    sources = "source " if row.independent_sources == 1 else "sources"
    return (
        f"{row.id}  {row.size:>3} {articles}  {row.independent_sources:>2} {sources}  {dates}  "
        f"{row.headline}{marker}  [{', '.join(row.outlets) or 'unknown outlets'}]"
    )


@click.command()
@click.argument("story_id", metavar="ID")
@db_option
@click.option("--json", "output", flag_value="json", help="Print the story as JSON.")
@click.option("--md", "output", flag_value="md", default=True, help="Markdown (default).")
@click.option(
    "--since",
    help="Also show what the story gained since then (2025-04-02, 3d...): articles "
    "ingested since then, and the facts and quotes they brought.",
)
@click.option(
    "--words",
    default=120,
    show_default=True,
    type=click.IntRange(min=10),
    help="Word budget of the summary.",
)
@click.option("--focus", metavar="TEXT", default="", help="Favour what this topic statement names.")
def story(
    story_id: str, db: str | None, output: str, since: str | None, words: int, focus: str
) -> None:
    """Show one story from the store: cited summary and coverage comparison.

    \b
    Example:
        storyfuse story s-1a2b3c4d5e --since 2d
        storyfuse story s-1a2b3c4d5e --focus "the cost of the repairs"
    """
    moment = _when(since) if since else None
    # here, not at the top: the summary's modules are slow to load and other commands skip them
    from storyfuse.pipeline import PipelineOptions, story_from_articles
    from storyfuse.stories.entity_model import kept_names
    from storyfuse.stories.summarize import SummaryOptions
    from storyfuse.stories.wire import SentenceIndex

    options = PipelineOptions(summary=SummaryOptions(words=words, focus=focus))
    with open_store(db) as store:
        current = store.resolve(story_id)
        if current is None:
            raise click.ClickException(f"no story {story_id} in {store.path}")
        if current != story_id:
            click.echo(f"storyfuse: story {story_id} was merged into {current}", err=True)
        articles = store.story_articles(current)
        before = store.story_articles(current, before=moment) if moment else []
        splits = store.story_splits(current)
        index = SentenceIndex(articles, options.match)
        with kept_names(store.entity_names, articles):
            view = story_from_articles(current, articles, options, index)
            then = story_from_articles(current, before, options) if before else None
    changes = story_changes(then, view, moment) if moment is not None else None
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


@click.command()
@click.argument("query")
@db_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(query: str, db: str | None, limit: int, as_json: bool) -> None:
    """Full-text search over the stored articles.

    Words must all match (in any form: ``fire`` finds ``fires``), ``"a phrase"`` its words
    in order, ``OR`` joins alternatives, ``word*`` finds the words it begins.

    \b
    Example:
        storyfuse search 'warehouse fire OR flood'
    """
    from storyfuse.store.store import SearchTooCostly

    with open_store(db) as store:
        try:
            hits = store.search(query, limit)
        except SearchTooCostly as costly:
            raise click.ClickException(str(costly)) from None
    if as_json:
        click.echo(
            json.dumps([dataclasses.asdict(hit) for hit in hits], indent=2, ensure_ascii=False)
        )
        return
    for hit in hits:
        click.echo(
            f"{hit.story or '-'}  {hit.article}  {hit.outlet or 'unknown outlet'}"
            f"{', ' + hit.published[:10] if hit.published else ''}: "
            f"{hit.title or ''}\n    {' '.join(hit.snippet.split())}"
        )


def _when(value: str) -> str:
    try:
        return parse_when(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else "?"


@click.command()
@db_option
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
@click.option(
    "--outlets",
    "outlets_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The user's outlet file that overrides the bundled directory "
    "(default: $STORYFUSE_OUTLETS, else outlets.csv in the user data directory).",
)
@click.option(
    "--base-url",
    envvar="STORYFUSE_BASE_URL",
    metavar="URL",
    help="The root URL readers reach the site at, for feed ids and links "
    "(default: $STORYFUSE_BASE_URL, else http://HOST:PORT). A request's Host header is not used.",
)
def serve(
    db: str | None,
    host: str,
    port: int,
    token_env: str,
    outlets_file: Path | None,
    base_url: str | None,
) -> None:
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
    from storyfuse.stories.outlets import OutletDirectory, OutletError
    from storyfuse.web.common import checked_base_url

    try:
        base = checked_base_url(base_url or f"http://{_url_host(host)}:{port}")
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--base-url") from None
    try:
        outlets = OutletDirectory.load(outlets_file)
    except OutletError as error:
        raise click.ClickException(str(error)) from None
    with open_store(db) as store:
        target = store.path
    token = os.environ.get(token_env) or None
    mode = (
        f"POST /api/articles allowed with ${token_env}"
        if token
        else f"read-only (set ${token_env} to allow POST /api/articles)"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"storyfuse: listening on {host}: reachable beyond this machine", err=True)
    click.echo(f"storyfuse: serving {target} at {base}/, {mode}", err=True)
    app = create_app(target, token=token, outlets=outlets, base_url=base)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _url_host(host: str) -> str:
    """A listening address as a URL writes it (IPv6 in brackets; any address as localhost)."""
    if host in ("0.0.0.0", "::", ""):
        return "localhost"
    return f"[{host}]" if ":" in host else host
