"""Full-text search over the stored articles, on SQLite (FTS5) and PostgreSQL (tsvector).

Queries are read by :func:`~storyfuse.store.search_query.parse_query`, which
gives both dialects the same words, phrases, ``OR`` and prefixes; a search
that would hold the database past :data:`SEARCH_SECONDS` is stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyfuse.store.database import Database, QueryTimeout
from storyfuse.store.search_query import parse_query

SEARCH_SECONDS = 1.0
"""The longest a search may run before it is stopped."""


class SearchTooCostly(ValueError):
    """A search that would tie up the database past ``SEARCH_SECONDS``."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An article matching a full-text query."""

    article: str
    story: str | None
    title: str | None
    outlet: str | None
    snippet: str
    published: str | None = None


def search_articles(db: Database, query: str, limit: int = 20) -> list[SearchHit]:
    """Full-text search over article titles and texts, as `parse_query` reads ``query``.

    Any text is a valid query (words, "phrases", ``OR``, ``prefix*``); one without words
    finds nothing. Both databases stem English words. A search that runs past
    ``SEARCH_SECONDS`` is stopped: :class:`SearchTooCostly`.
    """
    parsed = parse_query(query)
    if parsed.empty:
        return []
    if db.dialect == "sqlite":
        sql = (
            "SELECT a.id, a.story_id, a.title, a.outlet, a.published,"
            " snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snippet"
            " FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
            " WHERE articles_fts MATCH ? AND a.superseded_by IS NULL"
            " ORDER BY rank, a.id LIMIT ?"
        )
        params = [parsed.fts5()]
    else:
        sql = (
            "SELECT a.id, a.story_id, a.title, a.outlet, a.published,"
            " ts_headline('english', a.text, q,"
            " 'StartSel=[, StopSel=], MaxWords=12, MinWords=4, MaxFragments=1') AS snippet"
            " FROM articles a, (SELECT {tsquery} AS q) AS parsed"
            " WHERE a.search @@ q AND a.superseded_by IS NULL"
            " ORDER BY ts_rank(a.search, q) DESC, a.id LIMIT ?"
        )
        tsquery, params = parsed.tsquery()
        sql = sql.format(tsquery=tsquery)
    try:
        rows = db.read_within(SEARCH_SECONDS, sql, (*params, limit))
    except QueryTimeout:
        raise SearchTooCostly(
            f"the search was stopped after {SEARCH_SECONDS:g} s: use fewer or longer words"
        ) from None
    return [
        SearchHit(
            row["id"],
            row["story_id"],
            row["title"],
            row["outlet"],
            row["snippet"],
            row["published"],
        )
        for row in rows
    ]
