"""Content words: the shared vocabulary of scoring, comparing and clustering."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from storyfuse.text.tokens import match_tokens

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according mr mrs ms
    one two three would could may might must shall us s t don didn doesn isn wasn weren
    however last week year years new time people like get got make made many much well
    even still back since among around another every per via yesterday today tomorrow
    monday tuesday wednesday thursday friday saturday sunday
    """.split()
)


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A light suffix stripper: enough to match "sanctions" with "sanction"."""
    if len(token) <= 4 or token.isdigit():
        return token
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)] + replacement
    return token


@lru_cache(maxsize=1 << 16)  # summary, comparison and clustering ask for the same sentences
def content_words(text: str) -> tuple[str, ...]:
    """Stemmed tokens of ``text`` without stopwords and one-letter tokens."""
    return content_tokens(match_tokens(text))


def content_tokens(tokens: Iterable[str]) -> tuple[str, ...]:
    """:func:`content_words` of already tokenized text."""
    return tuple(stem(t) for t in tokens if t not in STOPWORDS and len(t) > 1)
