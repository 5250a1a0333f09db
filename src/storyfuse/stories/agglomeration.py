"""Average-link agglomeration of a batch of articles, and the rules two groups must pass.

The most similar pairs of groups merge first, so an early, weakly related
article does not decide where the rest go. Two groups join when their average
link, less a penalty for the days between them, reaches the bar; two groups
that each hold together join only when they are nearly as alike to each other
as they are within themselves (the same kind of event twice, two fires, makes
two tight groups, loosely alike). The clusterer places groups into stories
under the same rules (:mod:`storyfuse.stories.cluster`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from storyfuse.stories.features import ClusterOptions, Reported
from storyfuse.stories.similarity import (
    Span,
    dot_product,
    inside_similarity,
    similar_pairs,
    sum_vectors,
    union_span,
    wire_pairs,
)


def gap_penalty(first: Span | None, second: Span | None, options: ClusterOptions) -> float:
    """How much less alike two sets of reports count for the days between them.

    The gap runs from the earlier set's last report to the later one's first:
    a story that keeps being reported stays open.
    """
    if first is None or second is None:
        return 0.0
    gap = max((second[0] - first[1]).days, (first[0] - second[1]).days, 0)
    if gap <= options.max_days_apart:
        return 0.0
    return options.distant_penalty * math.log2(gap / options.max_days_apart)


def densest_stretch(dates: Sequence[dt.date], days: int) -> int:
    """The most of ``dates`` that fall within any stretch of ``days`` days.

    Articles further apart than that are no chance competitors of each other:
    their link counts less (:func:`gap_penalty`).
    """
    ordered = sorted(dates)
    densest, start = 0, 0
    for end, date in enumerate(ordered):
        while (date - ordered[start]).days > days:
            start += 1
        densest = max(densest, end - start + 1)
    return densest


def cohesive_enough(
    between: float, first: tuple[int, float], second: tuple[int, float], options: ClusterOptions
) -> bool:
    """Whether two groups, each given as (size, sum of its pairs' similarities), may join.

    ``between`` is the sum of the similarities of the pairs across them.
    """
    (first_size, first_inside), (second_size, second_inside) = first, second
    if min(first_size, second_size) < options.cohesive_size:
        return True
    looser = min(
        first_inside / (first_size * (first_size - 1) / 2),
        second_inside / (second_size * (second_size - 1) / 2),
    )
    return between / (first_size * second_size) >= options.cohesion_ratio * looser


def agglomerate(
    ordered: Sequence[Reported],
    vectors: Sequence[Mapping[str, float]],
    bar: float,
    options: ClusterOptions,
) -> list[list[int]]:
    """Average-link groups of a batch (indices into ``ordered``), in order of first member.

    ``vectors`` are the articles' unit vectors; two groups join while their
    average link, less :func:`gap_penalty`, reaches ``bar``. Similarities below
    ``edge_floor`` count as zero, which keeps the pairs sparse; reprinted wire
    sentences make a pair as similar as can be.
    """
    similarity = similar_pairs(vectors, options.edge_floor)
    for pair in wire_pairs(ordered, options.wire_sentences):
        similarity[pair] = 1.0
    size = [1] * len(ordered)
    inside = [0.0] * len(ordered)  # sum of the similarities of a group's pairs
    span = [None if f.published is None else (f.published, f.published) for f in ordered]
    sums: list[dict[int, float]] = [{} for _ in ordered]
    for (i, j), value in similarity.items():
        sums[i][j] = sums[j][i] = value
    version = [0] * len(ordered)
    members = [[i] for i in range(len(ordered))]

    def score(i: int, j: int) -> float:
        average = sums[i][j] / (size[i] * size[j])
        return average - gap_penalty(span[i], span[j], options)

    heap = [(-value, i, j, 0, 0) for i, j in similarity if (value := score(i, j)) >= bar]
    heapq.heapify(heap)
    while heap:
        _, i, j, version_i, version_j = heapq.heappop(heap)
        if version[i] != version_i or version[j] != version_j:
            continue  # one of the two has changed since this pair was scored
        if not cohesive_enough(sums[i][j], (size[i], inside[i]), (size[j], inside[j]), options):
            continue
        inside[i] += inside[j] + sums[i][j]
        for k, value in sums[j].items():
            if k != i:
                del sums[k][j]
                sums[i][k] = sums[k][i] = sums[i].get(k, 0.0) + value
        sums[i].pop(j, None)
        sums[j] = {}
        size[i] += size[j]
        span[i] = union_span(span[i], span[j])
        members[i].extend(members[j])
        members[j] = []
        version[i] += 1
        version[j] = -1
        for k in sums[i]:
            value = score(i, k)
            if value >= bar:
                first, second = min(i, k), max(i, k)
                heapq.heappush(heap, (-value, first, second, version[first], version[second]))
    return [sorted(group) for group in members if group]


@dataclass(eq=False)  # told apart by identity: emptied ones are alike
class _Joined:
    """A story being formed by :func:`join_groups`: its indices and summed unit vectors."""

    members: list[int]
    summed: dict[str, float]
    span: Span | None


def join_groups(
    ordered: Sequence[Reported],
    vectors: Sequence[Mapping[str, float]],
    groups: Sequence[Sequence[int]],
    bar: float,
    options: ClusterOptions,
) -> list[list[int]]:
    """The groups of :func:`agglomerate` placed one by one, as a batch's groups are placed.

    Agglomeration counts pairs below ``edge_floor`` as unrelated; placing a group
    weighs every pair, and a group joins the best story formed before it that it
    may join (the bar less :func:`gap_penalty`, and the cohesion rule), folding in
    the others it may join that are ``merge_threshold`` alike to that one; a
    group sharing ``wire_sentences`` reprinted sentences with a story joins it.
    Agglomerating stories again therefore ends where one batch of their articles
    ends. ``groups`` come in order of first member; so do the stories returned.
    """
    formed: list[_Joined] = []
    owner: dict[str, int] = {}  # sentence hash: the position in ``formed`` that holds it first
    for group in groups:
        summed = sum_vectors(vectors[i] for i in group)
        size, span = len(group), span_of(ordered[i] for i in group)
        inside = inside_similarity(summed, size)
        wired = Counter(owner[h] for i in group for h in ordered[i].sentence_hashes if h in owner)
        joinable: list[tuple[float, int]] = []
        for position, story in enumerate(formed):
            if not story.members:
                continue
            if wired[position] >= options.wire_sentences:
                joinable.append((1.0, position))
                continue
            dot = dot_product(summed, story.summed)
            story_size = len(story.members)
            score = dot / (size * story_size) - gap_penalty(span, story.span, options)
            story_inside = inside_similarity(story.summed, story_size)
            if score >= bar and cohesive_enough(
                dot, (size, inside), (story_size, story_inside), options
            ):
                joinable.append((score, position))
        joinable.sort(key=lambda item: (-item[0], item[1]))
        if joinable:
            where = joinable[0][1]
            target = formed[where]
            for _, position in joinable[1:]:
                other = formed[position]
                link = dot_product(target.summed, other.summed)
                if link / (len(target.members) * len(other.members)) >= options.merge_threshold:
                    _fold(target, other)
                    for sentence_hash, held in owner.items():
                        if held == position:
                            owner[sentence_hash] = where
        else:
            where, target = len(formed), _Joined([], {}, None)
            formed.append(target)
        _fold(target, _Joined(list(group), summed, span))
        for i in group:
            for sentence_hash in ordered[i].sentence_hashes:
                owner.setdefault(sentence_hash, where)
    return sorted((sorted(story.members) for story in formed if story.members), key=min)


def span_of(members: Iterable[Reported]) -> Span | None:
    """The first and last day the dated ``members`` were published, or None if none is."""
    dates = [m.published for m in members if m.published is not None]
    return (min(dates), max(dates)) if dates else None


def _fold(into: _Joined, other: _Joined) -> None:
    """Move ``other``'s articles into ``into``."""
    into.members.extend(other.members)
    for term, weight in other.summed.items():
        into.summed[term] = into.summed.get(term, 0.0) + weight
    into.span = union_span(into.span, other.span)
    other.members, other.summed, other.span = [], {}, None
