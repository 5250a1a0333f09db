"""Budgeted concept coverage, solved exactly as an integer linear program.

The classic formulation of extractive summarization (Gillick and Favre's concept model): pick
sentences whose lengths fit a budget so that the total weight of the *distinct* concepts they
hold is largest. A concept counts once however many chosen sentences hold it, so redundancy
costs budget and earns nothing: the model needs no separate redundancy rule. Two constraints
of storyfuse's own ride along: a sentence that leans on its predecessor is chosen only with
it, and of the copies of one sentence (wire reprints) at most one, as of two sentences that
say the same in other words.

HiGHS (through ``scipy.optimize.milp``) solves clusters of a few hundred sentences in well
under a second; a node limit keeps the answer deterministic on any machine, and if it is hit
the best solution found so far is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import inf

NODE_LIMIT = 2000


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

    The options ``taken`` are in the summary whatever the rest (they must fit the budget);
    of each pair in ``apart`` (options saying the same in other words) at most one is.
    """
    import numpy as np  # imported here: the read commands never pay for scipy
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    concepts = sorted({c for option in options for c in option.concepts if weights.get(c, 0) > 0})
    if not concepts or budget <= 0:
        return sorted(taken)
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
    groups: dict[int, list[int]] = {}
    for i, option in enumerate(options):
        if option.copy_group is not None:
            groups.setdefault(option.copy_group, []).append(i)
    for members in groups.values():
        if len(members) > 1:
            constraint([(i, 1.0) for i in members], 0, 1)
    for first, second in apart:
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
