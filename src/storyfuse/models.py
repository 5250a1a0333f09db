"""Typed, frozen records that flow between the pipeline stages.

ingest -> RawDocument; metadata -> DocumentMetadata; clean -> CleanedText;
segment -> Sentence; pipeline -> Article; wire -> SentenceGroup / WireLink;
summarize -> SummarySentence; compare -> Fact, UniqueFact, Quote, Entity;
everything ends in a Story inside a Report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal["person", "organization", "place"]


@dataclass(frozen=True, slots=True)
class Removal:
    """Text dropped by an extractor or the cleaner, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input article as read from disk, before any cleaning.

    ``source`` names where it came from (a path, or ``path:line`` for JSONL).
    Metadata fields hold what the container declared (JSONL keys); for plain
    text files they are ``None`` and the metadata stage finds them in the text.
    """

    source: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    author: str | None = None
    language: str | None = None
    # What an extractor (HTML, feeds) already dropped around ``text``, with reasons.
    removed: tuple[Removal, ...] = ()


@dataclass(frozen=True, slots=True)
class InputError:
    """An input that could not be read as an article, with the reason."""

    source: str
    reason: str
    duplicate_of: str | None = None
    """For an exact duplicate of another input of the same batch: that article's id."""


@dataclass(frozen=True, slots=True)
class MetadataSpan:
    """Text of one line that carries only metadata: the whole line or a prefix of it.

    ``line`` indexes ``text.splitlines()`` of the raw document; ``text`` is the
    line itself or its leading part (a ``date 2018-03-20`` prefix before the
    first sentence); the cleaner removes it with ``reason``.
    """

    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    """Headline, date, URL and outlet found in an article's text."""

    title: str | None
    published: dt.date | None
    url: str | None
    outlet: str | None
    spans: tuple[MetadataSpan, ...] = ()


@dataclass(frozen=True, slots=True)
class CleanedText:
    """The article's own paragraphs and everything removed around them."""

    paragraphs: tuple[str, ...]
    removed: tuple[Removal, ...]


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article's kept text; ``start``/``end`` index that text."""

    index: int
    text: str
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned, segmented article ready for comparison."""

    id: str
    source: str
    outlet: str | None
    title: str | None
    published: dt.date | None
    url: str | None
    text: str
    sentences: tuple[Sentence, ...]
    removed: tuple[Removal, ...]
    updated: dt.date | None = None
    author: str | None = None
    language: str | None = None

    @property
    def outlet_key(self) -> str:
        """The outlet's name, or the article id when the outlet is unknown."""
        return self.outlet or f"article {self.id}"


@dataclass(frozen=True, slots=True)
class SentenceRef:
    """A pointer to one sentence of one article."""

    article: str
    sentence: int


@dataclass(frozen=True, slots=True)
class SentenceGroup:
    """Sentences of different articles that say the same thing nearly word for word."""

    members: tuple[SentenceRef, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(sorted({ref.article for ref in self.members}))


@dataclass(frozen=True, slots=True)
class WireLink:
    """How much of an article another article shares, word for word or nearly."""

    article: str
    shared_sentences: int
    share: float


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A summary sentence: verbatim text of ``source`` and every article that reports it."""

    text: str
    citations: tuple[str, ...]
    source: SentenceRef


@dataclass(frozen=True, slots=True)
class Fact:
    """A sentence-level fact reported by two or more outlets."""

    text: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UniqueFact:
    """A sentence-level fact only one outlet reports."""

    article: str
    text: str


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two independent reports of the same fact that give different figures.

    Each side is a sentence printed verbatim in its article; ``values`` are the
    figures each side gives that the other does not.
    """

    first_article: str
    first_text: str
    second_article: str
    second_text: str
    values: tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote, its speaker, and each article that prints it verbatim.

    ``verbatim`` maps every cited article id to the exact quoted text as it
    appears in that article (outlets differ in quote marks and spelling).
    """

    speaker: str | None
    text: str
    articles: tuple[str, ...]
    verbatim: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation or place, with its mentions per article."""

    name: str
    type: EntityType
    mentions: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Story:
    """One event as covered by several articles, summarized and compared."""

    id: str
    headline: str
    articles: tuple[str, ...]
    independent_sources: int
    summary: tuple[SummarySentence, ...]
    shared_facts: tuple[Fact, ...]
    unique_facts: tuple[UniqueFact, ...]
    quotes: tuple[Quote, ...]
    entities: tuple[Entity, ...]
    first_published: dt.date | None = None
    last_published: dt.date | None = None
    contradictions: tuple[Contradiction, ...] = ()


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as listed: headline, size, outlets, sources and when it was seen."""

    id: str
    headline: str
    size: int
    independent_sources: int
    outlets: tuple[str, ...]
    first_published: dt.date | None
    last_published: dt.date | None
    first_seen: str
    last_seen: str


@dataclass(frozen=True, slots=True)
class StorySplit:
    """Articles that left a story for a new one when it turned out to hold two events."""

    from_story: str
    to_story: str
    articles: int
    at: str  # when (ISO timestamp of the ingest that split it)


@dataclass(frozen=True, slots=True)
class ArticleStatus:
    """Where a stored article stands: its story and its versions."""

    story: str | None
    ingested_at: str
    superseded_by: str | None
    revision_of: str | None
    near_duplicate_of: str | None


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed as the store knows it: validators and the times of its last check."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_checked: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """The result of a run: articles with their wire links, stories, rejected inputs."""

    articles: tuple[Article, ...]
    wire: dict[str, tuple[WireLink, ...]] = field(default_factory=dict)
    stories: tuple[Story, ...] = ()
    errors: tuple[InputError, ...] = ()
