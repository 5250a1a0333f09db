"""Follow news feeds: fetch each feed, then its new items' pages, into the store.

A pass reads every feed with a conditional GET (the ETag and Last-Modified the
store kept from last time), so an unchanged feed costs one 304 and nothing
more. Items the store already holds (their link is a stored article's URL or
source) are skipped; the others are read, from their page unless the feed
carries their full text, and ingested, one transaction per feed. Each feed's
last check, last success and last error (with its reason: a timeout, HTTP 500,
malformed XML, a body over the size cap...) are recorded in the store's
``feeds`` table, and a failing feed never stops the others.

A feed's new validators are kept only when every item was dealt with: when
an item page timed out, or the feed listed more new items than one pass reads
(``max_items``), the next pass reads the feed again instead of getting a 304,
and picks up what is missing.

Feeds are fetched by a few worker threads, so feeds on different hosts are read
side by side while each host still gets one request at a time (the
:class:`~storyfuse.sources.fetch.Fetcher` sees to that). Everything that touches the
store runs in the calling thread, in the order of the feeds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from storyfuse.ingestion.service import Ingestion, IngestResult
from storyfuse.models import FeedState, InputError, RawDocument
from storyfuse.sources.fetch import Fetcher, FetchError, FetchOptions, parse_target
from storyfuse.sources.urls import FeedItem, Resource, item_page, read_resource
from storyfuse.store.store import Store

logger = logging.getLogger(__name__)

_COMMENT = re.compile(r"(?:^|\s)#.*$")
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class FollowOptions:
    """How to follow feeds: fetch rules, worker threads, items read per feed and pass."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    workers: int = 4
    max_items: int = 200


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one pass did with one feed."""

    url: str
    error: str | None = None
    not_modified: bool = False
    items: int = 0  # items in the feed
    known: int = 0  # items already in the store, skipped
    read: int = 0  # items read this pass (page fetched, or the feed's own text)
    result: IngestResult | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        """One line for people."""
        if self.error is not None:
            return f"{self.url}: failed: {self.error}"
        if self.not_modified:
            return f"{self.url}: not modified"
        counts = self.result.summary_line() if self.result is not None else "nothing new"
        return f"{self.url}: {self.items} items, {self.known} already stored; {counts}"


@dataclass(frozen=True, slots=True)
class PassReport:
    """What one pass over the feeds did: a report per feed, in the order followed."""

    feeds: tuple[FeedReport, ...]

    @property
    def ok(self) -> int:
        return sum(1 for feed in self.feeds if feed.ok)

    @property
    def failed(self) -> int:
        return len(self.feeds) - self.ok

    def _total(self, count: Callable[[IngestResult], int]) -> int:
        return sum(count(feed.result) for feed in self.feeds if feed.result is not None)

    @property
    def added(self) -> int:
        return self._total(lambda result: result.added)

    @property
    def duplicates(self) -> int:
        return self._total(lambda result: result.duplicates + result.near_duplicates)

    @property
    def revised(self) -> int:
        return self._total(lambda result: result.revised)

    @property
    def rejected(self) -> int:
        return self._total(lambda result: len(result.rejected))

    def summary_line(self) -> str:
        """feeds ok / failed, items added / duplicate / revised / rejected."""
        return (
            f"{self.ok} feeds ok, {self.failed} failed; {self.added} added, "
            f"{self.duplicates} duplicate, {self.revised} revised, {self.rejected} rejected"
        )


# -- the feed list ----------------------------------------------------------------
def read_feed_list(path: Path) -> tuple[list[str], list[InputError]]:
    """Feed URLs from a file, one per line; ``#`` starts a comment, blank lines are skipped.

    Lines that are not http(s) URLs come back as errors naming ``FILE:LINE``.
    """
    urls: list[str] = []
    errors: list[InputError] = []
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        value = _COMMENT.sub("", line).strip()
        if not value:
            continue
        try:
            parse_target(value)
        except FetchError as error:
            errors.append(InputError(f"{path}:{number}", f"{value}: {error.reason}"))
            continue
        urls.append(value)
    return list(dict.fromkeys(urls)), errors


def parse_interval(value: str) -> float:
    """Seconds in ``90s``, ``15m``, ``1h30m``, ``2d``; raises ``ValueError``."""
    text = value.strip().lower()
    parts = _INTERVAL.findall(text)
    if not parts or _INTERVAL.sub("", text).strip():
        raise ValueError(f"not an interval: {value!r} (expected e.g. 90s, 15m, 1h30m, 2d)")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


# -- the feeds table ----------------------------------------------------------------
def _record_failure(store: Store, url: str, reason: str) -> FeedReport:
    store.record_feed_failure(url, reason)
    return FeedReport(url, error=reason)


# -- a pass ---------------------------------------------------------------------------
def _read_items(
    fetcher: Fetcher, items: Sequence[FeedItem]
) -> tuple[list[RawDocument | InputError], bool]:
    """Each item's article (pages fetched as needed), and whether a fetch may pass later."""
    results: list[RawDocument | InputError] = []
    transient = False
    for item in items:
        try:
            results.append(item_page(fetcher, item))
        except FetchError as error:
            transient = transient or error.transient
            results.append(InputError(item.source, error.reason))
        except Exception as error:  # a bug must not lose the other items: logged, recorded
            logger.exception("%s: unexpected error", item.source)
            reason = f"unexpected error ({type(error).__name__}: {error})"
            results.append(InputError(item.source, reason))
    return results, transient


@dataclass(frozen=True, slots=True)
class _Pending:
    url: str
    resource: Resource
    known: int
    truncated: bool
    job: Future[tuple[list[RawDocument | InputError], bool]]


def follow_pass(
    store: Store,
    fetcher: Fetcher,
    urls: Sequence[str] | None = None,
    options: FollowOptions | None = None,
    progress: Callable[[FeedReport], None] | None = None,
    ingestion: Ingestion | None = None,
) -> PassReport:
    """Fetch each feed (``urls``, else every feed in the store), then its new items.

    ``ingestion`` (of ``store``) is reused when given, so passes that follow
    each other keep the clusterer it holds.

    ``progress`` is called with each feed's report once the feed is stored, in
    the order of the feeds. An unexpected error in one feed is logged with its
    traceback and recorded as that feed's failure; the others go on.
    Interrupted (Ctrl-C), the fetcher is closed, requests in flight stop, and
    what was ingested so far stays: each feed is one transaction.
    """
    options = options or FollowOptions()
    own_ingestion = ingestion is None
    ingestion = ingestion or Ingestion(store)
    states = {state.url: state for state in store.feeds()}
    feeds = list(dict.fromkeys(urls if urls is not None else states))
    reports: list[FeedReport] = []
    pool = ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="follow")
    try:
        reads = []
        for url in feeds:
            state = states.get(url) or FeedState(url)
            job = pool.submit(
                read_resource, fetcher, url, etag=state.etag, last_modified=state.last_modified
            )
            reads.append((state, job))
        claimed: set[str] = set()
        outcomes: list[FeedReport | _Pending] = []
        for state, read in reads:  # each feed read, its new items' pages queued
            outcomes.append(_feed_outcome(store, fetcher, pool, state, read, claimed, options))
        for outcome in outcomes:  # then stored, in the order of the feeds
            if isinstance(outcome, _Pending):
                outcome = _ingest_feed(
                    ingestion, outcome, states.get(outcome.url) or FeedState(outcome.url)
                )
            reports.append(outcome)
            if progress is not None:
                progress(outcome)
    except BaseException:
        fetcher.close()  # requests in flight end now, so the workers finish
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if own_ingestion:
            ingestion.close()
    pool.shutdown()
    return PassReport(tuple(reports))


def _feed_outcome(
    store: Store,
    fetcher: Fetcher,
    pool: ThreadPoolExecutor,
    state: FeedState,
    read: Future[Resource],
    claimed: set[str],
    options: FollowOptions,
) -> FeedReport | _Pending:
    """A feed's report when it failed or did not change, else its new items being read."""
    url = state.url
    try:
        resource = read.result()
    except FetchError as error:
        return _record_failure(store, url, error.reason)
    except Exception as error:  # a bug must not stop the other feeds: logged, recorded
        logger.exception("%s: unexpected error", url)
        return _record_failure(store, url, f"unexpected error ({type(error).__name__}: {error})")
    if resource.kind == "not-modified":
        etag = resource.etag or state.etag
        store.record_feed_success(url, etag, resource.last_modified or state.last_modified)
        return FeedReport(url, not_modified=True)
    if resource.kind == "page":
        return _record_failure(store, url, "not a feed: an HTML page (use storyfuse ingest)")
    new = [
        item
        for item in resource.items
        if item.source not in claimed and not store.knows_source(item.source)
    ]
    known = len(resource.items) - len(new)
    truncated = len(new) > options.max_items
    new = new[: options.max_items]
    claimed.update(item.source for item in new)
    reading = pool.submit(_read_items, fetcher, new)
    return _Pending(url, resource, known, truncated, reading)


def _ingest_feed(ingestion: Ingestion, pending: _Pending, state: FeedState) -> FeedReport:
    results, transient = pending.job.result()
    documents = [result for result in results if isinstance(result, RawDocument)]
    errors = [result for result in results if isinstance(result, InputError)]
    result = ingestion.ingest(documents, errors)
    store = ingestion.store
    resource = pending.resource
    if transient or pending.truncated:  # read the whole feed again next time
        store.record_feed_success(pending.url, state.etag, state.last_modified)
    else:
        store.record_feed_success(pending.url, resource.etag, resource.last_modified)
    return FeedReport(
        pending.url,
        items=len(resource.items),
        known=pending.known,
        read=len(results),
        result=result,
    )
