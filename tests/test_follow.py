"""Following feeds and ingesting URLs, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.ingestion import follow
from storyfuse.ingestion.follow import (
    FeedReport,
    FeedState,
    FollowOptions,
    PassReport,
    follow_pass,
    parse_interval,
    read_feed_list,
)
from storyfuse.models import Article, RawDocument
from storyfuse.sources.fetch import MB, Fetcher, FetchOptions
from storyfuse.sources.inputs import read_inputs
from storyfuse.sources.urls import Resource
from storyfuse.store.store import Store
from webserver import Hit, Reply, WebServer, repeat

FAST = FollowOptions(
    fetch=FetchOptions(
        allow_private=True,
        host_delay=0.0,
        connect_timeout=1.0,
        read_timeout=0.4,
        total_timeout=3.0,
        attempts=2,
        backoff=0.01,
    ),
)
PAGES = ("harbour-fire", "ferries", "quay-inspection")


@pytest.fixture
def site() -> Iterator[WebServer]:
    """The Saltmere Ledger's RSS feed (summaries only) and its three pages; an Atom feed
    with full content; and feeds that fail in every way the follower must survive."""
    with WebServer() as web:
        web.route("/ledger.xml", web.fixture("ledger-rss.xml", "application/rss+xml"))
        web.route(
            "/ledger-etag.xml", web.fixture("ledger-rss.xml", "application/rss+xml", etag=True)
        )
        web.route("/courier.xml", web.fixture("courier-atom.xml", "application/atom+xml"))
        for name in PAGES:
            web.route(f"/news/{name}.html", web.fixture(f"ledger-{name}.html", "text/html"))
        web.route("/slow.xml", Reply(200, b"<rss/>", delay=3))
        web.route("/error.xml", Reply(500, b"oops"))
        web.route("/broken.xml", web.fixture("broken.xml", "application/rss+xml"))
        web.route(
            "/huge.xml",
            lambda hit: Reply(
                200, repeat(b"<item/>", 20 * MB), {"Content-Type": "application/rss+xml"}
            ),
        )
        web.route(
            "/huge-declared.xml",
            lambda hit: Reply(200, repeat(b"<item/>", 20 * MB), {"Content-Length": str(20 * MB)}),
        )
        yield web


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "stories.db") as opened:
        yield opened


def run_pass(
    store: Store,
    urls: list[str],
    options: FollowOptions = FAST,
    progress: Callable[[FeedReport], None] | None = None,
) -> PassReport:
    with Fetcher(options.fetch) as fetcher:
        return follow_pass(store, fetcher, urls, options, progress)


def states(store: Store) -> dict[str, FeedState]:
    return {state.url: state for state in store.feeds()}


def page_hits(site: WebServer) -> list[int]:
    return [site.count(f"/news/{name}.html") for name in PAGES]


# -- new items once ----------------------------------------------------------------------
def test_new_items_are_ingested_once(site: WebServer, store: Store) -> None:
    feed = site.url("/ledger.xml")  # no validators: the feed is downloaded every pass
    first = run_pass(store, [feed])
    assert (first.ok, first.failed, first.added) == (1, 0, 3)
    assert page_hits(site) == [1, 1, 1]
    titles = {article.title for article in _articles(store)}
    assert "Fire closes Saltmere harbour" in titles

    second = run_pass(store, [feed])
    assert (second.added, second.duplicates, second.revised, second.rejected) == (0, 0, 0, 0)
    assert second.feeds[0].known == 3
    assert site.count("/ledger.xml") == 2
    assert page_hits(site) == [1, 1, 1]  # stored items are not fetched again
    assert store.counts()["articles"] == 3


def test_an_unchanged_feed_costs_a_304_and_no_download(site: WebServer, store: Store) -> None:
    feed = site.url("/ledger-etag.xml")
    run_pass(store, [feed])
    state = states(store)[feed]
    assert state.etag == '"ledger-rss.xml-v1"' and state.last_modified
    sent = site.sent["/ledger-etag.xml"]

    second = run_pass(store, [feed])
    assert second.feeds[0].not_modified and second.ok == 1
    assert site.count("/ledger-etag.xml") == 2
    assert site.hits[-1].headers["if-none-match"] == '"ledger-rss.xml-v1"'
    assert site.sent["/ledger-etag.xml"] == sent  # nothing downloaded the second time
    assert page_hits(site) == [1, 1, 1]
    assert states(store)[feed].last_success is not None


def test_items_with_full_content_are_not_fetched_again_from_their_pages(
    site: WebServer, store: Store
) -> None:
    report = run_pass(store, [site.url("/courier.xml")])
    assert report.added == 2
    assert not [hit for hit in site.hits if hit.path.startswith("/courier/")]
    stored = {article.url: article for article in _articles(store)}
    museum = stored[site.url("/courier/lighthouse.html")]
    assert museum.outlet == "Island Courier" and "Northpoint lighthouse" in museum.text


# -- failures are recorded, the other feeds go on -----------------------------------------
def test_failing_feeds_are_recorded_with_their_reason_and_the_others_go_on(
    site: WebServer, store: Store
) -> None:
    failing = {
        "/slow.xml": "timed out",
        "/error.xml": "HTTP 500 Internal Server Error (after 2 attempts)",
        "/broken.xml": "malformed XML",
        "/huge.xml": "too large: the body passed the 10 MB limit",
        "/huge-declared.xml": "too large: the server announces 20 MB",
    }
    feeds = [site.url(path) for path in failing] + [site.url("/ledger.xml")]
    shown: list[str] = []
    report = run_pass(store, feeds, progress=lambda feed: shown.append(feed.url))
    assert shown == feeds == [feed.url for feed in report.feeds]  # in the order given

    assert (report.ok, report.failed, report.added) == (1, 5, 3)
    assert report.summary_line() == (
        "1 feeds ok, 5 failed; 3 added, 0 duplicate, 0 revised, 0 rejected"
    )
    recorded = states(store)
    for path, reason in failing.items():
        state = recorded[site.url(path)]
        assert state.last_error is not None and reason in state.last_error, path
        assert state.last_error_at is not None and state.last_checked is not None
        assert state.last_success is None
    good = recorded[site.url("/ledger.xml")]
    assert good.last_success is not None and good.last_error is None
    lines = [feed.line() for feed in report.feeds]
    assert lines[0].startswith(site.url("/slow.xml") + ": failed: timed out")


def test_a_bug_reading_one_feed_is_logged_and_recorded_and_the_others_go_on(
    site: WebServer, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = follow.read_resource

    def buggy(fetcher: Fetcher, url: str, **validators: str | None) -> Resource:
        if url.endswith("/courier.xml"):
            raise KeyError("surprise")
        return real(fetcher, url, **validators)

    monkeypatch.setattr(follow, "read_resource", buggy)
    report = run_pass(store, [site.url("/courier.xml"), site.url("/ledger.xml")])
    assert (report.ok, report.failed, report.added) == (1, 1, 3)
    assert report.feeds[0].error == "unexpected error (KeyError: 'surprise')"
    assert "Traceback" in caplog.text or any(record.exc_info for record in caplog.records)


def test_a_feed_that_recovers_keeps_its_last_error_and_gains_a_success(
    site: WebServer, store: Store
) -> None:
    def flaky(hit: Hit) -> Reply:
        if site.count("/flaky.xml") <= 2:
            return Reply(503, b"busy")
        return site.fixture("ledger-rss.xml", "application/rss+xml")(hit)

    feed = site.route("/flaky.xml", flaky)
    assert run_pass(store, [feed]).failed == 1
    assert run_pass(store, [feed]).added == 3
    state = states(store)[feed]
    assert state.last_success is not None
    assert state.last_error == "HTTP 503 Service Unavailable (after 2 attempts)"


def test_an_item_page_that_fails_for_now_is_read_on_the_next_pass(
    site: WebServer, store: Store
) -> None:
    fixture = site.fixture("ledger-ferries.html", "text/html")

    def ferries(hit: Hit) -> Reply:
        if site.count("/news/ferries.html") <= 2:
            return Reply(503, b"busy")
        return fixture(hit)

    site.route("/news/ferries.html", ferries)
    feed = site.url("/ledger-etag.xml")
    first = run_pass(store, [feed])
    assert (first.ok, first.added, first.rejected) == (1, 2, 1)
    assert any("HTTP 503" in error.reason for error in store.rejections())
    assert states(store)[feed].etag is None  # not kept: next pass reads the feed again

    second = run_pass(store, [feed])
    assert second.added == 1 and not second.feeds[0].not_modified
    assert page_hits(site) == [1, 3, 1]
    assert states(store)[feed].etag == '"ledger-rss.xml-v1"'


def test_robots_txt_keeps_item_pages_out(site: WebServer, store: Store) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: storyfuse\nDisallow: /news/\n"))
    report = run_pass(store, [site.url("/ledger.xml")])
    assert (report.ok, report.added, report.rejected) == (1, 0, 3)
    assert page_hits(site) == [0, 0, 0]
    assert all("robots.txt" in error.reason for error in store.rejections())


def test_feeds_are_refused_on_loopback_unless_allowed(site: WebServer, store: Store) -> None:
    strict = FollowOptions(fetch=FetchOptions(host_delay=0.0))
    report = run_pass(store, [site.url("/ledger.xml")], strict)
    assert report.failed == 1
    assert "loopback address" in (report.feeds[0].error or "")
    assert site.hits == []


# -- the feeds table and the feed list ---------------------------------------------------
def test_without_urls_every_feed_in_the_store_is_followed(site: WebServer, store: Store) -> None:
    assert store.add_feeds([site.url("/ledger.xml"), site.url("/courier.xml")]) == 2
    assert store.add_feeds([site.url("/ledger.xml")]) == 0
    with Fetcher(FAST.fetch) as fetcher:
        report = follow_pass(store, fetcher, None, FAST)
    assert [feed.url for feed in report.feeds] == sorted(
        [site.url("/courier.xml"), site.url("/ledger.xml")]
    )
    assert report.added == 5


def test_the_feed_list_skips_comments_and_names_bad_lines(tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(
        "# my feeds\n"
        "https://news.example/rss.xml\n"
        "\n"
        "   https://other.example/atom.xml   # the islands\n"
        "ftp://news.example/feed\n"
        "https://news.example/rss.xml\n",
        encoding="utf-8",
    )
    urls, errors = read_feed_list(listing)
    assert urls == ["https://news.example/rss.xml", "https://other.example/atom.xml"]
    assert [error.source for error in errors] == [f"{listing}:5"]
    assert "only http and https" in errors[0].reason


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d", 172800)]
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "15", "soon", "15 minutes", "m15"])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


# -- the command line and ingest ---------------------------------------------------------
def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_follow_command_runs_one_pass(site: WebServer, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"# test feeds\n{site.url('/ledger-etag.xml')}\n", encoding="utf-8")
    db = str(tmp_path / "stories.db")
    args = ("follow", str(listing), "--db", db, "--allow-private", "--delay", "0")
    code, out, err = _cli(*args)
    assert code == 0 and out == ""
    assert "storyfuse: pass 1: 1 feeds ok, 0 failed; 3 added, 0 duplicate" in err

    code, _, err = _cli(*args, "--once")
    assert code == 0 and "not modified" in err and "0 added" in err

    listing.write_text(site.url("/broken.xml") + "\n", encoding="utf-8")
    code, _, err = _cli(*args)
    assert code == 1 and "/broken.xml: failed: malformed XML" in err

    code, _, err = _cli("follow", "--db", db, "--delay", "0", "--allow-private", "-q")
    assert code == 1 and "pass 1: 1 feeds ok, 1 failed" in err  # both feeds of the table
    assert "not modified" not in err


def test_follow_command_usage_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "stories.db")
    code, _, err = _cli("follow", "--db", db)
    assert code == 2 and "no feeds to follow" in err
    listing = tmp_path / "feeds.txt"
    listing.write_text("https://news.example/rss.xml\n", encoding="utf-8")
    code, _, err = _cli("follow", str(listing), "--db", db, "--every", "10s")
    assert code == 2 and "at least 1m" in err
    code, _, err = _cli("follow", str(listing), "--db", db, "--every", "15m", "--once")
    assert code == 2 and "exclude each other" in err


def test_ingest_reads_page_and_feed_urls(site: WebServer) -> None:
    page, feed = site.url("/news/ferries.html"), site.url("/courier.xml")
    documents, errors = read_inputs([page, feed, "ftp://news.example/x"], fetch=FAST.fetch)
    assert [document.source for document in documents] == [
        page,
        site.url("/courier/lighthouse.html"),
        site.url("/courier/school-bus.html"),
    ]
    assert all(isinstance(document, RawDocument) for document in documents)
    assert documents[0].title == "Island ferries sail again after the harbour fire"
    assert [(error.source, "only http and https" in error.reason) for error in errors] == [
        ("ftp://news.example/x", True)
    ]


def test_ingest_command_fetches_urls_only_on_allowed_addresses(
    site: WebServer, tmp_path: Path
) -> None:
    db = str(tmp_path / "stories.db")
    page = site.url("/news/harbour-fire.html")
    code, _, err = _cli("ingest", page, "--db", db)
    assert code == 1 and "loopback address" in err and "--allow-private" in err
    assert site.hits == []
    code, _, err = _cli("ingest", page, "--db", db, "--allow-private")
    assert code == 0 and "1 added" in err


def _articles(store: Store) -> list[Article]:
    rows = store.db.execute("SELECT id FROM articles ORDER BY seq").fetchall()
    found = [store.article(row[0]) for row in rows]
    return [article for article in found if article is not None]
