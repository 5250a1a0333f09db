"""Online story clustering: each article joins the best story or starts a new one.

An article is described by :class:`ArticleFeatures`: sublinear TF counts of its
content words (headline and opening sentences weighted up), the names it
mentions (capitalised words, weighted up again: the same kind of event
involving other people or places is another story) and hashes of its longer
sentences (reprinted wire copy). :class:`StoryClusterer` keeps the active
stories in memory, finds candidates for a new article through an inverted
index of distinctive terms, and scores each candidate by average-link cosine
(the mean similarity to the story's articles, computed in one dot product with
the sum of their unit vectors). Reports far apart in time need a stronger link;
shared wire sentences are a link by themselves. When an article links two
stories that turn out to be one, they merge and the younger id redirects to
the older.

A batch is added in a canonical order (by date, then id), so the result never
depends on the order of the inputs. Stories idle for longer than the active
window leave memory: memory is bounded by the window, not by the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from storyfuse.models import Article
from storyfuse.wire import match_tokens
from storyfuse.words import STOPWORDS, content_tokens, content_words

_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*|\b[A-Z]{2,5}\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


_COMMON_OPENERS = frozenset(
    """
    according after although among as at because before but by despite during earlier
    for from if in instead last later meanwhile more most new now officials on once
    police since some still the then there this those though thursday under until
    when where while with witnesses yet
    """.split()
)


_NOT_NAMES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec mr mrs ms dr i we the a an it he she they but and or
    """.split()
)
_DEMONYM = re.compile(r"[A-Z][a-z]+(an|ans|ian|ians|ese|ish|i|ic)")


def _names(text: str) -> list[str]:
    """Capitalised names in ``text``; a sentence's first word only if it is no common word."""
    names = []
    for match in _CAPITALISED.finditer(text):
        name = match.group()
        first = name.split()[0].lower()
        opens_sentence = match.start() == 0 or text[: match.start()].rstrip().endswith(
            ("“", '"', "(")
        )
        if opens_sentence and (first in STOPWORDS or first in _COMMON_OPENERS):
            name = " ".join(name.split()[1:])
            if not name:
                continue
        if name.lower() not in _NOT_NAMES and not _DEMONYM.fullmatch(name):
            names.append(name.lower())
    return names


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Thresholds and weights of the online clusterer."""

    threshold: float = 0.2
    merge_threshold: float = 0.3
    lead_sentences: int = 3
    title_weight: float = 2.0
    lead_weight: float = 2.0
    name_weight: float = 2.0
    # Candidate stories come from the article's most distinctive terms; the best
    # few by that partial score are then scored on all terms.
    query_terms: int = 20
    candidates: int = 10
    # A term more active stories share than this is too common to find candidates by.
    max_postings: int = 100
    max_days_apart: int = 3
    distant_penalty: float = 0.1
    window_days: int = 30
    wire_sentences: int = 2


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """What the clusterer needs to know of an article; cheap to rebuild from the text."""

    id: str
    published: dt.date | None
    terms: tuple[tuple[str, float], ...]
    sentence_hashes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an article went, and which story ids were merged into that story."""

    article: str
    story: str
    merged: tuple[str, ...] = ()
    created: bool = False


def article_features(article: Article, options: ClusterOptions | None = None) -> ArticleFeatures:
    """Describe ``article`` for clustering."""
    options = options or ClusterOptions()
    counts: defaultdict[str, float] = defaultdict(float)
    if article.title:
        for word in content_words(article.title):
            counts[word] += options.title_weight
        for name in _names(article.title):
            counts["@" + name] += options.title_weight
    hashes: set[str] = set()
    for sentence in article.sentences:
        weight = options.lead_weight if sentence.index < options.lead_sentences else 1.0
        tokens = match_tokens(sentence.text)
        words = content_tokens(tokens)
        for word in words:
            counts[word] += weight
        for name in _names(sentence.text):
            counts["@" + name] += weight * options.name_weight
        for year in _YEAR.findall(sentence.text):
            counts["#" + year] += weight
        if len(tokens) >= 8:
            hashes.add(hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).hexdigest())
    terms = tuple(sorted((term, 1.0 + math.log(count)) for term, count in counts.items()))
    return ArticleFeatures(article.id, article.published, terms, frozenset(hashes))


@dataclass
class _Story:
    id: str
    members: list[str] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member unit vectors
    first: dt.date | None = None
    last: dt.date | None = None
    hashes: set[str] = field(default_factory=set)


def _sort_key(features: ArticleFeatures) -> tuple[dt.date, str]:
    return (features.published or dt.date.min, features.id)


class StoryClusterer:
    """Incremental clustering of articles into stories with stable ids."""

    def __init__(self, options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._document_frequency: Counter[str] = Counter()
        self._documents = 0
        self._stories: dict[str, _Story] = {}
        self._postings: dict[str, set[str]] = defaultdict(set)
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
    def add_batch(self, batch: Sequence[ArticleFeatures]) -> list[Assignment]:
        """Observe and add a batch in canonical order; independent of input order."""
        ordered = sorted(batch, key=_sort_key)
        self.observe(ordered)
        return [self.add(features) for features in ordered]

    def add(self, features: ArticleFeatures) -> Assignment:
        """Put one (already observed) article into its story."""
        vector = self._vector(features)
        scores = self._score_candidates(features, vector)
        joined = [story_id for story_id, score in scores if score >= self.options.threshold]
        if not joined:
            story = _Story(id=story_id_for(features.id))
            self._stories[story.id] = story
            self._place(story, features, vector)
            return Assignment(features.id, story.id, created=True)
        target = self._stories[joined[0]]
        merged: list[str] = []
        for other_id in joined[1:]:
            other = self._stories[other_id]
            if self._story_similarity(target, other) >= self.options.merge_threshold:
                target, absorbed = self._merge(target, other)
                merged.append(absorbed)
        self._place(target, features, vector)
        return Assignment(features.id, target.id, tuple(sorted(merged)))

    def restore(self, story_id: str, features: ArticleFeatures) -> None:
        """Put an article back into a known story (rebuilding state from a store)."""
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(id=story_id)
        self._place(story, features, self._vector(features))

    def _score_candidates(
        self, features: ArticleFeatures, vector: Mapping[str, float]
    ) -> list[tuple[str, float]]:
        distinctive = heapq.nsmallest(
            self.options.query_terms, vector, key=lambda term: (-vector[term], term)
        )
        partial: defaultdict[str, float] = defaultdict(float)
        for term in distinctive:
            owners = self._postings.get(term, ())
            if len(owners) > self.options.max_postings:
                continue
            for story_id in owners:
                story = self._stories[story_id]
                partial[story_id] += vector[term] * story.centroid[term] / len(story.members)
        shortlist = heapq.nsmallest(
            self.options.candidates, partial, key=lambda s: (-partial[s], s)
        )
        wired = Counter(
            self._hash_owner[h] for h in features.sentence_hashes if h in self._hash_owner
        )
        scored: list[tuple[str, float]] = []
        for story_id in set(shortlist) | set(wired):
            story = self._stories[story_id]
            centroid = story.centroid
            dot = sum(weight * centroid.get(term, 0.0) for term, weight in vector.items())
            score = dot / len(story.members)
            score -= self._time_penalty(features.published, story)
            if wired[story_id] >= self.options.wire_sentences:
                score = max(score, 1.0)
            scored.append((story_id, score))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored

    def _time_penalty(self, published: dt.date | None, story: _Story) -> float:
        if published is None or story.first is None or story.last is None:
            return 0.0
        if story.first <= published <= story.last:
            return 0.0
        gap = min(abs((published - story.first).days), abs((published - story.last).days))
        if gap <= self.options.max_days_apart:
            return 0.0
        return self.options.distant_penalty * math.log2(gap / self.options.max_days_apart)

    @staticmethod
    def _story_similarity(first: _Story, second: _Story) -> float:
        dot = sum(w * second.centroid.get(t, 0.0) for t, w in first.centroid.items())
        return dot / (len(first.members) * len(second.members))

    def _place(self, story: _Story, features: ArticleFeatures, vector: Mapping[str, float]) -> None:
        story.members.append(features.id)
        for term, weight in vector.items():
            story.centroid[term] = story.centroid.get(term, 0.0) + weight
        if features.published is not None:
            story.first = min(story.first or features.published, features.published)
            story.last = max(story.last or features.published, features.published)
        for term in vector:
            self._postings[term].add(story.id)
        for sentence_hash in features.sentence_hashes:
            self._hash_owner.setdefault(sentence_hash, story.id)
            story.hashes.add(sentence_hash)

    def _merge(self, first: _Story, second: _Story) -> tuple[_Story, str]:
        """Fold the younger story into the older; returns the survivor and the absorbed id."""
        keep, drop = (first, second) if _older(first, second) else (second, first)
        keep.members.extend(drop.members)
        for term, weight in drop.centroid.items():
            keep.centroid[term] = keep.centroid.get(term, 0.0) + weight
        for date in (drop.first, drop.last):
            if date is not None:
                keep.first = min(keep.first or date, date)
                keep.last = max(keep.last or date, date)
        self._forget(drop)
        for term in drop.centroid:
            self._postings[term].add(keep.id)
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
                owners.discard(story.id)
                if not owners:
                    del self._postings[term]
        for sentence_hash in story.hashes:
            if self._hash_owner.get(sentence_hash) == story.id:
                del self._hash_owner[sentence_hash]
        del self._stories[story.id]

    def evict(self, before: dt.date) -> list[str]:
        """Drop stories last seen before ``before`` from memory; returns their ids."""
        idle = [s for s in self._stories.values() if s.last is not None and s.last < before]
        for story in idle:
            self._forget(story)
        return sorted(story.id for story in idle)

    def stories(self) -> dict[str, tuple[str, ...]]:
        """Active stories and their article ids, in the order they joined."""
        return {story_id: tuple(story.members) for story_id, story in self._stories.items()}

    def resolve(self, story_id: str) -> str:
        """The current id of a story that may have been merged away."""
        return self.redirects.get(story_id, story_id)


def _older(first: _Story, second: _Story) -> bool:
    return (first.first or dt.date.min, first.id) <= (second.first or dt.date.min, second.id)


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
