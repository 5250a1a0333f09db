"""The story store: articles, stories, sources, feeds and rejections, kept in a database.

SQLite by default (one file), or PostgreSQL (a ``postgresql://`` URL), created
and upgraded by the numbered migrations of :mod:`storyfuse.store.migrations`.
The store only stores: it reads and writes rows, keeps the near-duplicate
index, and says nothing about what an article is. The order of an ingest
(prepare, deduplicate, cluster, persist, refresh the stories) belongs to
:class:`storyfuse.ingestion.service.Ingestion`, which calls the write methods
below inside one :meth:`Store.transaction`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyfuse.models import (
    Article,
    ArticleStatus,
    InputError,
    Removal,
    Sentence,
    StoryRow,
    StorySplit,
)
from storyfuse.store.article_search import SearchHit, SearchTooCostly, search_articles
from storyfuse.store.database import Database, database_target
from storyfuse.store.entity_names import EntityNames
from storyfuse.store.feed_records import FeedRecords
from storyfuse.store.listing import (
    StoryFilter,
    StoryLists,
    backfill_story_lists,
    story_rank,
    story_weight,
)
from storyfuse.store.migrations import BACKFILLED, MIGRATIONS
from storyfuse.store.near_duplicates import NearDuplicateIndex, rebuild
from storyfuse.store.story_summaries import StorySummaries
from storyfuse.stories.duplicates import Signature
from storyfuse.stories.features import ArticleFeatures

# The search types stay importable from here, where callers have always found them.
__all__ = ["SearchHit", "SearchTooCostly", "Store", "StoryRecord"]


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """What the store keeps of a story beside its articles."""

    id: str
    headline: str
    size: int
    independent_sources: int
    first_published: dt.date | None
    last_published: dt.date | None
    outlets: int = 0  # outlets named by its current articles


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class Store(FeedRecords):
    """A story store on SQLite (a file) or PostgreSQL (a ``postgresql://`` URL).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self, path: str | Path | None = None, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.path = database_target(path)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.db = Database(self.path)
        self.lists = StoryLists(self.db)
        self.summaries = StorySummaries(self.db)
        self.entity_names = EntityNames(self.db)
        self.near_duplicates = NearDuplicateIndex(self.db)
        self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # -- schema --------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply the migrations this database has not seen; returns their numbers."""
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in self.db.execute("SELECT version FROM migrations")}
        applied = []
        for version, (name, scripts) in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            with self.transaction():
                for statement in scripts[self.db.dialect].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                if version in BACKFILLED:
                    self._backfill(version)
                self.db.execute(
                    "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, self.now()),
                )
            applied.append(version)
        return applied

    def _backfill(self, version: int) -> None:
        """What a migration's SQL cannot compute, filled in Python in its transaction."""
        if version == 4:
            backfill_story_lists(self.db)
        elif version == 5:
            indexed = self.db.execute(
                "SELECT seq, minhash FROM articles WHERE id IN (SELECT article_id FROM lsh)"
            ).fetchall()
            rebuild(self.db, [(int(row[0]), bytes(row[1])) for row in indexed])
            self.db.execute("DROP TABLE lsh")

    def schema_version(self) -> int:
        """The number of the newest applied migration."""
        row = self.db.execute("SELECT MAX(version) FROM migrations").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all."""
        with self.db.transaction():
            try:
                yield
                self.near_duplicates.flush()
            finally:
                self.near_duplicates.forget()

    def now(self) -> str:
        """The store clock's time as an ISO timestamp (to the second)."""
        return self.clock().isoformat(timespec="seconds")

    def latest_seq(self) -> int:
        """The newest article's sequence number: it grows whenever a story can change."""
        row = self.db.execute("SELECT MAX(seq) FROM articles").fetchone()
        return int(row[0] or 0)

    def data_version(self) -> tuple[int, int]:
        """What changes when anyone adds articles: their count and newest sequence number."""
        row = self.db.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM articles").fetchone()
        return int(row[0]), int(row[1])

    # -- writing (inside a transaction) ---------------------------------------
    def record_rejection(self, error: InputError, at: str) -> None:
        """Keep a rejected input with its reason (once per input and reason)."""
        self.db.execute(
            "INSERT INTO rejections (source, reason, at) VALUES (?, ?, ?)"
            " ON CONFLICT (source, reason) DO UPDATE SET at = excluded.at",
            (error.source, error.reason, at),
        )

    def insert_article(
        self,
        article: Article,
        features: ArticleFeatures,
        minhash: Signature,
        story: str | None,
        at: str,
        *,
        revision_of: str | None = None,
        near_duplicate_of: str | None = None,
    ) -> None:
        """Store a new article (its story may be decided later), indexed for search and LSH."""
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
        self.db.execute(
            "INSERT INTO articles (id, seq, source, url, outlet, title, published, updated, author,"
            " language, text, sentences, removed, features, minhash, story_id, revision_of,"
            " near_duplicate_of, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            (
                article.id,
                seq,
                article.source,
                article.url,
                article.outlet,
                article.title,
                _iso(article.published),
                _iso(article.updated),
                article.author,
                article.language,
                article.text,
                json.dumps([[s.text, s.paragraph, s.start, s.end] for s in article.sentences]),
                json.dumps([[r.text, r.reason] for r in article.removed]),
                json.dumps({"terms": features.terms, "hashes": sorted(features.sentence_hashes)}),
                minhash,
                story,
                revision_of,
                near_duplicate_of,
                at,
            ),
        )
        if self.db.dialect == "sqlite":
            self.db.execute(
                "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                (seq, article.title or "", article.text),
            )
        self.near_duplicates.add(seq, article.id, minhash)
        self.link_source(article.source, article.id, "original", at)

    def link_source(self, source: str, article_id: str, kind: str, at: str) -> None:
        """Record that an input (a file, a URL...) gave this article."""
        self.db.execute(
            "INSERT INTO sources (source, article_id, kind, ingested_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (source, article_id, kind, at),
        )

    def supersede(self, old: str, new: str) -> None:
        """Mark ``old`` as an earlier version of ``new``."""
        self.db.execute("UPDATE articles SET superseded_by = ? WHERE id = ?", (new, old))

    def assign_story(self, article_id: str, story_id: str) -> None:
        """Put an article of this batch into a story."""
        self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))

    def move_article(self, article_id: str, story_id: str) -> str | None:
        """Move an article of an earlier batch, its earlier versions along, to another story.

        Returns the story it left, or None for a superseded version (an article
        counts once, in its latest version).
        """
        row = self.db.execute(
            "SELECT story_id, superseded_by FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        self.db.execute(
            "WITH RECURSIVE versions(id) AS (SELECT ? UNION SELECT a.revision_of"
            " FROM articles a JOIN versions v ON a.id = v.id WHERE a.revision_of IS NOT NULL)"
            " UPDATE articles SET story_id = ? WHERE id IN (SELECT id FROM versions)",
            (article_id, story_id),
        )
        return None if row["superseded_by"] is not None else str(row["story_id"])

    def redirect_story(self, old: str, new: str) -> None:
        """A merge: ``old``'s articles join ``new``, and ``old`` (and its redirects) point there."""
        self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (new, old))
        self.db.execute("UPDATE stories SET redirect_to = ? WHERE id = ?", (new, old))
        self.db.execute("UPDATE stories SET redirect_to = ? WHERE redirect_to = ?", (new, old))
        self.db.execute("DELETE FROM story_tallies WHERE story_id = ?", (old,))

    def record_split(self, from_story: str, to_story: str, articles: int, at: str) -> None:
        """Record that ``articles`` articles left ``from_story`` for ``to_story``."""
        self.db.execute(
            "INSERT INTO splits (from_story, to_story, articles, at) VALUES (?, ?, ?, ?)",
            (from_story, to_story, articles, at),
        )

    def save_story(self, story: StoryRecord, at: str) -> None:
        """Insert or update a story's row; it is live (not redirected) and seen at ``at``."""
        weight = story_weight(story.independent_sources, story.outlets, story.size)
        self.db.execute(
            "INSERT INTO stories (id, headline, size, independent_sources, first_published,"
            " last_published, first_seen, last_seen, outlets, weight, importance_rank,"
            " folded_headline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET headline = excluded.headline, size = excluded.size,"
            " independent_sources = excluded.independent_sources,"
            " first_published = excluded.first_published, last_published = excluded.last_published,"
            " last_seen = excluded.last_seen, redirect_to = NULL, outlets = excluded.outlets,"
            " weight = excluded.weight, importance_rank = excluded.importance_rank,"
            " folded_headline = excluded.folded_headline",
            (
                story.id,
                story.headline,
                story.size,
                story.independent_sources,
                _iso(story.first_published),
                _iso(story.last_published),
                at,
                at,
                story.outlets,
                weight,
                story_rank(weight, story.last_published),
                story.headline.casefold(),
            ),
        )

    def save_tally(self, story_id: str, tally: bytes) -> None:
        """Keep a story's encoded :class:`~storyfuse.stories.story_tally.StoryTally`."""
        self.db.execute(
            "INSERT INTO story_tallies (story_id, tally) VALUES (?, ?)"
            " ON CONFLICT (story_id) DO UPDATE SET tally = excluded.tally",
            (story_id, tally),
        )

    # -- reading for an ingest ----------------------------------------------
    def tallies(self, story_ids: Sequence[str]) -> dict[str, bytes]:
        """The kept tallies of these stories (those that have one), a query per few hundred."""
        found: dict[str, bytes] = {}
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT story_id, tally FROM story_tallies WHERE story_id IN ({marks})", chunk
            )
            found.update((row[0], bytes(row[1])) for row in rows)
        return found

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id (this exact cleaned text) is stored."""
        row = self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def latest_version(self, url: str) -> tuple[str, str | None] | None:
        """The current article from ``url`` as (id, story id), if any."""
        row = self.db.execute(
            "SELECT id, story_id FROM articles WHERE url = ? AND superseded_by IS NULL", (url,)
        ).fetchone()
        return None if row is None else (row["id"], row["story_id"])

    def outlet_and_story(self, article_id: str) -> tuple[str | None, str | None]:
        """A stored article's outlet and story."""
        row = self.db.execute(
            "SELECT outlet, story_id FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row["outlet"], row["story_id"]

    def original_story(self, article_id: str) -> str:
        """The story of the article this one revises or nearly duplicates."""
        row = self.db.execute(
            "SELECT o.story_id FROM articles a JOIN articles o"
            " ON o.id = COALESCE(a.near_duplicate_of, a.revision_of) WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return str(row["story_id"])

    def near_duplicate(self, minhash: Signature) -> str | None:
        """The stored article most like this signature, if estimated Jaccard >= 0.8."""
        return self.near_duplicates.best_match(minhash)

    def prefetch_near_duplicates(self, signatures: Sequence[Signature]) -> None:
        """Read the near-duplicate candidates of a batch's signatures at once."""
        self.near_duplicates.prefetch(signatures)

    def active_features(self, since: str, seen_since: str) -> list[tuple[str, ArticleFeatures]]:
        """(story id, features) of the latest articles of the stories active since then.

        A story is active when it was last published since ``since`` (an ISO
        date) or, for a story without dates, last seen since ``seen_since``.
        """
        rows = self.db.execute(
            "SELECT a.id, a.published, a.features, a.story_id FROM articles a "
            "JOIN stories s ON s.id = a.story_id "
            "WHERE a.superseded_by IS NULL AND s.redirect_to IS NULL "
            "AND (s.last_published >= ? OR (s.last_published IS NULL AND s.last_seen >= ?))"
            " ORDER BY a.seq",
            (since, seen_since),
        ).fetchall()
        return [(row["story_id"], _features(row)) for row in rows]

    # -- reading -------------------------------------------------------------
    def resolve(self, story_id: str) -> str | None:
        """The current id of a story, following merge redirects; None if unknown."""
        seen = set()
        while story_id not in seen:
            seen.add(story_id)
            row = self.db.execute(
                "SELECT redirect_to FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
            if row is None:
                return None
            if row["redirect_to"] is None:
                return story_id
            story_id = row["redirect_to"]
        return None

    def story_splits(self, story_id: str) -> tuple[StorySplit, ...]:
        """The splits a story took part in, as the story split or as the one split off."""
        rows = self.db.execute(
            "SELECT from_story, to_story, articles, at FROM splits"
            " WHERE from_story = ? OR to_story = ? ORDER BY at, from_story, to_story",
            (story_id, story_id),
        )
        return tuple(
            StorySplit(row["from_story"], row["to_story"], row["articles"], row["at"])
            for row in rows
        )

    def story_articles(self, story_id: str, before: str | None = None) -> list[Article]:
        """The latest version of each article of a story, oldest first.

        With ``before`` (an ISO timestamp), only what had been ingested by then.
        """
        query = "SELECT * FROM articles WHERE story_id = ? AND superseded_by IS NULL"
        params: list[str] = [story_id]
        if before is not None:
            query = (
                "SELECT * FROM articles WHERE story_id = ? AND ingested_at <= ? AND id NOT IN"
                " (SELECT revision_of FROM articles WHERE revision_of IS NOT NULL"
                " AND ingested_at <= ?)"
            )
            params = [story_id, before, before]
        rows = self.db.execute(query + " ORDER BY published IS NULL, published, id", params)
        return [_article(row) for row in rows]

    def articles_by_id(self, article_ids: Sequence[str]) -> list[Article]:
        """These stored articles (those found), in a story's order: dated first, by date, id."""
        found: list[Article] = []
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk)
            found += (_article(row) for row in rows)
        return sorted(found, key=lambda a: (a.published is None, a.published or dt.date.min, a.id))

    def article(self, article_id: str) -> Article | None:
        """One stored article by id."""
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def stories(self, since: str | None = None) -> list[StoryRow]:
        """Stories, most recent activity first; ``since`` filters on last seen or published."""
        return self.lists.recent(StoryFilter(active_since=since))

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over article titles and texts: :func:`search_articles`."""
        return search_articles(self.db, query, limit)

    def rejections(self) -> list[InputError]:
        """Every rejected input with its reason, oldest first."""
        rows = self.db.execute("SELECT source, reason FROM rejections ORDER BY seq")
        return [InputError(row["source"], row["reason"]) for row in rows]

    def story_article_ids(self, story_id: str) -> tuple[str, ...]:
        """The ids of a story's current articles, sorted: cheap, for cache keys."""
        rows = self.db.execute(
            "SELECT id FROM articles WHERE story_id = ? AND superseded_by IS NULL", (story_id,)
        )
        return tuple(sorted(row[0] for row in rows))

    def story_seen(self, story_id: str) -> tuple[str, str]:
        """When a story was first and last seen (ISO timestamps; empty if unknown)."""
        row = self.db.execute(
            "SELECT first_seen, last_seen FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        return (row[0], row[1]) if row else ("", "")

    def article_status(self, article_id: str) -> ArticleStatus | None:
        """An article's current story and its links to other versions; None if unknown."""
        row = self.db.execute(
            "SELECT story_id, ingested_at, superseded_by, revision_of, near_duplicate_of"
            " FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        story = self.resolve(row[0]) if row[0] else None
        return ArticleStatus(story, row[1], row[2], row[3], row[4])

    def counts(self) -> dict[str, int]:
        """Numbers of articles, live stories, linked sources and rejections."""
        query = {
            "articles": "SELECT COUNT(*) FROM articles",
            "stories": "SELECT COUNT(*) FROM stories WHERE redirect_to IS NULL",
            "sources": "SELECT COUNT(*) FROM sources",
            "rejections": "SELECT COUNT(*) FROM rejections",
        }
        return {name: int(self.db.execute(sql).fetchone()[0]) for name, sql in query.items()}


def _features(row: Any) -> ArticleFeatures:
    stored = json.loads(row["features"])
    return ArticleFeatures(
        id=row["id"],
        published=_date(row["published"]),
        terms=tuple((term, float(weight)) for term, weight in stored["terms"]),
        sentence_hashes=frozenset(stored["hashes"]),
    )


def _article(row: Any) -> Article:
    return Article(
        id=row["id"],
        source=row["source"],
        outlet=row["outlet"],
        title=row["title"],
        published=_date(row["published"]),
        url=row["url"],
        text=row["text"],
        sentences=tuple(
            Sentence(index=i, text=text, paragraph=paragraph, start=start, end=end)
            for i, (text, paragraph, start, end) in enumerate(json.loads(row["sentences"]))
        ),
        removed=tuple(Removal(text, reason) for text, reason in json.loads(row["removed"])),
        updated=_date(row["updated"]),
        author=row["author"],
        language=row["language"],
    )
