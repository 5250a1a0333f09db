"""Story lists read a page at a time: filtered, ordered and cut in SQL.

Every list of stories (the command line's, the API's, the feeds', the home
page's, the headline search's) asks for one page of one filter in one of two
orders, and the outlets of that page's stories come in one grouped query. The
stories table keeps what the orders need beside each story: its number of
outlets, its weight (sources and outlets) and a rank for the home page's
importance order, and its headline case-folded for the headline search.

Importance (:func:`importance`) halves every three days counted from the
newest story listed, so it cannot be stored; but for a dated story it is
``2 ** (rank - newest / 3)`` with ``rank = log2(weight) + day / 3``, so the
stored rank orders dated stories as importance does whatever the newest day.
Undated stories count a quarter of their weight and are ordered by it. A page
of the importance order is cut from the best of both groups, re-sorted by the
exact importance (ties on the stored rank are all read, so rounding cannot
lose a story at the cut).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storyfuse.models import StoryRow
from storyfuse.store.database import Database

RECENT_ORDER = " ORDER BY COALESCE(last_published, '') DESC, last_seen DESC, id"
# Two ranks closer than this are read as tied, and re-sorted by the exact importance.
_RANK_TIE = 1e-6
_ID_CHUNK = 500


def story_weight(independent_sources: int, outlets: int, size: int) -> float:
    """What a story weighs before its age counts: sources, outlets, a little its size."""
    return independent_sources + 0.5 * outlets + 0.25 * math.log1p(size)


def story_rank(weight: float, last_published: dt.date | None) -> float | None:
    """The stored order of a dated story's importance (see the module docstring)."""
    if last_published is None or weight <= 0:
        return None
    return math.log2(weight) + last_published.toordinal() / 3


def importance(row: StoryRow, newest: dt.date | None) -> float:
    """How much a story matters now: independent sources and outlets, fading with age.

    Age counts in days from the newest publication among the listed stories (so a store
    of old news still ranks sensibly); the score halves every three days.
    """
    weight = story_weight(row.independent_sources, len(row.outlets), row.size)
    if newest is None or row.last_published is None:
        return weight / 4
    age = max(0, (newest - row.last_published).days)
    return float(weight * 0.5 ** (age / 3))


def ranked(rows: Sequence[StoryRow], newest: dt.date | None = None) -> list[StoryRow]:
    """Stories by importance, then by the most recent publication.

    ``newest`` is the newest publication of the whole list when ``rows`` are only part
    of it; by default the newest among ``rows``.
    """
    if newest is None:
        newest = max((r.last_published for r in rows if r.last_published), default=None)
    return sorted(
        rows,
        key=lambda r: (
            -importance(r, newest),
            -(r.last_published.toordinal() if r.last_published else 0),
            r.id,
        ),
    )


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """Which live stories a list holds; every condition given must hold.

    ``active_since`` (an ISO timestamp): last seen then or later, or last
    published on that day or later. ``published_since`` (an ISO date or
    timestamp): last published on that day or later. ``outlets``: covered by one
    of these outlets (as the articles name them). ``headline_words``: the
    case-folded headline holds every one.
    """

    active_since: str | None = None
    published_since: str | None = None
    outlets: tuple[str, ...] | None = None
    min_size: int = 1
    headline_words: tuple[str, ...] = ()


def _where(story_filter: StoryFilter, dialect: str) -> tuple[str, list[Any]]:
    clauses = ["redirect_to IS NULL"]
    params: list[Any] = []
    if story_filter.active_since:
        clauses.append("(last_seen >= ? OR last_published >= ?)")
        params += [story_filter.active_since, story_filter.active_since[:10]]
    if story_filter.published_since:
        clauses.append("last_published >= ?")
        params.append(story_filter.published_since[:10])
    if story_filter.outlets is not None:
        if not story_filter.outlets:
            clauses.append("1 = 0")
        else:
            marks = ", ".join("?" * len(story_filter.outlets))
            clauses.append(
                "id IN (SELECT story_id FROM articles WHERE outlet IN"
                f" ({marks}) AND superseded_by IS NULL AND story_id IS NOT NULL)"
            )
            params += story_filter.outlets
    if story_filter.min_size > 1:
        clauses.append("size >= ?")
        params.append(story_filter.min_size)
    find = "instr(folded_headline, ?)" if dialect == "sqlite" else "strpos(folded_headline, ?)"
    for word in story_filter.headline_words:
        clauses.append(find + " > 0")
        params.append(word)
    return " WHERE " + " AND ".join(clauses), params


class StoryLists:
    """Pages of story lists over a store's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def recent(
        self, story_filter: StoryFilter, limit: int | None = None, offset: int = 0
    ) -> list[StoryRow]:
        """Stories most recently published (then seen) first: one page, or all."""
        where, params = _where(story_filter, self.db.dialect)
        sql = "SELECT * FROM stories" + where + RECENT_ORDER
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return self._rows(self.db.execute(sql, params).fetchall())

    def count(self, story_filter: StoryFilter) -> tuple[int, int]:
        """How many stories the filter holds, and how many of them have a single article."""
        where, params = _where(story_filter, self.db.dialect)
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN size = 1 THEN 1 ELSE 0 END), 0)"
            " FROM stories" + where,
            params,
        ).fetchone()
        return int(row[0]), int(row[1])

    def by_importance(
        self, story_filter: StoryFilter, limit: int, offset: int = 0
    ) -> list[StoryRow]:
        """One page of the filter's stories in :func:`ranked` order, without reading the rest."""
        where, params = _where(story_filter, self.db.dialect)
        wanted = offset + limit
        newest_row = self.db.execute(
            "SELECT MAX(last_published) FROM stories" + where, params
        ).fetchone()
        newest = dt.date.fromisoformat(newest_row[0]) if newest_row[0] else None
        candidates = self._best(
            where + " AND importance_rank IS NOT NULL", params, "importance_rank", wanted
        )
        candidates += self._best(where + " AND importance_rank IS NULL", params, "weight", wanted)
        return ranked(self._rows(candidates), newest)[offset:wanted]

    def _best(self, where: str, params: list[Any], column: str, wanted: int) -> list[Any]:
        """The ``wanted`` rows highest in ``column``, and every row tied with the last."""
        cut = self.db.execute(
            f"SELECT {column} FROM stories{where} ORDER BY {column} DESC LIMIT 1 OFFSET ?",
            [*params, wanted - 1],
        ).fetchone()
        if cut is None:
            return self.db.execute(f"SELECT * FROM stories{where}", params).fetchall()
        return self.db.execute(
            f"SELECT * FROM stories{where} AND {column} >= ?", [*params, cut[0] - _RANK_TIE]
        ).fetchall()

    def outlet_names(self) -> list[str]:
        """Every outlet named by a current article of a story, sorted."""
        rows = self.db.execute(
            "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL"
            " AND superseded_by IS NULL AND story_id IS NOT NULL ORDER BY outlet"
        )
        return [row[0] for row in rows]

    def headlines(self, story_ids: Iterable[str]) -> dict[str, str]:
        """The headlines of these stories (those that exist)."""
        found: dict[str, str] = {}
        for chunk in _chunks(sorted(set(story_ids))):
            marks = ", ".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT id, headline FROM stories WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = row[1]
        return found

    def _rows(self, rows: Sequence[Any]) -> list[StoryRow]:
        outlets = self._outlets([row["id"] for row in rows])
        return [
            StoryRow(
                id=row["id"],
                headline=row["headline"],
                size=row["size"],
                independent_sources=row["independent_sources"],
                outlets=outlets.get(row["id"], ()),
                first_published=_date(row["first_published"]),
                last_published=_date(row["last_published"]),
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
            )
            for row in rows
        ]

    def _outlets(self, story_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Each story's outlets (of its current articles, sorted), in one query per chunk."""
        found: dict[str, list[str]] = defaultdict(list)
        for chunk in _chunks(story_ids):
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT story_id, outlet FROM articles WHERE story_id IN"
                f" ({marks}) AND outlet IS NOT NULL AND superseded_by IS NULL"
                " GROUP BY story_id, outlet ORDER BY story_id, outlet",
                chunk,
            )
            for row in rows:
                found[row[0]].append(row[1])
        return {story: tuple(names) for story, names in found.items()}


def backfill_story_lists(db: Database) -> None:
    """Fill in each story's outlets, weight, rank and folded headline (migration 4)."""
    counts = dict(
        db.execute(
            "SELECT story_id, COUNT(DISTINCT outlet) FROM articles WHERE outlet IS NOT NULL"
            " AND superseded_by IS NULL AND story_id IS NOT NULL GROUP BY story_id"
        ).fetchall()
    )
    rows = db.execute(
        "SELECT id, headline, size, independent_sources, last_published FROM stories"
    ).fetchall()
    for row in rows:
        outlets = int(counts.get(row["id"], 0))
        weight = story_weight(row["independent_sources"], outlets, row["size"])
        db.execute(
            "UPDATE stories SET outlets = ?, weight = ?, importance_rank = ?,"
            " folded_headline = ? WHERE id = ?",
            (
                outlets,
                weight,
                story_rank(weight, _date(row["last_published"])),
                row["headline"].casefold(),
                row["id"],
            ),
        )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _ID_CHUNK):
        yield items[start : start + _ID_CHUNK]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
