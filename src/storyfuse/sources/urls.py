"""Articles from ``http(s)://`` URLs: fetch, then read as a page or as a feed.

What a URL holds is told by its first bytes when they say it plainly (an RSS,
Atom or RDF root element, a JSON Feed), else by its Content-Type, else by
whether it starts like HTML. A page goes to the HTML extractor
(:func:`storyfuse.sources.pages.page_document`); a feed to the feed reader
(:mod:`storyfuse.sources.feeds`), and each of its items that does not carry its full
text (content of at least :data:`FULL_CONTENT_WORDS` words) is read from the
page its link points to. A page found through a feed item takes the item's
title, outlet, date and author where the page gives none.

Fetch failures raise :class:`storyfuse.sources.fetch.FetchError`; what was fetched but
is not an article becomes an :class:`InputError`, as for files.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.feeds import read_feed, read_json_feed
from storyfuse.sources.fetch import Fetcher, FetchError, FetchOptions, FetchResult
from storyfuse.sources.pages import looks_like_html, page_document

logger = logging.getLogger(__name__)

Kind = Literal["page", "feed", "json-feed"]

# An item's own content counts as the full article from this many words on.
FULL_CONTENT_WORDS = 80
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/xml",
        "text/xml",
    }
)
_JSON_FEED_TYPES = frozenset({"application/feed+json", "application/json"})
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")
_SNIFF = 1024


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One feed item: its link, what the feed itself gives, and whether to fetch its page."""

    number: int
    link: str | None
    document: RawDocument | InputError
    fetch_page: bool

    @property
    def source(self) -> str:
        """The item's name in the store: its link, else ``FEED_URL#N``."""
        return self.document.source


@dataclass(frozen=True, slots=True)
class Resource:
    """A fetched URL read as a page, or a feed and its items, or not modified since."""

    url: str
    final_url: str
    kind: Literal["page", "feed", "not-modified"]
    page: RawDocument | InputError | None = None
    items: tuple[FeedItem, ...] = ()
    etag: str | None = None
    last_modified: str | None = None


def is_url(value: str) -> bool:
    """Whether an input names a URL (``scheme://...``) rather than a file."""
    scheme, separator, _ = value.partition("://")
    return bool(separator) and scheme.isascii() and scheme.replace("+", "").isalpha()


def resource_kind(content_type: str | None, body: bytes) -> Kind | None:
    """Page, feed or JSON Feed, from the first bytes, else the Content-Type; None if neither."""
    head = body[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(root in head for root in _FEED_ROOTS) and not head.startswith(
        (b"<!doctype html", b"<html")
    ):
        return "feed"
    if head.startswith(b"{") and b"jsonfeed.org/version/" in head:
        return "json-feed"
    if content_type in _PAGE_TYPES:
        return "page"
    if content_type in _FEED_TYPES:
        return "feed"
    if content_type in _JSON_FEED_TYPES:
        return "json-feed"
    if looks_like_html(body):
        return "page"
    return None


def read_resource(
    fetcher: Fetcher, url: str, *, etag: str | None = None, last_modified: str | None = None
) -> Resource:
    """Fetch ``url`` and read it as a page or a feed; raises :class:`FetchError`.

    A feed that cannot be read (malformed XML, not a feed at all) raises too,
    naming the URL and the reason.
    """
    fetched = fetcher.fetch(url, etag=etag, last_modified=last_modified)
    resource = Resource(
        url,
        fetched.final_url,
        "not-modified",
        etag=fetched.etag,
        last_modified=fetched.last_modified,
    )
    if fetched.not_modified:
        return resource
    kind = resource_kind(fetched.content_type, fetched.body)
    if kind is None:
        shown = fetched.content_type or "no Content-Type"
        raise FetchError(url, f"not a page or a feed ({shown})")
    if kind == "page":
        return replace(
            resource, kind="page", page=page_document(url, fetched.body, fetched.final_url)
        )
    return replace(resource, kind="feed", items=feed_items(url, fetched, kind))


def feed_items(url: str, fetched: FetchResult, kind: Kind) -> tuple[FeedItem, ...]:
    """The items of a fetched feed; raises :class:`FetchError` when it is not a readable feed."""
    suffix = ".json" if kind == "json-feed" else ".xml"
    with tempfile.TemporaryDirectory(prefix="storyfuse-feed-") as folder:
        path = Path(folder) / f"feed{suffix}"
        path.write_bytes(fetched.body)
        reader = read_json_feed if kind == "json-feed" else read_feed
        results = list(reader(path, named=True))
    whole = [result for result in results if result.source == str(path)]
    if whole:
        reason = whole[0].reason if isinstance(whole[0], InputError) else "unreadable feed"
        if reason == "feed has no items":
            return ()
        raise FetchError(url, reason)
    entries = _json_entries(fetched.body) if kind == "json-feed" else _xml_entries(fetched.body)
    items = []
    for result in results:
        number = int(result.source.rpartition(":")[2])
        raw_link, has_content = entries[number - 1] if number <= len(entries) else (None, False)
        link = urljoin(fetched.final_url, raw_link) if raw_link else None
        document: RawDocument | InputError
        if isinstance(result, RawDocument):
            document = replace(result, source=link or f"{url}#{number}", url=link or result.url)
            full = has_content and len(result.text.split()) >= FULL_CONTENT_WORDS
        else:
            document = replace(result, source=link or f"{url}#{number}")
            full = False
        items.append(FeedItem(number, link, document, fetch_page=bool(link) and not full))
    return tuple(items)


def _xml_entries(body: bytes) -> list[tuple[str | None, bool]]:
    """Each RSS or Atom entry's link and whether it carries content (not only a summary)."""
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    entries: list[tuple[str | None, bool]] = []
    for entry in parsed.entries:
        contents = entry.get("content") or []
        has_content = any(part.get("value", "").strip() for part in contents)
        entries.append((entry.get("link") or None, has_content))
    return entries


def _json_entries(body: bytes) -> list[tuple[str | None, bool]]:
    """Each JSON Feed item's link and whether it carries content_html or content_text."""
    feed: Any = json.loads(body.decode("utf-8-sig"))
    entries: list[tuple[str | None, bool]] = []
    for item in feed.get("items") or []:
        if not isinstance(item, dict):
            entries.append((None, False))
            continue
        link = item.get("url") or item.get("external_url")
        has_content = any(
            isinstance(item.get(key), str) and item[key].strip()
            for key in ("content_html", "content_text")
        )
        entries.append((link if isinstance(link, str) else None, has_content))
    return entries


def item_page(fetcher: Fetcher, item: FeedItem) -> RawDocument | InputError:
    """The article of a feed item: its page when it must be fetched, else the feed's text.

    Raises :class:`FetchError` when the page cannot be fetched.
    """
    if not item.fetch_page or item.link is None:
        return item.document
    fetched = fetcher.fetch(item.link, accept=PAGE_ACCEPT)
    kind = resource_kind(fetched.content_type, fetched.body)
    if kind != "page":
        shown = fetched.content_type or "no Content-Type"
        return InputError(item.link, f"the item's link is not an HTML page ({shown})")
    page = page_document(item.link, fetched.body, fetched.final_url)
    if isinstance(page, RawDocument) and isinstance(item.document, RawDocument):
        feed = item.document
        page = replace(
            page,
            title=page.title or feed.title,
            outlet=page.outlet or feed.outlet,
            published=page.published or feed.published,
            author=page.author or feed.author,
            language=page.language or feed.language,
        )
    return page


def read_urls(
    urls: Sequence[str], options: FetchOptions | None = None
) -> list[RawDocument | InputError]:
    """Every article at ``urls``: a page's, or each item's of a feed (pages fetched as needed).

    A URL or an item page that cannot be fetched becomes an :class:`InputError`
    naming it with the reason; the other URLs go on.
    """
    results: list[RawDocument | InputError] = []
    with Fetcher(options) as fetcher:
        for url in dict.fromkeys(urls):
            logger.info("fetching %s", url)
            try:
                resource = read_resource(fetcher, url)
            except FetchError as error:
                results.append(InputError(url, error.reason))
                continue
            except Exception as error:  # never an exception for a bad input: logged, reported
                logger.exception("%s: unexpected error", url)
                results.append(InputError(url, _unexpected(error)))
                continue
            if resource.page is not None:
                results.append(resource.page)
            for item in resource.items:
                try:
                    results.append(item_page(fetcher, item))
                except FetchError as error:
                    results.append(InputError(item.source, error.reason))
                except Exception as error:
                    logger.exception("%s: unexpected error", item.source)
                    results.append(InputError(item.source, _unexpected(error)))
    return results


def _unexpected(error: Exception) -> str:
    return f"unexpected error ({type(error).__name__}: {error})"
