"""Extractive multi-document summaries in which every sentence cites every reporter.

Summarizers share one signature (:class:`Summarizer`) and are chosen by name
from :data:`SUMMARIZERS`. The default, ``storyfuse``, scores each sentence by

- agreement: how many of the story's articles use its content words,
- support: how many outlets print the sentence itself (wire copy or not),
- position: news puts what matters first,

then picks greedily under the word budget, skipping any sentence that says
what a chosen one already says, and any that cannot stand alone ("He said",
"But", "The call ...") unless the sentence it leans on comes right before it.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from storyfuse.models import Article, SentenceRef, SummarySentence
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.words import content_words, stem


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


Summarizer = Callable[
    [Sequence[Article], SentenceIndex, SummaryOptions], tuple[SummarySentence, ...]
]

_DANGLING_START = re.compile(
    r"^[\"'“‘(]?(he|she|it|they|him|her|his|its|their|them|this|that|these|those|such|but|and|"
    r"or|so|yet|however|meanwhile|also|still|instead|moreover|furthermore|nevertheless|then|"
    r"both|here|another|other|others|the latter|the former|the two|the pair)\b",
    re.IGNORECASE,
)
_DEFINITE = re.compile(r"^[\"'“‘]?the\s+([a-z]+)", re.IGNORECASE)
_QUOTE_ONLY = re.compile(r"^[\"“‘'][^\"”]*[\"”’']?$")
_ATTRIBUTION = re.compile(
    r"\b(said|says|told|added|asked|responded|replied|wrote|stated|according)\b", re.IGNORECASE
)


_OPEN_QUOTES = "“"
_CLOSE_QUOTES = "”"
_PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|their|its)\b", re.IGNORECASE)
_PROPER_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+")
_WORD_INSIDE_SENTENCE = re.compile(r"(?<=[a-z,;] )[A-Za-z]")  # first letters


def _unbalanced_quotes(text: str) -> bool:
    curly = text.count(_OPEN_QUOTES) != text.count(_CLOSE_QUOTES)
    first_close = text.find(_CLOSE_QUOTES)
    closes_first = first_close != -1 and first_close < (text.find(_OPEN_QUOTES) % (len(text) + 1))
    return curly or closes_first or text.count('"') % 2 == 1


def _early_pronoun(text: str, cased: bool) -> bool:
    """A pronoun in the first six words with no name before it to stand for.

    In text without capitals (``cased`` False) a name cannot be told from other
    words, so any content word before the pronoun may be what it stands for.
    """
    words = text.split()
    opening = " ".join(words[:6])
    pronoun = _PRONOUN.search(opening)
    if not pronoun:
        return False
    before = opening[: pronoun.start()]
    if cased:
        return not _PROPER_NAME.search(before)
    return not content_words(before)


@lru_cache(maxsize=4096)
def _cased(text: str) -> bool:
    """Whether ``text`` capitalises names: some capitalised words inside sentences."""
    inside: list[str] = _WORD_INSIDE_SENTENCE.findall(text)
    return sum(letter.isupper() for letter in inside) >= 0.02 * len(inside)


def word_count(text: str) -> int:
    """Words as a reader counts them (whitespace-separated)."""
    return len(text.split())


def needs_context(article: Article, index: int) -> bool:
    """Whether sentence ``index`` leans on the sentence before it to make sense."""
    text = article.sentences[index].text
    if _DANGLING_START.match(text):
        return True
    if _QUOTE_ONLY.match(text) and not _ATTRIBUTION.search(text):
        return True  # a quote continued from the previous paragraph
    if _unbalanced_quotes(text):
        return True  # the middle or end of a quotation that began earlier
    if _early_pronoun(text, _cased(article.text)):
        return True  # "A memorial bearing their names ..."
    definite = _DEFINITE.match(text)
    if definite and index > 0:
        noun = stem(definite.group(1).lower())
        if noun in content_words(article.sentences[index - 1].text):
            return True  # "The call ..." right after someone called
    return False


@dataclass(frozen=True, slots=True)
class _Candidate:
    ref: SentenceRef
    text: str
    words: int
    vector: dict[str, float]
    concepts: frozenset[str]
    lead: float
    position: float
    leans_on_previous: bool


SOLE_SOURCE_WEIGHT = 0.1


@lru_cache(maxsize=4096)  # weights and candidates ask for the same sentences
def _concepts(text: str) -> frozenset[str]:
    """What a sentence says, as word prefixes and pairs of consecutive content words."""
    words = [w[:6] for w in content_words(text)]
    return frozenset(words) | frozenset(f"{a} {b}" for a, b in pairwise(words))


def _candidates(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> list[_Candidate]:
    vectors = _sentence_vectors(articles)
    candidates: list[_Candidate] = []
    for article in articles:
        sentence_count = max(1, len(article.sentences))
        for sentence in article.sentences:
            words = word_count(sentence.text)
            ref = SentenceRef(article.id, sentence.index)
            if not options.min_sentence_words <= words <= options.max_sentence_words:
                continue
            if not vectors[ref]:
                continue
            candidates.append(
                _Candidate(
                    ref=ref,
                    text=sentence.text,
                    words=words,
                    vector=vectors[ref],
                    concepts=_concepts(sentence.text),
                    lead=math.exp(-sentence.index / options.lead_decay),
                    position=sentence.index / sentence_count,
                    leans_on_previous=needs_context(article, sentence.index),
                )
            )
    return candidates


def _concept_weights(
    articles: Sequence[Article], index: SentenceIndex, power: float
) -> dict[str, float]:
    """How many independent sources report each concept.

    Reprints of one wire story count once: agreement between outlets that
    reported separately is what marks a fact as central to the story.
    """
    by_source: dict[str, set[str]] = {}
    for article in articles:
        concepts = by_source.setdefault(index.sources[article.id], set())
        for sentence in article.sentences:
            concepts.update(_concepts(sentence.text))
    weights: Counter[str] = Counter()
    for concepts in by_source.values():
        weights.update(concepts)
    if len(by_source) > 1:
        # What one source alone reports still fills a budget the shared facts leave.
        return {c: n**power if n > 1 else SOLE_SOURCE_WEIGHT for c, n in weights.items()}
    return dict(weights)


def _sentence_vectors(articles: Sequence[Article]) -> dict[SentenceRef, dict[str, float]]:
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


def _similarity(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second.get(word, 0.0) for word, weight in first.items())


def _redundant(
    candidate: _Candidate, chosen: Sequence[_Candidate], index: SentenceIndex, threshold: float
) -> bool:
    """Whether a chosen sentence already says what ``candidate`` says."""
    same = index.same_copy(candidate.ref)
    return any(
        other.ref in same or _similarity(candidate.vector, other.vector) >= threshold
        for other in chosen
    )


def _order(
    chosen: Sequence[_Candidate], articles: Sequence[Article], index: SentenceIndex
) -> list[_Candidate]:
    """Reading order: day by day, within a day by place in the source articles; each
    leaning sentence right after its anchor. A story that ran over several days reads
    as it happened: the event first, what followed after. A sentence's day is the
    earliest of the articles printing it; undated articles come last."""
    rank = {article.id: number for number, article in enumerate(articles)}
    day = {article.id: article.published or dt.date.max for article in articles}

    def first_day(candidate: _Candidate) -> dt.date:
        printed_in = {candidate.ref, *index.same_copy(candidate.ref)}
        return min(day.get(ref.article, dt.date.max) for ref in printed_in)

    anchors = {c.ref for c in chosen if not c.leans_on_previous}
    ordered = sorted(
        (c for c in chosen if c.ref in anchors),
        key=lambda c: (first_day(c), round(c.position, 1), rank[c.ref.article], c.ref.sentence),
    )
    for follower in sorted(
        (c for c in chosen if c.ref not in anchors), key=lambda c: (c.ref.article, c.ref.sentence)
    ):
        previous = SentenceRef(follower.ref.article, follower.ref.sentence - 1)
        slot = next((i for i, c in enumerate(ordered) if c.ref == previous), len(ordered) - 1)
        ordered.insert(slot + 1, follower)
    return ordered


def _cite(chosen: Sequence[_Candidate], index: SentenceIndex) -> tuple[SummarySentence, ...]:
    return tuple(
        SummarySentence(text=c.text, citations=index.supporting_articles(c.ref), source=c.ref)
        for c in chosen
    )


def storyfuse_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """The default summarizer: cover what most independent sources report, in few words.

    Each step takes the sentence that adds the most not-yet-covered concept
    weight per word (with a bonus for an article's opening sentences) and
    still fits the budget; a sentence that leans on its predecessor is taken
    only right after it, and one too similar to a chosen sentence not at all.
    """
    weights = _concept_weights(articles, index, options.agreement_power)
    candidates = _candidates(articles, index, options)
    chosen: list[_Candidate] = []
    chosen_refs: set[SentenceRef] = set()
    covered: set[str] = set()
    budget = options.words

    def value(candidate: _Candidate) -> float:
        # fsum: the same total whatever order the set yields (hash seeds differ).
        gain = math.fsum(weights.get(c, 0.0) for c in candidate.concepts - covered)
        return float(
            gain
            / candidate.words**options.length_penalty
            * (1.0 + options.lead_bonus * candidate.lead)
        )

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
        if _redundant(candidate, chosen, index, options.redundancy):
            continue  # a chosen sentence says it already: stays so
        chosen.append(candidate)
        chosen_refs.add(candidate.ref)
        covered |= candidate.concepts
        budget -= candidate.words
        for follower in waiting.pop(candidate.ref, ()):
            heapq.heappush(heap, (-value(candidates[follower]), follower, len(chosen)))
    return _cite(_order(chosen, articles, index), index)


def lead_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """Baseline: the first sentences of each article in turn, while the budget lasts."""
    chosen: list[_Candidate] = []
    budget = options.words
    longest = max((len(article.sentences) for article in articles), default=0)
    by_ref = {c.ref: c for c in _candidates(articles, index, options)}
    for position in range(longest):
        for article in articles:
            candidate = by_ref.get(SentenceRef(article.id, position))
            if (
                candidate
                and candidate.words <= budget
                and not _redundant(candidate, chosen, index, 0.9)
            ):
                chosen.append(candidate)
                budget -= candidate.words
    return _cite(chosen, index)


def random_summary(
    articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
) -> tuple[SummarySentence, ...]:
    """Baseline: sentences drawn at random (seeded) while the budget lasts."""
    candidates = _candidates(articles, index, options)
    random.Random(options.seed).shuffle(candidates)
    chosen: list[_Candidate] = []
    budget = options.words
    for candidate in candidates:
        if candidate.words <= budget:
            chosen.append(candidate)
            budget -= candidate.words
    return _cite(chosen, index)


SUMMARIZERS: dict[str, Summarizer] = {
    "storyfuse": storyfuse_summary,
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
