"""The stories a clusterer keeps in memory: their articles, compactly, and their order.

A story's id derives from the article that started it (:func:`story_id_for`),
so it survives growth; of two stories the older is the one first reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from array import array
from dataclasses import dataclass, field

from storyfuse.stories.features import ArticleFeatures
from storyfuse.stories.similarity import Span, dot_product


@dataclass(frozen=True, slots=True)
class Member:
    """An article kept in a story's memory, compactly (a fifth of its features' size)."""

    id: str
    published: dt.date | None
    terms: tuple[str, ...]
    weights: array[float]
    sentence_hashes: frozenset[str]

    @classmethod
    def of(cls, features: ArticleFeatures) -> Member:
        """The compact copy of ``features``."""
        terms = tuple(term for term, _ in features.terms)
        weights = array("d", (weight for _, weight in features.terms))
        return cls(features.id, features.published, terms, weights, features.sentence_hashes)

    def features(self) -> ArticleFeatures:
        """The features back, as :func:`~storyfuse.stories.features.article_features` made them."""
        terms = tuple(zip(self.terms, self.weights, strict=True))
        return ArticleFeatures(self.id, self.published, terms, self.sentence_hashes)


@dataclass
class ActiveStory:
    """A story in memory: its articles, their summed unit vectors, dates and sentence hashes."""

    id: str
    members: list[Member] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member unit vectors
    span: Span | None = None  # first and last publication date
    hashes: set[str] = field(default_factory=set)


def by_date_then_id(features: ArticleFeatures | Member) -> tuple[dt.date, str]:
    """The canonical order of articles: undated first, then by date, then by id."""
    return (features.published or dt.date.min, features.id)


def age(story: ActiveStory) -> tuple[dt.date, str]:
    """Orders stories oldest first: by their first publication date, then id."""
    return (story.span[0] if story.span else dt.date.min, story.id)


def older(first: ActiveStory, second: ActiveStory) -> bool:
    """Whether ``first`` was reported first (or ties and sorts first)."""
    return age(first) <= age(second)


def average_link(first: ActiveStory, second: ActiveStory) -> float:
    """The mean similarity of the two stories' articles, pair by pair."""
    return dot_product(first.centroid, second.centroid) / (len(first.members) * len(second.members))


def founder(story: ActiveStory) -> str:
    """The article a story is named after, or its first article if that one has left."""
    named = [m.id for m in story.members if story_id_for(m.id) == story.id]
    return named[0] if named else min(story.members, key=by_date_then_id).id


def story_id_for(article_id: str) -> str:
    """A story's id: derived from the article that started it, so it survives growth."""
    return "s-" + hashlib.sha1(article_id.encode()).hexdigest()[:10]
