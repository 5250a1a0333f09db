"""The story store: migrations, idempotent ingest, duplicates, revisions, consistency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.migrations import MIGRATIONS
from storyfuse.store.store import Store
from storyfuse.stories.features import ClusterOptions

from helpers import FIXTURES, ROOT, fire_report, store_target

DEMO = ROOT / "demo" / "corpus"
CLOCK = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)


StoreFactory = Callable[[Callable[[], dt.datetime]], Store]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens stores on one backend: a SQLite file, or the PostgreSQL test database (wiped)."""
    target = store_target(request.param, tmp_path)
    opened: list[Store] = []

    def factory(clock: Callable[[], dt.datetime]) -> Store:
        opened.append(Store(target, clock=clock))
        return opened[-1]

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: StoreFactory) -> Store:
    return open_store(lambda: CLOCK)


def _demo() -> list[RawDocument]:
    documents, errors = read_inputs([DEMO])
    assert errors == ()
    return list(documents)


def test_migrations_are_numbered_recorded_and_applied_once(open_store: StoreFactory) -> None:
    first = open_store(lambda: CLOCK)
    assert first.schema_version() == len(MIGRATIONS)
    second = open_store(lambda: CLOCK)
    assert second.migrate() == []
    assert second.schema_version() == len(MIGRATIONS)


def test_ingest_builds_the_demo_stories_and_a_second_ingest_changes_nothing(store: Store) -> None:
    documents = _demo()
    ingestion = Ingestion(store)
    first = ingestion.ingest(documents)
    assert (first.added, first.duplicates, first.revised, first.rejected) == (13, 0, 0, ())
    rows = store.stories()
    assert sorted(row.size for row in rows) == [4, 4, 5]
    before = store.counts()
    again = ingestion.ingest(list(reversed(documents)))
    assert again.added == 0 and again.duplicates == 13
    assert store.counts() == before
    assert [(r.id, r.size) for r in store.stories()] == [(r.id, r.size) for r in rows]


def test_rejected_inputs_are_recorded_with_their_reason(store: Store) -> None:
    documents, errors = read_inputs([FIXTURES / "bad"])
    ingestion = Ingestion(store)
    result = ingestion.ingest(documents, errors)
    assert result.rejected
    stored = {(e.source, e.reason) for e in store.rejections()}
    assert {(e.source, e.reason) for e in result.rejected} <= stored
    ingestion.ingest(documents, errors)
    assert len(store.rejections()) == len(stored)  # the same rejection is kept once


def test_same_url_with_new_text_is_a_revision_and_the_story_shows_the_latest(store: Store) -> None:
    documents = _demo()
    ingestion = Ingestion(store)
    ingestion.ingest(documents)
    original = next(d for d in documents if "tunnel-opening_dailyledger" in d.source)
    article = next(
        a
        for row in store.stories()
        for a in store.story_articles(row.id)
        if a.source == original.source
    )
    revised = replace(
        original,
        source=original.source + " (updated)",
        url=article.url,
        text=original.text + "\nUpdate: the first regular train left on time on Saturday.",
    )
    result = ingestion.ingest([revised])
    assert result.revised == 1 and result.added == 0
    members = store.story_articles(article.id and _story_of(store, article.id))
    sources = [a.source for a in members]
    assert revised.source in sources and original.source not in sources
    assert store.article(article.id) is not None  # the old version is kept


def _story_of(store: Store, article_id: str) -> str:
    row = store.db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    return str(row[0])


def test_near_duplicates_are_linked_not_stored_twice_from_the_same_outlet(store: Store) -> None:
    documents = _demo()
    ingestion = Ingestion(store)
    ingestion.ingest(documents)
    base = next(d for d in documents if "harbour-fire_dailyledger" in d.source)
    # The same report under another address (a syndication page), one word changed.
    tweak = base.text.replace("Tuesday", "Tuesday night", 1).replace("a4471", "a4471-amp")
    same_outlet = replace(base, source="ledger-copy.txt", text=tweak)
    result = ingestion.ingest([same_outlet])
    assert (result.added, result.near_duplicates) == (0, 1)
    kinds = store.db.execute("SELECT kind FROM sources WHERE source = 'ledger-copy.txt'").fetchall()
    assert [k[0] for k in kinds] == ["near-duplicate"]


def test_a_failure_mid_batch_leaves_the_store_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = _demo()
    ingestion = Ingestion(store)
    ingestion.ingest(documents[:4])
    before = store.counts()
    calls = {"n": 0}
    original = Store.insert_article

    def failing(self: Store, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "insert_article", failing)
    with pytest.raises(RuntimeError):
        ingestion.ingest(documents[4:])
    assert store.counts() == before
    monkeypatch.setattr(Store, "insert_article", original)
    assert ingestion.ingest(documents[4:]).added == 9


def test_search_finds_articles_with_their_story(store: Store) -> None:
    Ingestion(store).ingest(_demo())
    hits = store.search("tunnel AND signalling")
    assert hits and all(hit.story for hit in hits)
    assert any("Orsegg" in (hit.title or "") for hit in hits)


def test_story_articles_before_a_moment(open_store: StoreFactory) -> None:
    now = [CLOCK]
    store = open_store(lambda: now[0])
    # The wire copy and two outlets that reprint it: linked by their shared sentences.
    names = ("unsourced", "dailyledger", "eveningstar")
    documents = [d for d in _demo() if any(f"harbour-fire_{n}" in d.source for n in names)]
    ingestion = Ingestion(store)
    ingestion.ingest(documents[:2])
    now[0] = CLOCK + dt.timedelta(days=2)
    ingestion.ingest(documents[2:])
    (row,) = store.stories()
    later = (CLOCK + dt.timedelta(days=1)).isoformat()
    assert len(store.story_articles(row.id, before=later)) == 2
    assert len(store.story_articles(row.id)) == 3


def test_undated_stories_idle_past_the_window_are_not_loaded(open_store: StoreFactory) -> None:
    now = [CLOCK]
    documents = [
        RawDocument(f"{i}.txt", "\n".join(text))
        for i, text in enumerate(
            [
                [
                    "Ferry crews in Brisk Harbour walked out on Monday over a pay offer.",
                    "The strike stopped all crossings to the northern islands for the day.",
                ],
                [
                    "Ferry crews in Brisk Harbour ended their strike after a new pay offer.",
                    "Crossings to the northern islands resumed on Thursday, the operator said.",
                ],
            ]
        )
    ]
    first = open_store(lambda: now[0])
    Ingestion(first).ingest(documents[:1])
    now[0] = CLOCK + dt.timedelta(days=ClusterOptions().window_days + 5)
    later = open_store(lambda: now[0])  # a new connection loads what is active now
    Ingestion(later).ingest(documents[1:])
    assert sorted(row.size for row in later.stories()) == [1, 1]


def test_a_near_duplicate_of_an_article_new_in_the_same_batch_joins_its_story(
    store: Store,
) -> None:
    documents = _demo()
    base = next(d for d in documents if "harbour-fire_dailyledger" in d.source)
    tweak = base.text.replace("Tuesday", "Tuesday night", 1).replace("a4471", "a4471-amp")
    reprint = replace(base, source="coastal-wire.txt", text=tweak, outlet="Coastal Wire")
    result = Ingestion(store).ingest([*documents, reprint])
    assert result.added == len(documents) + 1
    rows = store.db.execute("SELECT id, story_id, near_duplicate_of FROM articles").fetchall()
    assert all(row["story_id"] for row in rows)
    story = {row["id"]: row["story_id"] for row in rows}
    copies = [row for row in rows if row["near_duplicate_of"]]
    assert len(copies) == 1
    assert story[copies[0]["id"]] == story[copies[0]["near_duplicate_of"]]
    assert story[copies[0]["id"]] in result.stories_touched


def test_a_story_holding_two_alike_events_splits_and_moved_articles_take_their_versions(
    store: Store,
) -> None:
    ingestion = Ingestion(store)
    ingestion.ingest(_demo())  # the background vocabulary
    saltmere = [fire_report("Saltmere", "quay", k) for k in range(5)]
    valdrisa = [fire_report("Valdrisa", "wharf", k) for k in range(5)]

    def story_of(document: RawDocument) -> str:
        row = store.db.execute(
            "SELECT a.story_id FROM sources s JOIN articles a ON a.id = s.article_id"
            " WHERE s.source = ?",
            (document.source,),
        ).fetchone()
        return str(row["story_id"])

    # One report of each fire: too little to tell them apart, so one story.
    first = ingestion.ingest([saltmere[0], valdrisa[0]])
    assert len(first.stories_touched) == 1
    shared = first.stories_touched[0]
    # The rest, with a revision of each early report (same URL, one more sentence).
    revisions = [
        fire_report(town, place, 0, update=f"The {place} reopened on Tuesday.\n")
        for town, place in (("Saltmere", "quay"), ("Valdrisa", "wharf"))
    ]
    second = ingestion.ingest([*saltmere[1:], *valdrisa[1:], *revisions])
    assert second.revised == 2
    stories = {
        town: {story_of(d) for d in (*reports, revision)}
        for town, reports, revision in (
            ("Saltmere", saltmere, revisions[0]),
            ("Valdrisa", valdrisa, revisions[1]),
        )
    }
    assert all(len(ids) == 1 for ids in stories.values())  # every version went along
    ids = {town: ids.pop() for town, ids in stories.items()}
    assert ids["Saltmere"] != ids["Valdrisa"]
    assert shared in ids.values()  # one fire keeps the story's id, the other moved out
    assert set(second.stories_touched) >= set(ids.values())
    rows = {row.id: row for row in store.stories()}
    assert rows[ids["Saltmere"]].size == rows[ids["Valdrisa"]].size == 5
    for town, story_id in ids.items():
        assert {a.title for a in store.story_articles(story_id)} == {
            f"Warehouse fire on the {town} {'quay' if town == 'Saltmere' else 'wharf'}"
        }
    # The split is on record for both stories: one early report (revised since) moved.
    (moved_to,) = set(ids.values()) - {shared}
    (split,) = store.story_splits(shared)
    assert (split.from_story, split.to_story, split.articles) == (shared, moved_to, 1)
    assert store.story_splits(moved_to) == (split,)
