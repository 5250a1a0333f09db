"""Sentence segmentation tuned for news prose.

A single regular-expression pass finds candidate boundaries (``.``, ``!``,
``?`` or ``…``, optionally followed by closing quotes or brackets, then
whitespace and an opening capital, digit or quote), and a few rules veto the
candidates that are abbreviations (``Mr.``, ``Dr.``, ``U.S.``, ``Jan.``),
initials (``J. R. R.``) or decimal points. Paragraph breaks always end a
sentence. Offsets into the article text are kept so that a sentence can be
found again exactly where it was written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storyfuse.models import Sentence

PARAGRAPH_SEPARATOR = "\n\n"

# Words that take a full stop without ending a sentence.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr adm gov sen rep pres
    rev hon fr messrs mmes sec inc corp ltd co bros dept est
    approx vs etc al jan feb mar apr jun jul aug sep sept oct nov dec
    ave blvd rd ft
    """.split()
)
# Abbreviations that may legitimately end a sentence ("... in the U.S. He said").
_SENTENCE_FINAL_ABBREVIATIONS = frozenset({"etc", "inc", "corp", "ltd", "co", "bros"})

_OPENING_QUOTES = "\"'“‘«"
_CLOSING = "\"'”’»)]"
_BOUNDARY = re.compile(
    r"""
    (?<![.!?…])                         # from the first mark of a run: linear in the text
    (?P<end>[.!?…]++[\"'”’»)\]]*+)      # terminal punctuation, closing quotes/brackets
    (?P<space>\s++)                     # whitespace between sentences
    (?=[\"'“‘«(\[]*[A-Z0-9À-ÖØ-Þ])       # next sentence opens with a capital or digit
    """,
    re.VERBOSE,
)
# A glued boundary such as "difference.Donald" (no space after the stop),
# common when boilerplate and body were concatenated by a scraper.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_LOOK_BEHIND = 100  # characters before a full stop that decide whether it ends a sentence


def _is_abbreviation(text_before: str) -> bool:
    """Whether the word ending at a full stop is an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text_before)
    if not match:
        return False
    word = match.group(1)
    bare = word.rstrip(".").lower()
    if "." in word.rstrip("."):
        # U.S, U.K, a.m, e.g: dotted abbreviations; they may still end a sentence,
        # which the caller decides from the next word.
        return True
    if len(bare) == 1 and word[0].isupper():
        return True  # an initial: "John F. Kennedy"
    return bare in _ABBREVIATIONS and bare not in _SENTENCE_FINAL_ABBREVIATIONS


def _next_word(text: str, start: int) -> str:
    match = re.match(r"[\"'“‘«(\[]*([A-Za-z]+)", text[start:])
    return match.group(1) if match else ""


_SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you his her its their this that these those
    but and or so yet in on at as if when while after before since although
    though meanwhile however there here what who why how mr mrs ms dr
    """.split()
)


def _split_paragraph(paragraph: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of one paragraph."""
    spans: list[tuple[int, int]] = []
    start = 0
    cut_points: list[tuple[int, int]] = []
    for match in _BOUNDARY.finditer(paragraph):
        end_punct = match.group("end")
        # Only the last words before the stop matter: a bounded tail keeps this linear.
        stop = match.start("end") + 1
        before = paragraph[max(start, stop - _LOOK_BEHIND) : stop]
        if end_punct[0] == "." and len(end_punct.rstrip(_CLOSING)) == 1:
            word = _WORD_BEFORE.search(before)
            following = _next_word(paragraph, match.end("space")).lower()
            if (
                word is not None
                and word.group(1).rstrip(".").lower() in _SENTENCE_FINAL_ABBREVIATIONS
                and following in _SENTENCE_FINAL_ABBREVIATIONS
            ):
                continue  # "Exhibitor Relations Co. Inc.": one name, two suffixes
            if _is_abbreviation(before):
                word = _WORD_BEFORE.search(before)
                dotted = word is not None and "." in word.group(1).rstrip(".")
                following = _next_word(paragraph, match.end("space")).lower()
                if not (dotted and following in _SENTENCE_STARTERS):
                    continue
            # "3.5", "No. 10", "pp. 3": a stop before a number that is part of it.
            next_char = paragraph[match.end("space") : match.end("space") + 1]
            if next_char.isdigit() and re.search(r"(\d|\b(?i:no|nos|vol|pp|fig|art))\.$", before):
                continue
        cut_points.append((match.end("end"), match.end("space")))
    for match in _GLUED.finditer(paragraph):
        cut_points.append((match.start(), match.start()))
    for end, next_start in sorted(cut_points):
        if end <= start:
            continue
        spans.append((start, end))
        start = next_start
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return [(s, e) for s, e in spans if paragraph[s:e].strip()]


def split_sentences(text: str) -> list[str]:
    """Split free text into sentences (paragraph breaks are blank lines)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [sentence.text for sentence in segment(paragraphs)]


def join_paragraphs(paragraphs: Sequence[str]) -> str:
    """The article text that sentence offsets refer to."""
    return PARAGRAPH_SEPARATOR.join(paragraphs)


def segment(paragraphs: Sequence[str]) -> tuple[Sentence, ...]:
    """Split cleaned paragraphs into sentences with offsets into ``join_paragraphs``."""
    sentences: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(paragraphs):
        for start, end in _split_paragraph(paragraph):
            raw = paragraph[start:end]
            stripped_start = start + (len(raw) - len(raw.lstrip()))
            stripped_end = end - (len(raw) - len(raw.rstrip()))
            sentences.append(
                Sentence(
                    index=len(sentences),
                    text=paragraph[stripped_start:stripped_end],
                    paragraph=number,
                    start=offset + stripped_start,
                    end=offset + stripped_end,
                )
            )
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return tuple(sentences)
