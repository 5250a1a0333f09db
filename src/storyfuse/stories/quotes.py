"""Direct quotes, who said them, and which outlets print them.

Quote marks are paired within each paragraph (curly “ ” and ‘ ’, straight ");
a paragraph that opens a quote and never closes it continues into the next
paragraph's quote. A speaker is looked for right after the closing mark
(``“…,” McCain said``, ``“…,” said spokeswoman Heather Nauert``), then before the
opening mark in the same sentence (``Sanders responded: “…”``). Pronouns are
resolved to the one person named in the sentences just before, and surnames to
the full names of ``people``. The quote text is always a slice of the article's
text, so it can be shown verbatim with its citation. The same quote printed by
several outlets is merged, keeping each outlet's own wording.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from storyfuse.models import Article, Entity, Quote
from storyfuse.stories.attribution import SentenceText
from storyfuse.stories.speakers import (
    ArticleNames,
    tag_after,
    tag_before,
    tag_in_sentence_before,
)

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_DOUBLE_MARK = re.compile(r"[“”\"]")
_SINGLE_OPEN = re.compile(r"(?:^|(?<=[\s(\[—–-]))‘(?=\S)")
_SINGLE_CLOSE = re.compile(r"(?<=\S)’(?![^\W\d_])")
_EDGE_PUNCTUATION = ',;:.!?()[]“”"‘’'


# Spelling variants compared as one (British and American, -ise and -ize).
_SPELLING = (
    (re.compile(r"(?<=\w\w)our(?=(?:s|ed|ing|able|ite|ites)?\b)"), "or"),
    (re.compile(r"(?<=\w\w)is(?=(?:e|es|ed|ing|ation|ations|er|ers)\b)"), "iz"),
    (re.compile(r"(?<=\w\w)ys(?=(?:e|es|ed|ing)\b)"), "yz"),
    (re.compile(r"(?<=\w\w)tre(?=s?\b)"), "ter"),
    (re.compile(r"(?<=\w\w)ence(?=s?\b)"), "ense"),
    (re.compile(r"(?<=\w)ll(?=(?:ed|ing|er|ers)\b)"), "l"),
    (re.compile(r"programme"), "program"),
)
_NON_WORD = re.compile(r"[^\w']+")


@dataclass(frozen=True, slots=True)
class _Span:
    """Where a quote sits: its marks, its inside, and its paragraph."""

    open: int
    close: int  # index just after the closing mark (paragraph end when unclosed)
    inner_start: int
    inner_end: int
    paragraph: int
    paragraph_start: int
    paragraph_end: int
    closed: bool


@dataclass(frozen=True, slots=True)
class _Found:
    article: str
    order: tuple[int, int]
    text: str
    speaker: str | None


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _inside(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace and one trailing comma from the inside of a quote."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and text[end - 1] == ",":
        end -= 1
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _spans(text: str) -> list[_Span]:
    """Every quote of ``text`` in reading order."""
    found: list[_Span] = []
    for number, (p_start, p_end) in enumerate(_paragraphs(text)):
        pairs: list[tuple[int, int, bool]] = []
        opened: int | None = None
        for match in _DOUBLE_MARK.finditer(text, p_start, p_end):
            mark = match.group()
            if opened is None:
                if mark != "”":
                    opened = match.start()
            elif mark == "“" and text[opened] == "“":
                opened = match.start()  # an unclosed quote: start again here
            else:
                pairs.append((opened, match.end(), True))
                opened = None
        if opened is not None:
            pairs.append((opened, p_end, False))
        taken = list(pairs)
        for match in _SINGLE_OPEN.finditer(text, p_start, p_end):
            if any(a <= match.start() < b for a, b, _ in taken):
                continue
            close = _SINGLE_CLOSE.search(text, match.end(), p_end)
            if close and not any(a <= close.start() < b for a, b, _ in taken):
                pairs.append((match.start(), close.end(), True))
                taken.append((match.start(), close.end(), True))
        for open_at, close_at, closed in sorted(pairs):
            inner_end = close_at - 1 if closed else close_at
            inner_start, inner_end = _inside(text, open_at + 1, inner_end)
            if inner_end > inner_start:
                found.append(
                    _Span(
                        open_at,
                        close_at,
                        inner_start,
                        inner_end,
                        number,
                        p_start,
                        p_end,
                        closed,
                    )
                )
    return found


def _article_quotes(article: Article, order: int, people: Sequence[str]) -> list[_Found]:
    text = article.text
    spans = _spans(text)
    if not spans:
        return []
    names = ArticleNames(article, people)
    starts = [s.start for s in article.sentences]
    phrases: list[str | None] = []
    speakers: list[str | None] = []
    for number, span in enumerate(spans):
        previous = spans[number - 1] if number else None
        position = bisect.bisect_right(starts, span.open) - 1
        sentence_start = article.sentences[position].start if position >= 0 else 0
        start = max(sentence_start, span.paragraph_start)
        if previous is not None and previous.paragraph == span.paragraph:
            start = max(start, previous.close)
        after = tag_after(text, span.close, span.paragraph_end, text[span.inner_start : span.close])
        phrase = after or tag_before(text, start, span.open)
        if phrase is None and position > 0 and start == sentence_start == span.open:
            before = article.sentences[position - 1]
            if before.paragraph == article.sentences[position].paragraph:
                phrase = tag_in_sentence_before(before.text)
        speaker = names.speaker(phrase, span.open)
        if phrase is None and previous is not None and speakers:
            # "“…,” said Caddell, speaking of the polls. “It is one of…”": the second
            # half of an interrupted quote, or a quote running on into the next paragraph
            same_paragraph = previous.paragraph == span.paragraph
            continues = (
                previous.paragraph == span.paragraph - 1
                and span.open == span.paragraph_start
                and (not previous.closed or _whole_paragraph(text, span))
            )
            if same_paragraph or continues:
                speaker = speakers[-1]
        phrases.append(phrase)
        speakers.append(speaker)
    # "“Not now.” “We will wait,” she said.": an untagged quote takes the next one's speaker
    for number in range(len(spans) - 2, -1, -1):
        span, following = spans[number], spans[number + 1]
        untagged = speakers[number] is None and phrases[number] is None
        if untagged and following.paragraph == span.paragraph and phrases[number + 1]:
            speakers[number] = speakers[number + 1]
    # a speaker is shown only where the article attributes the quote to them beside it
    beside = SentenceText([sentence.text for sentence in article.sentences])
    speakers = [
        speaker
        if speaker is None or beside.attributes(text[span.inner_start : span.inner_end], speaker)
        else None
        for span, speaker in zip(spans, speakers, strict=True)
    ]
    found: list[_Found] = []
    for span, speaker, phrase in zip(spans, speakers, phrases, strict=True):
        words = len(text[span.inner_start : span.inner_end].split())
        if words >= 6 or (words >= 4 and speaker is not None and phrase is not None):
            found.append(
                _Found(
                    article.id,
                    (order, span.inner_start),
                    text[span.inner_start : span.inner_end],
                    speaker,
                )
            )
    return found


def _whole_paragraph(text: str, span: _Span) -> bool:
    """Whether a quote makes up its whole paragraph."""
    return span.open == span.paragraph_start and not text[span.close : span.paragraph_end].strip(
        _EDGE_PUNCTUATION + " "
    )


def _normalise(text: str) -> str:
    """A comparison key: case, quote marks, punctuation and spelling variants removed."""
    key = text.lower().replace("’", "'").replace("‘", "'")
    key = _NON_WORD.sub(" ", key).strip(" '")
    for pattern, replacement in _SPELLING:
        key = pattern.sub(replacement, key)
    return f" {key} "


def _merge(found: list[_Found], texts: dict[str, str]) -> tuple[Quote, ...]:
    """Merge quotes that are the same words across articles, with each article's own text."""
    keys = [_normalise(f.text) for f in found]
    parent = list(range(len(found)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in by_key and _agree(found[by_key[key]], found[i]):
            parent[root(i)] = root(by_key[key])
        by_key.setdefault(key, i)
    distinct = list(by_key)
    for short, long in _contained(distinct):
        i, j = by_key[distinct[short]], by_key[distinct[long]]
        if _agree(found[i], found[j]):
            parent[root(i)] = root(j)

    groups: dict[int, list[_Found]] = {}
    for i, item in enumerate(found):
        groups.setdefault(root(i), []).append(item)
    quotes: list[tuple[int, tuple[int, int], Quote]] = []
    for members in groups.values():
        members.sort(key=lambda f: f.order)
        while members:
            quote, members = _fullest_quote(members, texts)
            quotes.append((len(quote.articles), members[0].order if members else (0, 0), quote))
    quotes.sort(key=lambda item: (-item[0], item[1]))
    return tuple(q for _, _, q in quotes)


def _fullest_quote(members: list[_Found], texts: dict[str, str]) -> tuple[Quote, list[_Found]]:
    """The longest form of a merged quote, cited only to articles that print all of it.

    Articles that print only a fragment of it keep their members for a quote
    of their own: a citation must never claim more words than the article has,
    nor a speaker the article does not give.
    """
    longest = max(members, key=lambda m: (len(_normalise(m.text)), -members.index(m)))
    key = _normalise(longest.text)
    forms = sorted(
        {m.text for m in members if _normalise(m.text) == key}, key=lambda t: (-len(t), t)
    )
    verbatim: list[tuple[str, str]] = []
    for article in sorted({m.article for m in members}):
        form = next((f for f in forms if f in texts[article]), None)
        if form is not None:
            verbatim.append((article, form))
    cited = {article for article, _ in verbatim}
    # the speaker is of a printing of the whole quote, not of a fragment merged into it
    covered = [m for m in members if m.article in cited and _normalise(m.text) == key]
    speakers = Counter(m.speaker for m in covered if m.speaker is not None)
    ranked = [m.speaker for m in covered if m.speaker is not None]
    speaker = max(ranked, key=lambda s: (speakers[s], -ranked.index(s))) if ranked else None
    if speaker is not None:
        # credited to a speaker, the quote cites only the articles that credit it so; the
        # others print it as their own quote (without a speaker, or with their own)
        crediting = {m.article for m in members if m.speaker == speaker}
        verbatim = [(article, form) for article, form in verbatim if article in crediting]
        cited = {article for article, _ in verbatim}
    quote = Quote(
        speaker=speaker,
        text=verbatim[0][1],
        articles=tuple(article for article, _ in verbatim),
        verbatim=tuple(verbatim),
    )
    return quote, [m for m in members if m.article not in cited]


def _contained(keys: list[str]) -> Iterator[tuple[int, int]]:
    """Pairs (i, j) where key i is a run of whole words inside the longer key j.

    Keys are indexed by their word 4-grams, so only keys sharing the shorter
    key's first four words are compared.
    """
    words = [key.split() for key in keys]
    grams: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, seq in enumerate(words):
        for gram in {tuple(seq[n : n + 4]) for n in range(max(1, len(seq) - 3))}:
            grams[gram].append(j)
    for i, seq in enumerate(words):
        candidates = grams.get(tuple(seq[:4]), []) if len(seq) >= 4 else range(len(keys))
        for j in candidates:
            if len(keys[j]) > len(keys[i]) and keys[i] in keys[j]:
                yield i, j


def _agree(a: _Found, b: _Found) -> bool:
    return a.speaker is None or b.speaker is None or a.speaker == b.speaker


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quote found in one article: ``text[start:end]`` and the speaker it is credited to."""

    start: int
    end: int
    speaker: str | None


def _person_names(people: Sequence[Entity]) -> list[str]:
    return [p.name for p in people if p.type == "person"]


def quotes_in_article(article: Article, people: Sequence[Entity]) -> tuple[QuoteSpan, ...]:
    """The direct quotes of one article, in reading order, before any merging."""
    return tuple(
        QuoteSpan(f.order[1], f.order[1] + len(f.text), f.speaker)
        for f in _article_quotes(article, 0, _person_names(people))
    )


_RECENT: dict[tuple[Any, ...], tuple[Quote, ...]] = {}
_RECENT_SIZE = 64
_RECENT_LOCK = threading.Lock()  # story views are built on the web server's threads


def _key(articles: Sequence[Article], people: Sequence[Entity]) -> tuple[Any, ...]:
    return (tuple((a.id, a.text) for a in articles), frozenset(_person_names(people)))


def remember_quotes(
    articles: Sequence[Article], people: Sequence[Entity], quotes: tuple[Quote, ...]
) -> None:
    """Keep ``quotes`` as the story's quotes for this list of people too.

    Entity extraction adds the speakers of the quotes it found to the people; the
    comparison then asks for the quotes again with those people, and gets the
    same ones instead of a second pass.
    """
    with _RECENT_LOCK:
        while len(_RECENT) >= _RECENT_SIZE:
            _RECENT.pop(next(iter(_RECENT)))
        _RECENT[_key(articles, people)] = quotes


def extract_quotes(articles: Sequence[Article], people: Sequence[Entity]) -> tuple[Quote, ...]:
    """Direct quotes in ``articles`` with their speakers, merged across articles.

    ``people`` (person entities of the same story) give the full names that
    surnames and pronouns resolve to. Each quote's ``verbatim`` text is an exact
    substring of the cited article's text.
    """
    cached = _RECENT.get(_key(articles, people))
    if cached is not None:
        return cached
    names = _person_names(people)
    found: list[_Found] = []
    for order, article in enumerate(articles):
        found.extend(_article_quotes(article, order, names))
    return _merge(found, {a.id: a.text for a in articles})
