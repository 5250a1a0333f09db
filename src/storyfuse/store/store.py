"""The story store: articles and stories that grow with every ingest.

SQLite by default (one file), created and upgraded by numbered migrations
recorded in the database. Each ingest is one transaction: a crash or a
rejected input mid-batch leaves the store as it was, and ingesting the same
input again changes nothing.

What an ingest does with each cleaned article, in a canonical order:

- the same text again (an exact duplicate): only the new source is linked;
- the same URL with changed text: a revision; both versions are kept, the
  older one is marked superseded and the story shows the latest;
- nearly the same text (MinHash over word 5-grams, banded LSH kept in the
  database): from the same outlet, stored once and linked; from another
  outlet, kept as that outlet's reprint and linked to the original;
- otherwise a new article, which the online clusterer puts into a story.

When a story that grew turns out to hold two events, the clusterer splits it:
the articles of the split-off part (with their earlier versions) move to a new
story, and the old id stays with the part that holds its first article.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash

from storyfuse.models import (
    Article,
    ArticleStatus,
    FeedState,
    InputError,
    RawDocument,
    Removal,
    Sentence,
    StoryRow,
    StorySplit,
)
from storyfuse.pipeline import prepare_articles
from storyfuse.store.database import Database, Dialect, database_target
from storyfuse.stories.cluster import (
    ArticleFeatures,
    ClusterOptions,
    StoryClusterer,
    article_features,
)
from storyfuse.stories.summarize import choose_headline
from storyfuse.stories.wire import SentenceIndex, independent_sources
from storyfuse.text.tokens import match_tokens

_TABLES = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    source TEXT NOT NULL,
    url TEXT,
    outlet TEXT,
    title TEXT,
    published TEXT,
    updated TEXT,
    author TEXT,
    language TEXT,
    text TEXT NOT NULL,
    sentences TEXT NOT NULL,
    removed TEXT NOT NULL,
    features TEXT NOT NULL,
    minhash {blob} NOT NULL,
    story_id TEXT,
    revision_of TEXT,
    superseded_by TEXT,
    near_duplicate_of TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX articles_url ON articles (url);
CREATE INDEX articles_story ON articles (story_id);
CREATE TABLE sources (
    source TEXT NOT NULL,
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    PRIMARY KEY (source, article_id)
);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    headline TEXT NOT NULL,
    size INTEGER NOT NULL,
    independent_sources INTEGER NOT NULL,
    first_published TEXT,
    last_published TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    redirect_to TEXT
);
CREATE TABLE rejections (
    seq {serial},
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (source, reason)
);
CREATE TABLE lsh (
    band INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    article_id TEXT NOT NULL
);
CREATE INDEX lsh_bucket ON lsh (band, bucket);
CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_checked TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT
)
"""

# Numbered migrations: (name, {dialect: script}). Never edit a released one; add another.
MIGRATIONS: tuple[tuple[str, dict[Dialect, str]], ...] = (
    (
        "create articles, stories, sources, rejections, lsh, feeds and full-text search",
        {
            "sqlite": _TABLES.format(blob="BLOB", serial="INTEGER PRIMARY KEY")
            + """;
            CREATE VIRTUAL TABLE articles_fts USING fts5 (
                title, text, content='articles', content_rowid='seq'
            )""",
            "postgresql": _TABLES.format(blob="BYTEA", serial="BIGSERIAL PRIMARY KEY")
            + """;
            ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS
                (to_tsvector('english', coalesce(title, '') || ' ' || text)) STORED;
            CREATE INDEX articles_search ON articles USING GIN (search)""",
        },
    ),
    (
        "record story splits",
        dict.fromkeys(
            ("sqlite", "postgresql"),
            """CREATE TABLE splits (
                from_story TEXT NOT NULL,
                to_story TEXT NOT NULL,
                articles INTEGER NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX splits_from ON splits (from_story);
            CREATE INDEX splits_to ON splits (to_story)""",
        ),
    ),
)

_LSH_BANDS = 16
_LSH_ROWS = 4
_SHINGLE = 5
_NEAR_DUPLICATE = 0.8


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What an ingest did: counts, and the reason for every rejection."""

    added: int = 0
    duplicates: int = 0
    revised: int = 0
    near_duplicates: int = 0
    rejected: tuple[InputError, ...] = ()
    stories_touched: tuple[str, ...] = ()

    def summary_line(self) -> str:
        """One human line: added / duplicate / revised / rejected."""
        return (
            f"{self.added} added, {self.duplicates + self.near_duplicates} duplicate, "
            f"{self.revised} revised, {len(self.rejected)} rejected"
        )


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An article matching a full-text query."""

    article: str
    story: str | None
    title: str | None
    outlet: str | None
    snippet: str


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A new article with what storing and clustering it needs, computed once."""

    article: Article
    features: ArticleFeatures
    signature: MinHash


@dataclass
class _Batch:
    """Counters of one ingest while its transaction is open."""

    now: str
    added: int = 0
    duplicates: int = 0
    revised: int = 0
    near_duplicates: int = 0
    touched: set[str] = field(default_factory=set)
    # variants of articles new in this batch, waiting for their original's story
    waiting: list[tuple[str, ArticleFeatures]] = field(default_factory=list)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# Drawn once: every signature uses the same hash family (seeded, so stable across runs).
_PERMUTATIONS = MinHash(num_perm=_LSH_BANDS * _LSH_ROWS, seed=1)


def _minhash(text: str) -> MinHash:
    """MinHash signature over the article's word 5-grams (spelling and quotes folded)."""
    tokens = match_tokens(text)
    count = max(1, len(tokens) - _SHINGLE + 1)
    shingles = sorted({" ".join(tokens[i : i + _SHINGLE]) for i in range(count)})
    signature = MinHash(
        num_perm=_PERMUTATIONS.hashvalues.size,
        seed=1,
        permutations=_PERMUTATIONS.permutations,
        scheme=_PERMUTATIONS.scheme,
    )
    signature.update_batch([shingle.encode() for shingle in shingles])
    return signature


def _bands(signature: MinHash) -> list[tuple[int, str]]:
    values = signature.hashvalues
    return [
        (band, values[band * _LSH_ROWS : (band + 1) * _LSH_ROWS].tobytes().hex())
        for band in range(_LSH_BANDS)
    ]


def _estimated_jaccard(signature: MinHash, stored: bytes) -> float:
    """Share of equal MinHash values: an estimate of the shingle sets' Jaccard similarity."""
    values = signature.hashvalues
    return float(np.mean(values == np.frombuffer(stored, dtype=values.dtype)))


class Store:
    """A story store on SQLite (a file) or PostgreSQL (a ``postgresql://`` URL).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        options: ClusterOptions | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.path = database_target(path)
        self.options = options or ClusterOptions()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.db = Database(self.path)
        self._clusterer: StoryClusterer | None = None
        self._data_version: tuple[int, int] = (-1, -1)
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
            with self._transaction():
                for statement in scripts[self.db.dialect].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(
                    "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, self._now()),
                )
            applied.append(version)
        return applied

    def schema_version(self) -> int:
        """The number of the newest applied migration."""
        row = self.db.execute("SELECT MAX(version) FROM migrations").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            with self.db.transaction():
                yield
        except BaseException:
            self._clusterer = None
            raise

    def _now(self) -> str:
        return self._clock().isoformat(timespec="seconds")

    # -- ingest --------------------------------------------------------------
    def ingest(
        self,
        documents: Sequence[RawDocument],
        errors: Sequence[InputError] = (),
        progress: Callable[[int], None] | None = None,
    ) -> IngestResult:
        """Add documents in one transaction; rejected inputs are recorded with their reason."""
        articles, prepare_errors = prepare_articles(documents)
        rejected = [*errors, *(e for e in prepare_errors if not e.reason.startswith("exact"))]
        in_batch_duplicates = [e for e in prepare_errors if e.reason.startswith("exact")]
        batch = _Batch(now=self._now())
        with self._transaction():
            for error in rejected:
                self.db.execute(
                    "INSERT INTO rejections (source, reason, at) VALUES (?, ?, ?)"
                    " ON CONFLICT (source, reason) DO UPDATE SET at = excluded.at",
                    (error.source, error.reason, batch.now),
                )
            batch.duplicates += len(in_batch_duplicates)
            clusterer = self._clusterer_for(articles)
            ordered = sorted(articles, key=lambda a: (a.published or dt.date.min, a.id))
            prepared = [
                _Prepared(article, article_features(article, self.options), _minhash(article.text))
                for article in ordered
                if not self._known(article, batch)
            ]
            clusterer.observe(item.features for item in prepared)
            fresh: list[_Prepared] = []
            for item in prepared:
                if not self._place_variant(item, batch, clusterer):
                    self._insert_article(item, None, batch)  # its story is decided below
                    fresh.append(item)
                    batch.added += 1
                if progress:
                    progress(1)
            self._place_fresh(fresh, batch, clusterer)
            for story_id in batch.touched:
                self._refresh_story(clusterer.resolve(story_id), batch.now)
        self._data_version = self._version()  # our own writes keep the clusterer valid
        return IngestResult(
            added=batch.added,
            duplicates=batch.duplicates,
            revised=batch.revised,
            near_duplicates=batch.near_duplicates,
            rejected=tuple(rejected),
            stories_touched=tuple(sorted({clusterer.resolve(s) for s in batch.touched})),
        )

    def _place_fresh(
        self, fresh: Sequence[_Prepared], batch: _Batch, clusterer: StoryClusterer
    ) -> None:
        """Cluster the batch's new articles together, then give their variants the same story."""
        assignments = clusterer.add_batch([item.features for item in fresh], count_terms=False)
        moves: Counter[tuple[str, str]] = Counter()
        for assignment in assignments:
            if assignment.moved:
                left = self._move_article(assignment.article, assignment.story)
                if left is not None:
                    moves[(clusterer.resolve(left), assignment.story)] += 1
            else:
                self.db.execute(
                    "UPDATE articles SET story_id = ? WHERE id = ?",
                    (assignment.story, assignment.article),
                )
            for absorbed in assignment.merged:
                self._redirect(absorbed, assignment.story)
            batch.touched.add(assignment.story)
        for (from_story, to_story), count in sorted(moves.items()):
            self.db.execute(
                "INSERT INTO splits (from_story, to_story, articles, at) VALUES (?, ?, ?, ?)",
                (from_story, to_story, count, batch.now),
            )
            batch.touched.add(from_story)
        for article_id, features in batch.waiting:
            row = self.db.execute(
                "SELECT o.story_id FROM articles a JOIN articles o"
                " ON o.id = COALESCE(a.near_duplicate_of, a.revision_of) WHERE a.id = ?",
                (article_id,),
            ).fetchone()
            story = clusterer.resolve(row["story_id"])
            self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story, article_id))
            clusterer.restore(story, features)
            batch.touched.add(story)

    def _move_article(self, article_id: str, story_id: str) -> str | None:
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

    def _known(self, article: Article, batch: _Batch) -> bool:
        """An exact duplicate of a stored article: link the new source, and that is all."""
        if self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
            self._link_source(article.source, article.id, "duplicate", batch.now)
            batch.duplicates += 1
            return True
        return False

    def _place_variant(self, item: _Prepared, batch: _Batch, clusterer: StoryClusterer) -> bool:
        """Store a revision or a near-duplicate with its original; False if the text is new."""
        article = item.article
        if article.url:
            previous = self.db.execute(
                "SELECT id, story_id FROM articles WHERE url = ? AND superseded_by IS NULL",
                (article.url,),
            ).fetchone()
            if previous is not None:
                story = previous["story_id"]
                self._insert_article(item, story, batch, revision_of=previous["id"])
                self.db.execute(
                    "UPDATE articles SET superseded_by = ? WHERE id = ?",
                    (article.id, previous["id"]),
                )
                self._join_story(story, item, batch, clusterer)
                batch.revised += 1
                return True
        original = self._near_duplicate(item.signature)
        if original is not None:
            row = self.db.execute(
                "SELECT outlet, story_id FROM articles WHERE id = ?", (original,)
            ).fetchone()
            if row["outlet"] == article.outlet or not article.outlet:
                self._link_source(article.source, original, "near-duplicate", batch.now)
                batch.near_duplicates += 1
                return True
            story = row["story_id"]
            self._insert_article(item, story, batch, near_duplicate_of=original)
            self._join_story(story, item, batch, clusterer)
            batch.added += 1
            return True
        return False

    @staticmethod
    def _join_story(
        story: str | None, item: _Prepared, batch: _Batch, clusterer: StoryClusterer
    ) -> None:
        """Add a variant to its original's story; wait if that story is still being decided."""
        if story is None:
            batch.waiting.append((item.article.id, item.features))
            return
        clusterer.restore(story, item.features)
        batch.touched.add(story)

    def _near_duplicate(self, signature: MinHash) -> str | None:
        best: tuple[float, str] | None = None
        candidates: set[str] = set()
        for band, bucket in _bands(signature):
            candidates.update(
                row[0]
                for row in self.db.execute(
                    "SELECT article_id FROM lsh WHERE band = ? AND bucket = ?", (band, bucket)
                )
            )
        for candidate in sorted(candidates):
            row = self.db.execute(
                "SELECT minhash FROM articles WHERE id = ?", (candidate,)
            ).fetchone()
            score = _estimated_jaccard(signature, row["minhash"])
            if score >= _NEAR_DUPLICATE and (best is None or score > best[0]):
                best = (score, candidate)
        return best[1] if best else None

    def _insert_article(
        self,
        item: _Prepared,
        story: str | None,
        batch: _Batch,
        *,
        revision_of: str | None = None,
        near_duplicate_of: str | None = None,
    ) -> None:
        article, features, signature = item.article, item.features, item.signature
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
                signature.hashvalues.tobytes(),
                story,
                revision_of,
                near_duplicate_of,
                batch.now,
            ),
        )
        if self.db.dialect == "sqlite":
            self.db.execute(
                "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                (seq, article.title or "", article.text),
            )
        for band, bucket in _bands(signature):
            self.db.execute(
                "INSERT INTO lsh (band, bucket, article_id) VALUES (?, ?, ?)",
                (band, bucket, article.id),
            )
        self._link_source(article.source, article.id, "original", batch.now)

    def _link_source(self, source: str, article_id: str, kind: str, now: str) -> None:
        self.db.execute(
            "INSERT INTO sources (source, article_id, kind, ingested_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (source, article_id, kind, now),
        )

    def _redirect(self, old: str, new: str) -> None:
        self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (new, old))
        self.db.execute("UPDATE stories SET redirect_to = ? WHERE id = ?", (new, old))
        self.db.execute("UPDATE stories SET redirect_to = ? WHERE redirect_to = ?", (new, old))

    def _clusterer_for(self, incoming: Sequence[Article]) -> StoryClusterer:
        """The clusterer of this connection, loaded once, with idle stories evicted.

        It is rebuilt from the database whenever an ingest failed (its memory may
        hold articles the rolled-back transaction never stored) and whenever
        another connection has written to the store since (its article count or
        newest sequence number changed).
        """
        dates = [a.published for a in incoming if a.published]
        newest = max(dates) if dates else dt.date.today()
        since = newest - dt.timedelta(days=self.options.window_days)
        if self._clusterer is None or self._version() != self._data_version:
            self._clusterer = self._load_clusterer(since.isoformat())
        else:
            self._clusterer.evict(before=since)
        return self._clusterer

    def _version(self) -> tuple[int, int]:
        """What changes when anyone adds articles: their count and newest sequence number."""
        row = self.db.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM articles").fetchone()
        return int(row[0]), int(row[1])

    def _load_clusterer(self, since: str) -> StoryClusterer:
        """A clusterer holding the stories active since ``since`` (an ISO date).

        A story is active when it was last published since then or, for a story
        without dates, last seen (ingested into) since the same span ago.
        """
        clusterer = StoryClusterer(self.options)
        seen_since = (self._clock() - dt.timedelta(days=self.options.window_days)).isoformat()
        rows = self.db.execute(
            "SELECT a.id, a.published, a.features, a.story_id FROM articles a "
            "JOIN stories s ON s.id = a.story_id "
            "WHERE a.superseded_by IS NULL AND s.redirect_to IS NULL "
            "AND (s.last_published >= ? OR (s.last_published IS NULL AND s.last_seen >= ?))"
            " ORDER BY a.seq",
            (since, seen_since),
        ).fetchall()
        restored = [(row["story_id"], _features(row)) for row in rows]
        clusterer.observe(features for _, features in restored)
        for story_id, features in restored:
            clusterer.restore(story_id, features)
        return clusterer

    def _refresh_story(self, story_id: str, now: str) -> None:
        articles = self.story_articles(story_id)
        if not articles:
            return
        headline = choose_headline(articles)
        dates = sorted(a.published for a in articles if a.published)
        index = SentenceIndex(articles)
        sources = independent_sources(articles, index.wire_links())
        self.db.execute(
            "INSERT INTO stories (id, headline, size, independent_sources, first_published,"
            " last_published, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET headline = excluded.headline, size = excluded.size,"
            " independent_sources = excluded.independent_sources,"
            " first_published = excluded.first_published, last_published = excluded.last_published,"
            " last_seen = excluded.last_seen, redirect_to = NULL",
            (
                story_id,
                headline,
                len(articles),
                sources,
                _iso(dates[0]) if dates else None,
                _iso(dates[-1]) if dates else None,
                now,
                now,
            ),
        )

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

    def article(self, article_id: str) -> Article | None:
        """One stored article by id."""
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def stories(self, since: str | None = None) -> list[StoryRow]:
        """Stories, most recent activity first; ``since`` filters on last seen or published."""
        query = "SELECT * FROM stories WHERE redirect_to IS NULL"
        params: list[str] = []
        if since:
            query += " AND (last_seen >= ? OR last_published >= ?)"
            params = [since, since[:10]]
        query += " ORDER BY COALESCE(last_published, '') DESC, last_seen DESC, id"
        rows = self.db.execute(query, params).fetchall()
        result = []
        for row in rows:
            outlets = tuple(
                r[0]
                for r in self.db.execute(
                    "SELECT DISTINCT outlet FROM articles WHERE story_id = ? AND outlet IS NOT NULL"
                    " AND superseded_by IS NULL ORDER BY outlet",
                    (row["id"],),
                )
            )
            result.append(
                StoryRow(
                    id=row["id"],
                    headline=row["headline"],
                    size=row["size"],
                    independent_sources=row["independent_sources"],
                    outlets=outlets,
                    first_published=_date(row["first_published"]),
                    last_published=_date(row["last_published"]),
                    first_seen=row["first_seen"],
                    last_seen=row["last_seen"],
                )
            )
        return result

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over article titles and texts.

        SQLite reads the query with FTS5 syntax, PostgreSQL with websearch syntax;
        plain words (all must match) mean the same on both.
        """
        if self.db.dialect == "sqlite":
            sql = (
                "SELECT a.id, a.story_id, a.title, a.outlet,"
                " snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snippet"
                " FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
                " WHERE articles_fts MATCH ? AND a.superseded_by IS NULL"
                " ORDER BY rank, a.id LIMIT ?"
            )
        else:
            sql = (
                "SELECT a.id, a.story_id, a.title, a.outlet, ts_headline('english', a.text, q,"
                " 'StartSel=[, StopSel=], MaxWords=12, MinWords=4, MaxFragments=1') AS snippet"
                " FROM articles a, websearch_to_tsquery('english', ?) AS q"
                " WHERE a.search @@ q AND a.superseded_by IS NULL"
                " ORDER BY ts_rank(a.search, q) DESC, a.id LIMIT ?"
            )
        rows = self.db.execute(sql, (query, limit))
        return [
            SearchHit(row["id"], row["story_id"], row["title"], row["outlet"], row["snippet"])
            for row in rows
        ]

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

    # -- feeds ---------------------------------------------------------------
    def add_feeds(self, urls: Sequence[str]) -> int:
        """Add feeds to follow; returns how many were new."""
        added = 0
        for url in urls:
            if self.db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone() is None:
                self.db.execute("INSERT INTO feeds (url) VALUES (?)", (url,))
                added += 1
        return added

    def feeds(self) -> list[FeedState]:
        """Every followed feed, by URL, with its validators and last outcomes."""
        rows = self.db.execute(
            "SELECT url, etag, last_modified, last_checked, last_success, last_error,"
            " last_error_at FROM feeds ORDER BY url"
        ).fetchall()
        return [FeedState(*(row[i] for i in range(7))) for row in rows]

    def knows_source(self, source: str) -> bool:
        """Whether an article with this URL, or from this source, is stored."""
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE url = ? UNION ALL SELECT 1 FROM sources WHERE source = ?",
            (source, source),
        ).fetchone()
        return row is not None

    def record_feed_success(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """A feed was read: keep its validators for the next conditional request."""
        now = self._now()
        self.db.execute(
            "INSERT INTO feeds (url, etag, last_modified, last_checked, last_success)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, last_checked = excluded.last_checked,"
            " last_success = excluded.last_success",
            (url, etag, last_modified, now, now),
        )

    def record_feed_failure(self, url: str, reason: str) -> None:
        """A feed could not be read: keep the reason and when."""
        now = self._now()
        self.db.execute(
            "INSERT INTO feeds (url, last_checked, last_error, last_error_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET last_checked = excluded.last_checked,"
            " last_error = excluded.last_error, last_error_at = excluded.last_error_at",
            (url, now, reason, now),
        )

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
