"""The concept model of a story: word pairs, weighted by the independent sources printing them.

A concept is a pair of adjacent stemmed words of a sentence, stopwords kept unless both words
of the pair are stopwords ("the minister", "minister resigned", "resigned on" but not "of the").
What many sources print is what the story is about: a concept weighs one for every independent
source (reprints of one wire story count once) that prints it, and up to POSITION_BONUS more
for each source printing it in its opening sentences, where news puts what matters. Where the
story has several sources, a pair only one of them prints weighs nothing (0), unless a
topic statement names it (:func:`focused`) or it opens the only report of its day
(:func:`day_witnesses`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from storyfuse.models import Article
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.tokens import match_tokens
from storyfuse.text.words import STOPWORDS, content_words, stem

POSITION_BONUS = 3.0
POSITION_DECAY = 1.5
FOCUS_GAIN = 2.0
SAME_DAYS = 1
"""Reports of two sources this many days apart or less may tell the same day's news."""
HEADLINE_WEIGHT = 8.0
HEADLINE = "headline:"
"""Marks a headline word among the concepts (a pair concept holds a space, a headline word none)."""


@lru_cache(maxsize=1 << 15)  # weights and candidates ask for the same sentences
def pair_concepts(text: str) -> frozenset[str]:
    """The adjacent stemmed word pairs of ``text`` that are not both stopwords."""
    tokens = match_tokens(text)
    stems = [stem(token) for token in tokens]
    return frozenset(
        f"{first} {second}"
        for (first, second), (first_token, second_token) in zip(
            pairwise(stems), pairwise(tokens), strict=True
        )
        if first_token not in STOPWORDS or second_token not in STOPWORDS
    )


def headline_words(text: str) -> frozenset[str]:
    """The words of ``text`` as headline concepts: stemmed content words cut to six letters."""
    return frozenset(HEADLINE + word[:6] for word in content_words(text))


def headline_weights(articles: Sequence[Article], index: SentenceIndex) -> dict[str, float]:
    """Each headline word's weight: HEADLINE_WEIGHT for every independent source it heads.

    A headline is what its outlet judged the story to be, in a few words; a sentence that
    tells what the headlines name tells what the story is about, whatever words it says it in.
    """
    by_source: defaultdict[str, set[str]] = defaultdict(set)
    for article in articles:
        if article.title:
            by_source[index.sources[article.id]].update(headline_words(article.title))
    heads = Counter(word for words in by_source.values() for word in words)
    return {word: HEADLINE_WEIGHT * count for word, count in heads.items()}


def day_witnesses(articles: Sequence[Article], index: SentenceIndex) -> frozenset[str]:
    """The articles that are the only report of their day: no other source's is a day or less apart.

    A story told over days and weeks brings news each day, and a day that one source alone
    reported has no second source to agree with it: the opening of that report is the day's
    news all the same. An undated report of another source may be of any day, so while one
    is in the story no article is known to be alone.
    """
    undated = {index.sources[a.id] for a in articles if a.published is None}
    sources_by_day: defaultdict[int, set[str]] = defaultdict(set)
    for article in articles:
        if article.published is not None:
            sources_by_day[article.published.toordinal()].add(index.sources[article.id])
    witnesses: set[str] = set()
    for article in articles:
        if article.published is None:
            continue
        source = index.sources[article.id]
        day = article.published.toordinal()
        near = range(day - SAME_DAYS, day + SAME_DAYS + 1)
        others = set().union(undated, *(sources_by_day.get(d, set()) for d in near))
        if not others - {source}:
            witnesses.add(article.id)
    return frozenset(witnesses)


def concept_weights(articles: Sequence[Article], index: SentenceIndex) -> dict[str, float]:
    """Each concept's weight: per source printing it, 1 plus its opening bonus (see module).

    A pair only one source prints keeps its weight where it opens a day's only report.
    """
    witnesses = day_witnesses(articles, index)
    days_news = {
        concept
        for article in articles
        if article.id in witnesses and article.sentences
        for concept in pair_concepts(article.sentences[0].text)
    }
    by_source: dict[str, dict[str, float]] = {}
    for article in articles:
        prominence = by_source.setdefault(index.sources[article.id], {})
        for sentence in article.sentences:
            value = 1.0 + POSITION_BONUS * math.exp(-sentence.index / POSITION_DECAY)
            for concept in pair_concepts(sentence.text):
                if prominence.get(concept, 0.0) < value:
                    prominence[concept] = value
    total: defaultdict[str, float] = defaultdict(float)
    holders: Counter[str] = Counter()
    for prominence in by_source.values():
        for concept, value in prominence.items():
            total[concept] += value
            holders[concept] += 1
    least = 2 if len(by_source) > 1 else 1
    return {
        c: value if holders[c] >= least or c in days_news else 0.0 for c, value in total.items()
    }


def focused(weights: dict[str, float], focus: str) -> dict[str, float]:
    """``weights`` with every concept naming a word of the topic statement ``focus`` raised.

    The raise is FOCUS_GAIN times the largest weight, added: what the topic names counts as
    much as what the sources agree on most.
    """
    topic = frozenset(content_words(focus))
    if not topic or not weights:
        return weights
    raise_by = FOCUS_GAIN * max(weights.values())
    return {c: w + raise_by if topic.intersection(c.split()) else w for c, w in weights.items()}
