"""The reader's view of a store: web pages, a JSON API and feeds (``storyfuse serve``).

Server-rendered HTML (Jinja2, autoescaped: article text is untrusted and is
never marked safe) that works without JavaScript, under a strict
Content-Security-Policy; a JSON API under ``/api/`` with the command line's
JSON shapes; Atom and JSON Feed 1.1 feeds of the stories.

Store access and the story-view cache live in :mod:`storyfuse.web.site`
(connections stay in their thread; a view is computed once per version of a
story); the story page itself is cached too, all but its per-visitor "what's
new" part.

The app is read-only unless it is given an API token; then ``POST
/api/articles`` ingests articles sent with ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import math
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyfuse import __version__
from storyfuse.ingestion.service import Ingestion, IngestResult
from storyfuse.models import RawDocument, Report, StoryRow
from storyfuse.render import article_json, changes_json, splits_json, story_row_json
from storyfuse.sources.inputs import MAX_ARTICLE_BYTES
from storyfuse.store.store import SearchHit, Store
from storyfuse.stories.changes import parse_when
from storyfuse.web.feeds import FeedEntry, atom_feed, json_feed, rfc3339
from storyfuse.web.site import DEFAULT_WORDS, Site

PACKAGE_DIR = Path(__file__).resolve().parent
PAGE_SIZE = 20
FEED_SIZE = 50
MAX_BODY_BYTES = 4 * MAX_ARTICLE_BYTES
MAX_POSTED_ARTICLES = 1000
VISITS_COOKIE = "storyfuse_seen"
_VISITS_KEPT = 100
_VISIT_ITEM = re.compile(r"^([A-Za-z0-9_.-]{1,64}):(\d{1,12})$")
_QUERY_WORD = re.compile(r"\w+")
_FTS_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_SNIPPET_MARK = re.compile(r"\[([^\[\]]*)\]")
# Where a cached story page takes its per-visitor part. Article text cannot forge it:
# autoescaping turns its "<" into "&lt;".
_WHATS_NEW = "<!--storyfuse:whats-new-->"

# Every page: only this site's own scripts, styles and images; no plugins, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SWAGGER_CDN = "https://cdn.jsdelivr.net"
SWAGGER_ICON = "https://fastapi.tiangolo.com"
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class ArticleIn(BaseModel):
    """An article to ingest: the fields of one JSONL input line."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, description="The article's text (required).")
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = Field(None, description="An ISO date, e.g. 2025-04-02.")

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
                dt.datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"bad published value {value!r} (expected an ISO date)") from None
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


# -- helpers ------------------------------------------------------------------


def _safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: never link a ``javascript:`` URL from an article."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def _when(value: str | None) -> str:
    """A stored ISO timestamp for people: ``2025-04-02 10:00 UTC``."""
    if not value:
        return "unknown"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _snippet(text: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, matched) parts; FTS5 marks matches with brackets."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _SNIPPET_MARK.finditer(text):
        parts.append((text[position : match.start()], False))
        parts.append((match.group(1), True))
        position = match.end()
    parts.append((text[position:], False))
    return [part for part in parts if part[0]]


def _query_words(query: str) -> list[str]:
    return [w for w in _QUERY_WORD.findall(query) if w not in _FTS_OPERATORS]


def _headline_matches(rows: Sequence[StoryRow], query: str) -> list[StoryRow]:
    words = [w.casefold() for w in _query_words(query)]
    if not words:
        return []
    return [row for row in rows if all(w in row.headline.casefold() for w in words)]


def _search_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [sqlite3.Error]
    try:
        import psycopg
    except ImportError:
        pass
    else:
        errors.append(psycopg.Error)
    return tuple(errors)


def _visits(cookie: str | None) -> dict[str, int]:
    """Last-visit times per story (epoch seconds) from the cookie; malformed items are ignored."""
    visits: dict[str, int] = {}
    for item in (cookie or "").split("|")[-_VISITS_KEPT:]:
        match = _VISIT_ITEM.match(item.strip())
        if match:
            visits[match.group(1)] = int(match.group(2))
    return visits


def _visits_cookie(visits: dict[str, int], story_id: str, now: int) -> str:
    visits = {k: v for k, v in visits.items() if k != story_id}
    visits[story_id] = now
    items = sorted(visits.items(), key=lambda item: item[1])[-_VISITS_KEPT:]
    return "|".join(f"{key}:{value}" for key, value in items)


def _page_links(request: Request, page: int, pages: int) -> tuple[str | None, str | None]:
    previous = str(request.url.include_query_params(page=page - 1)) if page > 1 else None
    following = str(request.url.include_query_params(page=page + 1)) if page < pages else None
    return previous, following


def _filtered_rows(
    store: Store, since: str | None, outlet: str | None
) -> tuple[list[StoryRow], list[str]]:
    moment = parse_when(since) if since else None
    rows = store.stories(moment)
    outlets = sorted({name for row in rows for name in row.outlets}, key=str.casefold)
    if outlet:
        rows = [row for row in rows if outlet in row.outlets]
    return rows, outlets


def _ingest_json(result: IngestResult) -> dict[str, Any]:
    return {
        "added": result.added,
        "duplicate": result.duplicates + result.near_duplicates,
        "revised": result.revised,
        "rejected": [{"source": e.source, "reason": e.reason} for e in result.rejected],
        "stories": list(result.stories_touched),
    }


def _script_hashes(html: str) -> str:
    """CSP source expressions for the inline scripts of a page."""
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )


class SecurityHeaders:
    """Adds the Content-Security-Policy and a few hardening headers to every response.

    It also answers HEAD like GET without the body (feed readers and link checkers ask).
    """

    def __init__(self, app: ASGIApp, docs_path: str, docs_csp: str) -> None:
        self.app = app
        self.docs_path = docs_path
        self.policy = CSP.encode()
        self.docs_policy = docs_csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.docs_policy if scope["path"] == self.docs_path else self.policy
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", policy))
                headers.extend(_SECURITY_HEADERS)
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("storyfuse.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["safe_url"] = _safe_url
    env.filters["snippet"] = _snippet
    env.globals["version"] = __version__
    return env


# -- the app ------------------------------------------------------------------


def create_app(db_path: str | Path, token: str | None = None, *, cache_size: int = 2048) -> FastAPI:
    """The web app over the store at ``db_path``; ``token`` enables ``POST /api/articles``."""
    site = Site(db_path, token, cache_size)
    env = _templates()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        site.close()  # the event loop thread's connection

    app = FastAPI(
        lifespan=lifespan,
        title="storyfuse",
        version=__version__,
        description=(
            "Stories merged from many outlets, with cited summaries and coverage comparison. "
            "The JSON shapes are those of the `storyfuse` command line."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.site = site
    docs_html = get_swagger_ui_html(openapi_url="/openapi.json", title="storyfuse API").body
    docs_page = bytes(docs_html).decode()
    docs_csp = (
        f"default-src 'self'; script-src 'self' {SWAGGER_CDN} {_script_hashes(docs_page)}; "
        f"style-src 'self' {SWAGGER_CDN} 'unsafe-inline'; img-src 'self' data: {SWAGGER_ICON}; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    app.add_middleware(SecurityHeaders, docs_path="/docs", docs_csp=docs_csp)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")

    def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status_code)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if wants_json(request):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=headers)
        response = render(
            "error.html",
            error.status_code,
            status=error.status_code,
            message=str(error.detail),
            query="",
        )
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": jsonable_errors(error.errors())}, 422)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}"
            for e in error.errors()
        )
        return render("error.html", 400, status=400, message=f"Bad request: {problems}", query="")

    # -- pages ----------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(
        since: str | None = None,
        outlet: str | None = None,
        page: Annotated[int, Query(ge=1)] = 1,
    ) -> HTMLResponse:
        error = None
        with site.store() as store:
            try:
                rows, outlets = _filtered_rows(store, since, outlet)
            except ValueError as problem:
                error = str(problem)
                rows, outlets = _filtered_rows(store, None, outlet)
            pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
            shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            views = {row.id: site.view(store, row.id) for row in shown}
        base = urlencode({k: v for k, v in (("since", since), ("outlet", outlet)) if v})
        return render(
            "home.html",
            400 if error else 200,
            rows=shown,
            views=views,
            outlets=outlets,
            total=len(rows),
            page=page,
            pages=pages,
            since=since or "",
            outlet=outlet or "",
            error=error,
            filtered=bool(since or outlet),
            page_query=base,
            query="",
        )

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(request: Request, story_id: str, since: str | None = None) -> Response:
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
        view = await site.current_view(current)
        if view is None:
            raise HTTPException(404, f"Story {story_id} has no articles.")
        seen = site.story_seen(site.connection(), current)
        if since:
            try:
                moment = parse_when(since)
            except ValueError as problem:
                error = str(problem)
        elif current in visits:
            moment = dt.datetime.fromtimestamp(visits[current], dt.UTC).isoformat(
                timespec="seconds"
            )
            from_visit = True
        changes = await site.current_changes(view, moment) if moment else None
        key = (current, view.key, DEFAULT_WORDS)
        cached = site.pages.get(key)
        if cached is None or cached[0] != seen:
            page = env.get_template("story.html").render(
                view=view,
                story=view.story,
                splits=store.story_splits(current),
                seen={"first_seen": seen[0], "last_seen": seen[1]},
                whats_new=Markup(_WHATS_NEW),
                query="",
            )
            site.pages.put(key, (seen, page))
        else:
            page = cached[1]
        fragment = env.get_template("story_new.html").render(
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

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(article_id: str) -> HTMLResponse:
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
        return render(
            "article.html",
            article=article,
            status=status,
            paragraphs=paragraphs,
            view=view,
            source=source,
            links=[(link, others.get(link.article)) for link in links],
            url=_safe_url(article.url),
            query="",
        )

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = "") -> HTMLResponse:
        query = q.strip()
        hits: list[SearchHit] = []
        stories: list[StoryRow] = []
        error = None
        fallback = None
        headlines: dict[str, str] = {}
        if query:
            with site.store() as store:
                try:
                    hits = store.search(query, 50)
                except _search_errors() as problem:
                    error = str(problem)
                    words = _query_words(query)
                    if words:
                        fallback = " OR ".join(f'"{w}"' for w in words)
                        hits = store.search(fallback, 50)
                rows = store.stories()
                stories = _headline_matches(rows, query)
                headlines = {row.id: row.headline for row in rows}
                for hit in hits:
                    current = store.resolve(hit.story) if hit.story else None
                    if hit.story and current and current != hit.story:
                        headlines[hit.story] = headlines.get(current, current)
        return render(
            "search.html",
            400 if error else 200,
            headlines=headlines,
            query=query,
            hits=hits,
            stories=stories,
            error=error,
            fallback=fallback,
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(PACKAGE_DIR / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI; its script and styles come from a CDN, allowed on this page only."""
        return HTMLResponse(docs_page)

    # -- feeds ----------------------------------------------------------------

    def feed_entries(request: Request) -> tuple[list[FeedEntry], str]:
        base = str(request.base_url).rstrip("/")
        entries = []
        with site.store() as store:
            for row in store.stories()[:FEED_SIZE]:
                view = site.view(store, row.id)
                entries.append(
                    FeedEntry(
                        url=f"{base}/stories/{row.id}",
                        title=row.headline,
                        summary=view.summary if view else (),
                        published=rfc3339(row.first_seen),
                        updated=rfc3339(row.last_seen),
                        outlets=row.outlets,
                    )
                )
        return entries, base

    @app.get("/feed.xml", tags=["feeds"], response_class=Response)
    def atom(request: Request) -> Response:
        """The latest stories as an Atom feed."""
        entries, base = feed_entries(request)
        return Response(atom_feed(entries, base), media_type="application/atom+xml")

    @app.get("/feed.json", tags=["feeds"], response_class=Response)
    def json_feed_route(request: Request) -> Response:
        """The latest stories as a JSON Feed 1.1."""
        entries, base = feed_entries(request)
        return Response(json_feed(entries, base), media_type="application/feed+json")

    # -- API ------------------------------------------------------------------

    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        request: Request,
        since: Annotated[
            str | None, Query(description="2025-04-02, 2025-04-02T10:00, or an age: 3d, 12h")
        ] = None,
        outlet: Annotated[str | None, Query(description="Only stories this outlet covers")] = None,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
    ) -> dict[str, Any]:
        """Stories, most recent activity first (as `storyfuse stories --json`), one page."""
        with site.store() as store:
            try:
                rows, _ = _filtered_rows(store, since, outlet)
            except ValueError as problem:
                raise HTTPException(400, str(problem)) from None
        pages = max(1, math.ceil(len(rows) / per_page))
        previous, following = _page_links(request, page, pages)
        return {
            "stories": [story_row_json(row) for row in rows[(page - 1) * per_page :][:per_page]],
            "total": len(rows),
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "prev": previous,
            "next": following,
        }

    @app.get("/api/stories/{story_id}", tags=["stories"])
    async def api_story(
        request: Request,
        story_id: str,
        since: Annotated[str | None, Query(description="Also what it gained since then")] = None,
        words: Annotated[int, Query(ge=10, le=2000, description="Summary word budget")] = (
            DEFAULT_WORDS
        ),
    ) -> Response:
        """One story as `storyfuse story ID --json` prints it; a merged id redirects."""
        current = site.connection().resolve(story_id)
        if current is None:
            raise HTTPException(404, f"no story {story_id}")
        if current != story_id:
            target = f"/api/stories/{current}" + (
                f"?{request.url.query}" if request.url.query else ""
            )
            return RedirectResponse(target, status_code=301)
        view = await site.current_view(current, words)
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
            document["changes"] = changes_json(await site.current_changes(view, moment, words))
        return JSONResponse(document)

    @app.get("/api/articles/{article_id}", tags=["articles"])
    async def api_article(article_id: str) -> dict[str, Any]:
        """One article (as in `storyfuse story ID --json`), with the id of its story."""
        store = site.connection()
        article = store.article(article_id)
        status = site.status(store, article_id)
        if article is None or status is None:
            raise HTTPException(404, f"no article {article_id}")
        view = await site.current_view(status.story) if status.story else None
        report = Report(articles=(article,), wire=view.wire if view else {})
        return {**article_json(article, report), "story": status.story}

    @app.get("/api/search", tags=["search"])
    def api_search(
        q: Annotated[str, Query(min_length=1, description="SQLite FTS5 query: 'fire AND quay'")],
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """Articles matching a full-text query (as `storyfuse search --json`), and stories."""
        with site.store() as store:
            try:
                hits = store.search(q, limit)
            except _search_errors() as problem:
                raise HTTPException(400, f"cannot search for {q!r}: {problem}") from None
            stories = _headline_matches(store.stories(), q)[:limit]
        return {
            "query": q,
            "articles": [dataclasses.asdict(hit) for hit in hits],
            "stories": [story_row_json(row) for row in stories],
        }

    article_schema = ArticleIn.model_json_schema()

    @app.post(
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
                            "anyOf": [article_schema, {"type": "array", "items": article_schema}]
                        }
                    }
                },
            },
            "security": [{"bearer": []}],
        },
    )
    async def api_ingest(request: Request) -> Response:
        """Ingest one article or a list of them (`Authorization: Bearer TOKEN`)."""
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
        except (json.JSONDecodeError, UnicodeDecodeError) as problem:
            raise HTTPException(422, f"malformed JSON: {problem}") from None
        items = payload if isinstance(payload, list) else [payload]
        if not items or len(items) > MAX_POSTED_ARTICLES:
            raise HTTPException(422, f"send 1 to {MAX_POSTED_ARTICLES} articles")
        try:
            documents = [ArticleIn.model_validate(item).document() for item in items]
        except ValidationError as problem:
            raise HTTPException(422, jsonable_errors(problem.errors())) from None

        def ingest() -> IngestResult:
            with site.store() as store:
                return Ingestion(store).ingest(documents)

        result = await run_in_threadpool(ingest)
        status = 201 if result.added or result.revised else 200
        return JSONResponse(_ingest_json(result), status_code=status)

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        schema = original_openapi()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
        }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def jsonable_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors without the input values (which may be large) or exception objects."""
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in errors
    ]
