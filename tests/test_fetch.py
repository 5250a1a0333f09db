"""The HTTP client, against a real server on 127.0.0.1: safety, limits, politeness, retries."""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from storyfuse import __version__
from storyfuse.sources.fetch import MB, Fetcher, FetchError, FetchOptions, address_problem
from webserver import Hit, Reply, WebServer, repeat

# Fast and local: the test server is on loopback, no pause between requests.
LOCAL = FetchOptions(allow_private=True, host_delay=0.0, backoff=0.01, read_timeout=2.0)
PAGE = b"<!DOCTYPE html><html><body><p>The harbour reopened on Thursday.</p></body></html>"


@pytest.fixture
def server() -> Iterator[WebServer]:
    with WebServer() as web:
        yield web


def fetcher(**changes: Any) -> Fetcher:
    return Fetcher(replace(LOCAL, **changes))


def failure(fetch: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch.fetch(url)
    return caught.value


# -- what is fetched, and how it says who it is ------------------------------------------
def test_a_page_is_fetched_with_an_honest_user_agent(server: WebServer) -> None:
    url = server.route("/page.html", Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    result = fetcher().fetch(url)
    assert result.status == 200 and result.body == PAGE
    assert result.content_type == "text/html" and result.charset == "utf-8"
    assert result.final_url == url and result.attempts == 1
    agent = next(hit for hit in server.hits if hit.path == "/page.html").headers["user-agent"]
    assert agent.startswith(f"storyfuse/{__version__} (+http")
    assert "Mozilla" not in agent


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://news.example/feed.xml",
        "gopher://news.example/",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "news.example/feed.xml",
    ],
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    error = failure(fetcher(), url)
    assert error.url == url
    assert "only http and https" in error.reason
    assert str(error).startswith(url + ": ")


def test_urls_with_credentials_or_without_a_host_are_refused() -> None:
    assert "user name or password" in failure(fetcher(), "http://me:secret@news.example/").reason
    assert "no host" in failure(fetcher(), "http:///feed.xml").reason


# -- private addresses -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.9", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fc00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.251", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("100.64.0.1", "a non-public address"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_problems(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


def test_a_loopback_url_is_refused_unless_private_addresses_are_allowed(
    server: WebServer,
) -> None:
    url = server.route("/page.html", Reply(200, PAGE))
    error = failure(fetcher(allow_private=False), url)
    assert "127.0.0.1 is a loopback address" in error.reason and "--allow-private" in error.reason
    assert server.hits == []  # refused before connecting, robots.txt included
    assert fetcher(allow_private=True).fetch(url).body == PAGE


def test_a_redirect_to_a_private_address_is_refused(server: WebServer) -> None:
    # The first host is trusted by name; the redirect goes to another name on loopback.
    trusted = fetcher(allow_private=False, private_hosts=frozenset({"127.0.0.1"}))
    url = server.route("/go", Reply(302, headers={"Location": f"http://localhost:{server.port}/"}))
    server.route("/", Reply(200, PAGE))
    error = failure(trusted, url)
    assert error.url == url
    assert f"redirected to http://localhost:{server.port}/" in error.reason
    assert "localhost resolves to" in error.reason and "loopback address" in error.reason
    assert server.count("/") == 0

    metadata = server.route(
        "/meta", Reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    assert "link-local address" in failure(trusted, metadata).reason

    followed = fetcher(allow_private=True).fetch(url)
    assert followed.final_url == f"http://localhost:{server.port}/" and followed.body == PAGE


def test_redirects_are_capped(server: WebServer) -> None:
    url = server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    error = failure(fetcher(max_redirects=3), url)
    assert "too many redirects" in error.reason
    assert server.count("/loop") == 4


# -- conditional GET ---------------------------------------------------------------------
def test_a_304_is_answered_without_downloading_again(server: WebServer) -> None:
    url = server.route(
        "/feed.xml", server.fixture("ledger-rss.xml", "application/rss+xml", etag=True)
    )
    fetch = fetcher()
    first = fetch.fetch(url)
    assert first.status == 200 and first.etag and first.last_modified
    sent = server.sent["/feed.xml"]
    assert sent == len(first.body)

    second = fetch.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    assert server.hits[-1].headers["if-none-match"] == first.etag
    assert server.sent["/feed.xml"] == sent  # no body bytes the second time

    by_date = fetch.fetch(url, last_modified=first.last_modified)
    assert by_date.not_modified


# -- size caps and decompression ---------------------------------------------------------
def test_an_announced_body_over_the_cap_is_not_downloaded(server: WebServer) -> None:
    size = 20 * MB
    url = server.route(
        "/huge.xml",
        lambda hit: Reply(200, repeat(b"<item/>", size), {"Content-Length": str(size)}),
    )
    error = failure(fetcher(), url)
    assert "too large" in error.reason and "20 MB" in error.reason and "10 MB" in error.reason
    assert not error.transient


def test_a_streamed_body_is_cut_off_past_the_cap(server: WebServer) -> None:
    url = server.route("/stream.xml", lambda hit: Reply(200, repeat(b"<item/>", 20 * MB)))
    started = time.monotonic()
    error = failure(fetcher(), url)
    assert "passed the 10 MB limit" in error.reason
    assert time.monotonic() - started < 5
    assert server.sent["/stream.xml"] < 20 * MB  # the client hung up


def test_a_gzip_bomb_is_refused_not_expanded(server: WebServer) -> None:
    bomb = gzip.compress(b"\0" * (64 * MB), compresslevel=9)
    assert len(bomb) < 100_000
    url = server.route("/bomb.html", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    error = failure(fetcher(), url)
    assert "expands past the 10 MB limit" in error.reason and "not expanded" in error.reason


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("gzip", gzip.compress(PAGE[:30]) + gzip.compress(PAGE[30:])),  # two members
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some servers send it
    ],
)
def test_compressed_bodies_are_decoded(server: WebServer, encoding: str, body: bytes) -> None:
    url = server.route("/page.html", Reply(200, body, {"Content-Encoding": encoding}))
    assert fetcher().fetch(url).body == PAGE
    assert server.hits[-1].headers["accept-encoding"] == "gzip, deflate"


def test_corrupt_or_unknown_encodings_are_errors(server: WebServer) -> None:
    corrupt = server.route("/corrupt", Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"}))
    assert "corrupt gzip body" in failure(fetcher(), corrupt).reason
    brotli = server.route("/br", Reply(200, b"\x0b\x02\x80", {"Content-Encoding": "br"}))
    assert "unsupported Content-Encoding 'br'" in failure(fetcher(), brotli).reason


# -- timeouts ----------------------------------------------------------------------------
def test_a_server_that_does_not_answer_times_out(server: WebServer) -> None:
    url = server.route("/slow.xml", Reply(200, b"<rss/>", delay=3))
    started = time.monotonic()
    error = failure(fetcher(read_timeout=0.2, attempts=1), url)
    assert "timed out" in error.reason and error.transient
    assert time.monotonic() - started < 1.5


def test_a_trickling_body_hits_the_total_timeout(server: WebServer) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(200):
            yield b"<p>"
            server.stop.wait(0.05)

    url = server.route("/trickle.html", lambda hit: Reply(200, trickle()))
    started = time.monotonic()
    error = failure(fetcher(read_timeout=1.0, total_timeout=0.4, attempts=1), url)
    assert "no complete answer within 0.4 s" in error.reason
    assert time.monotonic() - started < 1.5


def test_closing_the_fetcher_cancels_a_request_in_flight(server: WebServer) -> None:
    url = server.route("/slow.html", Reply(200, PAGE, delay=5))
    fetch = fetcher(read_timeout=10.0)
    errors: list[FetchError] = []

    def run() -> None:
        try:
            fetch.fetch(url)
        except FetchError as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    while server.count("/slow.html") == 0 and time.monotonic() - started < 2:
        time.sleep(0.01)
    fetch.close()
    thread.join(timeout=3)
    assert not thread.is_alive() and errors and errors[0].reason == "cancelled"
    assert time.monotonic() - started < 3


# -- retries -----------------------------------------------------------------------------
def test_retries_back_off_after_503_then_succeed(server: WebServer) -> None:
    def flaky(hit: Hit) -> Reply:
        return Reply(503, b"busy") if server.count("/flaky") <= 2 else Reply(200, PAGE)

    url = server.route("/flaky", flaky)
    result = fetcher(attempts=4, backoff=0.1).fetch(url)
    assert result.body == PAGE and result.attempts == 3
    first, second, third = server.times("/flaky")
    assert second - first >= 0.09 and third - second >= 0.19  # 0.1 s, then twice that


def test_retry_after_is_honoured(server: WebServer) -> None:
    def limited(hit: Hit) -> Reply:
        if server.count("/limited") == 1:
            return Reply(429, b"slow down", {"Retry-After": "1"})
        return Reply(200, PAGE)

    url = server.route("/limited", limited)
    assert fetcher(backoff=0.01).fetch(url).attempts == 2
    first, second = server.times("/limited")
    assert second - first >= 0.95


def test_a_retry_after_over_the_cap_gives_up_at_once(server: WebServer) -> None:
    url = server.route("/closed", Reply(503, b"maintenance", {"Retry-After": "3600"}))
    error = failure(fetcher(max_retry_after=5.0), url)
    assert "HTTP 503" in error.reason and "retry after 3600 s" in error.reason
    assert error.transient and error.status == 503
    assert server.count("/closed") == 1


def test_retries_are_bounded_and_client_errors_are_not_retried(server: WebServer) -> None:
    broken = server.route("/broken", Reply(500, b"oops"))
    error = failure(fetcher(attempts=3), broken)
    assert error.reason == "HTTP 500 Internal Server Error (after 3 attempts)"
    assert server.count("/broken") == 3

    missing = failure(fetcher(attempts=3), server.url("/missing"))
    assert missing.status == 404 and not missing.transient
    assert server.count("/missing") == 1


def test_a_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = failure(fetcher(attempts=2), f"http://127.0.0.1:{port}/feed.xml")
    assert "cannot connect to 127.0.0.1" in error.reason and "after 2 attempts" in error.reason


# -- robots.txt --------------------------------------------------------------------------
ROBOTS = b"""User-agent: *
Disallow: /

User-agent: storyfuse
Disallow: /private/
"""


def test_robots_txt_is_obeyed_for_storyfuse_and_fetched_once(server: WebServer) -> None:
    server.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    news = server.route("/news/a.html", Reply(200, PAGE))
    private = server.route("/private/b.html", Reply(200, PAGE))
    fetch = fetcher()
    assert fetch.fetch(news).body == PAGE  # the storyfuse group allows it, despite "*"
    error = failure(fetch, private)
    assert "refused by" in error.reason and "robots.txt" in error.reason
    assert server.count("/private/b.html") == 0
    fetch.fetch(news)
    assert server.count("/robots.txt") == 1


def test_robots_txt_for_every_agent_applies_to_storyfuse(server: WebServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /feeds/\n"))
    url = server.route("/feeds/all.xml", Reply(200, b"<rss/>"))
    assert "robots.txt" in failure(fetcher(), url).reason
    assert server.count("/feeds/all.xml") == 0
    assert fetcher(robots=False).fetch(url).body == b"<rss/>"


def test_an_unreadable_robots_txt_allows_nothing(server: WebServer) -> None:
    server.route("/robots.txt", Reply(503, b"down"))
    url = server.route("/page.html", Reply(200, PAGE))
    error = failure(fetcher(), url)
    assert "robots.txt answered HTTP 503" in error.reason and error.transient
    assert server.count("/page.html") == 0


def test_crawl_delay_is_honoured_up_to_its_cap(server: WebServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 30\n"))
    url = server.route("/page.html", Reply(200, PAGE))
    fetch = fetcher(max_crawl_delay=0.3)
    for _ in range(3):
        fetch.fetch(url)
    times = server.times("/page.html")
    assert all(b - a >= 0.28 for a, b in itertools.pairwise(times))
    assert times[-1] - times[0] < 5


# -- one request at a time per host ------------------------------------------------------
def test_requests_to_one_host_never_overlap(server: WebServer) -> None:
    url = server.route("/slow.html", Reply(200, PAGE, delay=0.05))
    fetch = fetcher()
    threads = [threading.Thread(target=fetch.fetch, args=(url,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert server.count("/slow.html") == 6
    assert server.max_in_flight == 1


def test_the_server_does_see_overlapping_requests_from_separate_fetchers(
    server: WebServer,
) -> None:
    # The control for the test above: without one shared fetcher, requests overlap.
    url = server.route("/slow.html", Reply(200, PAGE, delay=0.3))
    threads = [threading.Thread(target=fetcher().fetch, args=(url,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert server.max_in_flight == 2


def test_requests_to_one_host_are_spaced_by_the_delay(server: WebServer) -> None:
    url = server.route("/page.html", Reply(200, PAGE))
    fetch = fetcher(host_delay=0.2)
    for _ in range(3):
        fetch.fetch(url)
    times = server.times("/page.html")
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))
