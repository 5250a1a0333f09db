"""Story lists cut in SQL give exactly the pages of the whole list, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from storyfuse.models import StoryRow
from storyfuse.store.listing import StoryFilter, ranked
from storyfuse.store.store import Store, StoryRecord
from storyfuse.stories.duplicates import signature
from storyfuse.stories.features import article_features

from helpers import make_article, store_target

OUTLETS = ("Alpha Post", "Beta Times", "Gamma Wire", "Delta Daily", "Épsilon Diario")
WORDS = ("fire", "flood", "strike", "bridge", "Straße", "vote", "storm", "port")
AT = "2025-07-01T12:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    target = store_target(request.param, tmp_path, "lists.db")
    with Store(target) as opened:
        _fill(opened)
        yield opened


def _fill(store: Store) -> None:
    """260 stories of 1 to 4 articles: varied sizes, outlets and dates, ties, undated ones."""
    rng = random.Random(3)
    with store.transaction():
        for number in range(260):
            size = rng.choice((1, 1, 2, 3, 4))
            outlets = rng.sample(OUTLETS, rng.randint(1, min(size, len(OUTLETS))))
            day = None if number % 9 == 0 else dt.date(2025, 3, 1) + dt.timedelta(rng.randrange(40))
            story_id = f"s-{number:04d}"
            headline = f"{rng.choice(WORDS)} and {rng.choice(WORDS)} number {number}"
            for k in range(size):
                text = f"Report {k} on story {number}: {headline} was seen by many people today."
                article = replace(
                    make_article(f"a{number:04d}{k}", [text], outlets[k % len(outlets)]),
                    published=day,
                )
                store.insert_article(
                    article, article_features(article), signature(article.text), story_id, AT
                )
            store.save_story(
                StoryRecord(
                    id=story_id,
                    headline=headline,
                    size=size,
                    independent_sources=rng.randint(1, len(outlets)),
                    first_published=day,
                    last_published=day,
                    outlets=len(outlets),
                ),
                AT,
            )


def _everything(store: Store) -> list[StoryRow]:
    return store.lists.recent(StoryFilter())


def _matches(rows: list[StoryRow], story_filter: StoryFilter) -> list[StoryRow]:
    """What the filter keeps, decided row by row in Python."""
    day = (story_filter.published_since or "")[:10]
    return [
        row
        for row in rows
        if (not day or (row.last_published and row.last_published.isoformat() >= day))
        and (story_filter.outlets is None or set(row.outlets) & set(story_filter.outlets))
        and row.size >= story_filter.min_size
        and all(w in row.headline.casefold() for w in story_filter.headline_words)
    ]


FILTERS = (
    StoryFilter(),
    StoryFilter(min_size=2),
    StoryFilter(published_since="2025-03-25"),
    StoryFilter(outlets=("Gamma Wire", "Épsilon Diario"), min_size=2),
    StoryFilter(headline_words=("fire",)),
    StoryFilter(headline_words=("strasse", "number")),
)


@pytest.mark.parametrize("story_filter", FILTERS)
def test_pages_by_importance_are_the_pages_of_the_whole_ranking(
    store: Store, story_filter: StoryFilter
) -> None:
    expected = ranked(_matches(_everything(store), story_filter))
    assert expected, "the filter should keep some stories"
    assert store.lists.count(story_filter) == (
        len(expected),
        sum(1 for row in expected if row.size == 1),
    )
    for offset in (0, 20, 40, len(expected) - 5):
        page = store.lists.by_importance(story_filter, 20, max(0, offset))
        assert page == expected[max(0, offset) : max(0, offset) + 20]


@pytest.mark.parametrize("story_filter", FILTERS)
def test_pages_by_recency_are_the_pages_of_the_whole_list(
    store: Store, story_filter: StoryFilter
) -> None:
    expected = _matches(_everything(store), story_filter)
    pages = [store.lists.recent(story_filter, 25, offset) for offset in range(0, 300, 25)]
    assert [row for page in pages for row in page] == expected


def test_the_whole_list_is_in_recency_order_with_each_storys_outlets(store: Store) -> None:
    rows = _everything(store)
    assert len(rows) == 260
    keys = [((r.last_published or dt.date.min), r.last_seen) for r in rows]
    assert keys == sorted(keys, reverse=True)
    for row in rows[:30]:
        outlets = {a.outlet for a in store.story_articles(row.id) if a.outlet}
        assert row.outlets == tuple(sorted(outlets))
    assert store.lists.outlet_names() == sorted(OUTLETS)


def test_a_page_reads_its_outlets_in_one_query(tmp_path: Path) -> None:
    with Store(tmp_path / "counted.db") as store:
        _fill(store)
        statements: list[str] = []
        connection: sqlite3.Connection = store.db._sqlite
        connection.set_trace_callback(statements.append)
        page = store.lists.by_importance(StoryFilter(), 20)
        connection.set_trace_callback(None)
    assert len(page) == 20
    assert sum(1 for s in statements if "FROM articles" in s) == 1
    assert len(statements) <= 6
