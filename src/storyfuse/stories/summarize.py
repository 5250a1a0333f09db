"""Extractive multi-document summaries in which every sentence cites every reporter.

Summarizers share one signature (:class:`Summarizer`) and are chosen by name
from :data:`SUMMARIZERS`. The default, ``storyfuse``, opens with the event: the
lead sentence most articles open with. It then takes the sentences whose
distinct concepts weigh most within the budget, solved exactly as an integer
program (:mod:`storyfuse.stories.concept_cover`). A concept is a word pair that
independent sources print, weighed by how many print it and how early
(:mod:`storyfuse.stories.concepts`), or a word the sources' headlines use.
``greedy`` also opens with the event, then scores each sentence by

- agreement: how many independent sources use its content words,
- position: news puts what matters first,

and picks greedily under the word budget. Both skip any sentence that says
what a chosen one already says, and any that cannot stand alone ("He said",
"But", "The call ...") unless the sentence it leans on comes right before it.
Both take a ``focus`` topic statement.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache

from storyfuse.models import Article, SentenceRef, SummarySentence
from storyfuse.stories.concept_cover import Option, cover
from storyfuse.stories.concepts import (
    FOCUS_GAIN,
    concept_weights,
    day_witnesses,
    focused,
    headline_weights,
    headline_words,
    pair_concepts,
)
from storyfuse.stories.summary_sentences import (
    Candidate,
    alike_pairs,
    cite,
    opening_lead,
    reading_order,
    says_already,
    sentence_candidates,
    sentence_concepts,
)
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.words import content_words


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """How long a summary may be and what it may contain."""

    words: int = 120
    min_sentence_words: int = 8
    max_sentence_words: int = 120
    redundancy: float = 0.25
    # An article's sentence k gets a bonus of lead_bonus * exp(-k / lead_decay).
    lead_bonus: float = 3.0
    lead_decay: float = 3.0
    # A concept's weight is (independent sources reporting it) ** agreement_power.
    agreement_power: float = 3.0
    # Concept weight is divided by words ** length_penalty: 0 favours long sentences, 1 short.
    length_penalty: float = 0.3
    seed: int = 0
    focus: str = ""
    """A topic statement ("the costs of the rebuilding"); what it names weighs more."""


Summarizer = Callable[
    [Sequence[Article], SentenceIndex, SummaryOptions], tuple[SummarySentence, ...]
]


SOLE_SOURCE_WEIGHT = 0.1


def _candidates(articles: Sequence[Article], options: SummaryOptions) -> list[Candidate]:
    """The sentences ``options`` lets a summary take (:func:`sentence_candidates`)."""
    return sentence_candidates(
        articles, options.min_sentence_words, options.max_sentence_words, options.lead_decay
    )


def _concept_weights(
    articles: Sequence[Article], index: SentenceIndex, power: float
) -> dict[str, float]:
    """How many independent sources report each concept.

    Reprints of one wire story count once: agreement between outlets that
    reported separately is what marks a fact as central to the story. The
    opening of a day's only report (:func:`concepts.day_witnesses`) counts as
    agreed, as if a second source printed it.
    """
    by_source: dict[str, set[str]] = {}
    for article in articles:
        concepts = by_source.setdefault(index.sources[article.id], set())
        for sentence in article.sentences:
            concepts.update(sentence_concepts(sentence.text))
    weights: Counter[str] = Counter()
    for concepts in by_source.values():
        weights.update(concepts)
    if len(by_source) == 1:
        return dict(weights)
    witnesses = day_witnesses(articles, index)
    for article in articles:
        if article.id in witnesses and article.sentences:
            for concept in sentence_concepts(article.sentences[0].text):
                weights[concept] = max(weights[concept], 2)
    # What one source alone reports still fills a budget the shared facts leave.
    return {c: n**power if n > 1 else SOLE_SOURCE_WEIGHT for c, n in weights.items()}


@lru_cache(maxsize=64)
def _topic(focus: str) -> frozenset[str]:
    """The words of a topic statement, as concepts spell them."""
    return frozenset(w[:6] for w in content_words(focus))


def _focused(weights: dict[str, float], focus: str) -> dict[str, float]:
    """``weights`` with every concept naming a word of ``focus`` raised.

    The raise is FOCUS_GAIN times the largest concept weight, added: what the
    topic names counts as much as what the sources agree on most, even where
    a single source reports it.
    """
    topic = _topic(focus)
    if not topic or not weights:
        return weights
    raise_by = FOCUS_GAIN * max(weights.values())
    return {c: w + raise_by if topic.intersection(c.split()) else w for c, w in weights.items()}


def _worth(
    candidate: Candidate,
    weights: Mapping[str, float],
    options: SummaryOptions,
    covered: Set[str] = frozenset(),
) -> float:
    """The concept weight a sentence adds beyond ``covered``, per word, opening sentences first.

    With a focus, a sentence gains in proportion to the share of its words it names.
    """
    # fsum: the same total whatever order the set yields (hash seeds differ).
    gain = math.fsum(weights.get(c, 0.0) for c in candidate.concepts - covered)
    value = gain / candidate.words**options.length_penalty
    topic = _topic(options.focus)
    if topic:
        value *= 1.0 + FOCUS_GAIN * len(topic & candidate.concepts) / len(topic)
    return float(value * (1.0 + options.lead_bonus * candidate.lead))


def _fill(
    candidates: Sequence[Candidate],
    weights: Mapping[str, float],
    index: SentenceIndex,
    options: SummaryOptions,
    taken: Sequence[Candidate],
) -> list[Candidate]:
    """``taken`` and then, while the budget lasts, the sentence that adds most (:func:`_worth`).

    A sentence that leans on its predecessor is taken only right after it, and one
    too similar to a chosen sentence not at all.
    """
    chosen = list(taken)
    chosen_refs = {c.ref for c in chosen}
    covered: set[str] = set().union(*(c.concepts for c in chosen))
    budget = options.words - sum(c.words for c in chosen)

    def value(candidate: Candidate) -> float:
        return _worth(candidate, weights, options, covered)

    # Lazy greedy: a sentence's value only falls as more is covered, so a value
    # computed earlier is an upper bound, and the best is found by refreshing
    # only the top of the heap. Ties go to the earlier candidate.
    heap = [(-value(c), number, 0) for number, c in enumerate(candidates)]
    heapq.heapify(heap)
    waiting: dict[SentenceRef, list[int]] = defaultdict(list)  # by the sentence they lean on
    while heap:
        negative, number, scored_at = heapq.heappop(heap)
        candidate = candidates[number]
        if negative >= 0 or candidate.words > budget:
            continue  # adds nothing, or no longer fits: never will
        if scored_at != len(chosen):
            heapq.heappush(heap, (-value(candidate), number, len(chosen)))
            continue
        if candidate.leans_on_previous:
            previous = SentenceRef(candidate.ref.article, candidate.ref.sentence - 1)
            if previous not in chosen_refs:
                waiting[previous].append(number)
                continue
        if candidate.ref in chosen_refs or says_already(
            candidate, chosen, index, options.redundancy
        ):
            continue  # a chosen sentence says it already: stays so
        chosen.append(candidate)
        chosen_refs.add(candidate.ref)
        covered |= candidate.concepts
        budget -= candidate.words
        for follower in waiting.pop(candidate.ref, ()):
            heapq.heappush(heap, (-value(candidates[follower]), follower, len(chosen)))
    return chosen


def _cover_summary(
    articles: Sequence[Article],
    index: SentenceIndex,
    options: SummaryOptions,
) -> tuple[SummarySentence, ...]:
    """The sentences whose distinct concepts weigh most within the budget, solved exactly.

    Concepts and weights are :mod:`storyfuse.stories.concepts`; an integer program
    (:func:`concept_cover.cover`) picks the sentences, the opening lead among them, whose
    distinct concepts weigh most within the budget, so saying a thing twice earns nothing;
    of two that say the same in other words (:func:`alike_pairs`) at most one is taken. The
    options are the ``ILP_CANDIDATES`` sentences whose concepts weigh most, so the solve
    stays small whatever the story's size; what budget is left is filled greedily
    (:func:`_fill`).
    """
    weights = focused(concept_weights(articles, index), options.focus)
    weights.update(headline_weights(articles, index))
    shortest = min(options.min_sentence_words, SHORTEST_SENTENCE)
    candidates = _candidates(articles, replace(options, min_sentence_words=shortest))
    pairs = {c.ref: pair_concepts(c.text) | headline_words(c.text) for c in candidates}

    def first_value(candidate: Candidate) -> float:
        return math.fsum(weights.get(c, 0.0) for c in pairs[candidate.ref])

    ranked = sorted(range(len(candidates)), key=lambda n: (-first_value(candidates[n]), n))
    pool: list[Candidate] = []
    cover_options: list[Option] = []
    place: dict[SentenceRef, int] = {}
    group_of: dict[SentenceRef, int] = {}
    # In source order, so a sentence's predecessor is placed before it.
    for candidate in (candidates[n] for n in sorted(ranked[:ILP_CANDIDATES])):
        requires = None
        if candidate.leans_on_previous:
            requires = place.get(SentenceRef(candidate.ref.article, candidate.ref.sentence - 1))
            if requires is None:
                continue  # its anchor is not an option, so neither is it
        copies = {candidate.ref, *index.same_copy(candidate.ref)}
        ordered_copies = sorted(copies, key=lambda r: (r.article, r.sentence))
        group = next((group_of[r] for r in ordered_copies if r in group_of), len(group_of))
        group_of.update(dict.fromkeys(copies, group))
        place[candidate.ref] = len(pool)
        pool.append(candidate)
        cover_options.append(
            Option(
                words=candidate.words,
                concepts=pairs[candidate.ref],
                requires=requires,
                copy_group=group,
            )
        )
    # Of openings alike and worth the same, the earliest report's tells the event.
    day = {a.id: a.published or dt.date.max for a in articles}
    by_day = sorted(pool, key=lambda c: day[c.ref.article])
    opening = opening_lead(by_day, index, options.words, first_value)
    taken = [place[opening.ref]] if opening is not None else []
    apart = alike_pairs(pool, SAME_IN_OTHER_WORDS)
    positive = [w for w in weights.values() if w > 0]
    word_value = WORD_VALUE * math.fsum(positive) / max(1, len(positive))
    chosen_options = cover(cover_options, weights, options.words, taken, apart, word_value)
    core = [pool[k] for k in chosen_options]
    # What the shared pairs leave of the budget goes to what fewer sources add.
    rest = _focused(_concept_weights(articles, index, options.agreement_power), options.focus)
    chosen = _fill(candidates, rest, index, options, core)
    return cite(reading_order(chosen, articles, index, opening), index)


ILP_CANDIDATES = 300
# Of two sentences this alike (TF-IDF cosine), the summary takes at most one.
SAME_IN_OTHER_WORDS = 0.4
# Each word chosen earns this share of the mean concept weight: of two summaries covering
# alike, the one that fills the budget (ROUGE counts every word of the references) wins.
WORD_VALUE = 0.3
# Short sentences ("Russia denies interference in the election.") fill what budget is left.
SHORTEST_SENTENCE = 5


def greedy_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """The event, then greedily what most independent sources report (the former default).

    It opens with the lead most articles open with (:func:`opening_lead`), then
    fills the budget greedily (:func:`_fill`).
    """
    weights = _focused(_concept_weights(articles, index, options.agreement_power), options.focus)
    candidates = _candidates(articles, options)
    opening = opening_lead(candidates, index, options.words, lambda c: _worth(c, weights, options))
    chosen = _fill(candidates, weights, index, options, [opening] if opening else [])
    return cite(reading_order(chosen, articles, index, opening), index)


def storyfuse_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """The default: the event, then the sentences covering most concept weight, exactly.

    It opens with the lead most articles open with (:func:`opening_lead`) and covers
    the most concept weight the budget holds (:func:`_cover_summary`).
    """
    return _cover_summary(articles, index, options)


def lead_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """Baseline: the first sentences of each article in turn, while the budget lasts."""
    chosen: list[Candidate] = []
    budget = options.words
    longest = max((len(article.sentences) for article in articles), default=0)
    by_ref = {c.ref: c for c in _candidates(articles, options)}
    for position in range(longest):
        for article in articles:
            candidate = by_ref.get(SentenceRef(article.id, position))
            if (
                candidate
                and candidate.words <= budget
                and not says_already(candidate, chosen, index, 0.9)
            ):
                chosen.append(candidate)
                budget -= candidate.words
    return cite(chosen, index)


def random_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """Baseline: sentences drawn at random (seeded) while the budget lasts."""
    candidates = _candidates(articles, options)
    random.Random(options.seed).shuffle(candidates)
    chosen: list[Candidate] = []
    budget = options.words
    for candidate in candidates:
        if candidate.words <= budget:
            chosen.append(candidate)
            budget -= candidate.words
    return cite(chosen, index)


SUMMARIZERS: dict[str, Summarizer] = {
    "storyfuse": storyfuse_summary,
    "greedy": greedy_summary,
    "lead": lead_summary,
    "random": random_summary,
}


def get_summarizer(name: str) -> Summarizer:
    """The summarizer registered as ``name``; a clear error lists the known ones."""
    try:
        return SUMMARIZERS[name]
    except KeyError:
        known = ", ".join(sorted(SUMMARIZERS))
        raise ValueError(f"unknown summarizer {name!r} (known: {known})") from None


def choose_headline(articles: Sequence[Article]) -> str:
    """The title whose words the story's articles use most; else the earliest lead sentence."""
    usage: Counter[str] = Counter()
    for article in articles:
        usage.update({w for s in article.sentences for w in content_words(s.text)})
    best: tuple[float, int, str] | None = None
    for rank, article in enumerate(articles):
        if not article.title:
            continue
        words = set(content_words(article.title))
        score = sum(usage[w] for w in words) / math.sqrt(1 + len(words))
        key = (-score, rank, article.title)
        if best is None or key < best:
            best = key
    if best is not None:
        return best[2]
    return next((a.sentences[0].text for a in articles if a.sentences), "Untitled story")
