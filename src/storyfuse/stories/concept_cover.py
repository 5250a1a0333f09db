"""Budgeted concept coverage, solved exactly.

The classic formulation of extractive summarization (Gillick and Favre's concept model): pick
sentences whose lengths fit a budget so that the total weight of the *distinct* concepts they
hold is largest. A concept counts once however many chosen sentences hold it, so redundancy
costs budget and earns nothing: the model needs no separate redundancy rule. Two constraints
of storyfuse's own ride along: a sentence that leans on its predecessor is chosen only with
it, and of the copies of one sentence (wire reprints) at most one, as of two sentences that
say the same in other words.

Two exact solvers share the model. A story of a few dozen candidate sentences (most stories)
is solved by a depth-first branch and bound (:func:`_search`): each HiGHS call costs some
8 ms of set-up however small the problem, while the search settles such a story in well under
a millisecond. Larger stories, or a search that does not settle within SEARCH_NODES, go to
HiGHS as an integer linear program (through ``scipy.optimize.milp``); a node limit keeps its
answer deterministic on any machine, and if it is hit the best solution found so far is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import fsum, inf

NODE_LIMIT = 2000
"""Branch-and-bound nodes HiGHS may explore."""
SEARCH_OPTIONS = 60
"""Stories with at most this many options are searched in Python first."""
SEARCH_NODES = 20_000
"""Nodes the Python search may explore before the story goes to HiGHS."""
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Option:
    """One sentence the summary may take."""

    words: int
    concepts: frozenset[str]
    requires: int | None = None
    """The option that must be taken too (the sentence this one leans on)."""
    copy_group: int | None = None
    """Options of one copy group are copies of one sentence: at most one is taken."""


def cover(
    options: Sequence[Option],
    weights: Mapping[str, float],
    budget: int,
    taken: Sequence[int] = (),
    apart: Sequence[tuple[int, int]] = (),
    word_value: float = 0.0,
) -> list[int]:
    """The options (indices, ascending) of the best summary within ``budget`` words.

    The best summary has the largest weight of distinct concepts plus ``word_value`` per
    word. The options ``taken`` are in it whatever the rest (they must fit the budget, or
    nothing is chosen); of each pair in ``apart`` (options saying the same in other words)
    at most one is.
    """
    if budget <= 0 or not any(weights.get(c, 0) > 0 for o in options for c in o.concepts):
        return sorted(taken)
    if sum(options[i].words for i in set(taken)) > budget:
        return []
    conflicts = _conflicts(options, apart)
    if len(options) <= SEARCH_OPTIONS:
        found = _search(options, weights, budget, taken, conflicts, word_value)
        if found is not None:
            return found
    return _solve_milp(options, weights, budget, taken, conflicts, word_value)


def _conflicts(options: Sequence[Option], apart: Sequence[tuple[int, int]]) -> list[set[int]]:
    """For each option, the options it excludes: its copies and what says the same."""
    conflicts: list[set[int]] = [set() for _ in options]
    groups: dict[int, list[int]] = {}
    for i, option in enumerate(options):
        if option.copy_group is not None:
            groups.setdefault(option.copy_group, []).append(i)
    for members in groups.values():
        for i in members:
            conflicts[i].update(m for m in members if m != i)
    for first, second in apart:
        conflicts[first].add(second)
        conflicts[second].add(first)
    return conflicts


class _Unsettled(Exception):
    """The search ran out of nodes."""


def _search(
    options: Sequence[Option],
    weights: Mapping[str, float],
    budget: int,
    taken: Sequence[int],
    conflicts: Sequence[set[int]],
    word_value: float,
) -> list[int] | None:
    """Exact depth-first branch and bound; None if SEARCH_NODES nodes did not settle it.

    Options are decided best value per word first (each anchor before the sentences leaning
    on it), taking each before leaving it out. A branch is cut when even the fractional
    knapsack of the undecided options' marginal gains (which add up to at least what they
    can jointly cover, as coverage only shrinks a gain) cannot beat the best summary found.
    """
    concept_bit: dict[str, int] = {}
    for option in options:
        for concept in sorted(option.concepts):
            if weights.get(concept, 0) > 0:
                concept_bit.setdefault(concept, 1 << len(concept_bit))
    held = [
        [(concept_bit[c], weights[c]) for c in sorted(o.concepts) if c in concept_bit]
        for o in options
    ]
    excludes = [sum(1 << k for k in conflict) for conflict in conflicts]
    masks = [sum(bit for bit, _ in pairs) for pairs in held]

    def gain(i: int, covered: int) -> float:
        return fsum(w for bit, w in held[i] if not covered & bit) + word_value * options[i].words

    chosen = covered = blocked = 0
    left = budget
    value = 0.0
    for i in sorted(set(taken)):
        value += gain(i, covered)
        chosen |= 1 << i
        covered |= masks[i]
        blocked |= excludes[i]
        left -= options[i].words
    if chosen & blocked:
        return []  # two forced options exclude each other: no summary satisfies both
    ranked = sorted(
        (i for i in range(len(options)) if not (chosen | blocked) >> i & 1),
        key=lambda i: (-gain(i, covered) / options[i].words, i),
    )
    order: list[int] = []
    for i in ranked:  # each anchor decided before its followers
        chain = [i]
        while (anchor := options[chain[-1]].requires) is not None and anchor in ranked:
            chain.append(anchor)
        order.extend(k for k in reversed(chain) if k not in order)
    best_value, best_chosen = value, chosen
    nodes = 0

    def bound(position: int, covered: int, left: int, chosen: int, blocked: int) -> float:
        rest = []
        for i in order[position:]:
            words = options[i].words
            if words <= left and not blocked >> i & 1 and _anchored(options[i], chosen, order):
                rest.append((gain(i, covered) / words, words))
        rest.sort(reverse=True)
        total = 0.0
        for ratio, words in rest:
            if words >= left:
                return total + ratio * left
            total += ratio * words
            left -= words
        return total

    def visit(
        position: int, value: float, covered: int, left: int, chosen: int, blocked: int
    ) -> None:
        nonlocal nodes, best_value, best_chosen
        nodes += 1
        if nodes > SEARCH_NODES:
            raise _Unsettled
        if value > best_value + _EPSILON:
            best_value, best_chosen = value, chosen
        if position == len(order):
            return
        if value + bound(position, covered, left, chosen, blocked) <= best_value + _EPSILON:
            return
        i = order[position]
        option = options[i]
        anchor = option.requires
        if (
            option.words <= left
            and not blocked >> i & 1
            and (anchor is None or chosen >> anchor & 1)
        ):
            visit(
                position + 1,
                value + gain(i, covered),
                covered | masks[i],
                left - option.words,
                chosen | 1 << i,
                blocked | excludes[i],
            )
        visit(position + 1, value, covered, left, chosen, blocked)

    try:
        visit(0, value, covered, left, chosen, blocked)
    except _Unsettled:
        return None
    return [i for i in range(len(options)) if best_chosen >> i & 1]


def _anchored(option: Option, chosen: int, order: Sequence[int]) -> bool:
    """Whether ``option`` may still be taken: it leans on nothing, or on a chosen or open option."""
    anchor = option.requires
    return anchor is None or bool(chosen >> anchor & 1) or anchor in order


def _solve_milp(
    options: Sequence[Option],
    weights: Mapping[str, float],
    budget: int,
    taken: Sequence[int],
    conflicts: Sequence[set[int]],
    word_value: float,
) -> list[int]:
    """The same model as an integer linear program for HiGHS."""
    import numpy as np  # imported here: the read commands never pay for scipy
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    concepts = sorted({c for option in options for c in option.concepts if weights.get(c, 0) > 0})
    column = {concept: len(options) + j for j, concept in enumerate(concepts)}
    n_vars = len(options) + len(concepts)
    objective = np.zeros(n_vars)  # milp minimises: the weight of what is covered, negated
    objective[len(options) :] = [-weights[c] for c in concepts]
    objective[: len(options)] = [-word_value * option.words for option in options]

    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def constraint(terms: Sequence[tuple[int, float]], low: float, high: float) -> None:
        row = len(lower)
        for col, value in terms:
            rows.append(row)
            cols.append(col)
            values.append(value)
        lower.append(low)
        upper.append(high)

    constraint([(i, float(option.words)) for i, option in enumerate(options)], 0, budget)
    holders: dict[int, list[int]] = {col: [] for col in column.values()}
    for i, option in enumerate(options):
        for concept in option.concepts:
            if concept in column:
                holders[column[concept]].append(i)
        if option.requires is not None:
            constraint([(i, 1.0), (option.requires, -1.0)], -inf, 0)
    for col, sentences in holders.items():
        # A concept counts only if some chosen sentence holds it.
        constraint([(col, 1.0), *((i, -1.0) for i in sentences)], -inf, 0)
    for first, excluded in enumerate(conflicts):
        for second in sorted(excluded):
            if first < second:
                constraint([(first, 1.0), (second, 1.0)], 0, 1)

    matrix = coo_array((values, (rows, cols)), shape=(len(lower), n_vars)).tocsr()
    least = np.zeros(n_vars)
    least[list(taken)] = 1.0
    result = milp(
        objective,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(n_vars, dtype=np.int8),
        bounds=Bounds(least, 1),
        options={"node_limit": NODE_LIMIT, "presolve": True},
    )
    if result.x is None:
        return []
    return [i for i in range(len(options)) if result.x[i] > 0.5]
