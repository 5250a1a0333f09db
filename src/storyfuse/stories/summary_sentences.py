"""The sentences a summary may take, and what every summarizer does with them alike.

A :class:`Candidate` is one sentence with what the summarizers read from it: its TF-IDF
vector over the story's sentences, its concepts, its place in its article and whether it
leans on the sentence before it. The summarizers share the choice of the opening lead (the
event), the tests of two sentences saying the same, the reading order and the citations.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from storyfuse.models import Article, SentenceRef, SummarySentence
from storyfuse.stories.sentence_context import needs_context, word_count
from storyfuse.stories.support import printing_articles
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.words import content_words

OPENING_TIE = 0.9
"""Openings scoring this share of the best one's tell the same event alike."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence a summary may take, with what the summarizers read from it."""

    ref: SentenceRef
    text: str
    words: int
    vector: dict[str, float]
    concepts: frozenset[str]
    lead: float
    position: float
    leans_on_previous: bool


@lru_cache(maxsize=4096)  # weights and candidates ask for the same sentences
def sentence_concepts(text: str) -> frozenset[str]:
    """What a sentence says, as word prefixes and pairs of consecutive content words."""
    words = [w[:6] for w in content_words(text)]
    return frozenset(words) | frozenset(f"{a} {b}" for a, b in pairwise(words))


def sentence_candidates(
    articles: Sequence[Article], shortest: int, longest: int, lead_decay: float
) -> list[Candidate]:
    """The sentences of ``shortest`` to ``longest`` words that say something, in source order.

    Each has its TF-IDF vector, its concepts, its lead weight ``exp(-k / lead_decay)`` at
    sentence k and whether it leans on the sentence before it.
    """
    vectors = sentence_vectors(articles)
    candidates: list[Candidate] = []
    for article in articles:
        sentence_count = max(1, len(article.sentences))
        for sentence in article.sentences:
            words = word_count(sentence.text)
            ref = SentenceRef(article.id, sentence.index)
            if not shortest <= words <= longest:
                continue
            if not vectors[ref]:
                continue
            candidates.append(
                Candidate(
                    ref=ref,
                    text=sentence.text,
                    words=words,
                    vector=vectors[ref],
                    concepts=sentence_concepts(sentence.text),
                    lead=math.exp(-sentence.index / lead_decay),
                    position=sentence.index / sentence_count,
                    leans_on_previous=needs_context(article, sentence.index),
                )
            )
    return candidates


def sentence_vectors(articles: Sequence[Article]) -> dict[SentenceRef, dict[str, float]]:
    """Unit TF-IDF vectors over word prefixes, IDF taken over the story's sentences.

    Names every sentence shares weigh little; the words that say what happened
    ("congratulated", "not discussed") weigh most. Five-letter prefixes make
    "congratulated" and "congratulations" one word.
    """
    words = {
        SentenceRef(a.id, s.index): Counter(w[:5] for w in content_words(s.text))
        for a in articles
        for s in a.sentences
    }
    document_frequency: Counter[str] = Counter()
    for counts in words.values():
        document_frequency.update(counts.keys())
    total = len(words) + 1
    vectors: dict[SentenceRef, dict[str, float]] = {}
    for ref, counts in words.items():
        vector = {
            w: (1 + math.log(n)) * math.log(total / document_frequency[w])
            for w, n in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors[ref] = {w: v / norm for w, v in vector.items()}
    return vectors


def similarity(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """The cosine of two unit vectors."""
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second.get(word, 0.0) for word, weight in first.items())


def says_already(
    candidate: Candidate, chosen: Sequence[Candidate], index: SentenceIndex, threshold: float
) -> bool:
    """Whether a chosen sentence already says what ``candidate`` says."""
    same = index.same_copy(candidate.ref)
    return any(
        other.ref in same or similarity(candidate.vector, other.vector) >= threshold
        for other in chosen
    )


def reading_order(
    chosen: Sequence[Candidate],
    articles: Sequence[Article],
    index: SentenceIndex,
    opening: Candidate | None = None,
) -> list[Candidate]:
    """Reading order: the ``opening`` (the event) first, then day by day, within a day
    by place in the source articles; each leaning sentence right after its anchor. A
    story that ran over several days reads as it happened. A sentence's day is the
    earliest of the articles printing it; undated articles come last."""
    rank = {article.id: number for number, article in enumerate(articles)}
    day = {article.id: article.published or dt.date.max for article in articles}

    def first_day(candidate: Candidate) -> dt.date:
        printed_in = {candidate.ref, *index.same_copy(candidate.ref)}
        return min(day.get(ref.article, dt.date.max) for ref in printed_in)

    anchors = {c.ref for c in chosen if not c.leans_on_previous}
    ordered = sorted(
        (c for c in chosen if c.ref in anchors),
        key=lambda c: (
            c is not opening,
            first_day(c),
            round(c.position, 1),
            rank[c.ref.article],
            c.ref.sentence,
        ),
    )
    for follower in sorted(
        (c for c in chosen if c.ref not in anchors), key=lambda c: (c.ref.article, c.ref.sentence)
    ):
        previous = SentenceRef(follower.ref.article, follower.ref.sentence - 1)
        slot = next((i for i, c in enumerate(ordered) if c.ref == previous), len(ordered) - 1)
        ordered.insert(slot + 1, follower)
    return ordered


def cite(chosen: Sequence[Candidate], index: SentenceIndex) -> tuple[SummarySentence, ...]:
    """The chosen sentences as summary sentences, each citing every article printing it."""
    return tuple(
        SummarySentence(text=c.text, citations=printing_articles(c.ref, index), source=c.ref)
        for c in chosen
    )


def opening_lead(
    candidates: Sequence[Candidate],
    index: SentenceIndex,
    budget: int,
    value: Callable[[Candidate], float],
) -> Candidate | None:
    """The lead that most articles open with (as printed or in their own words).

    The lead is the event: what most reports put first is what happened. An
    opening sentence scores 1 for every article that opens with it or a copy of
    it, and its TF-IDF cosine for every other opening (how far that one says the
    same). Openings within OPENING_TIE of the best score tell the same event
    alike; of those, the one worth most to the summary (then the earlier) leads.
    The cosines to every opening add up to one dot product with their summed
    vectors, so a story of a thousand reprints costs a thousand products, not a
    million.
    """
    leads = [
        c
        for c in candidates
        if c.ref.sentence == 0 and not c.leans_on_previous and c.words <= budget
    ]
    if not leads:
        return None
    summed: defaultdict[str, float] = defaultdict(float)
    for lead in leads:
        for word, weight in lead.vector.items():
            summed[word] += weight
    lead_of = {lead.ref: lead for lead in leads}

    def openers(lead: Candidate) -> float:
        copies = [lead_of[ref] for ref in {lead.ref, *index.same_copy(lead.ref)} if ref in lead_of]
        # a copy counts 1 in place of its cosine
        return similarity(lead.vector, summed) + math.fsum(
            1.0 - similarity(lead.vector, copy.vector) for copy in copies
        )

    scores = [openers(lead) for lead in leads]
    best = max(scores)
    tied = [lead for lead, score in zip(leads, scores, strict=True) if score >= OPENING_TIE * best]
    return max(tied, key=value)


def alike_pairs(pool: Sequence[Candidate], threshold: float) -> list[tuple[int, int]]:
    """The pairs of ``pool`` whose TF-IDF cosine reaches ``threshold``: they say the same."""
    holders: defaultdict[str, list[int]] = defaultdict(list)
    for number, candidate in enumerate(pool):
        for word in candidate.vector:
            holders[word].append(number)
    dot: defaultdict[tuple[int, int], float] = defaultdict(float)
    for word, numbers in holders.items():
        for k, first in enumerate(numbers):
            weight = pool[first].vector[word]
            for second in numbers[k + 1 :]:
                dot[first, second] += weight * pool[second].vector[word]
    return sorted(pair for pair, value in dot.items() if value >= threshold)
