"""Tokens for matching text across articles: case, quote marks and spelling folded.

Outlets print the same sentence as "U.S." or "US", with straight or curly
quotes, in British or American spelling; :func:`match_tokens` reduces each
to the same token sequence, and :func:`coverage` says how much of two such
sequences their common runs cover; :func:`common_subsequence` bounds that
cheaply (in C), so that pairs which cannot cover enough are never aligned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz.distance import LCSseq

_PHRASES = (
    (re.compile(r"\bu\.\s?s\.(?=\W|$)|\bunited states\b", re.IGNORECASE), "us"),
    (re.compile(r"\bu\.\s?k\.(?=\W|$)|\bunited kingdom\b", re.IGNORECASE), "uk"),
    (re.compile(r"[’‘`´]"), "'"),
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPELLING_WORDS = {
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "programme": "program",
    "programmes": "programs",
    "grey": "gray",
    "whilst": "while",
    "amongst": "among",
    "towards": "toward",
    "learnt": "learned",
    "cheque": "check",
    "tyre": "tire",
    "tyres": "tires",
    "aluminium": "aluminum",
    "mum": "mom",
}
_SPELLING_SUFFIXES = (
    ("isation", "ization"),
    ("isations", "izations"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("our", "or"),
    ("ours", "ors"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("ourite", "orite"),
    ("tre", "ter"),
    ("tres", "ters"),
)


@lru_cache(maxsize=65536)
def _american(token: str) -> str:
    if token in _SPELLING_WORDS:
        return _SPELLING_WORDS[token]
    if len(token) < 6:
        return token
    for british, american in _SPELLING_SUFFIXES:
        if token.endswith(british):
            return token[: -len(british)] + american
    return token


@lru_cache(maxsize=1 << 16)  # every stage tokenizes the same sentences again
def match_tokens(text: str) -> tuple[str, ...]:
    """Tokens for near-duplicate matching: case, quotes and spelling variants folded."""
    folded = text
    for pattern, replacement in _PHRASES:
        folded = pattern.sub(replacement, folded)
    return tuple(_american(token.replace("'", "")) for token in _TOKEN.findall(folded.lower()))


def common_subsequence(first: Sequence[str], second: Sequence[str]) -> int:
    """The length of the longest common subsequence: :func:`coverage` covers at most this."""
    return int(LCSseq.similarity(first, second))


@lru_cache(maxsize=1 << 14)  # reprints bring the same pair of sentences again
def coverage(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[float, float]:
    """Share of ``first`` and of ``second`` covered by their common token runs, in order."""
    if not first or not second:
        return 0.0, 0.0
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks() if block.size >= 2)
    return matched / len(first), matched / len(second)


def shingles(tokens: tuple[str, ...], size: int) -> set[tuple[str, ...]]:
    """The distinct runs of ``size`` consecutive tokens (n-grams)."""
    return set(zip(*(tokens[i:] for i in range(size)), strict=False))
