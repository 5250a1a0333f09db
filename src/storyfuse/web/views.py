"""What the web pages show of a story, computed once per version of the story.

A :class:`StoryView` holds the story as ``storyfuse story ID --json`` prints
it, and everything the story page needs on top: each citation marker's target
sentence in the cited article (the same copy, or the sentence that covers it),
the coverage matrix (facts x outlets), quotes grouped by speaker, entities by
kind, wire-copy links and the timeline chart's geometry. Nothing here touches
the store or the web framework, so views can be cached and tested alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from storyfuse.models import Article, Report, SentenceRef, Story, SummarySentence, WireLink
from storyfuse.pipeline import PipelineOptions, story_from_articles
from storyfuse.render import report_json
from storyfuse.stories.summarize import get_summarizer
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.words import content_words

# How the page names an article's outlet: (outlet as the article gives it, URL) -> name or None.
OutletNamer = Callable[[str | None, str | None], str | None]
_ENTITY_TITLES = (("person", "People"), ("organization", "Organisations"), ("place", "Places"))


@dataclass(frozen=True, slots=True)
class Source:
    """One article of a story as the page lists it: number, outlet, title, date."""

    number: int
    id: str
    outlet: str
    title: str
    published: str | None

    @property
    def label(self) -> str:
        """``[n] Outlet, date`` for link texts and tooltips."""
        when = f", {self.published}" if self.published else ""
        return f"[{self.number}] {self.outlet}{when}"


@dataclass(frozen=True, slots=True)
class Marker:
    """A citation marker: the cited article and the sentence there that reports the text."""

    source: Source
    sentence: int | None

    @property
    def href(self) -> str:
        """The article page, at the sentence when it is known."""
        anchor = f"#s{self.sentence}" if self.sentence is not None else ""
        return f"/articles/{self.source.id}{anchor}"


@dataclass(frozen=True, slots=True)
class CitedText:
    """A sentence (of the summary, a fact or a quote) with its citation markers."""

    text: str
    markers: tuple[Marker, ...]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One fact of the coverage matrix: the markers of each outlet that reports it."""

    text: str
    shared: bool
    cells: tuple[tuple[Marker, ...], ...]


@dataclass(frozen=True, slots=True)
class SpeakerQuotes:
    """Everything one speaker is quoted saying, with the outlets that print each quote."""

    speaker: str | None
    quotes: tuple[CitedText, ...]


@dataclass(frozen=True, slots=True)
class EntityName:
    """A name, its mentions across the story and the number of articles naming it."""

    name: str
    mentions: int
    articles: int


@dataclass(frozen=True, slots=True)
class WireRow:
    """``article`` shares ``shared`` of its ``total`` sentences with ``other``."""

    article: Source
    other: Source
    shared: int
    total: int
    share: float


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """An article on the timeline chart."""

    x: float
    y: float
    source: Source


@dataclass(frozen=True, slots=True)
class TimelineTick:
    """A date label under the timeline's axis."""

    x: float
    label: str
    iso: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """Geometry of the timeline chart (an inline SVG): one dot per dated article."""

    width: int
    height: int
    axis_y: float
    left: float
    right: float
    points: tuple[TimelinePoint, ...]
    ticks: tuple[TimelineTick, ...]
    undated: tuple[Source, ...]
    description: str


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story and everything its page and its API document show."""

    story: Story
    # The ids of the story's articles, sorted: what this view was computed from.
    key: tuple[str, ...]
    wire: dict[str, tuple[WireLink, ...]]
    sources: tuple[Source, ...]
    summary: tuple[CitedText, ...]
    outlets: tuple[str, ...]
    matrix: tuple[MatrixRow, ...]
    quotes: tuple[SpeakerQuotes, ...]
    entities: tuple[tuple[str, tuple[EntityName, ...]], ...]
    wire_rows: tuple[WireRow, ...]
    source_groups: tuple[tuple[Source, ...], ...]
    timeline: Timeline
    document_json: bytes

    def source(self, article_id: str) -> Source | None:
        """The listed source of an article of this story."""
        return next((s for s in self.sources if s.id == article_id), None)

    @property
    def document(self) -> dict[str, Any]:
        """The story as ``storyfuse story ID --json`` prints it (a fresh copy)."""
        loaded: dict[str, Any] = json.loads(self.document_json)
        return loaded


class SentenceLocator:
    """Finds, in a given article, the sentence that reports a sentence of another article."""

    def __init__(self, articles: Sequence[Article], index: SentenceIndex) -> None:
        self.articles = {article.id: article for article in articles}
        self._matches: dict[SentenceRef, list[tuple[SentenceRef, float, float]]] = defaultdict(list)
        for match in index.matches:
            self._matches[match.first].append(
                (match.second, match.first_covered, match.second_covered)
            )
            self._matches[match.second].append(
                (match.first, match.second_covered, match.first_covered)
            )
        self._words: dict[SentenceRef, frozenset[str]] = {}

    def _vocabulary(self, ref: SentenceRef) -> frozenset[str]:
        if ref not in self._words:
            text = self.articles[ref.article].sentences[ref.sentence].text
            self._words[ref] = frozenset(content_words(text))
        return self._words[ref]

    def ref_of(self, text: str, article_ids: Sequence[str]) -> SentenceRef | None:
        """The first sentence printed exactly as ``text`` in one of ``article_ids``."""
        for article_id in article_ids:
            article = self.articles.get(article_id)
            for sentence in article.sentences if article else ():
                if sentence.text == text:
                    return SentenceRef(article_id, sentence.index)
        return None

    def find(self, ref: SentenceRef, article_id: str) -> int | None:
        """The sentence of ``article_id`` that is ``ref``'s copy or covers it, else the closest.

        The closest is the sentence sharing most of ``ref``'s content words (a
        paraphrase); None when no sentence shares any.
        """
        if ref.article == article_id:
            return ref.sentence
        candidates = [c for c in self._matches.get(ref, ()) if c[0].article == article_id]
        if candidates:
            best = max(candidates, key=lambda c: (c[1], c[2], -c[0].sentence))
            return best[0].sentence
        article = self.articles.get(article_id)
        words = self._vocabulary(ref)
        if article is None or not words:
            return None
        scored = [
            (len(words & self._vocabulary(SentenceRef(article_id, s.index))), -s.index)
            for s in article.sentences
        ]
        overlap, position = max(scored, default=(0, 0))
        return -position if overlap else None

    def containing(self, article_id: str, text: str) -> int | None:
        """The sentence of ``article_id`` where ``text`` (a verbatim quote) begins."""
        article = self.articles.get(article_id)
        if article is None:
            return None
        position = article.text.find(text)
        if position < 0:
            position = article.text.find(text[:40])
        if position < 0:
            return None
        for sentence in article.sentences:
            if sentence.start <= position < sentence.end:
                return sentence.index
        return None


def _sources(articles: Sequence[Article], name_outlet: OutletNamer | None) -> tuple[Source, ...]:
    return tuple(
        Source(
            number=number,
            id=article.id,
            outlet=(name_outlet(article.outlet, article.url) if name_outlet else article.outlet)
            or "Unknown outlet",
            title=article.title or (article.sentences[0].text if article.sentences else article.id),
            published=article.published.isoformat() if article.published else None,
        )
        for number, article in enumerate(articles, start=1)
    )


def _timeline(articles: Sequence[Article], sources: Sequence[Source]) -> Timeline:
    """Dots stacked per publication day along a date axis; undated articles listed apart."""
    width, left, right, step = 880, 48.0, 832.0, 24.0
    dated = [(a.published, s) for a, s in zip(articles, sources, strict=True) if a.published]
    undated = tuple(s for a, s in zip(articles, sources, strict=True) if not a.published)
    days = sorted({day for day, _ in dated})
    stacks: dict[dt.date, int] = defaultdict(int)
    for day, _ in dated:
        stacks[day] += 1
    tallest = max(stacks.values(), default=1)
    axis_y = 8.0 + tallest * step
    span = (days[-1] - days[0]).days if days else 0

    def x_of(day: dt.date) -> float:
        if not span:
            return (left + right) / 2
        return round(left + (right - left) * (day - days[0]).days / span, 1)

    placed: dict[dt.date, int] = defaultdict(int)
    points = []
    for day, source in dated:
        placed[day] += 1
        points.append(TimelinePoint(x_of(day), axis_y - 4 - step * (placed[day] - 0.5), source))
    ticks: list[TimelineTick] = []
    for day in days:
        x = x_of(day)
        if ticks and x - ticks[-1].x < 80 and day != days[-1]:
            continue
        if ticks and x - ticks[-1].x < 80:
            ticks.pop()
        ticks.append(TimelineTick(x, f"{day:%b} {day.day}", day.isoformat()))
    if days:
        when = f"from {days[0]} to {days[-1]}" if span else f"on {days[0]}"
        description = f"{len(dated)} dated {'article' if len(dated) == 1 else 'articles'} {when}"
    else:
        description = "no article carries a publication date"
    if undated:
        description += f"; {len(undated)} without a date"
    return Timeline(
        width=width,
        height=int(axis_y + 26),
        axis_y=axis_y,
        left=left,
        right=right,
        points=tuple(points),
        ticks=tuple(ticks),
        undated=undated,
        description=description,
    )


MarkerMaker = Callable[[SentenceRef | None, Sequence[str]], tuple[Marker, ...]]


def _marker_maker(sources: Sequence[Source], locator: SentenceLocator) -> MarkerMaker:
    """The markers of a sentence in these articles, in source order, each with its place."""
    by_id = {source.id: source for source in sources}

    def markers(ref: SentenceRef | None, article_ids: Sequence[str]) -> tuple[Marker, ...]:
        ordered = sorted(article_ids, key=lambda a: by_id[a].number)
        return tuple(
            Marker(by_id[a], locator.find(ref, a) if ref is not None else None) for a in ordered
        )

    return markers


def _cited_summary(lines: Sequence[SummarySentence], markers: MarkerMaker) -> tuple[CitedText, ...]:
    return tuple(CitedText(line.text, markers(line.source, line.citations)) for line in lines)


def build_story_summary(
    articles: Sequence[Article],
    options: PipelineOptions | None = None,
    name_outlet: OutletNamer | None = None,
) -> tuple[CitedText, ...]:
    """A story's cited summary as its page shows it, without the comparison (for lists).

    The summary is the one :func:`build_story_view` gives; the comparison, and the
    names it reads (the entity model), are not computed.
    """
    options = options or PipelineOptions()
    articles = tuple(articles)
    index = SentenceIndex(articles, options.match)
    lines = get_summarizer(options.method)(articles, index, options.summary)
    markers = _marker_maker(_sources(articles, name_outlet), SentenceLocator(articles, index))
    return _cited_summary(lines, markers)


def build_story_view(
    story_id: str,
    articles: Sequence[Article],
    options: PipelineOptions | None = None,
    name_outlet: OutletNamer | None = None,
) -> StoryView:
    """Summarize and compare a story's articles, then lay out everything its page shows.

    ``name_outlet`` names each article's outlet (the outlet directory's name); by default
    the name the article gives is shown.
    """
    options = options or PipelineOptions()
    articles = tuple(articles)
    index = SentenceIndex(articles, options.match)
    story = story_from_articles(story_id, articles, options, index)
    wire = index.wire_links()
    locator = SentenceLocator(articles, index)
    sources = _sources(articles, name_outlet)
    by_id = {source.id: source for source in sources}
    markers = _marker_maker(sources, locator)
    summary = _cited_summary(story.summary, markers)
    outlet_keys: list[str] = []
    outlet_names: list[str] = []
    outlet_of: dict[str, str] = {}
    for article, source in zip(articles, sources, strict=True):
        named = article.outlet or source.outlet != "Unknown outlet"
        key = f"outlet {source.outlet}" if named else article.outlet_key
        outlet_of[article.id] = key
        if key not in outlet_keys:
            outlet_keys.append(key)
            outlet_names.append(source.outlet if named else f"Unknown outlet [{source.number}]")
    order = sorted(range(len(outlet_keys)), key=lambda i: outlet_names[i].casefold())
    outlet_keys = [outlet_keys[i] for i in order]

    def row(text: str, article_ids: Sequence[str], shared: bool) -> MatrixRow:
        ref = locator.ref_of(text, article_ids)
        cited = markers(ref, article_ids)
        cells = tuple(
            tuple(m for m in cited if outlet_of[m.source.id] == outlet) for outlet in outlet_keys
        )
        return MatrixRow(text, shared, cells)

    matrix = tuple(row(f.text, f.articles, True) for f in story.shared_facts) + tuple(
        row(f.text, (f.article,), False) for f in story.unique_facts
    )
    grouped: dict[str | None, list[CitedText]] = defaultdict(list)
    for quote in story.quotes:
        verbatim = dict(quote.verbatim)
        quote_markers = tuple(
            Marker(by_id[a], locator.containing(a, verbatim.get(a, quote.text)))
            for a in sorted(quote.articles, key=lambda a: by_id[a].number)
        )
        grouped[quote.speaker].append(CitedText(quote.text, quote_markers))
    quotes = tuple(
        SpeakerQuotes(speaker, tuple(items))
        for speaker, items in sorted(
            grouped.items(), key=lambda item: (item[0] is None, -len(item[1]), item[0] or "")
        )
    )
    entities = tuple(
        (
            title,
            tuple(
                sorted(
                    (
                        EntityName(e.name, sum(n for _, n in e.mentions), len(e.mentions))
                        for e in story.entities
                        if e.type == kind
                    ),
                    key=lambda e: (-e.mentions, e.name),
                )
            ),
        )
        for kind, title in _ENTITY_TITLES
    )
    wire_rows = tuple(
        sorted(
            (
                WireRow(
                    by_id[article.id],
                    by_id[link.article],
                    link.shared_sentences,
                    len(article.sentences),
                    link.share,
                )
                for article in articles
                for link in wire.get(article.id, ())
                if link.article in by_id
            ),
            key=lambda r: (-r.share, r.article.number, r.other.number),
        )
    )
    members: dict[str, list[Source]] = defaultdict(list)
    for article_id, root in index.sources.items():
        members[root].append(by_id[article_id])
    groups = tuple(
        sorted(
            (tuple(sorted(g, key=lambda s: s.number)) for g in members.values() if len(g) > 1),
            key=lambda g: g[0].number,
        )
    )
    document = json.loads(report_json(Report(articles=articles, wire=wire, stories=(story,))))
    return StoryView(
        story=story,
        key=tuple(sorted(a.id for a in articles)),
        wire=wire,
        sources=sources,
        summary=summary,
        outlets=tuple(outlet_names[i] for i in order),
        matrix=matrix,
        quotes=quotes,
        entities=tuple((title, names) for title, names in entities if names),
        wire_rows=wire_rows,
        source_groups=groups,
        timeline=_timeline(articles, sources),
        document_json=json.dumps(document, ensure_ascii=False).encode("utf-8"),
    )
