"""Feeds of the store's stories: Atom (RFC 4287) and JSON Feed 1.1.

Each story is one entry: its page's URL as id and link, its headline as
title, its cited summary as content (plain text and escaped HTML), its outlets
as categories. Text from articles is untrusted: XML is written by ElementTree
(escaped) with the characters XML 1.0 forbids removed, and the JSON Feed's
``content_html`` is built from escaped text only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from storyfuse import __version__
from storyfuse.web.bidi import balanced_bidi
from storyfuse.web.views import CitedText

ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_TITLE = "storyfuse: stories"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One story as a feed entry; ``url`` is absolute, times are RFC 3339."""

    url: str
    title: str
    summary: tuple[CitedText, ...]
    published: str
    updated: str
    outlets: tuple[str, ...]


def rfc3339(value: str) -> str:
    """An ISO timestamp from the store as RFC 3339 (seconds, with a UTC offset)."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(entry: FeedEntry) -> str:
    return " ".join(balanced_bidi(line.text) for line in entry.summary) or entry.title


def _html(entry: FeedEntry, base: str) -> str:
    items = []
    for line in entry.summary:
        marks = Markup(" ").join(
            Markup('<a href="{}{}">[{}]</a>').format(base, m.href, m.source.number)
            for m in line.markers
        )
        items.append(Markup("<li>{} {}</li>").format(balanced_bidi(line.text), marks))
    return (
        str(Markup("<ul>{}</ul>").format(Markup("").join(items)))
        if items
        else str(escape(entry.title))
    )


def _updated(entries: Sequence[FeedEntry]) -> str:
    if not entries:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC).isoformat(timespec="seconds")
    return max(entries, key=lambda e: dt.datetime.fromisoformat(e.updated)).updated


def atom_feed(entries: Sequence[FeedEntry], base: str) -> bytes:
    """An Atom feed document of ``entries``; ``base`` is the site's root URL (no slash)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = _xml(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", f"{base}/")
    sub(feed, "title", FEED_TITLE)
    sub(feed, "subtitle", "News from many outlets as verified, cited stories")
    sub(feed, "updated", _updated(entries))
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/feed.xml")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/")
    author = sub(feed, "author")
    sub(author, "name", "storyfuse")
    sub(feed, "generator", "storyfuse", version=__version__)
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", entry.url)
        sub(item, "title", entry.title)
        sub(item, "updated", entry.updated)
        sub(item, "published", entry.published)
        sub(item, "link", rel="alternate", type="text/html", href=entry.url)
        for outlet in entry.outlets:
            sub(item, "category", term=_xml(outlet))
        sub(item, "summary", _text(entry), type="text")
        sub(item, "content", _html(entry, base), type="html")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def json_feed(entries: Sequence[FeedEntry], base: str) -> bytes:
    """A JSON Feed 1.1 document of ``entries``; ``base`` is the site's root URL (no slash)."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": FEED_TITLE,
        "home_page_url": f"{base}/",
        "feed_url": f"{base}/feed.json",
        "description": "News from many outlets as verified, cited stories",
        "authors": [{"name": "storyfuse"}],
        "items": [
            {
                "id": entry.url,
                "url": entry.url,
                "title": entry.title,
                "content_text": _text(entry),
                "content_html": _html(entry, base),
                "date_published": entry.published,
                "date_modified": entry.updated,
                "tags": list(entry.outlets),
            }
            for entry in entries
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
