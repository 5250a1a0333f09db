"""``storyfuse follow``: poll feeds into the store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from storyfuse.cli.common import EXIT_OK, EXIT_REJECTED, db_option, open_store


@click.command()
@click.argument(
    "feeds_file",
    required=False,
    metavar="[FEEDS.txt]",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@db_option
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
    from storyfuse.store.database import StoreBusy

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

    with open_store(db, create=True) as store, Fetcher(fetch) as fetcher:
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
        except StoreBusy as busy:
            raise click.ClickException(
                f"{store.path}: {busy}; the feeds stored so far are kept, try again"
            ) from None
        except KeyboardInterrupt:
            note = " in the middle of a pass (feeds stored so far are kept)" if in_pass else ""
            click.echo(f"storyfuse: stopped{note}", err=True)
            sys.exit(130 if in_pass else EXIT_OK)
        finally:
            ingestion.close()
    sys.exit(EXIT_REJECTED if failed else EXIT_OK)
