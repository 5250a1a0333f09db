"""Boilerplate removal: keep every sentence of the article, say why anything went.

The cleaner works on lines, then on the sentences of each paragraph:

1. Metadata the metadata stage found (headline, date line, source URL line)
   is removed with its reason.
2. Lines become paragraphs; a sentence broken across a paragraph break
   ("... an" / "arms race ...") is joined again.
3. Whole lines that are boilerplate by their form (related links, photo
   credits, share prompts, copyright lines, a lone "Comments") go.
4. Each remaining paragraph is split into sentences and each sentence is
   judged on its own, so an appeal glued to the first sentence of the story
   ("...all the difference.Donald Trump has called...") loses only the appeal.
5. Lines an outlet repeats across its articles (footers, appeals) go too;
   see :func:`repeated_outlet_lines`.

The reasons and the patterns of each step are in :mod:`storyfuse.text.boilerplate_rules`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

from storyfuse.models import CleanedText, DocumentMetadata, Removal
from storyfuse.text.boilerplate_rules import (
    ABOUT_JOURNALISM,
    APPEAL,
    CREDIT,
    LEADING_NOTICES,
    LINE_RULES,
    NOTICE_RULES,
    OUTLET_VOICE,
    REPEATED,
    SELF_PROMOTION,
    SENTENCE_RULES,
    TRAILING_NOTICES,
    TRIGGER_OPENINGS,
    TRIGGER_WORDS,
)
from storyfuse.text.page_talk import READER_ADDRESS, reader_address, standalone_reason
from storyfuse.text.segment import segment

# Quoted speech, including a quotation left open at the end of a paragraph.
_QUOTED = re.compile(r"“[^”]*(”|$)|\"[^\"]*(\"|$)")
_TERMINAL = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$|[\"”]\s*$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")  # a word in any script
_TAIL_WORDS = 8
_MOSTLY = 3
_LABEL_WORDS = 30
# Boilerplate is short: a longer "sentence" (a run-on paragraph) is text, and the
# rules' "A .* B" patterns would cost its length times their trigger count.
_MAX_NOTICE_CHARS = 2000
_LINE_ARTICLES = 12  # articles per line whose pairs decide whether it is a template line


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """What the cleaner knows beyond the text itself."""

    outlet: str | None = None
    repeated_lines: frozenset[str] = frozenset()


def _normalize_line(line: str) -> str:
    return " ".join(line.split()).casefold()


def _line_reason(line: str) -> str | None:
    """The reason to drop a whole line, judged only for short, label-like lines.

    A long line is a paragraph: a credit or link inside it ("... Reuters/Jane Doe
    San Francisco the novel ...") cannot be cut out cleanly, and the paragraph
    must not be lost with it; its sentences are judged one by one instead.
    """
    if len(line.split()) > _LABEL_WORDS:
        return None
    for reason, pattern in LINE_RULES:
        if pattern.search(line):
            return reason
    return None


def _triggered(unquoted: str) -> bool:
    """Whether a sentence holds a word or opening some sentence rule looks for."""
    lowered = unquoted.lower()
    return any(word in lowered for word in TRIGGER_WORDS) or bool(TRIGGER_OPENINGS.match(unquoted))


def _sentence_reason(unquoted: str, outlet: str | None) -> str | None:
    """Why a sentence (with quoted speech blanked out) is boilerplate on its own."""
    if len(unquoted) <= _MAX_NOTICE_CHARS and _triggered(unquoted):
        for reason, pattern in SENTENCE_RULES:
            if pattern.search(unquoted):
                return reason
        if len(unquoted.split()) <= _LABEL_WORDS:
            for reason, pattern in NOTICE_RULES:
                if pattern.search(unquoted):
                    return reason
    if (
        outlet
        and outlet.casefold() in unquoted.casefold()
        and (
            OUTLET_VOICE.search(unquoted)
            or ABOUT_JOURNALISM.search(unquoted)
            or SELF_PROMOTION.search(unquoted)
        )
    ):
        return APPEAL
    if reader_address(unquoted, outlet):
        return READER_ADDRESS
    return None


def _appeal_signal(unquoted: str, outlet: str | None) -> int:
    """How much a sentence sounds like an appeal: 2 for "we" about journalism, 1 for
    journalism alone or for the article's own outlet named, 0 for neither.

    Columns and statements say "we" too, so a signal never removes a sentence on its
    own: 2 counts next to a certain appeal, 1 only in the same paragraph as one
    ("The Morning Herald has reported since 1921. Members keep our newsroom ...").
    """
    if ABOUT_JOURNALISM.search(unquoted):
        return 2 if OUTLET_VOICE.search(unquoted) else 1
    if outlet and outlet.casefold() in unquoted.casefold():
        return 1
    return 0


def _is_prose(line: str) -> bool:
    """A line that reads as a sentence rather than a label, credit or heading."""
    words = _WORD.findall(line)
    return len(words) >= 8 or (len(words) >= 4 and bool(_TERMINAL.search(line)))


def _soft_wrapped(lines: Sequence[str]) -> bool:
    """Whether paragraphs are blank-line separated with lines wrapped inside them."""
    return any(not line.strip() for line in lines[1:-1]) and any(
        b.strip() and len(_WORD.findall(a)) >= 8 and not _TERMINAL.search(a)
        for a, b in pairwise(lines)
    )


def _standalone(lines: Sequence[str], number: int, soft_wrapped: bool) -> bool:
    """Whether a line is a paragraph of its own (in soft-wrapped text: blank lines around it)."""
    if not soft_wrapped:
        return True
    return all(
        not lines[other].strip() for other in (number - 1, number + 1) if 0 <= other < len(lines)
    )


def _paragraphs(lines: Sequence[str | None], soft_wrapped: bool) -> list[tuple[list[str], bool]]:
    """Group kept lines into paragraphs; ``None`` marks a removed line, a break.

    A soft-wrapped document keeps the lines of a paragraph together; otherwise
    every line is a paragraph of its own. Each paragraph comes with whether a
    removed line lies between it and the paragraph before.
    """
    paragraphs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    removed_before = False

    def close() -> None:
        nonlocal current, removed_before
        if current:
            paragraphs.append((current, removed_before))
            current, removed_before = [], False

    for line in lines:
        if line is None or not line.strip():
            close()
            removed_before = removed_before or line is None
        elif soft_wrapped:
            current.append(line)
        else:
            current.append(line)
            close()
    close()
    return paragraphs


def _continues(previous: str, following: str) -> bool:
    """Whether ``following`` finishes a sentence that ``previous`` left open."""
    return bool(
        previous.strip()
        and not _TERMINAL.search(previous)
        and following[:1].islower()
        and _is_prose(previous)
    )


def _judge_sentences(paragraph: str, outlet: str | None) -> list[tuple[str, str | None, int]]:
    """Each sentence of a paragraph with its own removal reason and the weak signal."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group()), paragraph)
    judged: list[tuple[str, str | None, int]] = []
    for sentence in segment([paragraph]):
        text, own = sentence.text, unquoted[sentence.start : sentence.end]
        for reason, pattern in LEADING_NOTICES:
            notice = pattern.match(text)
            if notice:
                judged.append((text[: notice.end()].strip(), reason, 0))
                text, own = text[notice.end() :], own[notice.end() :]
                break
        trailing: tuple[str, str | None, int] | None = None
        for reason, pattern in TRAILING_NOTICES:
            notice = pattern.search(text)
            if notice:
                trailing = (text[notice.start() :].strip(), reason, 0)
                text, own = text[: notice.start()], own[: notice.start()]
                break
        if text:
            judged.append((text, _sentence_reason(own, outlet), _appeal_signal(own, outlet)))
        if trailing:
            judged.append(trailing)
    return judged


def clean_text(text: str, metadata: DocumentMetadata, options: CleanOptions) -> CleanedText:
    """Split ``text`` into the article's own paragraphs and the removed boilerplate."""
    removed: list[Removal] = []
    lines = text.splitlines()
    soft_wrapped = _soft_wrapped(lines)
    for span in metadata.spans:
        if 0 <= span.line < len(lines) and lines[span.line].startswith(span.text):
            removed.append(Removal(span.text.strip(), span.reason))
            lines[span.line] = lines[span.line][len(span.text) :]

    kept_lines: list[str | None] = []
    seen_prose = False
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            kept_lines.append("")
            continue
        reason = _line_reason(stripped)
        if reason is None and _normalize_line(stripped) in options.repeated_lines:
            reason = REPEATED
        unquoted = _QUOTED.sub(" ", stripped)
        if reason is None and seen_prose and _standalone(lines, number, soft_wrapped):
            reason = standalone_reason(stripped, unquoted)
            if reason is not None and _sentence_reason(unquoted, options.outlet) is not None:
                reason = None  # its sentences are judged by the rules that name it better
        if reason is None and not seen_prose and not _is_prose(stripped):
            # a short label between the headline and the story
            reason = _sentence_reason(unquoted, options.outlet) or CREDIT
        if reason is not None:
            removed.append(Removal(stripped, reason))
            kept_lines.append(None)
            continue
        seen_prose = True
        kept_lines.append(stripped)

    paragraphs: list[str] = []
    for group, removed_before in _paragraphs(kept_lines, soft_wrapped):
        joined = " ".join(part.strip() for part in group)
        # Never across a removed line: the two parts are not contiguous text of the article.
        if paragraphs and not removed_before and _continues(paragraphs[-1], joined):
            paragraphs[-1] = f"{paragraphs[-1]} {joined}"
        else:
            paragraphs.append(joined)

    judged = [_judge_sentences(paragraph, options.outlet) for paragraph in paragraphs]
    kept_paragraphs: list[str] = []
    for number, sentences in enumerate(judged):
        nearby = judged[max(0, number - 1) : number + 2]
        near_appeal = any(reason == APPEAL for group in nearby for _, reason, _ in group)
        # a "we" about journalism next to a certain appeal is one; then so is any
        # sentence with a signal in a paragraph holding one
        strong = [
            reason or (APPEAL if signal == 2 and near_appeal else None)
            for _, reason, signal in sentences
        ]
        in_appeal = APPEAL in strong
        decided = [
            (text, APPEAL if reason is None and signal and in_appeal else reason)
            for (text, _, signal), reason in zip(sentences, strong, strict=True)
        ]
        reasons = [reason for _, reason in decided if reason is not None]
        kept = [text for text, reason in decided if reason is None]
        lengths = [len(_WORD.findall(text)) for text in kept]
        wordy = sum(length >= 3 for length in lengths)  # "2." is no sentence to speak of
        if reasons and (
            max(lengths, default=0) <= _TAIL_WORDS
            or (len(reasons) >= _MOSTLY * wordy and max(lengths) <= 2 * _TAIL_WORDS)
        ):
            # "Become a member from 4 crowns a month. Cancel any time.": the short
            # remainder of a boilerplate paragraph belongs to it, and so do the short
            # sentences left in a paragraph that is boilerplate three times over.
            decided = [(text, reason or reasons[0]) for text, reason in decided]
            kept = []
        removed.extend(Removal(text, reason) for text, reason in decided if reason is not None)
        kept_paragraphs.extend(_runs(paragraphs[number], decided) if kept else ())
    return CleanedText(paragraphs=tuple(kept_paragraphs), removed=tuple(removed))


def _runs(paragraph: str, decided: Sequence[tuple[str, str | None]]) -> list[str]:
    """The kept sentences of a paragraph as runs between removed ones.

    Each run is a paragraph of its own, so that no sentence is ever built from text
    on both sides of a removed piece ("...survival. [widget] allen on ..."). A run is
    the paragraph's own text from its first sentence to its last, spacing as printed:
    a quote running over "raised.The words" stays verbatim.
    """
    runs: list[tuple[int, int]] = []
    position = 0
    open_run = False
    for text, reason in decided:
        start = paragraph.index(text, position)  # the pieces are the paragraph's, in order
        position = start + len(text)
        if reason is not None:
            open_run = False
        elif open_run:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((start, position))
            open_run = True
    return [paragraph[start:end].strip() for start, end in runs]


def repeated_outlet_lines(
    documents: Iterable[tuple[str | None, str]], *, max_shared_fraction: float = 0.3
) -> dict[str, frozenset[str]]:
    """Lines each outlet repeats across two or more of its articles.

    ``documents`` yields (outlet, text) pairs. Two articles that share many of
    their lines are versions of one report, not a template, so a line counts
    only when it recurs in articles that otherwise differ. Each line is judged
    from the pairs among the first :data:`_LINE_ARTICLES` articles holding it
    (in an order fixed by their text, not by the input), so the work stays
    linear in the batch however many articles an outlet has.
    """
    by_outlet: dict[str, list[frozenset[str]]] = defaultdict(list)
    for outlet, text in documents:
        if outlet:
            lines = frozenset(_normalize_line(line) for line in text.splitlines() if line.strip())
            by_outlet[outlet].append(lines)
    repeated: dict[str, frozenset[str]] = {}
    for outlet, articles in by_outlet.items():
        found = _repeated_lines(articles, max_shared_fraction)
        if found:
            repeated[outlet] = found
    return repeated


def _repeated_lines(articles: list[frozenset[str]], max_shared_fraction: float) -> frozenset[str]:
    """The lines of one outlet's articles that recur in two articles that otherwise differ."""
    order = sorted(
        articles,
        key=lambda lines: hashlib.sha1(
            "\n".join(sorted(lines)).encode("utf-8", "replace")
        ).digest(),
    )
    holders: dict[str, list[int]] = defaultdict(list)
    for number, lines in enumerate(order):
        for line in lines:
            if len(holders[line]) < _LINE_ARTICLES:
                holders[line].append(number)
    differ: dict[tuple[int, int], bool] = {}

    def template_pair(first: int, second: int) -> bool:
        if (first, second) not in differ:
            a, b = order[first], order[second]
            limit = max(2.0, max_shared_fraction * min(len(a), len(b)))
            differ[first, second] = len(a & b) <= limit
        return differ[first, second]

    return frozenset(
        line
        for line, numbers in holders.items()
        if len(numbers) > 1 and any(template_pair(a, b) for a, b in combinations(numbers, 2))
    )
