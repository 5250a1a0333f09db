"""Whether a text attributes a quote to a speaker beside it: the rule the audit checks.

A quote is attributed to a speaker when, in the quote's sentences and the one on
each side of them (the quote's own words left out), there stand an attribution (a
speech verb, "according to", or a name joined to the quote by a dash or a colon)
and a word of the speaker's name, or a personal pronoun whose person (a word of
the name) is named in the sentence before those. Quoted sentences just before the
quote (up to three) count as its own, so a quote that runs on from an attributed
one keeps its attribution. A name only inside the quote, or only further away,
does not count. Quote marks and whitespace are normalised
first, so the rule reads raw and cleaned text alike.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from storyfuse.stories.entity_lexicon import SPEECH_BASES, TITLES, is_speech_verb

_DOUBLE_QUOTES = re.compile(r"[“”„‟″«»]|''|``")
_SINGLE_QUOTES = re.compile(r"[‘’‚‛′`´]")
_NAME_WORD = re.compile(r"[^\W\d_]+")
_PRONOUNS = frozenset({"he", "she", "they"})
_JOINED_AFTER = re.compile(r"""^["',\s]*[―—–-]{1,2}\s*(?P<name>[^\W\d_]+)""")
_JOINED_BEFORE = re.compile(r"""(?P<name>[^\W\d_]+)\s*:\s*["']?$""")


def normalize_printed(text: str) -> str:
    """Text with quote marks folded to ASCII and every run of whitespace one space."""
    text = _SINGLE_QUOTES.sub("'", _DOUBLE_QUOTES.sub('"', text))
    return " ".join(text.split())


class SentenceText:
    """A text's sentences, normalised and joined by spaces, with each one's bounds."""

    def __init__(self, sentences: Sequence[str]) -> None:
        pieces = [normalize_printed(sentence) for sentence in sentences]
        bounds: list[tuple[int, int]] = []
        start = 0
        for piece in pieces:
            bounds.append((start, start + len(piece)))
            start += len(piece) + 1
        self.text = " ".join(pieces)
        self.bounds = bounds or [(0, 0)]
        self._ends = [end for _, end in self.bounds]
        self._quoted = [piece.startswith('"') for piece in pieces] or [False]

    def attributes(self, quote: str, speaker: str) -> bool:
        """Whether some printing of ``quote`` is attributed to ``speaker`` beside it."""
        wanted = normalize_printed(quote)
        name = {w.casefold() for w in _NAME_WORD.findall(speaker) if len(w) > 1} - TITLES
        if not wanted or not name:
            return False
        at = self.text.find(wanted)
        while at >= 0:
            if self._attributed_at(at, at + len(wanted), name):
                return True
            at = self.text.find(wanted, at + 1)
        return False

    def _attributed_at(self, start: int, end: int, name: set[str]) -> bool:
        bounds, text = self.bounds, self.text
        first = bisect.bisect_right(self._ends, start)
        last = min(len(bounds) - 1, bisect.bisect_left(self._ends, end))
        window_start = bounds[max(0, first - 1)][0]
        window_end = bounds[min(len(bounds) - 1, last + 1)][1]
        before, after = text[window_start:start], text[end:window_end]
        words = {w.casefold() for w in _NAME_WORD.findall(f"{before} {after}")}
        joined = _JOINED_AFTER.match(after) or _JOINED_BEFORE.search(before)
        cue = joined is not None and joined["name"].casefold() in name
        # any form of a speech verb, the base too ("he did not say")
        cue = cue or any(is_speech_verb(w) or w in SPEECH_BASES for w in words)
        cue = cue or "according" in words
        if not cue:
            return False
        if words & name:
            return True
        earlier = text[bounds[first - 2][0] : bounds[first - 1][0]] if first >= 2 else ""
        named_earlier = {w.casefold() for w in _NAME_WORD.findall(earlier)}
        return bool(words & _PRONOUNS) and bool(name & named_earlier)
