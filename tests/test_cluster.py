"""Online story clustering: stable ids, order independence, time, merges, eviction."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfuse.pipeline import prepare_articles
from storyfuse.sources.inputs import read_inputs
from storyfuse.stories.agglomeration import agglomerate, densest_stretch, join_groups
from storyfuse.stories.cluster import StoryClusterer, cluster_articles
from storyfuse.stories.features import ArticleFeatures, ClusterOptions, article_features

from helpers import ROOT

DOCUMENTS, _ = read_inputs([ROOT / "demo" / "corpus"])
ARTICLES, _ = prepare_articles(DOCUMENTS)


def _partition(groups: list[tuple[str, list]]) -> set[frozenset[str]]:  # type: ignore[type-arg]
    return {frozenset(a.id for a in members) for _, members in groups}


def test_the_demo_events_are_three_stories_of_the_right_articles() -> None:
    groups = cluster_articles(ARTICLES)
    events = {
        frozenset(a.id for a in ARTICLES if a.source.split("/")[-1].startswith(prefix))
        for prefix in ("harbour-fire", "rate-decision", "tunnel-opening")
    }
    assert _partition(groups) == events


@settings(max_examples=25, deadline=None)
@given(st.permutations(ARTICLES))
def test_a_batch_gives_the_same_stories_in_any_order(shuffled: list) -> None:  # type: ignore[type-arg]
    assert cluster_articles(shuffled) == cluster_articles(ARTICLES)


def test_a_batch_taken_in_slices_finds_the_same_stories() -> None:
    events = _partition(cluster_articles(ARTICLES))
    for size in (1, 3, 5):
        sliced = cluster_articles(ARTICLES, ClusterOptions(agglomerate_at_most=size))
        assert _partition(sliced) == events, size


def _features(article_id: str, terms: dict[str, float], day: int | None = 1) -> ArticleFeatures:
    published = dt.date(2025, 1, day) if day else None
    return ArticleFeatures(article_id, published, tuple(sorted(terms.items())), frozenset())


def test_a_growing_story_keeps_its_id() -> None:
    clusterer = StoryClusterer()
    first = [_features("a", {"quay": 2, "fire": 2, "saltmere": 2})]
    filler = [_features(f"x{i}", {f"other{i}": 2, f"word{i}": 1}) for i in range(5)]
    later = _features("b", {"quay": 2, "fire": 1, "saltmere": 2, "inquiry": 1}, day=2)
    clusterer.observe([*first, *filler, later])
    started = clusterer.add(first[0])
    for item in filler:
        clusterer.add(item)
    joined = clusterer.add(later)
    assert started.created and not joined.created
    assert joined.story == started.story


def test_reports_months_apart_need_a_stronger_link() -> None:
    options = ClusterOptions(threshold=0.19, threshold_slope=0.0)  # the time rule, on its own
    terms = {"quay": 2.0, "fire": 1.0, "saltmere": 2.0, "crane": 1.0}
    weak = {"quay": 1.0, "crane": 1.0, "ferry": 2.0, "strike": 2.0, "dock": 2.0}  # cosine 0.20
    strong = {"quay": 1.0, "saltmere": 1.0, "crane": 1.0, "ferry": 2.0, "strike": 2.0}  # 0.41
    # a month's grace, then 0.02 per doubling of the gap: a year apart costs 0.07
    for later, days, expect_same in ((weak, 25, True), (weak, 365, False), (strong, 365, True)):
        clusterer = StoryClusterer(options)
        early = _features("a", terms, day=1)
        late = replace(_features("b", later), published=dt.date(2025, 1, 1) + dt.timedelta(days))
        clusterer.observe([early, late, *(_features(f"x{i}", {f"z{i}": 1}) for i in range(8))])
        first = clusterer.add(early)
        second = clusterer.add(late)
        assert (first.story == second.story) is expect_same, days


def test_a_batch_is_grouped_by_its_closest_pairs_before_early_articles_decide() -> None:
    # a is weakly like b (0.25) and hardly like c (0.10); b and c are one event (0.93).
    # Adding one by one in order, b would follow a and pull c in after it (at a threshold of
    # 0.19, which a's link to b passes and its average link to b and c does not).
    options = ClusterOptions(threshold=0.19)
    a = _features("a", {"harbour": 1, "ferry": 2, "timetable": 2, "fares": 2})
    b = _features("b", {"harbour": 2, "fire": 2, "warehouse": 2, "crews": 1, "ferry": 1})
    c = _features("c", {"harbour": 2, "fire": 2, "warehouse": 2, "crews": 2})
    filler = [_features(f"x{i}", {f"z{i}": 1}) for i in range(8)]
    one_by_one = StoryClusterer(options)
    one_by_one.observe([a, b, c, *filler])
    assert len({one_by_one.add(item).story for item in (a, b, c)}) == 1
    batch = StoryClusterer(options).add_batch([a, b, c, *filler])
    story = {x.article: x.story for x in batch}
    assert story["b"] == story["c"] != story["a"]


def _unit_vectors(gram: list[list[float]]) -> list[dict[str, float]]:
    """Unit vectors whose pairwise cosines are ``gram``'s off-diagonal entries."""
    rows = np.linalg.cholesky(np.array(gram))
    return [{f"t{k}": float(v) for k, v in enumerate(row) if v} for row in rows]


def test_stories_agglomerated_again_weigh_every_pair_as_placing_a_group_does() -> None:
    # a1, a2 alike (0.8), b1, b2 alike (0.8); across, a1-b1 0.2 and the other three pairs
    # `cross`, below edge_floor (0.05): agglomeration counts 0.2 / 4 = 0.05 across, under
    # the bar (0.08); placing b's group weighs every pair, (0.2 + 3 x 0.045) / 4 = 0.084.
    options = ClusterOptions()
    ordered = [_features(name, {}, day=None) for name in ("a1", "a2", "b1", "b2")]
    for cross, expect in ((0.045, [[0, 1, 2, 3]]), (0.0, [[0, 1], [2, 3]])):
        vectors = _unit_vectors(
            [
                [1.0, 0.8, 0.2, cross],
                [0.8, 1.0, cross, cross],
                [0.2, cross, 1.0, 0.8],
                [cross, cross, 0.8, 1.0],
            ]
        )
        groups = agglomerate(ordered, vectors, 0.08, options)
        assert groups == [[0, 1], [2, 3]]
        assert join_groups(ordered, vectors, groups, 0.08, options) == expect, cross


# x is like the five fire reports (0.65) and less like the seven tram reports (0.44).
_FIRE = {"saltmere": 2.0, "quay": 2.0, "fire": 2.0}
_TRAM = {"tram": 2.0, "strike": 2.0, "depot": 2.0}
FIRES = [_features(f"p{i}", {**_FIRE, f"p{i}": 1.0}, day=None) for i in range(5)]
TRAMS = [_features(f"y{i}", {**_TRAM, f"y{i}": 1.0}, day=None) for i in range(7)]
X = _features("x", {**dict.fromkeys(_FIRE, 1.6), **dict.fromkeys(_TRAM, 1.3), "x0": 1.0}, None)


def _home_of_x(
    batches: list[list[ArticleFeatures]], options: ClusterOptions | None = None
) -> set[str]:
    clusterer = StoryClusterer(options)
    clusterer.observe([*FIRES, *TRAMS, X])
    for batch in batches:
        clusterer.add_batch(batch, count_terms=False)
    return next(set(ids) for ids in clusterer.stories().values() if "x" in ids)


def test_an_article_grouped_with_another_story_still_reaches_its_own_in_a_later_batch() -> None:
    # Arriving with the tram reports, x agglomerates with them, and the group as a whole
    # hardly links to the fire story (0.65 / 8): x on its own brings that story into the
    # regroup, which ends where one batch of all thirteen ends, x among the fire reports.
    with_fires = {*(f.id for f in FIRES), "x"}
    assert _home_of_x([[*FIRES, *TRAMS, X]]) == with_fires
    assert _home_of_x([FIRES, [*TRAMS, X]]) == with_fires


def test_a_large_neighbourhood_is_agglomerated_again_when_the_batch_brought_enough_of_it() -> None:
    # The second batch brings 8 of the 13 articles in play: past regroup_always, the
    # neighbourhood is agglomerated again (x joins the fires) only if 8/13 is enough.
    with_fires, with_trams = {*(f.id for f in FIRES), "x"}, {*(t.id for t in TRAMS), "x"}
    for share, home in ((0.6, with_fires), (0.7, with_trams)):
        options = ClusterOptions(regroup_always=12, regroup_share=share)
        assert _home_of_x([FIRES, [*TRAMS, X]], options) == home, share
    assert (
        _home_of_x([FIRES, [*TRAMS, X]], ClusterOptions(regroup_always=13, regroup_share=1.0))
        == with_fires
    )


def _same_kind_of_event(prefix: str, names: list[str], day: int) -> list[ArticleFeatures]:
    shared = {"warehouse": 2.0, "fire": 2.0, "blaze": 2.0, "crews": 2.0}
    return [
        _features(
            f"{prefix}{i}", {**shared, **dict.fromkeys(names, 2.0), f"{prefix}w{i}": 1.0}, day
        )
        for i in range(5)
    ]


def test_two_tight_groups_of_the_same_kind_of_event_stay_two_stories() -> None:
    # Within each fire the reports are alike (cosine 0.91); across the two, 0.50.
    saltmere = _same_kind_of_event("a", ["saltmere", "quay"], day=1)
    valdrisa = _same_kind_of_event("b", ["valdrisa", "wharf"], day=3)
    filler = [_features(f"x{i}", {f"z{i}": 1}) for i in range(30)]

    def stories(options: ClusterOptions) -> set[frozenset[str]]:
        assignments = StoryClusterer(options).add_batch([*saltmere, *valdrisa, *filler])
        by_story: dict[str, set[str]] = {}
        for item in assignments:
            if not item.article.startswith("x"):
                by_story.setdefault(item.story, set()).add(item.article)
        return {frozenset(members) for members in by_story.values()}

    fires = {frozenset(f.id for f in saltmere), frozenset(f.id for f in valdrisa)}
    assert stories(ClusterOptions()) == fires
    assert stories(ClusterOptions(cohesion_ratio=0.0)) == {fires.pop() | fires.pop()}
    # The same when the second fire arrives in a later batch.
    clusterer = StoryClusterer()
    clusterer.observe([*saltmere, *valdrisa, *filler])
    first = {a.story for a in clusterer.add_batch(saltmere, count_terms=False)}
    second = {a.story for a in clusterer.add_batch(valdrisa, count_terms=False)}
    assert len(first) == len(second) == 1 and first != second


def test_a_story_that_grows_into_two_tight_events_splits_and_the_first_keeps_its_id() -> None:
    saltmere = _same_kind_of_event("a", ["saltmere", "quay"], day=1)
    valdrisa = _same_kind_of_event("b", ["valdrisa", "wharf"], day=1)
    filler = [_features(f"x{i}", {f"z{i}": 1}) for i in range(30)]
    clusterer = StoryClusterer()
    clusterer.observe([*saltmere, *valdrisa, *filler])
    # One report of each fire: alike enough (0.50), too few to tell two events apart.
    early = clusterer.add_batch([saltmere[0], valdrisa[0]], count_terms=False)
    assert len({a.story for a in early}) == 1
    first_story = early[0].story
    later = clusterer.add_batch([*saltmere[1:], *valdrisa[1:]], count_terms=False)
    story = {a.article: a.story for a in later}
    assert {story[f.id] for f in saltmere[1:]} == {first_story}
    assert len({story[f.id] for f in valdrisa}) == 1 and story["b0"] != first_story
    moved = [a for a in later if a.moved]
    assert [(a.article, a.created) for a in moved] == [("b0", True)]
    assert not any(a.moved for a in later if a.article != "b0")
    assert set(clusterer.stories()[first_story]) == {f.id for f in saltmere}
    # Without the cohesion rule the two fires are one story, and nothing splits.
    merged = StoryClusterer(ClusterOptions(cohesion_ratio=0.0))
    merged.observe([*saltmere, *valdrisa, *filler])
    merged.add_batch([saltmere[0], valdrisa[0]], count_terms=False)
    assert not any(
        a.moved for a in merged.add_batch([*saltmere[1:], *valdrisa[1:]], count_terms=False)
    )
    assert len(merged.stories()) == 1


def test_two_stories_merge_when_an_article_links_them_and_the_old_id_redirects() -> None:
    clusterer = StoryClusterer(ClusterOptions(threshold=0.3, merge_threshold=0.0))
    left = _features("a", {"harbour": 2, "fire": 2})
    right = _features("b", {"evacuation": 2, "eastwharf": 2})
    bridge = _features("c", {"harbour": 2, "fire": 2, "evacuation": 2, "eastwharf": 2})
    clusterer.observe([left, right, bridge, *(_features(f"x{i}", {f"z{i}": 1}) for i in range(8))])
    first, second = clusterer.add(left), clusterer.add(right)
    assert first.story != second.story
    merged = clusterer.add(bridge)
    survivor = merged.story
    assert merged.merged and clusterer.resolve(first.story) == survivor
    assert clusterer.resolve(second.story) == survivor
    assert set(clusterer.stories()[survivor]) == {"a", "b", "c"}


def test_idle_stories_leave_memory() -> None:
    clusterer = StoryClusterer()
    features = [article_features(a) for a in ARTICLES]
    clusterer.add_batch(features)
    assert len(clusterer.stories()) == 3
    evicted = clusterer.evict(before=dt.date(2025, 6, 1))
    assert len(evicted) == 2 and len(clusterer.stories()) == 1


def _replayed(clusterer: StoryClusterer, batches: list[list[ArticleFeatures]]) -> dict[str, str]:
    """Each article's story as a store applying the assignments has it (moves, redirects)."""
    story: dict[str, str] = {}
    for batch in batches:
        for assignment in clusterer.add_batch(batch):
            story[assignment.article] = assignment.story
            for absorbed in assignment.merged:
                story.update({a: assignment.story for a, s in story.items() if s == absorbed})
    return story


_WORDS = st.sampled_from("quay fire saltmere crane ferry strike dock rates bank tunnel".split())


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.dictionaries(_WORDS, st.integers(1, 3), min_size=2, max_size=5), min_size=2, max_size=24
    ),
    st.integers(1, 8),
)
def test_the_assignments_of_every_batch_tell_a_store_where_each_article_is(
    terms: list[dict[str, int]], size: int
) -> None:
    articles = [
        _features(f"a{i:02d}", {k: float(v) for k, v in t.items()}, day=1 + i % 20)
        for i, t in enumerate(terms)
    ]
    clusterer = StoryClusterer()
    story = _replayed(clusterer, [articles[i : i + size] for i in range(0, len(articles), size)])
    assert story == {a: s for s, members in clusterer.stories().items() for a in members}


def test_the_densest_stretch_counts_the_dates_that_compete_with_each_other() -> None:
    start = dt.date(2025, 1, 1)
    monthly = [start + dt.timedelta(days=61 * k) for k in range(12)]
    assert densest_stretch(monthly, 60) == 1
    assert densest_stretch(monthly, 61) == 2
    crowded = [start + dt.timedelta(days=k % 5) for k in range(40)]
    assert densest_stretch([*monthly, *crowded], 60) == 41
    assert densest_stretch([], 60) == 0
