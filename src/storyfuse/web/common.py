"""What the web app's routers share: the per-app context and a few helpers.

:class:`WebContext` is made once by :func:`storyfuse.web.app.create_app`, kept
on ``app.state.web``, and reaches a route through the :data:`WebDep`
dependency: the store and its caches (:class:`~storyfuse.web.site.Site`), the
templates, and the API docs page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from storyfuse.models import StoryRow
from storyfuse.store.listing import StoryFilter
from storyfuse.store.search_query import parse_query
from storyfuse.store.store import Store
from storyfuse.stories.changes import parse_when
from storyfuse.web.site import Site

PACKAGE_DIR = Path(__file__).resolve().parent
PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class WebContext:
    """One app's shared state: its store, templates and API docs page."""

    site: Site
    templates: Environment
    docs_page: str
    base_url: str
    """The site's root URL as readers reach it (no trailing slash), for feeds and links."""

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The template ``name`` rendered with ``context`` as an HTML response."""
        html = self.templates.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status_code)


async def web_context(request: Request) -> WebContext:
    """The context of the app serving ``request`` (a dependency; it runs on the event loop)."""
    web: WebContext = request.app.state.web
    return web


WebDep = Annotated[WebContext, Depends(web_context)]


def checked_base_url(value: str) -> str:
    """A configured base URL without its trailing slash; ValueError if it is not http(s)."""
    try:
        parts = urlsplit(value.strip())
    except ValueError as error:
        raise ValueError(f"base URL {value!r} is not a URL ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base URL {value!r} must be http:// or https:// with a host")
    if parts.query or parts.fragment:
        raise ValueError(f"base URL {value!r} must have no query or fragment")
    return value.strip().rstrip("/")


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: never link a ``javascript:`` URL from an article."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def headline_filter(query: str) -> StoryFilter | None:
    """The stories whose headline holds every word of the query; None for a query of no words."""
    words = parse_query(query).words
    return StoryFilter(headline_words=words) if words else None


def filtered_page(
    store: Store, since: str | None, outlet: str | None, page: int, per_page: int
) -> tuple[list[StoryRow], int]:
    """One page of the stories active since ``since`` covered by ``outlet``, and their total."""
    moment = parse_when(since) if since else None
    story_filter = StoryFilter(active_since=moment, outlets=(outlet,) if outlet else None)
    total, _ = store.lists.count(story_filter)
    return store.lists.recent(story_filter, per_page, (page - 1) * per_page), total


def jsonable_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors without the input values (which may be large) or exception objects."""
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in errors
    ]
