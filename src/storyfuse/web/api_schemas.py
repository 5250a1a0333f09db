"""JSON Schemas of the API's answers, for ``/openapi.json``.

The API answers with the command line's JSON shapes (built by :mod:`storyfuse.render`),
so the schemas are written here once, by hand, and attached to the OpenAPI document's
2xx responses by path; ``tests/test_web.py`` checks that every ``/api`` answer has one.
"""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_TEXTS = {"type": "array", "items": _TEXT}
_COUNT = {"type": "integer", "minimum": 0}


def _object(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


STORY_ROW = _object(
    ("id", "headline", "size", "independent_sources", "outlets"),
    id=_TEXT,
    headline=_TEXT,
    size=_COUNT,
    single_article={"type": "boolean"},
    independent_sources=_COUNT,
    outlets=_TEXTS,
    first_published=_TEXT_OR_NULL,
    last_published=_TEXT_OR_NULL,
    first_seen=_TEXT,
    last_seen=_TEXT,
)
ARTICLE = _object(
    ("id", "source", "sentences"),
    id=_TEXT,
    source=_TEXT,
    outlet=_TEXT_OR_NULL,
    title=_TEXT_OR_NULL,
    published=_TEXT_OR_NULL,
    url=_TEXT_OR_NULL,
    sentences=_TEXTS,
    removed={"type": "array", "items": _object(("text", "reason"), text=_TEXT, reason=_TEXT)},
    wire={"type": "array", "items": {"type": "object"}},
)
CITED = _object(("text", "citations"), text=_TEXT, citations=_TEXTS)
STORY = _object(
    ("id", "headline", "articles", "summary"),
    id=_TEXT,
    headline=_TEXT,
    articles=_TEXTS,
    single_article={"type": "boolean"},
    independent_sources=_COUNT,
    first_published=_TEXT_OR_NULL,
    last_published=_TEXT_OR_NULL,
    summary={"type": "array", "items": CITED},
    shared_facts={"type": "array", "items": {"type": "object"}},
    unique_facts={"type": "array", "items": {"type": "object"}},
    quotes={"type": "array", "items": {"type": "object"}},
    entities={"type": "array", "items": {"type": "object"}},
    contradictions={"type": "array", "items": {"type": "object"}},
)
STORY_LIST = _object(
    ("stories", "total", "page", "per_page", "pages"),
    stories={"type": "array", "items": STORY_ROW},
    total=_COUNT,
    page=_COUNT,
    per_page=_COUNT,
    pages=_COUNT,
    prev=_TEXT_OR_NULL,
    next=_TEXT_OR_NULL,
)
STORY_DOCUMENT = _object(
    ("articles", "stories"),
    articles={"type": "array", "items": ARTICLE},
    stories={"type": "array", "items": STORY},
    rejected={"type": "array", "items": {"type": "object"}},
    changes={"type": "object"},
    splits={"type": "array", "items": {"type": "object"}},
)
SEARCH = _object(
    ("query", "articles", "stories"),
    query=_TEXT,
    articles={
        "type": "array",
        "items": _object(
            ("article",),
            article=_TEXT,
            story=_TEXT_OR_NULL,
            title=_TEXT_OR_NULL,
            outlet=_TEXT_OR_NULL,
            snippet=_TEXT,
        ),
    },
    stories={"type": "array", "items": STORY_ROW},
)
INGESTED = _object(
    ("added", "duplicate", "revised", "rejected", "stories"),
    added=_COUNT,
    duplicate=_COUNT,
    revised=_COUNT,
    rejected={"type": "array", "items": _object(("source", "reason"), source=_TEXT, reason=_TEXT)},
    stories=_TEXTS,
)

# (method, path) -> the schema of its 2xx JSON answers
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/stories"): STORY_LIST,
    ("get", "/api/stories/{story_id}"): STORY_DOCUMENT,
    ("get", "/api/articles/{article_id}"): {
        **ARTICLE,
        "properties": {**ARTICLE["properties"], "story": _TEXT_OR_NULL},
    },
    ("get", "/api/search"): SEARCH,
    ("post", "/api/articles"): INGESTED,
}


def attach(openapi: dict[str, Any]) -> dict[str, Any]:
    """``openapi`` with the schemas above on each listed operation's 2xx JSON responses."""
    for (method, path), schema in SCHEMAS.items():
        operation = openapi.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        for status, response in operation.get("responses", {}).items():
            if status.startswith("2"):
                response["content"] = {"application/json": {"schema": schema}}
    return openapi
