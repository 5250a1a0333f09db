"""Story clustering over time: each batch of articles joins the best stories or starts new ones.

An article is described by its features (:mod:`storyfuse.stories.features`):
weighted content words, names and years, and hashes of its longer sentences.

A batch is first grouped on its own by average-link agglomeration: the most
similar pairs merge first, so an early, weakly related article does not decide
where the rest go. Two groups that each hold together merge only when they are
nearly as alike to each other as they are within themselves: the same kind of
event twice (two fires, two rehab stays) makes two tight groups, loosely alike.

:class:`StoryClusterer` then places each group: it keeps the active stories in
memory, finds candidates through an inverted index of distinctive terms, and
scores each by average-link cosine (the mean similarity of the group's articles
to the story's, computed in one dot product of summed unit vectors), under the
same rule for tight groups. Reports far apart in time need a stronger link;
shared wire sentences are a link by themselves. When a group links two stories
that turn out to be one, they merge and the younger id redirects to the older.
The converse: the first reports of two alike events can share a story while
each is one or two articles; once a grown story holds two tight groups that
the rule keeps apart, it splits, and the part holding its first article keeps
its id.

A batch is handled in a canonical order (by date, then id), so the result never
depends on the order of the inputs. Stories idle for longer than the active
window leave memory: memory is bounded by the window, not by the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from storyfuse.models import Article
from storyfuse.stories.features import ArticleFeatures, ClusterOptions, article_features
from storyfuse.stories.similarity import (
    Span,
    dot_product,
    inside_similarity,
    similar_pairs,
    sum_vectors,
    union_span,
    wire_pairs,
)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an article went, and which story ids were merged into that story.

    ``moved`` marks an article of an earlier batch that left its story when the
    story, grown, turned out to hold two events (see :meth:`StoryClusterer.add_batch`).
    """

    article: str
    story: str
    merged: tuple[str, ...] = ()
    created: bool = False
    moved: bool = False


@dataclass(frozen=True, slots=True)
class _Member:
    """An article kept in a story's memory, compactly (a fifth of its features' size)."""

    id: str
    published: dt.date | None
    terms: tuple[str, ...]
    weights: array[float]
    sentence_hashes: frozenset[str]

    @classmethod
    def of(cls, features: ArticleFeatures) -> _Member:
        terms = tuple(term for term, _ in features.terms)
        weights = array("d", (weight for _, weight in features.terms))
        return cls(features.id, features.published, terms, weights, features.sentence_hashes)

    def features(self) -> ArticleFeatures:
        terms = tuple(zip(self.terms, self.weights, strict=True))
        return ArticleFeatures(self.id, self.published, terms, self.sentence_hashes)


@dataclass
class _Story:
    id: str
    members: list[_Member] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member unit vectors
    span: Span | None = None  # first and last publication date
    hashes: set[str] = field(default_factory=set)


def _sort_key(features: ArticleFeatures | _Member) -> tuple[dt.date, str]:
    return (features.published or dt.date.min, features.id)


class StoryClusterer:
    """Incremental clustering of articles into stories with stable ids."""

    def __init__(self, options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._document_frequency: Counter[str] = Counter()
        self._documents = 0
        self._stories: dict[str, _Story] = {}
        self._postings: dict[str, dict[str, _Story]] = defaultdict(dict)  # term: stories
        self._hash_owner: dict[str, str] = {}
        self.redirects: dict[str, str] = {}

    # -- vocabulary ----------------------------------------------------------
    def observe(self, batch: Iterable[ArticleFeatures]) -> None:
        """Count the batch's terms before clustering it, so IDF knows the whole batch."""
        for features in batch:
            self._documents += 1
            self._document_frequency.update(term for term, _ in features.terms)

    def _idf(self, term: str) -> float:
        return math.log((1 + self._documents) / (1 + self._document_frequency[term])) + 1.0

    def _vector(self, features: ArticleFeatures) -> dict[str, float]:
        vector = {term: tf * self._idf(term) for term, tf in features.terms}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {term: value / norm for term, value in vector.items()}

    # -- clustering ----------------------------------------------------------
    def add_batch(
        self, batch: Sequence[ArticleFeatures], *, count_terms: bool = True
    ) -> list[Assignment]:
        """Add a batch; the result is independent of its order.

        The batch is first clustered on its own by average-link agglomeration
        (the most similar groups merge first, so no early article decides for
        the rest), then each group joins the best active story or starts one.
        A batch larger than ``agglomerate_at_most`` is taken in consecutive
        slices of that size (by date, then id), which bounds time and memory.
        Finally each earlier story that grew is agglomerated again on its own:
        early reports of two alike events can fall into one story before either
        is tight; once both are, they split (see :meth:`_split`), and the articles
        of earlier batches that moved come back with ``moved`` set.
        ``count_terms=False`` when :meth:`observe` has already seen the batch.
        """
        ordered = sorted(batch, key=_sort_key)
        if count_terms:
            self.observe(ordered)
        earlier = set(self._stories)
        assignments: list[Assignment] = []
        step = self.options.agglomerate_at_most
        for start in range(0, len(ordered), step):
            part = ordered[start : start + step]
            vectors = [self._vector(features) for features in part]
            for group in self._agglomerate(part, vectors):
                assignments.extend(
                    self._place_group([part[i] for i in group], [vectors[i] for i in group])
                )
        grown = sorted({self.resolve(a.story) for a in assignments} & earlier)
        moves = {m.article: m for story_id in grown for m in self._split(self._stories[story_id])}
        placed = [
            Assignment(a.article, self.resolve(a.story), a.merged, a.created)
            if (move := moves.pop(a.article, None)) is None
            else replace(move, merged=a.merged, moved=False)
            for a in assignments
        ]
        return placed + [moves[article] for article in sorted(moves)]  # of earlier batches

    def add(self, features: ArticleFeatures) -> Assignment:
        """Put one (already observed) article into its story."""
        return self._place_group([features], [self._vector(features)])[0]

    def _place_group(
        self, members: Sequence[ArticleFeatures], vectors: Sequence[Mapping[str, float]]
    ) -> list[Assignment]:
        """Put articles that belong together into the best story, or start one."""
        summed = sum_vectors(vectors)
        dates = [m.published for m in members if m.published is not None]
        span = (min(dates), max(dates)) if dates else None
        hashes = frozenset().union(*(m.sentence_hashes for m in members))
        scores = self._score_candidates(summed, len(members), span, hashes)
        joined = [story_id for story_id, score in scores if score >= self.options.threshold]
        merged: list[str] = []
        if joined:
            target = self._stories[joined[0]]
            for other_id in joined[1:]:
                other = self._stories[other_id]
                if self._story_similarity(target, other) >= self.options.merge_threshold:
                    target, absorbed = self._merge(target, other)
                    merged.append(absorbed)
        else:
            target = _Story(id=story_id_for(members[0].id))
            self._stories[target.id] = target
        for features, vector in zip(members, vectors, strict=True):
            self._place(target, features, vector)
        return [
            Assignment(
                features.id,
                target.id,
                tuple(sorted(merged)) if index == 0 else (),
                created=index == 0 and not joined,
            )
            for index, features in enumerate(members)
        ]

    def _agglomerate(
        self, ordered: Sequence[ArticleFeatures], vectors: Sequence[Mapping[str, float]]
    ) -> list[list[int]]:
        """Average-link groups of the batch (indices into ``ordered``), in order of first member.

        Similarities below ``edge_floor`` count as zero, which keeps the pairs
        sparse; reprinted wire sentences make a pair as similar as can be.
        """
        similarity = similar_pairs(vectors, self.options.edge_floor)
        for pair in wire_pairs(ordered, self.options.wire_sentences):
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
            return average - self._gap_penalty(span[i], span[j])

        heap = [
            (-value, i, j, 0, 0)
            for i, j in similarity
            if (value := score(i, j)) >= self.options.threshold
        ]
        heapq.heapify(heap)
        while heap:
            _, i, j, version_i, version_j = heapq.heappop(heap)
            if version[i] != version_i or version[j] != version_j:
                continue  # one of the two has changed since this pair was scored
            if not self._cohesive_enough(sums[i][j], (size[i], inside[i]), (size[j], inside[j])):
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
                if value >= self.options.threshold:
                    first, second = min(i, k), max(i, k)
                    heapq.heappush(heap, (-value, first, second, version[first], version[second]))
        return [sorted(group) for group in members if group]

    def _split(self, story: _Story) -> list[Assignment]:
        """Agglomerate a story's articles again; split it if it holds tight groups kept apart.

        Each group too small to be tight goes with the tight group it is most
        like. The group holding the story's first article keeps the story's id;
        each other one becomes a story named after its first article. Returns
        the articles that moved.
        """
        tight_size = self.options.cohesive_size
        if not 2 * tight_size <= len(story.members) <= self.options.recheck_at_most:
            return []
        ordered = sorted((member.features() for member in story.members), key=_sort_key)
        vectors = [self._vector(features) for features in ordered]
        groups = self._agglomerate(ordered, vectors)
        tight = [group for group in groups if len(group) >= tight_size]
        if len(tight) < 2:
            return []
        summed = [sum_vectors(vectors[i] for i in group) for group in tight]
        homes: list[list[int]] = [list(group) for group in tight]
        for group in groups:
            if len(group) < tight_size:
                loose = sum_vectors(vectors[i] for i in group)
                likeness = [
                    dot_product(loose, other) / len(home)
                    for other, home in zip(summed, tight, strict=True)
                ]
                homes[likeness.index(max(likeness))].extend(group)
        founder = next(  # the article the story is named after, if it is still here
            (m.id for m in story.members if story_id_for(m.id) == story.id), story.members[0].id
        )
        self._forget(story)
        moved: list[Assignment] = []
        for home in homes:
            home.sort()  # ``ordered`` is in canonical order already
            members = [ordered[i] for i in home]
            keeps_id = any(features.id == founder for features in members)
            target = _Story(id=story.id if keeps_id else self._fresh_id(members))
            self._stories[target.id] = target
            self.redirects.pop(target.id, None)
            for i in home:
                self._place(target, ordered[i], vectors[i])
            if not keeps_id:
                moved.extend(
                    Assignment(features.id, target.id, created=index == 0, moved=True)
                    for index, features in enumerate(members)
                )
        return moved

    def _fresh_id(self, members: Sequence[ArticleFeatures]) -> str:
        """The id of a story split off: named after its first article not naming a live story."""
        for features in members:
            candidate = story_id_for(features.id)
            if candidate not in self._stories:
                return candidate
        return story_id_for("+".join(features.id for features in members))

    def _cohesive_enough(
        self, between: float, first: tuple[int, float], second: tuple[int, float]
    ) -> bool:
        """Whether two groups, each given as (size, sum of its pairs' similarities), may join.

        ``between`` is the sum of the similarities of the pairs across them.
        """
        (first_size, first_inside), (second_size, second_inside) = first, second
        if min(first_size, second_size) < self.options.cohesive_size:
            return True
        looser = min(
            first_inside / (first_size * (first_size - 1) / 2),
            second_inside / (second_size * (second_size - 1) / 2),
        )
        return between / (first_size * second_size) >= self.options.cohesion_ratio * looser

    def restore(self, story_id: str, features: ArticleFeatures) -> None:
        """Put an article back into a known story (rebuilding state from a store)."""
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(id=story_id)
        self._place(story, features, self._vector(features))

    def _score_candidates(
        self,
        summed: Mapping[str, float],
        size: int,
        span: Span | None,
        hashes: frozenset[str],
    ) -> list[tuple[str, float]]:
        """Active stories scored against a group (``summed``: its members' unit vectors added)."""
        distinctive = heapq.nsmallest(
            self.options.query_terms, summed, key=lambda term: (-summed[term], term)
        )
        partial: defaultdict[str, float] = defaultdict(float)
        visited = 0
        postings = self._postings
        # rarest first: once a term is too common or the budget is spent, so are the rest
        for term in sorted(distinctive, key=lambda t: (len(postings.get(t, ())), t)):
            owners = postings.get(term)
            if not owners:
                continue
            visited += len(owners)
            if len(owners) > self.options.max_postings or visited > self.options.posting_budget:
                break
            weight = summed[term]
            for story_id, story in owners.items():
                partial[story_id] += weight * story.centroid[term] / len(story.members)
        shortlist = heapq.nsmallest(
            self.options.candidates, partial, key=lambda s: (-partial[s], s)
        )
        wired = Counter(self._hash_owner[h] for h in hashes if h in self._hash_owner)
        tight_group = size >= self.options.cohesive_size
        group = (size, inside_similarity(summed, size) if tight_group else 0.0)
        scored: list[tuple[str, float]] = []
        for story_id in set(shortlist) | set(wired):
            story = self._stories[story_id]
            centroid, story_size = story.centroid, len(story.members)
            dot = dot_product(summed, centroid)
            if wired[story_id] >= self.options.wire_sentences:
                score = 1.0
            elif (
                not tight_group
                or story_size < self.options.cohesive_size
                # the story's own cohesion walks its whole centroid: only when it counts
                or self._cohesive_enough(
                    dot, group, (story_size, inside_similarity(centroid, story_size))
                )
            ):
                score = dot / (size * story_size) - self._gap_penalty(span, story.span)
            else:
                continue
            scored.append((story_id, score))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored

    def _gap_penalty(self, first: Span | None, second: Span | None) -> float:
        """How much less alike two sets of reports count for the days between them."""
        if first is None or second is None:
            return 0.0
        gap = max((second[0] - first[1]).days, (first[0] - second[1]).days, 0)
        if gap <= self.options.max_days_apart:
            return 0.0
        return self.options.distant_penalty * math.log2(gap / self.options.max_days_apart)

    @staticmethod
    def _story_similarity(first: _Story, second: _Story) -> float:
        return dot_product(first.centroid, second.centroid) / (
            len(first.members) * len(second.members)
        )

    def _place(self, story: _Story, features: ArticleFeatures, vector: Mapping[str, float]) -> None:
        story.members.append(_Member.of(features))
        for term, weight in vector.items():
            story.centroid[term] = story.centroid.get(term, 0.0) + weight
        if features.published is not None:
            story.span = union_span(story.span, (features.published, features.published))
        for term in vector:
            self._postings[term][story.id] = story
        for sentence_hash in features.sentence_hashes:
            self._hash_owner.setdefault(sentence_hash, story.id)
            story.hashes.add(sentence_hash)

    def _merge(self, first: _Story, second: _Story) -> tuple[_Story, str]:
        """Fold the younger story into the older; returns the survivor and the absorbed id."""
        keep, drop = (first, second) if _older(first, second) else (second, first)
        keep.members.extend(drop.members)
        for term, weight in drop.centroid.items():
            keep.centroid[term] = keep.centroid.get(term, 0.0) + weight
        keep.span = union_span(keep.span, drop.span)
        self._forget(drop)
        for term in drop.centroid:
            self._postings[term][keep.id] = keep
        for sentence_hash in drop.hashes:
            self._hash_owner[sentence_hash] = keep.id
            keep.hashes.add(sentence_hash)
        self.redirects[drop.id] = keep.id
        for old, new in list(self.redirects.items()):
            if new == drop.id:
                self.redirects[old] = keep.id
        return keep, drop.id

    def _forget(self, story: _Story) -> None:
        for term in story.centroid:
            owners = self._postings.get(term)
            if owners is not None:
                owners.pop(story.id, None)
                if not owners:
                    del self._postings[term]
        for sentence_hash in story.hashes:
            if self._hash_owner.get(sentence_hash) == story.id:
                del self._hash_owner[sentence_hash]
        del self._stories[story.id]

    def evict(self, before: dt.date) -> list[str]:
        """Drop stories last seen before ``before`` from memory; returns their ids."""
        idle = [s for s in self._stories.values() if s.span is not None and s.span[1] < before]
        for story in idle:
            self._forget(story)
        return sorted(story.id for story in idle)

    def stories(self) -> dict[str, tuple[str, ...]]:
        """Active stories and their article ids, in the order they joined."""
        return {
            story_id: tuple(features.id for features in story.members)
            for story_id, story in self._stories.items()
        }

    def resolve(self, story_id: str) -> str:
        """The current id of a story that may have been merged away."""
        return self.redirects.get(story_id, story_id)


def _older(first: _Story, second: _Story) -> bool:
    first_date = first.span[0] if first.span else dt.date.min
    second_date = second.span[0] if second.span else dt.date.min
    return (first_date, first.id) <= (second_date, second.id)


def story_id_for(article_id: str) -> str:
    """A story's id: derived from the article that started it, so it survives growth."""
    return "s-" + hashlib.sha1(article_id.encode()).hexdigest()[:10]


def cluster_articles(
    articles: Sequence[Article], options: ClusterOptions | None = None
) -> list[tuple[str, list[Article]]]:
    """Partition a batch into (story id, articles sorted by date), independent of input order."""
    clusterer = StoryClusterer(options)
    by_id = {article.id: article for article in articles}
    clusterer.add_batch([article_features(article, clusterer.options) for article in articles])
    stories = [
        (
            story_id,
            sorted((by_id[a] for a in members), key=lambda a: (a.published or dt.date.max, a.id)),
        )
        for story_id, members in clusterer.stories().items()
    ]
    return sorted(stories)
