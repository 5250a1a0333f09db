"""The exact concept model: budget, concepts counted once, anchors, copies, forced choices."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storyfuse.stories import concept_cover
from storyfuse.stories.concept_cover import Option, cover


def _option(words: int, *concepts: str, **extra: int) -> Option:
    return Option(words=words, concepts=frozenset(concepts), **extra)


def test_a_concept_counts_once_so_the_second_copy_of_a_fact_earns_nothing() -> None:
    options = [
        _option(10, "fire quay", "quay seven"),
        _option(10, "fire quay", "quay seven"),  # the same facts again
        _option(10, "evacu eastwh"),
    ]
    weights = {"fire quay": 3.0, "quay seven": 3.0, "evacu eastwh": 1.0}
    chosen = cover(options, weights, 20)
    assert 2 in chosen and len(chosen) == 2  # one of the two copies, and the other fact


def test_the_exact_answer_beats_the_greedy_one() -> None:
    # Greedy by weight per word takes the 6-word option first and then has no room
    # for both others; the best set within 10 words is the two 5-word options.
    options = [_option(6, "a", "b", "c"), _option(5, "a", "b"), _option(5, "c", "d")]
    weights = {"a": 2.0, "b": 2.0, "c": 2.0, "d": 1.5}
    assert cover(options, weights, 10) == [1, 2]


def test_a_leaning_sentence_comes_only_with_its_anchor() -> None:
    options = [_option(9, "x"), _option(5, "y", "z", requires=0)]
    weights = {"x": 0.1, "y": 2.0, "z": 2.0}
    assert cover(options, weights, 10) == [0]  # the follower does not fit beside its anchor
    assert cover(options, weights, 14) == [0, 1]


def test_of_copies_of_one_sentence_at_most_one_is_taken() -> None:
    options = [_option(5, "p", copy_group=0), _option(5, "p", "q", copy_group=0)]
    assert cover(options, {"p": 1.0, "q": 1.0}, 20) == [1]


def test_taken_options_are_in_the_summary_whatever_they_add() -> None:
    options = [_option(5, "low"), _option(5, "high")]
    weights = {"low": 0.1, "high": 5.0}
    assert cover(options, weights, 5) == [1]
    assert cover(options, weights, 5, taken=[0]) == [0]
    assert cover(options, {}, 5, taken=[0]) == [0]  # nothing to cover: still taken


def test_nothing_to_cover_or_no_budget_gives_nothing() -> None:
    assert cover([], {"a": 1.0}, 10) == []
    assert cover([_option(3, "a")], {"a": 1.0}, 0) == []
    assert cover([_option(3, "a")], {"b": 1.0}, 10) == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 12), st.frozensets(st.sampled_from("abcdefgh"), max_size=4)),
        max_size=10,
    ),
    st.integers(0, 30),
)
def test_the_choice_fits_the_budget_and_no_other_set_covers_more(
    raw: list[tuple[int, frozenset[str]]], budget: int
) -> None:
    weights = {c: float(1 + "abcdefgh".index(c)) for c in "abcdefgh"}
    options = [Option(words=w, concepts=c) for w, c in raw]
    chosen = cover(options, weights, budget)
    assert sum(options[i].words for i in chosen) <= budget

    def value(indices: list[int]) -> float:
        return sum(weights[c] for c in set().union(*(options[i].concepts for i in indices)))

    best = 0.0
    for mask in range(1 << len(options)):
        picked = [i for i in range(len(options)) if mask >> i & 1]
        if sum(options[i].words for i in picked) <= budget:
            best = max(best, value(picked))
    assert abs(value(chosen) - best) < 1e-6


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 12),
            st.frozensets(st.sampled_from("abcdefgh"), max_size=4),
            st.integers(0, 3),
            st.booleans(),
        ),
        max_size=12,
    ),
    st.integers(0, 30),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
    st.sampled_from([0.0, 0.3]),
)
def test_the_search_and_the_integer_program_find_the_same_best_value(
    raw: list[tuple[int, frozenset[str], int, bool]],
    budget: int,
    raw_apart: list[tuple[int, int]],
    word_value: float,
) -> None:
    weights = {c: float(1 + "abcdefgh".index(c)) for c in "abcdefgh"}
    options = [
        Option(
            words=w,
            concepts=c,
            copy_group=group if group else None,
            requires=i - 1 if leans and i else None,
        )
        for i, (w, c, group, leans) in enumerate(raw)
    ]
    assume(options)
    apart = [(a, b) for a, b in raw_apart if a < b < len(options)]
    conflicts = concept_cover._conflicts(options, apart)

    def value(indices: list[int]) -> float:
        held = set().union(*(options[i].concepts for i in indices)) if indices else set()
        return sum(weights[c] for c in held) + word_value * sum(options[i].words for i in indices)

    def feasible(indices: list[int]) -> bool:
        chosen = set(indices)
        return (
            sum(options[i].words for i in chosen) <= budget
            and all(options[i].requires is None or options[i].requires in chosen for i in chosen)
            and not any(conflicts[i] & chosen for i in chosen)
        )

    searched = concept_cover._search(options, weights, budget, (), conflicts, word_value)
    assert searched is not None
    solved = concept_cover._solve_milp(options, weights, budget, (), conflicts, word_value)
    assert feasible(searched) and feasible(solved)
    assert abs(value(searched) - value(solved)) < 1e-6
