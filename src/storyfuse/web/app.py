"""The reader's view of a store: web pages, a JSON API and feeds (``storyfuse serve``).

Server-rendered HTML (Jinja2, autoescaped: article text is untrusted and is
never marked safe) that works without JavaScript, under a strict
Content-Security-Policy; a JSON API under ``/api/`` with the command line's
JSON shapes; Atom and JSON Feed 1.1 feeds of the stories.

Store access and the story-view cache live in :mod:`storyfuse.web.site`
(connections stay in their thread; a view is computed once per version of a
story); the story page itself is cached too, all but its per-visitor "what's
new" part.

The routes live in :mod:`storyfuse.web.routes` (pages, API, feeds); what they share
(store, templates, docs page) reaches them as a :class:`~storyfuse.web.common.WebContext`.

The app is read-only unless it is given an API token; then ``POST
/api/articles`` ingests articles sent with ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib.util
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyfuse import __version__
from storyfuse.stories.outlets import OutletDirectory
from storyfuse.web import api_schemas, bidi
from storyfuse.web.common import (
    PACKAGE_DIR,
    WebContext,
    checked_base_url,
    jsonable_errors,
    safe_url,
)
from storyfuse.web.list_cache import ListResponses
from storyfuse.web.routes import api, feeds, pages
from storyfuse.web.site import Site

logger = logging.getLogger(__name__)
_SNIPPET_MARK = re.compile(r"\[([^\[\]]*)\]")

# Every page: only this site's own scripts, styles and images; no plugins, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_ASSETS = "/static/docs"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


# -- helpers ------------------------------------------------------------------


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


def _script_hashes(html: str) -> str:
    """CSP source expressions for the inline scripts of a page."""
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


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
        finalize=bidi.finalize,
    )
    env.filters["when"] = _when
    env.filters["bdi"] = bidi.isolated
    env.filters["safe_url"] = safe_url
    env.filters["snippet"] = _snippet
    env.globals["version"] = __version__
    return env


def _swagger_assets() -> Path:
    """Swagger UI's script and styles, shipped inside the ``fastapi-offline`` package (no CDN)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the web app needs fastapi-offline: pip install 'storyfuse[web]'")
    return Path(spec.submodule_search_locations[0]) / "static"


# -- the app ------------------------------------------------------------------


def create_app(
    db_path: str | Path,
    token: str | None = None,
    *,
    cache_size: int = 2048,
    outlets: OutletDirectory | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> FastAPI:
    """The web app over the store at ``db_path``; ``token`` enables ``POST /api/articles``.

    ``outlets`` names the outlets and tells who they are (default: the bundled directory
    overridden by the user's outlet file). ``base_url`` is the root URL readers reach the
    site at: feeds and API page links use it, never a request's Host header.
    """
    base = checked_base_url(base_url)
    site = Site(db_path, token, cache_size, outlets)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        site.close()  # the event loop thread's connection
        site.close_writer()

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
    docs_html = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="storyfuse API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url="/favicon.ico",
    ).body
    docs_page = bytes(docs_html).decode()
    web = WebContext(site=site, templates=_templates(), docs_page=docs_page, base_url=base)
    app.state.site = site
    app.state.web = web
    docs_csp = (
        f"default-src 'self'; script-src 'self' {_script_hashes(docs_page)}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    app.add_middleware(ListResponses, site=site)  # inside SecurityHeaders, added next
    app.add_middleware(SecurityHeaders, docs_path="/docs", docs_csp=docs_csp)
    app.mount(DOCS_ASSETS, StaticFiles(directory=_swagger_assets()), name="docs-assets")
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if _wants_json(request):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=headers)
        response = web.render(
            "error.html",
            error.status_code,
            status=error.status_code,
            message=str(error.detail),
            query="",
        )
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> Response:
        # Starlette sends this answer from outside every middleware: add their headers here.
        logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
        headers = {"content-security-policy": CSP}
        headers.update((name.decode(), value.decode()) for name, value in _SECURITY_HEADERS)
        message = "internal error (the server log has the details)"
        if _wants_json(request):
            return JSONResponse({"detail": message}, 500, headers=headers)
        return Response(message, 500, headers=headers, media_type="text/plain")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable_errors(error.errors())}, 422)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}"
            for e in error.errors()
        )
        return web.render(
            "error.html", 400, status=400, message=f"Bad request: {problems}", query=""
        )

    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(api.router)

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        schema = api_schemas.attach(original_openapi())
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
        }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
