"""The feeds of the latest stories: Atom (``/feed.xml``) and JSON Feed 1.1 (``/feed.json``).

An entry's dates are its story's publication dates (first and last article published),
not when storyfuse ingested them; a story with no dated article falls back to when it was seen.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi.responses import Response

from storyfuse.store.listing import StoryFilter
from storyfuse.web.bidi import balanced_bidi
from storyfuse.web.common import WebContext, WebDep
from storyfuse.web.feeds import FeedEntry, atom_feed, json_feed, rfc3339

FEED_SIZE = 50

router = APIRouter(tags=["feeds"])


def _published(day: dt.date | None, seen: str) -> str:
    """A story's publication date (midnight UTC) as RFC 3339; when seen if it has none."""
    if day is None:
        return rfc3339(seen)
    return dt.datetime.combine(day, dt.time(), dt.UTC).isoformat(timespec="seconds")


def _feed_entries(web: WebContext) -> tuple[list[FeedEntry], str]:
    base = web.base_url  # configured: a request's Host header never reaches a feed
    entries = []
    with web.site.store() as store:
        rows = store.lists.recent(StoryFilter(), FEED_SIZE)
        summaries = web.site.summaries(store, [row.id for row in rows])
        for row in rows:
            entries.append(
                FeedEntry(
                    url=f"{base}/stories/{row.id}",
                    title=balanced_bidi(row.headline),
                    summary=summaries.get(row.id, ()),
                    published=_published(row.first_published, row.first_seen),
                    updated=_published(row.last_published, row.last_seen),
                    outlets=tuple(balanced_bidi(outlet) for outlet in row.outlets),
                )
            )
    return entries, base


@router.get("/feed.xml", response_class=Response)
async def atom(web: WebDep) -> Response:
    """The latest stories as an Atom feed."""

    def compute() -> str | bytes:
        entries, base = _feed_entries(web)
        return atom_feed(entries, base)

    body = await web.site.answer(("atom",), compute)
    return Response(body, media_type="application/atom+xml")


@router.get("/feed.json", response_class=Response)
async def json_feed_route(web: WebDep) -> Response:
    """The latest stories as a JSON Feed 1.1."""

    def compute() -> str | bytes:
        entries, base = _feed_entries(web)
        return json_feed(entries, base)

    body = await web.site.answer(("json feed",), compute)
    return Response(body, media_type="application/feed+json")
