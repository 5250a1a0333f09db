"""Whether a summary sentence can stand alone, or leans on the sentence before it.

A sentence that opens with "He", "But" or "The call" right after a call, the middle of a
quotation, or a quote whose speaker is only a pronoun makes sense only after its anchor: a
summary takes it right after that sentence or not at all.
"""

from __future__ import annotations

import re
from functools import lru_cache

from storyfuse.models import Article
from storyfuse.text.words import content_words, stem

_DANGLING_START = re.compile(
    r"^[\"'“‘(]?(he|she|it|they|him|her|his|its|their|them|this|that|these|those|such|but|and|"
    r"or|so|yet|however|meanwhile|also|still|instead|moreover|furthermore|nevertheless|then|"
    r"both|here|another|other|others|the latter|the former|the two|the pair)\b",
    re.IGNORECASE,
)
_DEFINITE = re.compile(r"^[\"'“‘]?the\s+([a-z]+)", re.IGNORECASE)
_QUOTE_ONLY = re.compile(r"^[\"“‘'][^\"”]*[\"”’']?$")
_SPEECH_VERBS = "said|says|told|added|asked|responded|replied|wrote|stated"
_ATTRIBUTION = re.compile(rf"\b({_SPEECH_VERBS}|according)\b", re.IGNORECASE)
# "..., he told reporters": the quote's speaker is a pronoun, named only in what comes before.
_PRONOUN_SPEAKER = re.compile(rf"[,”\"’']\s*(he|she|they)\s+({_SPEECH_VERBS})\b", re.IGNORECASE)
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
    if _PRONOUN_SPEAKER.search(text):
        return True  # "“As soon as we get the facts straight ...,” he told reporters."
    definite = _DEFINITE.match(text)
    if definite and index > 0:
        noun = stem(definite.group(1).lower())
        if noun in content_words(article.sentences[index - 1].text):
            return True  # "The call ..." right after someone called
    return False
