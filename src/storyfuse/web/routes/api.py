"""The JSON API under ``/api/``, in the command line's JSON shapes.

Read-only, except ``POST /api/articles``, which ingests articles when the app
has an API token and the request carries it (``Authorization: Bearer TOKEN``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import math
import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from storyfuse.ingestion.service import IngestResult
from storyfuse.models import RawDocument, Report, StoryRow
from storyfuse.render import article_json, changes_json, splits_json, story_row_json
from storyfuse.sources.limits import MAX_ARTICLE_BYTES
from storyfuse.store.database import StoreBusy
from storyfuse.store.store import SearchTooCostly
from storyfuse.stories.changes import parse_when
from storyfuse.web.common import (
    PAGE_SIZE,
    WebDep,
    filtered_page,
    headline_filter,
    jsonable_errors,
)
from storyfuse.web.site import DEFAULT_WORDS, MAX_FOCUS_CHARS

MAX_BODY_BYTES = 4 * MAX_ARTICLE_BYTES
MAX_POSTED_ARTICLES = 1000
RETRY_AFTER_SECONDS = 5
MIN_PUBLISHED_YEAR = 2  # the year 1 leaves no room for time zones or date windows
_SURROGATE = re.compile("[\ud800-\udfff]")

router = APIRouter()


class ArticleIn(BaseModel):
    """An article to ingest: the fields of one JSONL input line."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, description="The article's text (required).")
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = Field(None, description="An ISO date, e.g. 2025-04-02.")

    @field_validator("text", "title", "url", "outlet", "published", mode="before")
    @classmethod
    def _encodable(cls, value: object) -> object:
        if isinstance(value, str) and _SURROGATE.search(value):
            raise ValueError("holds a lone surrogate (not a Unicode character)")
        return value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty text")
        if len(value.encode("utf-8")) > MAX_ARTICLE_BYTES:
            raise ValueError(f"too large for an article (limit {MAX_ARTICLE_BYTES} bytes)")
        return value

    @field_validator("published")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            try:
                moment = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"bad published value {value!r} (expected an ISO date)") from None
            if moment.year < MIN_PUBLISHED_YEAR:
                raise ValueError(
                    f"published {value!r} is too early (before the year {MIN_PUBLISHED_YEAR})"
                )
        return value

    def document(self) -> RawDocument:
        """The article as an input document, named ``api:URL`` or ``api:HASH``."""

        def optional(value: str | None) -> str | None:
            return value.strip() or None if value is not None else None

        published = optional(self.published)
        digest = hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:12]
        return RawDocument(
            source=f"api:{optional(self.url) or digest}",
            text=self.text.replace("\r\n", "\n").replace("\r", "\n"),
            title=optional(self.title),
            url=optional(self.url),
            outlet=optional(self.outlet),
            published=dt.datetime.fromisoformat(published).date() if published else None,
        )


def _page_links(
    base: str, request: Request, page: int, pages: int
) -> tuple[str | None, str | None]:
    """Links to the pages before and after, on the configured base URL (not the Host header)."""

    def link(number: int) -> str:
        query = request.url.include_query_params(page=number).query
        return f"{base}{request.url.path}?{query}"

    return (link(page - 1) if page > 1 else None), (link(page + 1) if page < pages else None)


def _ingest_json(result: IngestResult) -> dict[str, Any]:
    return {
        "added": result.added,
        "duplicate": result.duplicates + result.near_duplicates,
        "revised": result.revised,
        "rejected": [{"source": e.source, "reason": e.reason} for e in result.rejected],
        "stories": list(result.stories_touched),
    }


@router.get("/api/stories", tags=["stories"])
async def api_stories(
    web: WebDep,
    request: Request,
    since: Annotated[
        str | None, Query(description="2025-04-02, 2025-04-02T10:00, or an age: 3d, 12h")
    ] = None,
    outlet: Annotated[str | None, Query(description="Only stories this outlet covers")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
) -> Response:
    """Stories, most recent activity first (as `storyfuse stories --json`), one page."""

    def compute() -> bytes:
        with web.site.store() as store:
            try:
                rows, total = filtered_page(store, since, outlet, page, per_page)
            except ValueError as problem:
                raise HTTPException(400, str(problem)) from None
        pages = max(1, math.ceil(total / per_page))
        previous, following = _page_links(web.base_url, request, page, pages)
        document = _stories_page(rows, total, page, per_page, pages, previous, following)
        return bytes(JSONResponse(document).body)

    body = await web.site.answer(("api/stories", str(request.url.query)), compute)
    return Response(body, media_type="application/json")


def _stories_page(
    rows: Sequence[StoryRow],
    total: int,
    page: int,
    per_page: int,
    pages: int,
    previous: str | None,
    following: str | None,
) -> dict[str, Any]:
    return {
        "stories": [story_row_json(row) for row in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "prev": previous,
        "next": following,
    }


@router.get("/api/stories/{story_id}", tags=["stories"])
async def api_story(
    web: WebDep,
    request: Request,
    story_id: str,
    since: Annotated[str | None, Query(description="Also what it gained since then")] = None,
    words: Annotated[int, Query(ge=10, le=2000, description="Summary word budget")] = (
        DEFAULT_WORDS
    ),
    focus: Annotated[
        str, Query(max_length=MAX_FOCUS_CHARS, description="A topic the summary should favour")
    ] = "",
) -> Response:
    """One story as `storyfuse story ID --json` prints it; a merged id redirects."""
    site = web.site
    current = site.connection().resolve(story_id)
    if current is None:
        raise HTTPException(404, f"no story {story_id}")
    if current != story_id:
        target = f"/api/stories/{current}" + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(target, status_code=301)
    view = await site.current_view(current, words, focus)
    if view is None:
        raise HTTPException(404, f"story {story_id} has no articles")
    splits = site.connection().story_splits(current)
    if not since and not splits:
        return Response(view.document_json, media_type="application/json")
    document = view.document
    if splits:
        document["splits"] = splits_json(splits)
    if since:
        try:
            moment = parse_when(since)
        except ValueError as problem:
            raise HTTPException(400, str(problem)) from None
        document["changes"] = changes_json(await site.current_changes(view, moment, words, focus))
    return JSONResponse(document)


@router.get("/api/articles/{article_id}", tags=["articles"])
async def api_article(web: WebDep, article_id: str) -> dict[str, Any]:
    """One article (as in `storyfuse story ID --json`), with the id of its story."""
    site = web.site
    store = site.connection()
    article = store.article(article_id)
    status = site.status(store, article_id)
    if article is None or status is None:
        raise HTTPException(404, f"no article {article_id}")
    view = await site.current_view(status.story) if status.story else None
    report = Report(articles=(article,), wire=view.wire if view else {})
    return {**article_json(article, report), "story": status.story}


@router.get("/api/search", tags=["search"])
async def api_search(
    web: WebDep,
    q: Annotated[
        str,
        Query(description='Words (all must match), "a phrase", OR between terms, prefix*'),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Articles matching a full-text query (as `storyfuse search --json`), and stories."""

    def compute() -> bytes:
        with web.site.store() as store:
            try:
                hits = web.site.search(store, q, limit)
            except SearchTooCostly as costly:
                raise HTTPException(400, str(costly)) from None
            story_filter = headline_filter(q)
            stories = store.lists.recent(story_filter, limit) if story_filter else []
        document = {
            "query": q,
            "articles": [dataclasses.asdict(hit) for hit in hits],
            "stories": [story_row_json(row) for row in stories],
        }
        return bytes(JSONResponse(document).body)

    body = await web.site.answer(("api/search", q, limit), compute)
    return Response(body, media_type="application/json")


_ARTICLE_SCHEMA = ArticleIn.model_json_schema()


@router.post(
    "/api/articles",
    tags=["articles"],
    status_code=201,
    responses={
        200: {"description": "Nothing new (every article was already stored)"},
        201: {"description": "Articles added or revised"},
        401: {"description": "Missing or wrong token"},
        403: {"description": "The server is read-only (no token configured)"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [_ARTICLE_SCHEMA, {"type": "array", "items": _ARTICLE_SCHEMA}]
                    }
                }
            },
        },
        "security": [{"bearer": []}],
    },
)
async def api_ingest(web: WebDep, request: Request) -> Response:
    """Ingest one article or a list of them (`Authorization: Bearer TOKEN`)."""
    site = web.site
    if site.token is None:
        raise HTTPException(403, "this server is read-only: start it with an API token")
    given = request.headers.get("authorization", "")
    scheme, _, credential = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credential.strip().encode(), site.token.encode()
    ):
        raise HTTPException(401, "missing or wrong token", {"WWW-Authenticate": "Bearer"})
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except RecursionError:
        raise HTTPException(422, "malformed JSON: nested too deeply") from None
    except ValueError as problem:  # also UnicodeDecodeError and integers too long to read
        raise HTTPException(422, f"malformed JSON: {problem}") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > MAX_POSTED_ARTICLES:
        raise HTTPException(422, f"send 1 to {MAX_POSTED_ARTICLES} articles")
    try:
        documents = [ArticleIn.model_validate(item).document() for item in items]
    except ValidationError as problem:
        raise HTTPException(422, jsonable_errors(problem.errors())) from None

    try:
        result = await site.ingest(documents)
    except StoreBusy as busy:
        raise HTTPException(503, str(busy), {"Retry-After": str(RETRY_AFTER_SECONDS)}) from None
    status = 201 if result.added or result.revised else 200
    return JSONResponse(_ingest_json(result), status_code=status)
