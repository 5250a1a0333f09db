"""The store's schema as numbered migrations, for SQLite and PostgreSQL.

Never edit a released migration; add another. :class:`~storyfuse.store.store.Store`
applies those a database has not seen yet, each in its own transaction, and then
fills in what SQL alone cannot compute (:data:`BACKFILLED`).
"""

from __future__ import annotations

from storyfuse.store.database import Dialect

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

_STORY_LIST_COLUMNS = """
ALTER TABLE stories ADD COLUMN outlets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN weight {real} NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN importance_rank {real};
ALTER TABLE stories ADD COLUMN folded_headline TEXT NOT NULL DEFAULT '';
CREATE INDEX stories_recent ON stories ((COALESCE(last_published, '')) DESC, last_seen DESC, id)
    WHERE redirect_to IS NULL;
CREATE INDEX stories_rank ON stories (importance_rank) WHERE redirect_to IS NULL;
CREATE INDEX stories_weight ON stories (weight) WHERE redirect_to IS NULL;
CREATE INDEX articles_outlet ON articles (outlet, superseded_by, story_id)
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
    (
        "stem the words of the SQLite full-text index (PostgreSQL's english config already does)",
        {
            "sqlite": """DROP TABLE articles_fts;
            CREATE VIRTUAL TABLE articles_fts USING fts5 (
                title, text, content='articles', content_rowid='seq',
                tokenize='porter unicode61 remove_diacritics 2'
            );
            INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')""",
            "postgresql": "",
        },
    ),
    (
        "keep what story lists order and filter by: outlets, weight, rank, folded headline",
        {
            "sqlite": _STORY_LIST_COLUMNS.format(real="REAL"),
            "postgresql": _STORY_LIST_COLUMNS.format(real="DOUBLE PRECISION"),
        },
    ),
    (
        "a compact near-duplicate index: one integer key per band, by article seq",
        {
            "sqlite": """CREATE TABLE near_duplicate_keys (
                band_key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (band_key, seq)
            ) WITHOUT ROWID""",
            "postgresql": """CREATE TABLE near_duplicate_keys (
                band_key BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (band_key, seq)
            )""",
        },
    ),
    (
        "keep each story's tally (tokens, same-copy links, word usage) to grow it batch by batch",
        {
            "sqlite": "CREATE TABLE story_tallies (story_id TEXT PRIMARY KEY, tally BLOB NOT NULL)",
            "postgresql": (
                "CREATE TABLE story_tallies (story_id TEXT PRIMARY KEY, tally BYTEA NOT NULL)"
            ),
        },
    ),
    (
        "keep each story's summary for the lists, with the articles it was computed from",
        dict.fromkeys(
            ("sqlite", "postgresql"),
            """CREATE TABLE story_summaries (
                story_id TEXT NOT NULL,
                words INTEGER NOT NULL,
                article_key TEXT NOT NULL,
                lines TEXT NOT NULL,
                PRIMARY KEY (story_id, words)
            )""",
        ),
    ),
    (
        "keep the names the entity model found in each paragraph, so views need not load it",
        dict.fromkeys(
            ("sqlite", "postgresql"),
            """CREATE TABLE entity_names (
                digest TEXT NOT NULL,
                model TEXT NOT NULL,
                names TEXT NOT NULL,
                PRIMARY KEY (digest, model)
            )""",
        ),
    ),
    (
        "index the stories merged away by the story they point to, so a merge finds them at once",
        dict.fromkeys(
            ("sqlite", "postgresql"),
            "CREATE INDEX stories_redirect ON stories (redirect_to) WHERE redirect_to IS NOT NULL",
        ),
    ),
)

# Migrations whose new columns the store then fills in Python, in the same transaction.
BACKFILLED = frozenset({4, 5})
