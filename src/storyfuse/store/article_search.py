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

RANKED_MATCHES = 2000
"""How many of the newest matching articles a search ranks to choose its hits."""


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
    finds nothing. Both databases stem English words. The hits are the best ranked of
    the newest :data:`RANKED_MATCHES` matching articles, so a common word costs no more
    than a rare one however large the store. A search that runs past
    ``SEARCH_SECONDS`` is stopped: :class:`SearchTooCostly`.
    """
    parsed = parse_query(query)
    if parsed.empty:
        return []
    if db.dialect == "sqlite":
        # FTS5 walks its matches newest first and stops at the pool's end; only the
        # pool is ranked, and only the hits get a snippet.
        sql = (
            "WITH pool AS ("
            " SELECT f.rowid AS seq, f.rank AS score, a.id AS id"
            " FROM articles_fts f JOIN articles a ON a.seq = f.rowid"
            " WHERE articles_fts MATCH ?1 AND a.superseded_by IS NULL"
            " ORDER BY f.rowid DESC LIMIT ?2),"
            " best AS (SELECT seq, score, id FROM pool ORDER BY score, id LIMIT ?3)"
            " SELECT a.id, a.story_id, a.title, a.outlet, a.published,"
            " snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snippet"
            " FROM best JOIN articles_fts ON articles_fts.rowid = best.seq"
            " JOIN articles a ON a.seq = best.seq"
            " WHERE articles_fts MATCH ?1 ORDER BY best.score, best.id"
        )
        params: list[object] = [parsed.fts5(), RANKED_MATCHES, limit]
    else:
        tsquery, terms = parsed.tsquery()
        sql = (
            f"WITH parsed AS (SELECT {tsquery} AS q),"
            " pool AS (SELECT a.seq FROM articles a, parsed"
            " WHERE a.search @@ parsed.q AND a.superseded_by IS NULL"
            " ORDER BY a.seq DESC LIMIT ?),"
            " best AS (SELECT a.seq, ts_rank(a.search, parsed.q) AS score, a.id"
            " FROM pool JOIN articles a ON a.seq = pool.seq, parsed"
            " ORDER BY score DESC, a.id LIMIT ?)"
            " SELECT a.id, a.story_id, a.title, a.outlet, a.published,"
            " ts_headline('english', a.text, parsed.q,"
            " 'StartSel=[, StopSel=], MaxWords=12, MinWords=4, MaxFragments=1') AS snippet"
            " FROM best JOIN articles a ON a.seq = best.seq, parsed"
            " ORDER BY best.score DESC, best.id"
        )
        params = [*terms, RANKED_MATCHES, limit]
    try:
        rows = db.read_within(SEARCH_SECONDS, sql, params)
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
