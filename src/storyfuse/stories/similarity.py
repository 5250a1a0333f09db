"""Similarity of sparse term vectors: sums, dot products, and the similar pairs of a batch.

Vectors are unit-length mappings of term to weight. The pairs of a batch are
found by one sparse matrix product (in row blocks, so memory stays bounded)
once the batch is large enough for that to pay; pairs that share reprinted
wire sentences are found through the sentence hashes they hold.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from operator import mul

from storyfuse.stories.features import Reported

# Up to this many articles, pairs are compared directly (sparse matrices cost more).
_FEW_FOR_MATRICES = 32
# Rows of the batch multiplied at once: at most this many similarity cells in memory.
_CELLS_PER_PRODUCT = 4_000_000
# A sentence printed by more articles than this is a stock line, not a wire link.
_MAX_WIRE_HOLDERS = 50

Span = tuple[dt.date, dt.date]


def inside_similarity(summed: Mapping[str, float], size: int) -> float:
    """The sum of the pairwise similarities of ``size`` unit vectors, from their sum."""
    squares: float = sum(map(mul, summed.values(), summed.values()))
    return (squares - size) / 2


def sum_vectors(vectors: Iterable[Mapping[str, float]]) -> dict[str, float]:
    summed: defaultdict[str, float] = defaultdict(float)
    for vector in vectors:
        for term, weight in vector.items():
            summed[term] += weight
    return summed


def dot_product(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    if len(second) < len(first):
        first, second = second, first
    return _dot(first, second)


def _dot(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """The dot product summed in ``first``'s order (the order fixes the last bits)."""
    total: float = sum(map(mul, first.values(), map(second.get, first, itertools.repeat(0.0))))
    return total


def union_span(first: Span | None, second: Span | None) -> Span | None:
    if first is None or second is None:
        return first or second
    return (min(first[0], second[0]), max(first[1], second[1]))


def similar_pairs(
    vectors: Sequence[Mapping[str, float]], floor: float
) -> dict[tuple[int, int], float]:
    """Cosine similarity of every pair (i < j) of unit ``vectors`` that reaches ``floor``."""
    if len(vectors) <= _FEW_FOR_MATRICES:
        every = {
            (i, j): _dot(vectors[i], vectors[j])
            for i, j in itertools.combinations(range(len(vectors)), 2)
        }
        return {pair: value for pair, value in every.items() if value >= floor}
    from scipy.sparse import csr_matrix  # imported here: heavy, and only clustering needs it

    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            rows.append(row)
            columns.append(vocabulary.setdefault(term, len(vocabulary)))
            values.append(weight)
    matrix = csr_matrix((values, (rows, columns)), shape=(len(vectors), len(vocabulary)))
    transposed = matrix.T.tocsr()
    pairs: dict[tuple[int, int], float] = {}
    rows_per_product = max(1, _CELLS_PER_PRODUCT // len(vectors))
    for start in range(0, len(vectors), rows_per_product):
        block = (matrix[start : start + rows_per_product] @ transposed).tocoo()
        keep = (block.data >= floor) & (block.row + start < block.col)
        rows_kept = (block.row[keep] + start).tolist()
        for i, j, value in zip(
            rows_kept, block.col[keep].tolist(), block.data[keep].tolist(), strict=True
        ):
            pairs[(i, j)] = value
    return pairs


def wire_pairs(batch: Sequence[Reported], needed: int) -> set[tuple[int, int]]:
    """Pairs (i < j) of the batch sharing at least ``needed`` long sentences."""
    holders: defaultdict[str, list[int]] = defaultdict(list)
    for index, features in enumerate(batch):
        for sentence_hash in features.sentence_hashes:
            holders[sentence_hash].append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for indices in holders.values():
        if len(indices) <= _MAX_WIRE_HOLDERS:
            shared.update(itertools.combinations(indices, 2))
    return {pair for pair, count in shared.items() if count >= needed}
