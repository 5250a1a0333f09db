"""News feeds on disk read as articles: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed.

Each item with content becomes a :class:`RawDocument` of that content's text;
an item with only a summary and a link becomes a document of the summary, with
the link as its URL. The feed's title is the outlet. Items are named
``path:N`` (N counts items from 1). A malformed file is one :class:`InputError`
naming it; an item without text is an error naming the item; a feed of more
than :data:`MAX_FEED_ITEMS` items is refused (its parse time grows with them).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import xml.sax
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import feedparser
from lxml import html as lxml_html
from lxml.etree import ParserError

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.json_input import JSONInputError, load_json
from storyfuse.sources.page_metadata import parse_date

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
JSON_FEED_SUFFIXES = frozenset({".json"})
JSON_FEED_VERSION = "https://jsonfeed.org/version/"
MAX_FEED_BYTES = 20 * 1024 * 1024
# feedparser takes about 0.5 ms an item: a bound on the items bounds the time of one feed.
MAX_FEED_ITEMS = 500
_MB = 1024 * 1024
_DETAIL = 160  # characters of a reason worth showing
_ITEM_TAG = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)[\s>/]", re.IGNORECASE)
# Elements after which a fragment's text starts a new paragraph.
_BLOCKS = frozenset(
    {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "figure"}
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed"})

Result = RawDocument | InputError


def fragment_text(fragment: str) -> str:
    """The text of an HTML fragment, one paragraph per block, ``<br>`` as a line break.

    Scripts, styles and embedded objects are dropped; markup in the text comes
    out as inert text.
    """
    if "<" not in fragment:
        return _paragraphs(fragment)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return _paragraphs(fragment)
    parts: list[str] = []
    _collect(root, parts)
    return _paragraphs("".join(parts))


def _collect(element: Any, parts: list[str]) -> None:
    if element.tag in _SKIPPED or not isinstance(element.tag, str):
        return
    if element.tag == "br":
        parts.append("\n")
    block = element.tag in _BLOCKS
    if block:
        parts.append("\n\n")
    parts.append(element.text or "")
    for child in element:
        _collect(child, parts)
        parts.append(child.tail or "")
    if block:
        parts.append("\n\n")


def _paragraphs(text: str) -> str:
    paragraphs = []
    for chunk in text.split("\n\n"):
        lines = (" ".join(line.split()) for line in chunk.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _read_capped(path: Path) -> bytes:
    """A feed file's bytes; raises ``ValueError`` when it is over the size limit."""
    with path.open("rb") as stream:
        data = stream.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise ValueError(f"too large for a feed (limit {MAX_FEED_BYTES // _MB} MB)")
    return data


def _struct_date(value: object) -> dt.date | None:
    if isinstance(value, time.struct_time):
        try:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
        except ValueError:
            return None
    return None


def _updated(entry: dict[str, Any]) -> dt.date | None:
    """The item's last-updated date, when it gives one apart from its publication date.

    (feedparser files RSS's only date, ``pubDate`` or ``dc:date``, as updated too;
    plain ``dict.get`` skips its deprecated fallback from updated to published.)
    """
    published, updated = dict.get(entry, "published"), dict.get(entry, "updated")
    if not published or not updated or published == updated:
        return None
    return _struct_date(dict.get(entry, "updated_parsed"))


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(fragment_text(value).split()) or None


def _entry_text(entry: Mapping[str, Any]) -> tuple[str, bool, str | None]:
    """The item's text, whether it is full content (not a summary), and its language."""
    contents = [part for part in entry.get("content") or [] if part.get("value")]
    if contents:
        best = max(contents, key=lambda part: len(part["value"]))
        value = best["value"]
        text = fragment_text(value) if "html" in best.get("type", "html") else _paragraphs(value)
        if text:
            return text, True, best.get("language")
    detail = entry.get("summary_detail") or {}
    return fragment_text(entry.get("summary") or ""), False, detail.get("language")


def _language(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip().split("-")[0].split("_")[0].lower()
    return None


def _rss_item(source: str, entry: dict[str, Any], feed: Mapping[str, Any]) -> Result:
    text, full, language = _entry_text(entry)
    link = entry.get("link") or None
    if not text:
        hint = f" (fetch its link: {link})" if link else ""
        return InputError(source, f"feed item has no text{hint}")
    if not full and not link:
        return InputError(source, "feed item has only a summary and no link")
    return RawDocument(
        source=source,
        text=text,
        title=_clean(entry.get("title")),
        url=link,
        outlet=_clean(feed.get("title")),
        published=_struct_date(
            dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        ),
        updated=_updated(entry),
        author=_clean(entry.get("author")),
        language=_language(language, feed.get("language")),
    )


def read_feed(path: Path, *, named: bool = True) -> Iterator[Result]:
    """Each item of an RSS or Atom file as an article, or an error saying what is wrong.

    A well-formed XML file that is not a feed is an error when ``named``, and
    is skipped when it was found by walking a folder.
    """
    try:
        data = _read_capped(path)
    except (OSError, ValueError) as error:
        yield InputError(str(path), getattr(error, "strerror", None) or str(error))
        return
    if not data.strip():
        yield InputError(str(path), "empty file")
        return
    items = len(_ITEM_TAG.findall(data))
    if items > MAX_FEED_ITEMS:
        yield InputError(str(path), f"too many items for a feed ({items}, limit {MAX_FEED_ITEMS})")
        return
    try:
        parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    except Exception as error:  # feedparser's own failures: bad encodings, NUL characters
        yield InputError(str(path), f"unreadable feed ({type(error).__name__}: {error})"[:_DETAIL])
        return
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException):
        yield InputError(str(path), f"malformed XML ({problem})")
        return
    if not parsed.get("version") and not parsed.entries:
        if named:
            yield InputError(str(path), "not a feed: no RSS or Atom items found")
        return
    if not parsed.entries:
        yield InputError(str(path), "feed has no items")
        return
    for number, entry in enumerate(parsed.entries, start=1):
        yield _rss_item(f"{path}:{number}", entry, parsed.feed)


def _json_authors(item: Mapping[str, Any], feed: Mapping[str, Any]) -> str | None:
    for holder in (item, feed):
        authors = holder.get("authors") or ([holder["author"]] if holder.get("author") else [])
        if not isinstance(authors, list):
            continue  # "authors": 5 names nobody
        names = [a.get("name") for a in authors if isinstance(a, dict)]
        strings = [" ".join(name.split()) for name in names if isinstance(name, str)]
        if any(strings):
            return "; ".join(name for name in strings if name)
    return None


def _json_item(source: str, item: object, feed: Mapping[str, Any]) -> Result:
    if not isinstance(item, dict):
        return InputError(source, f"feed item is not an object ({type(item).__name__})")
    html, plain, summary = (item.get(key) for key in ("content_html", "content_text", "summary"))
    link = item.get("url") or item.get("external_url") or None
    if isinstance(html, str) and html.strip():
        text = fragment_text(html)
    elif isinstance(plain, str) and plain.strip():
        text = _paragraphs(plain)
    elif isinstance(summary, str) and summary.strip() and link:
        text = _paragraphs(summary)
    else:
        return InputError(source, "feed item has no text")
    return RawDocument(
        source=source,
        text=text,
        title=_clean(item.get("title")),
        url=link if isinstance(link, str) else None,
        outlet=_clean(feed.get("title")),
        published=parse_date(item.get("date_published")),
        updated=parse_date(item.get("date_modified")),
        author=_json_authors(item, feed),
        language=_language(item.get("language"), feed.get("language")),
    )


def read_json_feed(path: Path, *, named: bool = True) -> Iterator[Result]:
    """Each item of a JSON Feed (``version`` https://jsonfeed.org/version/...) as an article.

    Other JSON is an error when ``named`` and skipped when found in a folder.
    """
    try:
        feed = load_json(_read_capped(path).decode("utf-8-sig"))
    except JSONInputError as error:
        yield InputError(str(path), str(error))
        return
    except UnicodeDecodeError:
        yield InputError(str(path), "not UTF-8 text (JSON Feed is UTF-8)")
        return
    except (OSError, ValueError) as error:
        yield InputError(str(path), getattr(error, "strerror", None) or str(error))
        return
    if not isinstance(feed, dict):
        feed = {}
    version = feed.get("version")
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION):
        if named:
            yield InputError(str(path), f"not a JSON Feed (no version {JSON_FEED_VERSION}...)")
        return
    items = feed.get("items")
    if not isinstance(items, list):
        yield InputError(str(path), 'JSON Feed without an "items" list')
        return
    if len(items) > MAX_FEED_ITEMS:
        yield InputError(
            str(path), f"too many items for a feed ({len(items)}, limit {MAX_FEED_ITEMS})"
        )
        return
    for number, item in enumerate(items, start=1):
        yield _json_item(f"{path}:{number}", item, feed)
