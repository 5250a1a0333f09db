"""The HTML pages: home, story, article, search, and the favicon and API docs.

The story page is cached per version of the story, all but its per-visitor
"what's new" part, which follows the last-visit times kept in a cookie.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from storyfuse.models import StoryRow
from storyfuse.store.listing import StoryFilter
from storyfuse.store.search_query import MAX_TERMS, parse_query
from storyfuse.store.store import SearchHit, SearchTooCostly
from storyfuse.stories.changes import parse_when
from storyfuse.stories.outlets import KINDS, OutletDirectory
from storyfuse.web.common import (
    PACKAGE_DIR,
    PAGE_SIZE,
    WebContext,
    WebDep,
    headline_filter,
    safe_url,
)
from storyfuse.web.site import DEFAULT_WORDS, MAX_FOCUS_CHARS
from storyfuse.web.story_page import reading_order, relative_time

VISITS_COOKIE = "storyfuse_seen"
_VISITS_KEPT = 100
_VISIT_ITEM = re.compile(r"^([A-Za-z0-9_.-]{1,64}):(\d{1,12})$")
_LATEST_VISIT = int(dt.datetime(9999, 1, 1, tzinfo=dt.UTC).timestamp())  # later is no time
# Where a cached story page takes its per-visitor part. Article text cannot forge it:
# autoescaping turns its "<" into "&lt;".
_WHATS_NEW = "<!--storyfuse:whats-new-->"

router = APIRouter()
# Articles and stories a search page lists, each.
SEARCH_SHOWN = 50


def _visits(cookie: str | None) -> dict[str, int]:
    """Last-visit times per story (epoch seconds) from the cookie; malformed items are ignored."""
    visits: dict[str, int] = {}
    for item in (cookie or "").split("|")[-_VISITS_KEPT:]:
        match = _VISIT_ITEM.match(item.strip())
        if match and int(match.group(2)) <= _LATEST_VISIT:
            visits[match.group(1)] = int(match.group(2))
    return visits


def _visits_cookie(visits: dict[str, int], story_id: str, now: int) -> str:
    visits = {k: v for k, v in visits.items() if k != story_id}
    visits[story_id] = now
    items = sorted(visits.items(), key=lambda item: item[1])[-_VISITS_KEPT:]
    return "|".join(f"{key}:{value}" for key, value in items)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(
    web: WebDep,
    since: str | None = None,
    outlet: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    single: bool = False,
) -> HTMLResponse:
    """Stories by importance; single-article stories only with ``?single=1``."""

    def compute() -> tuple[int, bytes]:
        rendered = _home(web, since, outlet, page, single)
        return rendered.status_code, bytes(rendered.body)

    status, body = await web.site.answer(("home", since, outlet, page, single), compute)
    return HTMLResponse(body, status_code=status)


def _home(
    web: WebContext, since: str | None, outlet: str | None, page: int, single: bool
) -> HTMLResponse:
    error = None
    directory = web.site.outlets
    with web.site.store() as store:
        display = {raw: _outlet_names(directory, (raw,))[0] for raw in store.lists.outlet_names()}
        outlets = sorted(set(display.values()), key=str.casefold)
        day = None
        if since:
            try:
                day = parse_when(since)[:10]
            except ValueError as problem:
                error = str(problem)
        covered = tuple(raw for raw, name in display.items() if name == outlet) if outlet else None
        story_filter = StoryFilter(published_since=day, outlets=covered)
        total, singles = store.lists.count(story_filter)
        if not single:
            total -= singles
            story_filter = replace(story_filter, min_size=2)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        shown = store.lists.by_importance(story_filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        names = {row.id: _outlet_names(directory, row.outlets) for row in shown}
        summaries = web.site.summaries(store, [row.id for row in shown])
    params = (("since", since), ("outlet", outlet), ("single", "1" if single else None))
    base = urlencode({k: v for k, v in params if v})
    toggle = urlencode({k: v for k, v in params[:2] if v} | ({} if single else {"single": "1"}))
    now = dt.datetime.now(dt.UTC)
    return web.render(
        "home.html",
        400 if error else 200,
        rows=shown,
        summaries=summaries,
        names=names,
        outlets=outlets,
        total=total,
        singles=singles,
        single=single,
        toggle_query=toggle,
        page=page,
        pages=pages,
        since=since or "",
        outlet=outlet or "",
        error=error,
        filtered=bool(since or outlet),
        page_query=base,
        query="",
        ago=lambda value: relative_time(value, now),
    )


def _outlet_names(directory: OutletDirectory, outlets: Sequence[str]) -> tuple[str, ...]:
    names = (directory.display_name(name) or name for name in outlets)
    return tuple(dict.fromkeys(names))


@router.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
async def story_page(
    web: WebDep, request: Request, story_id: str, since: str | None = None, focus: str = ""
) -> Response:
    site = web.site
    focus = focus.strip()[:MAX_FOCUS_CHARS]
    visits = _visits(request.cookies.get(VISITS_COOKIE))
    error = None
    moment = None
    from_visit = False
    store = site.connection()
    current = store.resolve(story_id)
    if current is None:
        raise HTTPException(404, f"No story {story_id} in this store.")
    if current != story_id:
        target = f"/stories/{current}" + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(target, status_code=301)
    view = await site.current_view(current, DEFAULT_WORDS, focus)
    if view is None:
        raise HTTPException(404, f"Story {story_id} has no articles.")
    seen = site.story_seen(site.connection(), current)
    if since:
        try:
            moment = parse_when(since)
        except ValueError as problem:
            error = str(problem)
    elif current in visits:
        moment = dt.datetime.fromtimestamp(visits[current], dt.UTC).isoformat(timespec="seconds")
        from_visit = True
    changes = await site.current_changes(view, moment, DEFAULT_WORDS, focus) if moment else None
    key = (current, view.key, DEFAULT_WORDS, focus)
    cached = site.pages.get(key)
    if cached is None or cached[0] != seen:
        page = web.templates.get_template("story.html").render(
            view=view,
            story=view.story,
            reading=reading_order(view, site.outlets),
            splits=store.story_splits(current),
            seen={"first_seen": seen[0], "last_seen": seen[1]},
            whats_new=Markup(_WHATS_NEW),
            query="",
            focus=focus,
        )
        site.pages.put(key, (seen, page))
    else:
        page = cached[1]
    fragment = web.templates.get_template("story_new.html").render(
        view=view,
        story=view.story,
        changes=changes,
        from_visit=from_visit,
        since=since or "",
        error=error,
    )
    response = HTMLResponse(page.replace(_WHATS_NEW, fragment, 1))
    now = int(dt.datetime.now(dt.UTC).timestamp())
    response.set_cookie(
        VISITS_COOKIE,
        _visits_cookie(visits, current, now),
        max_age=400 * 24 * 3600,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(web: WebDep, article_id: str) -> HTMLResponse:
    site = web.site
    store = site.connection()
    article = store.article(article_id)
    status = site.status(store, article_id)
    if article is None or status is None:
        raise HTTPException(404, f"No article {article_id} in this store.")
    view = await site.current_view(status.story) if status.story else None
    paragraphs: list[list[Any]] = []
    for sentence in article.sentences:
        if not paragraphs or paragraphs[-1][0].paragraph != sentence.paragraph:
            paragraphs.append([])
        paragraphs[-1].append(sentence)
    source = next((s for s in view.sources if s.id == article.id), None) if view else None
    links = view.wire.get(article.id, ()) if view else ()
    others = {s.id: s for s in view.sources} if view else {}
    return web.render(
        "article.html",
        article=article,
        status=status,
        paragraphs=paragraphs,
        view=view,
        source=source,
        links=[(link, others.get(link.article)) for link in links],
        url=safe_url(article.url),
        query="",
    )


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(web: WebDep, q: str = "") -> HTMLResponse:
    def compute() -> tuple[int, bytes]:
        rendered = _search(web, q)
        return rendered.status_code, bytes(rendered.body)

    status, body = await web.site.answer(("search", q), compute)
    return HTMLResponse(body, status_code=status)


def _search(web: WebContext, q: str) -> HTMLResponse:
    query = q.strip()
    hits: list[SearchHit] = []
    stories: list[StoryRow] = []
    headlines: dict[str, str] = {}
    problem = None
    if query:
        with web.site.store() as store:
            try:
                hits = web.site.search(store, query, SEARCH_SHOWN)
            except SearchTooCostly as costly:
                problem = str(costly)
            story_filter = headline_filter(query)
            stories = store.lists.recent(story_filter, SEARCH_SHOWN) if story_filter else []
            current = {hit.story: store.resolve(hit.story) for hit in hits if hit.story}
            found = store.lists.headlines(story for story in current.values() if story)
            headlines = {
                story: found.get(now, now) for story, now in current.items() if now is not None
            }
    return web.render(
        "search.html",
        400 if problem else 200,
        problem=problem,
        headlines=headlines,
        query=query,
        hits=hits,
        stories=stories,
        dropped=parse_query(query).dropped,
        max_terms=MAX_TERMS,
    )


@router.get("/outlets", response_class=HTMLResponse, include_in_schema=False)
def outlets_page(web: WebDep, q: str = "", kind: str = "", country: str = "") -> HTMLResponse:
    """The outlet directory, filtered, and the outlets of this store with what it knows of them."""
    directory = web.site.outlets
    with web.site.store() as store:
        names = sorted(store.lists.outlet_names(), key=str.casefold)
    in_store = sorted(
        {(directory.display_name(name) or name): directory.find(name) for name in names}.items(),
        key=lambda item: item[0].casefold(),
    )
    needle = q.strip().casefold()
    shown = [
        o
        for o in directory.outlets
        if (not kind or o.kind == kind)
        and (not country or o.country == country)
        and (not needle or needle in o.name.casefold() or any(needle in d for d in o.domains))
    ]
    return web.render(
        "outlets.html",
        shown=shown,
        total=len(directory.outlets),
        in_store=in_store,
        kinds=KINDS,
        countries=sorted({o.country for o in directory.outlets if o.country}),
        q=q,
        kind=kind,
        country=country,
        user_file=str(directory.user_file or "none"),
        user_count=directory.user_entries,
        query="",
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(PACKAGE_DIR / "static" / "favicon.svg", media_type="image/svg+xml")


@router.get("/docs", include_in_schema=False)
def docs(web: WebDep) -> HTMLResponse:
    """Swagger UI, with its script and styles served from the installed package."""
    return HTMLResponse(web.docs_page)
