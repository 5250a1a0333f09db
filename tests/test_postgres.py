"""The store on PostgreSQL gives the same results as on SQLite (parity).

Needs a real server: set STORYFUSE_TEST_PG to a postgresql:// URL of a database the
tests may wipe (`.ci/run` starts one on loopback); skipped with the reason otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyfuse.ingestion.service import Ingestion
from storyfuse.pipeline import story_from_articles
from storyfuse.render import story_json
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store

from helpers import FIXTURES, PG_URL, ROOT, wiped_postgres

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="STORYFUSE_TEST_PG is not set (no PostgreSQL server to test against)"
)


@pytest.fixture
def pg_store() -> Iterator[Store]:
    with Store(wiped_postgres()) as store:
        yield store


def _snapshot(store: Store) -> dict[str, object]:
    stories = store.stories()
    views = {}
    for row in stories:
        articles = store.story_articles(row.id)
        views[row.id] = story_json(story_from_articles(row.id, articles))
    return {
        "counts": store.counts(),
        "stories": [(r.id, r.headline, r.size, r.independent_sources, r.outlets) for r in stories],
        "views": views,
        "search": sorted(hit.article for hit in store.search("fire quay")),
        "rejections": sorted((e.source, e.reason) for e in store.rejections()),
    }


def test_postgresql_and_sqlite_stores_agree(pg_store: Store, tmp_path: Path) -> None:
    documents, errors = read_inputs([ROOT / "demo" / "corpus", FIXTURES / "bad"])
    with Store(tmp_path / "s.db") as sqlite_store:
        for store in (sqlite_store, pg_store):
            ingestion = Ingestion(store)
            ingestion.ingest(documents[:7], errors)
            ingestion.ingest(documents[7:])
            assert ingestion.ingest(documents).added == 0
        expected = _snapshot(sqlite_store)
    assert expected["search"]
    assert json.dumps(_snapshot(pg_store), default=str) == json.dumps(expected, default=str)


def test_migrations_are_recorded_on_postgresql(pg_store: Store) -> None:
    assert pg_store.schema_version() >= 1
    assert pg_store.migrate() == []


def test_a_failed_batch_leaves_postgresql_unchanged(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    ingestion = Ingestion(pg_store)
    ingestion.ingest(documents[:4])
    before = pg_store.counts()

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("server went away")

    monkeypatch.setattr(Store, "save_story", failing)
    with pytest.raises(RuntimeError):
        ingestion.ingest(documents[4:])
    assert pg_store.counts() == before
