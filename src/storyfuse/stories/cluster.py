"""Story clustering over time: each batch of articles joins the best stories or starts new ones.

An article is described by its features (:mod:`storyfuse.stories.features`):
weighted content words, names and years, and hashes of its longer sentences.
A batch is first grouped on its own by average-link agglomeration
(:mod:`storyfuse.stories.agglomeration`); :class:`StoryClusterer` then places
each group: it keeps the active stories in memory, finds candidates through an
inverted index of distinctive terms, and scores each by average-link cosine
(the mean similarity of the group's articles to the story's, computed in one
dot product of summed unit vectors), under the same rules as agglomeration.
Reports far apart in time need a stronger link; shared wire sentences are a
link by themselves. The bar a link must clear rises with the articles a new
one competes against by chance.

Fed in batches, early choices are made on little evidence: the first reports
of two alike events can share a story, and the first reports of one event can
start two. So after each batch the stories it touched are agglomerated again,
from scratch and with today's term weights, together with the stories near
them (near a group of the batch or any of its articles), as one batch holding
all their articles would be: agglomerated, then each group placed in turn. A group holding the
first articles of several stories makes them one (the younger ids redirect to
the oldest); a group holding none is a story split off, named after its first
article; a story's id never changes while its first article stays in it.

A batch is handled in a canonical order (by date, then id), so the result never
depends on the order of the inputs. Stories idle for longer than the active
window leave memory: memory is bounded by the window, not by the store.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import mul

from storyfuse.models import Article
from storyfuse.stories.active_story import (
    ActiveStory,
    Member,
    age,
    average_link,
    by_date_then_id,
    founder,
    older,
)
from storyfuse.stories.active_story import story_id_for as story_id_for  # public here too
from storyfuse.stories.agglomeration import (
    agglomerate,
    cohesive_enough,
    densest_stretch,
    gap_penalty,
    join_groups,
    span_of,
)
from storyfuse.stories.assignments import Assignment, attach_merges
from storyfuse.stories.features import ArticleFeatures, ClusterOptions, article_features
from storyfuse.stories.similarity import (
    Span,
    dot_product,
    inside_similarity,
    sum_vectors,
    union_span,
)


@dataclass(frozen=True, slots=True)
class _Regrouped:
    """What agglomerating nearby stories again changed.

    ``home``: each article's story now; ``merges``: (absorbed, survivor) ids;
    ``moved``: articles of earlier batches that changed story other than by a merge.
    """

    home: dict[str, str]
    merges: tuple[tuple[str, str], ...]
    moved: tuple[Assignment, ...]


class StoryClusterer:
    """Incremental clustering of articles into stories with stable ids."""

    def __init__(self, options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._document_frequency: Counter[str] = Counter()
        self._documents = 0
        self._idf_known: dict[str, float] = {}  # the terms' weights until the counts change
        self._stories: dict[str, ActiveStory] = {}
        self._postings: dict[str, dict[str, ActiveStory]] = defaultdict(dict)  # term: stories
        self._hash_owner: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        self._bar = self.options.threshold  # the average link a join needs, this batch

    def threshold_for(self, articles: int) -> float:
        """The average link two groups need among ``articles`` articles in play."""
        options = self.options
        excess = math.log(max(articles, 1) / options.threshold_reference)
        raised = options.threshold + options.threshold_slope * max(excess, 0.0)
        return min(raised, max(options.threshold_ceiling, options.threshold))

    # -- vocabulary ----------------------------------------------------------
    def observe(self, batch: Iterable[ArticleFeatures]) -> None:
        """Count the batch's terms before clustering it, so IDF knows the whole batch."""
        self._idf_known.clear()
        for features in batch:
            self._documents += 1
            self._document_frequency.update(term for term, _ in features.terms)

    def _idfs(self, terms: Sequence[str]) -> list[float]:
        """The inverse document frequency of each term, worked out once per count."""
        known = self._idf_known
        for term in set(terms).difference(known):
            known[term] = (
                math.log((1 + self._documents) / (1 + self._document_frequency[term])) + 1.0
            )
        return list(map(known.__getitem__, terms))

    def _vector(self, features: ArticleFeatures) -> dict[str, float]:
        terms = [term for term, _ in features.terms]
        weights = list(map(mul, (tf for _, tf in features.terms), self._idfs(terms)))
        norm = math.sqrt(sum(map(mul, weights, weights))) or 1.0
        return dict(zip(terms, [weight / norm for weight in weights], strict=True))

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
        Finally the stories this batch touched are agglomerated again with the
        earlier stories near them (see :meth:`_regroup`): stories merge or split
        as one batch of all their articles would have them. Articles of earlier
        batches that changed story come back with ``moved`` set; a merge rides
        on the first assignment into the surviving story.
        ``count_terms=False`` when :meth:`observe` has already seen the batch.
        """
        ordered = sorted(batch, key=by_date_then_id)
        if count_terms:
            self.observe(ordered)
        self._bar = self.threshold_for(self._articles_in_play(ordered))
        earlier = set(self._stories)
        placed: list[Assignment] = []
        links: list[tuple[str, str]] = []  # a story of this batch and a story near it
        step = self.options.agglomerate_at_most
        for start in range(0, len(ordered), step):
            part = ordered[start : start + step]
            vectors = [self._vector(features) for features in part]
            for group in agglomerate(part, vectors, self._bar, self.options):
                assignments, near = self._place_group(
                    [part[i] for i in group], [vectors[i] for i in group]
                )
                placed.extend(assignments)
                links.extend((assignments[0].story, other) for other in near)
        fresh = {a.article for a in placed}
        home: dict[str, str] = {}  # article: story, for the articles of regrouped stories
        merges: list[tuple[str, str]] = []  # (absorbed, into)
        moved: list[Assignment] = []
        touched = {self.resolve(a.story) for a in placed}
        for component in self._neighbourhoods(touched, links, earlier, fresh):
            outcome = self._regroup(component, fresh)
            home.update(outcome.home)
            merges.extend(outcome.merges)
            moved.extend(outcome.moved)
        result = [
            replace(a, story=home.get(a.article) or self.resolve(a.story)) for a in placed
        ] + sorted(moved, key=lambda a: a.article)
        return attach_merges(result, merges, self._stories)

    def add(self, features: ArticleFeatures) -> Assignment:
        """Put one (already observed) article into its story."""
        self._bar = self.threshold_for(self._articles_in_play([features]))
        return self._place_group([features], [self._vector(features)])[0][0]

    def _place_group(
        self, members: Sequence[ArticleFeatures], vectors: Sequence[Mapping[str, float]]
    ) -> tuple[list[Assignment], list[str]]:
        """Put articles that belong together into the best story, or start one.

        Returns the assignments and the other stories near the group or near one
        of its members (scoring at least ``regroup_floor``, whether or not the
        group could join them): a member's closest story may be one the group's
        average hides, and agglomerating again can only move it there when that
        story takes part.
        """
        summed = sum_vectors(vectors)
        span = span_of(members)
        hashes = frozenset().union(*(m.sentence_hashes for m in members))
        scores = self._score_candidates(summed, len(members), span, hashes)
        alone = self._members_scored(members, vectors) if len(members) > 1 else []
        joined = [story_id for story_id, _, may_join in scores if may_join]
        merged: list[str] = []
        if joined:
            target = self._stories[joined[0]]
            for other_id in joined[1:]:
                other = self._stories[other_id]
                if average_link(target, other) >= self.options.merge_threshold:
                    target, absorbed = self._merge(target, other)
                    merged.append(absorbed)
        else:
            target = ActiveStory(id=story_id_for(members[0].id))
            self._stories[target.id] = target
        for features, vector in zip(members, vectors, strict=True):
            self._place(target, Member.of(features), vector)
        near = sorted(
            {
                story_id
                for story_id, score, _ in itertools.chain(scores, alone)
                if score >= self.options.regroup_floor and story_id in self._stories
            }
        )
        return [
            Assignment(
                features.id,
                target.id,
                tuple(sorted(merged)) if index == 0 else (),
                created=index == 0 and not joined,
            )
            for index, features in enumerate(members)
        ], near

    def _members_scored(
        self, members: Sequence[ArticleFeatures], vectors: Sequence[Mapping[str, float]]
    ) -> list[tuple[str, float, bool]]:
        """Active stories scored against each member of a group on its own."""
        scored: list[tuple[str, float, bool]] = []
        for features, vector in zip(members, vectors, strict=True):
            day = features.published
            span = None if day is None else (day, day)
            scored.extend(self._score_candidates(vector, 1, span, features.sentence_hashes))
        return scored

    def _neighbourhoods(
        self,
        touched: set[str],
        links: Sequence[tuple[str, str]],
        earlier: set[str],
        fresh: set[str],
    ) -> list[list[ActiveStory]]:
        """Stories of this batch with the stories near them, as groups to agglomerate again.

        ``links`` pair the story a group went to with each story it scored at
        least ``regroup_floor`` against. Only a neighbourhood holding a story of an
        earlier batch can come out otherwise than this batch's own agglomeration
        did; one larger than ``recheck_at_most`` articles is left as is, and so is
        a story alone too small to hold two tight groups (it could not split).
        One larger than ``regroup_always`` is agglomerated again only when this
        batch (``fresh``) brought at least ``regroup_share`` of its articles: a few
        more reports rarely change how a large story divides, and agglomerating
        it costs the square of its size.
        """
        parent: dict[str, str] = {story_id: story_id for story_id in touched}

        def root(story_id: str) -> str:
            while parent.setdefault(story_id, story_id) != story_id:
                story_id = parent[story_id] = parent[parent[story_id]]
            return story_id

        for first, second in links:
            first, second = self.resolve(first), self.resolve(second)
            if first in self._stories and second in self._stories:
                parent[root(second)] = root(first)
        components: defaultdict[str, list[ActiveStory]] = defaultdict(list)
        for story_id in sorted(parent):
            components[root(story_id)].append(self._stories[story_id])
        options = self.options
        chosen = []
        for stories in components.values():
            size = sum(len(story.members) for story in stories)
            if (
                any(story.id in earlier for story in stories)
                and (len(stories) > 1 or size >= 2 * options.cohesive_size)
                and size <= options.recheck_at_most
                and (
                    size <= options.regroup_always
                    or sum(m.id in fresh for story in stories for m in story.members)
                    >= options.regroup_share * size
                )
            ):
                chosen.append(stories)
        return chosen

    def _regroup(self, stories: Sequence[ActiveStory], fresh: set[str]) -> _Regrouped:
        """Agglomerate the articles of nearby stories again, from scratch, as one batch would.

        A group holding the first articles of old stories takes the oldest one's
        id, and the others merge into it (their ids redirect); a group holding
        none is a story split off, named after its first article. Articles of
        earlier batches that changed story other than by a merge have moved.
        """
        founders = {founder(story): story for story in stories}
        before = {member.id: story.id for story in stories for member in story.members}
        ordered = sorted(
            (member for story in stories for member in story.members), key=by_date_then_id
        )
        vectors = [self._vector(member.features()) for member in ordered]
        groups = join_groups(
            ordered,
            vectors,
            agglomerate(ordered, vectors, self._bar, self.options),
            self._bar,
            self.options,
        )
        for story in stories:
            self._forget(story)
        named: list[tuple[str | None, list[int]]] = []
        merges: list[tuple[str, str]] = []
        for group in groups:
            olds = sorted(
                (founders[ordered[i].id] for i in group if ordered[i].id in founders),
                key=age,
            )
            named.append((olds[0].id if olds else None, group))
            merges.extend((old.id, olds[0].id) for old in olds[1:])
        for absorbed, into in merges:
            self._redirect(absorbed, into)
        home: dict[str, str] = {}
        moved: list[Assignment] = []
        for name, group in sorted(named, key=lambda item: item[0] is None):
            members = [ordered[i] for i in group]
            target = ActiveStory(id=name or self._fresh_id(members))
            self._stories[target.id] = target
            self.redirects.pop(target.id, None)
            for i in group:
                self._place(target, ordered[i], vectors[i])
            for index, member in enumerate(members):
                home[member.id] = target.id
                if member.id not in fresh and self.resolve(before[member.id]) != target.id:
                    moved.append(
                        Assignment(
                            member.id, target.id, created=name is None and index == 0, moved=True
                        )
                    )
        return _Regrouped(home, tuple(merges), tuple(moved))

    def _fresh_id(self, members: Sequence[Member]) -> str:
        """The id of a story split off: named after its first article not naming a live story."""
        for member in members:
            candidate = story_id_for(member.id)
            if candidate not in self._stories:
                return candidate
        return story_id_for("+".join(member.id for member in members))

    def restore(self, story_id: str, features: ArticleFeatures) -> None:
        """Put an article back into a known story (rebuilding state from a store)."""
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = ActiveStory(id=story_id)
        self._place(story, Member.of(features), self._vector(features))

    def _score_candidates(
        self,
        summed: Mapping[str, float],
        size: int,
        span: Span | None,
        hashes: frozenset[str],
    ) -> list[tuple[str, float, bool]]:
        """Active stories scored against a group (``summed``: its members' unit vectors added).

        Each comes with whether the group may join it: it scores at least the
        threshold, and a tight story is not too loosely like a tight group.
        """
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
        scored: list[tuple[str, float, bool]] = []
        for story_id in set(shortlist) | set(wired):
            story = self._stories[story_id]
            centroid, story_size = story.centroid, len(story.members)
            if wired[story_id] >= self.options.wire_sentences:
                scored.append((story_id, 1.0, True))
                continue
            dot = dot_product(summed, centroid)
            score = dot / (size * story_size) - gap_penalty(span, story.span, self.options)
            may_join = score >= self._bar and (
                not tight_group
                or story_size < self.options.cohesive_size
                # the story's own cohesion walks its whole centroid: only when it counts
                or cohesive_enough(
                    dot, group, (story_size, inside_similarity(centroid, story_size)), self.options
                )
            )
            scored.append((story_id, score, may_join))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored

    def _articles_in_play(self, batch: Sequence[ArticleFeatures]) -> int:
        """How many articles a new one competes against by chance: the active and new ones.

        Dated ones count within their densest stretch of ``2 * max_days_apart``
        days only: the others need a stronger link (:func:`gap_penalty`).
        """
        active = [m.published for story in self._stories.values() for m in story.members]
        dates = [d for d in itertools.chain(active, (f.published for f in batch)) if d]
        undated = len(active) + len(batch) - len(dates)
        return undated + densest_stretch(dates, 2 * self.options.max_days_apart)

    def _place(self, story: ActiveStory, member: Member, vector: Mapping[str, float]) -> None:
        story.members.append(member)
        centroid, postings, story_id = story.centroid, self._postings, story.id
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
            postings[term][story_id] = story
        if member.published is not None:
            story.span = union_span(story.span, (member.published, member.published))
        for sentence_hash in member.sentence_hashes:
            self._hash_owner.setdefault(sentence_hash, story.id)
            story.hashes.add(sentence_hash)

    def _merge(self, first: ActiveStory, second: ActiveStory) -> tuple[ActiveStory, str]:
        """Fold the younger story into the older; returns the survivor and the absorbed id."""
        keep, drop = (first, second) if older(first, second) else (second, first)
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
        self._redirect(drop.id, keep.id)
        return keep, drop.id

    def _redirect(self, absorbed: str, into: str) -> None:
        """``absorbed`` (and every id that pointed to it) now names ``into``."""
        self.redirects[absorbed] = into
        for old, new in list(self.redirects.items()):
            if new == absorbed:
                self.redirects[old] = into

    def _forget(self, story: ActiveStory) -> None:
        postings, story_id = self._postings, story.id
        for term in story.centroid:
            owners = postings.get(term)
            if owners is not None:
                owners.pop(story_id, None)
                if not owners:
                    del postings[term]
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
