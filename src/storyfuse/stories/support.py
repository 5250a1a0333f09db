"""When an article supports a claim: the rule every citation of a story follows.

An article supports a claim (a summary sentence, a shared fact) when it prints a
sentence that says the same thing, in both directions: the sentence holds every
content word of the claim, the claim holds most of the sentence's content words
(so a long sentence that merely contains the words of a short claim does not
count), both give exactly the same figures (80 firefighters never support
"90 firefighters", nor "three possible versions" "two possible versions"), and both deny
alike (a sentence saying "it's not just a movie" never supports "it's a movie"). A claim of
fewer than SHORT_CLAIM content words says too little to match by its words ("Now it's what
you know." and "He should know." share their one content word): it is supported only by a
sentence printing it nearly word for word, as the near-duplicate check reads it. Content
words are those of :func:`content_words`, with the spellings of a time of day folded into
one ("6 a.m.", "6am").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from weakref import WeakKeyDictionary

from storyfuse.models import Article, SentenceRef
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.tokens import coverage, match_tokens
from storyfuse.text.words import content_words

# Share of the supporting sentence's content words the claim must hold.
REVERSE_OVERLAP = 0.75
# A claim of fewer content words must be printed nearly word for word: at least
# NEAR_IDENTICAL of its tokens and of the sentence's in common runs, in order.
SHORT_CLAIM = 3
NEAR_IDENTICAL = 0.9

_NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)*)\s*(%|per ?cent\b|percent\b|million\b|billion\b|thousand\b)?",
    re.IGNORECASE,
)
_DENIAL = re.compile(
    r"\b(not|no|never|nor|neither|none|nothing|nobody|without|cannot)\b|n[’']t\b", re.IGNORECASE
)
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    word: str(10 * tens)
    for tens, word in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_TIME_OF_DAY = re.compile(r"\b(\d{1,2}(?:[:.]\d\d)?)\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)


def figures(text: str) -> frozenset[str]:
    """The figures a sentence gives, normalised ("71 per cent" and "71%" are one figure).

    Years (1900-2099 without a unit) are left out: a date is not a measured figure. Numbers
    spelled out up to ninety count as their digits ("three" is "3").
    """
    found = {_NUMBER_WORDS[word.lower()] for word in _NUMBER_WORD.findall(text)}
    for number, unit in _NUMBER.findall(text):
        value = number.replace(",", "")
        if not unit and re.fullmatch(r"(19|20)\d\d", value):
            continue
        unit = re.sub(r"per ?cent", "%", unit.lower())
        found.add(f"{value}{unit}")
    return frozenset(found)


def without_figures(text: str) -> str:
    """``text`` with its figures blanked out."""
    return _NUMBER.sub(" ", text)


@dataclass(frozen=True, slots=True)
class Terms:
    """What a sentence says, for support: its content words and its figures."""

    words: frozenset[str]
    figures: frozenset[str]
    denials: int = 0
    """How many words of denial ("not", "never", "-n't") the text holds."""
    tokens: tuple[str, ...] = field(default=(), compare=False)
    """The text's tokens as the near-duplicate check reads them, kept only for texts short
    enough to take part in a short claim's check (not part of what the text says)."""

    def held_by(self, other: Terms) -> bool:
        """Whether ``other`` holds every content word and every figure of this text."""
        return self.words <= other.words and self.figures <= other.figures


@lru_cache(maxsize=1 << 16)
def terms(text: str) -> Terms:
    """The content words (times of day folded), the figures and the denials of ``text``."""
    folded = _TIME_OF_DAY.sub(lambda m: f"{m.group(1)}{m.group(2).lower()}m", text)
    words = frozenset(content_words(folded))
    # Only a text this short can make, or support, a short claim: keep its tokens for that.
    short = len(words) <= (SHORT_CLAIM - 1) / REVERSE_OVERLAP
    return Terms(
        words, figures(text), len(_DENIAL.findall(text)), match_tokens(text) if short else ()
    )


def supports(sentence: Terms, claim: Terms) -> bool:
    """Whether a sentence supports a claim both ways, with the same figures and denials."""
    if not (
        bool(claim.words)
        and claim.words <= sentence.words
        and claim.figures == sentence.figures
        and claim.denials == sentence.denials
        and len(claim.words) >= REVERSE_OVERLAP * len(sentence.words)
    ):
        return False
    if len(claim.words) >= SHORT_CLAIM:
        return True
    return min(coverage(claim.tokens, sentence.tokens)) >= NEAR_IDENTICAL


class SupportIndex:
    """The sentences of a set of articles, looked up by content word."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.terms: dict[SentenceRef, Terms] = {}
        self._postings: dict[str, list[SentenceRef]] = defaultdict(list)
        self._by_terms: dict[Terms, list[SentenceRef]] = defaultdict(list)
        for article in articles:
            for sentence in article.sentences:
                ref = SentenceRef(article.id, sentence.index)
                found = terms(sentence.text)
                self.terms[ref] = found
                self._by_terms[found].append(ref)
                for word in found.words:
                    self._postings[word].append(ref)

    def twins(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        """Sentences with exactly this sentence's content words and figures (itself too)."""
        return tuple(self._by_terms[self.terms[ref]])

    def citing_articles(
        self, ref: SentenceRef, printed: Mapping[SentenceRef, Sequence[str]] | None = None
    ) -> tuple[str, ...]:
        """The sentence's own article and every article with a sentence that supports it.

        With ``printed`` (each sentence's tokens), the supporting sentence must also print
        the claim nearly word for word: NEAR_IDENTICAL of its tokens in common runs, in order.
        """
        claim = self.terms[ref]
        cited = {ref.article}
        if claim.words:
            rarest = min(claim.words, key=lambda word: len(self._postings[word]))
            for other in self._postings[rarest]:
                if (
                    other.article not in cited
                    and supports(self.terms[other], claim)
                    and (printed is None or _prints(printed[other], printed[ref]))
                ):
                    cited.add(other.article)
        return tuple(sorted(cited))


_INDEXES: WeakKeyDictionary[SentenceIndex, SupportIndex] = WeakKeyDictionary()


def support_index(index: SentenceIndex) -> SupportIndex:
    """The support index of the articles of ``index``, built once per sentence index."""
    found = _INDEXES.get(index)
    if found is None:
        found = _INDEXES[index] = SupportIndex(index.articles.values())
    return found


def citing_articles(ref: SentenceRef, index: SentenceIndex) -> tuple[str, ...]:
    """The articles a fact taken from sentence ``ref`` may cite: those saying it, in any words."""
    return support_index(index).citing_articles(ref)


def printing_articles(ref: SentenceRef, index: SentenceIndex) -> tuple[str, ...]:
    """The articles a summary sentence taken from ``ref`` cites: those printing it, or nearly.

    A summary shows the sentence itself, so each article it cites must print that sentence
    word for word or with light edits, besides supporting its claim.
    """
    return support_index(index).citing_articles(ref, index.tokens)


def _prints(sentence: Sequence[str], claim: Sequence[str]) -> bool:
    """Whether ``sentence`` prints NEAR_IDENTICAL of the ``claim``'s tokens in common runs."""
    return coverage(claim, sentence)[0] >= NEAR_IDENTICAL


def twin_sentences(ref: SentenceRef, index: SentenceIndex) -> tuple[SentenceRef, ...]:
    """The sentences of the story that make exactly the claim of ``ref``: one fact."""
    return support_index(index).twins(ref)
