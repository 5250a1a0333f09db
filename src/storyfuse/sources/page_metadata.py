"""An HTML page's metadata: headline, outlet, author, canonical URL, language, dates.

trafilatura's metadata extraction gives the headline, author, site name and
publication date; this module adds what it leaves out (the last-updated date,
the language, the canonical URL made absolute) from the page's JSON-LD
(schema.org), OpenGraph and ``<meta>`` tags, and fills gaps in the rest.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import trafilatura
from lxml.html import HtmlElement

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "webpage",
        "report",
    }
)
_PUBLISHED_KEYS = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "date",
)
_UPDATED_KEYS = (
    "article:modified_time",
    "datemodified",
    "og:updated_time",
    "last-modified",
    "dc.date.modified",
)
_TITLE_KEYS = ("og:title", "twitter:title", "headline")
_OUTLET_KEYS = ("og:site_name", "application-name")
_ISO_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")
# Dates before the web or far in the future are template junk.
_EARLIEST = dt.date(1990, 1, 1)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about its article; ``titles`` lists every headline it shows."""

    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    titles: tuple[str, ...] = ()


def parse_date(value: object) -> dt.date | None:
    """A date from an ISO 8601 or RFC 2822 timestamp; ``None`` when there is none."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    date: dt.date | None = None
    match = _ISO_DATE.match(text)
    if match:
        try:
            date = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            date = None
    else:
        try:
            date = email.utils.parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            date = None
    if date is None or not _EARLIEST <= date <= dt.date.today() + dt.timedelta(days=2):
        return None
    return date


def _meta_tags(page: HtmlElement) -> dict[str, str]:
    """``<meta>`` contents by lower-cased property, name, itemprop or http-equiv (first wins)."""
    found: dict[str, str] = {}
    for meta in page.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, content)
    for time in page.iter("time"):
        key = (time.get("itemprop") or "").strip().lower()
        value = (time.get("datetime") or "").strip()
        if key and value:
            found.setdefault(key, value)
    return found


def _walk_json(value: object) -> Iterator[dict[str, object]]:
    """Every object inside a JSON value, outermost first (iterative: any depth is safe)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _types(item: dict[str, object]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(entry).lower() for entry in kinds if isinstance(entry, str)}


def _json_ld(page: HtmlElement) -> list[dict[str, object]]:
    """schema.org objects describing the article, the most specific kinds first."""
    found: list[dict[str, object]] = []
    for script in page.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # malformed, or nested past Python's limit
            continue
        found.extend(item for item in _walk_json(data) if _types(item) & _ARTICLE_TYPES)
    return sorted(found, key=lambda item: "webpage" in _types(item))


def _first_string(items: list[dict[str, object]], key: str) -> str | None:
    for item in items:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _names(value: object) -> list[str]:
    """Names in a schema.org author or publisher value (a string, object or list)."""
    if isinstance(value, str):
        return [value] if value.strip() and "://" not in value else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for entry in value for name in _names(entry)]
    return []


def _person_names(items: list[dict[str, object]], key: str) -> str | None:
    for item in items:
        names = [" ".join(name.split()) for name in _names(item.get(key))]
        if names:
            return "; ".join(dict.fromkeys(names))
    return None


def _language(page: HtmlElement, meta: dict[str, str], ld: list[dict[str, object]]) -> str | None:
    for value in (
        page.get("lang"),
        page.get("{http://www.w3.org/XML/1998/namespace}lang"),
        meta.get("content-language"),
        meta.get("og:locale"),
        _first_string(ld, "inLanguage"),
    ):
        match = _LANGUAGE.match((value or "").strip())
        if match:
            return match.group().lower()
    return None


def _first_date(keys: tuple[str, ...], meta: dict[str, str]) -> dt.date | None:
    for key in keys:
        date = parse_date(meta.get(key))
        if date is not None:
            return date
    return None


def _canonical(page: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    for link in page.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return _absolute(link.get("href", ""), url)
    if meta.get("og:url"):
        return _absolute(meta["og:url"], url)
    return url


def _absolute(href: str, base: str | None) -> str | None:
    href = href.strip()
    joined = urljoin(base, href) if base else href
    return joined if joined.startswith(("http://", "https://")) else base


def page_metadata(page: HtmlElement, url: str | None = None) -> PageMetadata:
    """Everything the page says about its article; ``url`` is where it came from."""
    meta = _meta_tags(page)
    ld = _json_ld(page)
    found = trafilatura.extract_metadata(page, default_url=url)
    published = (
        parse_date(_first_string(ld, "datePublished"))
        or _first_date(_PUBLISHED_KEYS, meta)
        or parse_date(found.date)
    )
    updated = parse_date(_first_string(ld, "dateModified")) or _first_date(_UPDATED_KEYS, meta)
    if updated is not None and published is not None and updated < published:
        updated = None
    headings = [" ".join(h1.text_content().split()) for h1 in page.iter("h1")]
    title_tag = page.find(".//title")
    candidates = [
        found.title,
        _first_string(ld, "headline"),
        *(meta.get(key) for key in _TITLE_KEYS),
        title_tag.text_content() if title_tag is not None else None,
        *headings,
    ]
    titles = tuple(dict.fromkeys(" ".join(t.split()) for t in candidates if t and t.strip()))
    outlet = next((meta[key] for key in _OUTLET_KEYS if meta.get(key)), None)
    publisher = next((_names(item.get("publisher")) for item in ld if item.get("publisher")), [])
    return PageMetadata(
        title=titles[0] if titles else None,
        outlet=" ".join((outlet or (publisher[0] if publisher else found.sitename) or "").split())
        or None,
        author=found.author or _person_names(ld, "author") or meta.get("author"),
        url=_canonical(page, meta, url),
        language=_language(page, meta, ld),
        published=published,
        updated=updated,
        titles=titles,
    )
