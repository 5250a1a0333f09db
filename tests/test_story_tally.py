"""A story's tally grown batch by batch equals the whole-story recomputation."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

from storyfuse.ingestion.prepare import Preparer
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import Article, RawDocument, StoryRow
from storyfuse.store.store import Store
from storyfuse.stories.features import ClusterOptions
from storyfuse.stories.story_tally import StoryTally
from storyfuse.stories.summarize import choose_headline
from storyfuse.stories.wire import MAX_GRAM_REFS, SentenceIndex, independent_sources

from helpers import make_article, multinews_sources

CLOCK = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)


def _whole(articles: list[Article]) -> tuple[str, int, dict[str, object]]:
    index = SentenceIndex(articles)
    links = index.wire_links()
    return choose_headline(articles), independent_sources(articles, links), dict(links)


def _check_record(store: Store, row: StoryRow) -> dict[str, object]:
    """Assert a stored story's record is the whole recomputation's; return its links."""
    articles = store.story_articles(row.id)
    headline, sources, links = _whole(articles)
    assert (row.headline, row.size, row.independent_sources) == (
        headline,
        len(articles),
        sources,
    ), row.id
    return links


def _ordered(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.published is None, a.published or dt.date.min, a.id))


def test_a_phrase_passing_the_postings_cap_makes_the_tally_rebuild() -> None:
    """Many reports repeating one stock sentence: grown, the tally must refuse, then agree."""
    rng = random.Random(1)
    stock = "The regional council said on Monday that the new harbour rules take effect soon."
    articles = []
    for number in range(MAX_GRAM_REFS + 60):
        own = f"Report {number} names {rng.choice(['Ada', 'Bo', 'Cy'])} {number} as the witness."
        wire = "Officials from the port authority inspected the damaged quay walls overnight."
        paragraphs = [stock, own] + ([wire] if number % 3 == 0 else [])
        article = make_article(f"a{number:04d}", paragraphs, f"Outlet {number % 17}")
        articles.append(replace(article, title=f"Harbour rules {number % 5}"))
    tally = StoryTally()
    refused = 0
    for start in range(0, len(articles), 40):
        batch = articles[start : start + 40]
        if not tally.add(batch):
            refused += 1
            tally = StoryTally()
            assert tally.add(articles[: start + len(batch)])
        so_far = _ordered(articles[: start + len(batch)])
        headline, sources, links = _whole(so_far)
        assert tally.headline() == headline
        assert tally.independent_sources() == sources
        assert tally.wire_links() == links
    assert refused >= 1


def _documents(limit: int) -> list[RawDocument]:
    documents: list[RawDocument] = []
    for name, text in multinews_sources():
        number = len(documents)
        documents.append(
            RawDocument(
                source=f"mn/{name}",
                text=text,
                outlet=f"Outlet {number % 6}",
                url=f"https://news.example/{name.replace('-', '/')}",
                published=dt.date(2025, 1, 1) + dt.timedelta(days=number // 50),
            )
        )
        if len(documents) >= limit:
            break
    return documents


def test_stored_stories_refreshed_batch_by_batch_equal_the_whole_recomputation(
    tmp_path: Path,
) -> None:
    documents = _documents(240)
    # revisions (the same URL, the text changed) make some stories lose an article
    revised = [
        replace(d, source=d.source + "-v2", text=d.text.replace(" the ", " the updated ", 1))
        for d in documents[::9]
    ]
    batches = [documents[i : i + 30] for i in range(0, len(documents), 30)] + [revised]
    with Store(tmp_path / "tally.db", clock=lambda: CLOCK) as store, Ingestion(store) as ingestion:
        for batch in batches:
            ingestion.ingest(batch)
        assert ingestion._tallies, "the tallies were kept between batches"
        rows = store.stories()
        assert len(rows) > 30 and any(row.size >= 3 for row in rows)
        revisions = store.db.execute("SELECT COUNT(*) FROM articles WHERE revision_of IS NOT NULL")
        assert revisions.fetchone()[0] > 0
        for row in rows:
            articles = store.story_articles(row.id)
            headline, sources, _ = _whole(articles)
            dates = sorted(a.published for a in articles if a.published)
            assert (row.headline, row.size, row.independent_sources) == (
                headline,
                len(articles),
                sources,
            ), row.id
            assert (row.first_published, row.last_published) == (dates[0], dates[-1])
            assert len(row.outlets) == len({a.outlet for a in articles if a.outlet})


def test_a_kept_tally_decodes_to_the_same_tally_and_grows_alike() -> None:
    documents = _documents(60)
    # other outlets' copies, a word changed: they share most sentences with the first
    copies = [
        replace(d, source=d.source + "/copy", url=None, outlet="Copy Desk", text=d.text + " More.")
        for d in documents[:30]
    ]
    preparer = Preparer(ClusterOptions())  # one process: nothing to stop
    articles = _ordered([item.article for item in preparer.prepare(documents)[0]])
    later = _ordered([item.article for item in preparer.prepare(copies)[0]])
    tally = StoryTally()
    assert tally.add(articles)
    decoded = StoryTally.decode(tally.encode())
    assert decoded is not None
    assert decoded.wire_links() == tally.wire_links()
    assert (decoded.headline(), decoded.independent_sources()) == (
        tally.headline(),
        tally.independent_sources(),
    )
    assert tally.add(later) and decoded.add(later)
    headline, sources, links = _whole(_ordered(articles + later))
    assert any(links.values()), "some articles share sentences"
    assert decoded.wire_links() == tally.wire_links() == links
    assert (decoded.headline(), decoded.independent_sources()) == (headline, sources)


def test_stories_grown_from_the_tallies_the_store_keeps_equal_the_whole_recomputation(
    tmp_path: Path,
) -> None:
    """A new ingestion per batch: nothing in memory, every tally comes back from the store."""
    documents = _documents(600)
    batches = [documents[i : i + 40] for i in range(0, len(documents), 40)]
    # the same texts again a month later with a word changed: reprints of old stories
    batches.append(
        [
            replace(
                d,
                source=d.source + "/reprint",
                url=None,
                outlet="Reprint Outlet",
                text=d.text.replace(" the ", " a ", 1),
            )
            for d in documents[::7]
        ]
    )
    decoded = 0
    with Store(tmp_path / "kept.db", clock=lambda: CLOCK) as store:
        for batch in batches:
            with Ingestion(store) as ingestion:
                ingestion.ingest(batch)
        kept = store.tallies([row.id for row in store.stories()])
        rows = store.stories()
        assert len(rows) > 50 and any(row.size >= 3 for row in rows)
        for row in rows:
            links = _check_record(store, row)
            tally = StoryTally.decode(kept[row.id])
            assert tally is not None
            decoded += 1
            assert tally.wire_links() == dict(links), row.id
    assert decoded == len(rows)


def test_a_tally_that_loses_articles_equals_the_whole_recomputation_of_the_rest() -> None:
    documents = _documents(40)
    copies = [
        replace(d, source=d.source + "/copy", url=None, outlet="Copy Desk", text=d.text + " More.")
        for d in documents[:20]
    ]
    preparer = Preparer(ClusterOptions())
    articles = _ordered([item.article for item in preparer.prepare(documents + copies)[0]])
    tally = StoryTally()
    assert tally.add(articles)
    leaving = articles[::3]
    assert tally.remove(leaving)
    rest = [a for a in articles if a not in leaving]
    headline, sources, links = _whole(rest)
    assert any(links.values()), "the articles that stay still share sentences"
    assert tally.wire_links() == links
    assert (tally.headline(), tally.independent_sources()) == (headline, sources)
    assert set(tally.members) == {a.id for a in rest}


def test_a_phrase_falling_back_under_the_postings_cap_makes_the_tally_rebuild() -> None:
    stock = "The regional council said on Monday that the new harbour rules take effect soon."
    articles = [
        make_article(f"b{number:04d}", [stock, f"Report {number} has its own words."], "Desk")
        for number in range(MAX_GRAM_REFS + 20)
    ]
    tally = StoryTally()
    assert tally.add(articles)
    assert not tally.remove(articles[:40]), "the stock phrase counts again: rebuild"
    assert len(tally.members) == len(articles), "a refusal changes nothing"
    assert tally.remove(articles[:5]), "still past the cap: nothing to recount"
    assert tally.wire_links() == _whole(_ordered(articles[5:]))[2]


def _reprints(documents: list[RawDocument], outlet: str) -> list[RawDocument]:
    return [
        replace(d, source=f"{d.source}/{outlet}", url=None, outlet=outlet, text=d.text + " More.")
        for d in documents
    ]


def test_a_tally_the_store_keeps_older_than_its_story_grows_to_the_whole_recomputation(
    tmp_path: Path,
) -> None:
    """An ingestion stopped before it could write its tallies leaves the store's older ones."""
    documents = _documents(80)
    with Store(tmp_path / "older.db", clock=lambda: CLOCK) as store:
        with Ingestion(store) as first:  # closed: its tallies are written
            first.ingest(documents)
        killed = Ingestion(store)
        killed.ingest(_reprints(documents[::2], "Reprint Desk"))
        killed._unsaved.clear()  # as if the process had died: nothing more is written
        killed.close()
        rows = store.stories()
        kept = store.tallies([row.id for row in rows])
        older = {}  # story: its size when its kept tally is older than it
        for row in rows:
            tally = StoryTally.decode(kept[row.id]) if row.id in kept else None
            if tally is not None and set(tally.members) != set(store.story_article_ids(row.id)):
                older[row.id] = row.size
        with Ingestion(store) as last:
            last.ingest(_reprints(documents[1::2], "Copy Desk"))
        grown = [row.id for row in store.stories() if older.get(row.id, row.size) < row.size]
        assert grown, "stories whose kept tally was older grew again"
        for row in store.stories():
            _check_record(store, row)
