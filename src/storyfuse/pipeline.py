"""The whole job in one call: documents in, cleaned articles and cited stories out."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from storyfuse.models import (
    Article,
    DocumentMetadata,
    InputError,
    RawDocument,
    Report,
    Story,
    WireLink,
)
from storyfuse.sources.inputs import read_inputs
from storyfuse.stories.cluster import cluster_articles
from storyfuse.stories.compare import CompareOptions, compare_story
from storyfuse.stories.features import ClusterOptions
from storyfuse.stories.summarize import SummaryOptions, choose_headline, get_summarizer
from storyfuse.stories.wire import MatchOptions, SentenceIndex, independent_sources
from storyfuse.text.clean import CleanOptions, clean_text, repeated_outlet_lines
from storyfuse.text.metadata import find_metadata
from storyfuse.text.segment import join_paragraphs, segment


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """Options of every stage, and which summarizer to use."""

    summary: SummaryOptions = field(default_factory=SummaryOptions)
    method: str = "storyfuse"
    match: MatchOptions = field(default_factory=MatchOptions)
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    compare: CompareOptions = field(default_factory=CompareOptions)


def article_id(text: str) -> str:
    """A content hash of the kept text: the same article always gets the same id."""
    normalized = " ".join(text.split()).casefold()
    return hashlib.sha1(normalized.encode("utf-8")).hexdigest()[:12]


def document_metadata(document: RawDocument) -> DocumentMetadata:
    """Metadata found in the text; a headline the container already gave is not sought again.

    An extractor or a JSONL line that names the title has already separated it
    from the body: the first short paragraph is then text, not a headline.
    """
    found = find_metadata(document.text)
    if document.title is None:
        return found
    kept = tuple(
        span
        for span in found.spans
        if span.reason not in ("headline", "standfirst") or span.text.strip() == document.title
    )
    return replace(found, spans=kept)


def clean_document(
    document: RawDocument,
    metadata: DocumentMetadata,
    outlet: str | None,
    repeated_lines: frozenset[str],
) -> Article | InputError:
    """Clean and segment one document whose metadata and outlet are known.

    ``repeated_lines`` are the lines its outlet repeats across articles
    (:func:`repeated_outlet_lines`); an article left without text is an error.
    """
    options = CleanOptions(outlet=outlet, repeated_lines=repeated_lines)
    cleaned = clean_text(document.text, metadata, options)
    text = join_paragraphs(cleaned.paragraphs)
    sentences = segment(cleaned.paragraphs)
    if not sentences:
        return InputError(document.source, "no article text left after cleaning")
    return Article(
        id=article_id(text),
        source=document.source,
        outlet=outlet,
        title=document.title or metadata.title,
        published=document.published or metadata.published,
        url=document.url or metadata.url,
        text=text,
        sentences=sentences,
        removed=document.removed + cleaned.removed,
        updated=document.updated,
        author=document.author,
        language=document.language,
    )


def prepare_articles(
    documents: Sequence[RawDocument],
) -> tuple[tuple[Article, ...], tuple[InputError, ...]]:
    """Find metadata, clean and segment each document; exact duplicates are dropped."""
    found = [document_metadata(document) for document in documents]
    outlets = [
        document.outlet or meta.outlet for document, meta in zip(documents, found, strict=True)
    ]
    repeated = repeated_outlet_lines(
        (outlet, document.text) for outlet, document in zip(outlets, documents, strict=True)
    )
    articles: dict[str, Article] = {}
    errors: list[InputError] = []
    for document, meta, outlet in zip(documents, found, outlets, strict=True):
        result = clean_document(document, meta, outlet, repeated.get(outlet or "", frozenset()))
        if isinstance(result, InputError):
            errors.append(result)
        elif result.id in articles:
            first = articles[result.id].source
            errors.append(InputError(document.source, f"exact duplicate of {first}"))
        else:
            articles[result.id] = result
    return tuple(articles.values()), tuple(errors)


def build_story(
    story_id: str,
    articles: Sequence[Article],
    index: SentenceIndex,
    wire: dict[str, tuple[WireLink, ...]],
    options: PipelineOptions,
) -> Story:
    """Summarize and compare one story's articles."""
    summarizer = get_summarizer(options.method)
    summary = summarizer(articles, index, options.summary)
    comparison = compare_story(articles, index, options.compare)
    dates = sorted(a.published for a in articles if a.published)
    return Story(
        id=story_id,
        headline=choose_headline(articles),
        articles=tuple(a.id for a in articles),
        independent_sources=independent_sources(articles, wire, options.match),
        summary=summary,
        shared_facts=comparison.shared_facts,
        unique_facts=comparison.unique_facts,
        quotes=comparison.quotes,
        entities=comparison.entities,
        first_published=dates[0] if dates else None,
        last_published=dates[-1] if dates else None,
        contradictions=comparison.contradictions,
    )


def story_from_articles(
    story_id: str,
    articles: Sequence[Article],
    options: PipelineOptions | None = None,
    index: SentenceIndex | None = None,
) -> Story:
    """Summarize and compare one story's articles (the store's view of a story)."""
    options = options or PipelineOptions()
    index = index or SentenceIndex(articles, options.match)
    return build_story(story_id, articles, index, index.wire_links(), options)


def build_report(
    documents: Sequence[RawDocument], options: PipelineOptions | None = None
) -> Report:
    """Run every stage on ``documents``: the core of ``storyfuse summarize``."""
    options = options or PipelineOptions()
    get_summarizer(options.method)  # fail fast on an unknown name
    articles, errors = prepare_articles(documents)
    index = SentenceIndex(articles, options.match)
    wire = index.wire_links()
    groups = cluster_articles(articles, options.cluster)
    stories = [
        story_from_articles(story_id, group, options, index if len(groups) == 1 else None)
        for story_id, group in groups
    ]
    stories.sort(key=lambda s: (-len(s.articles), s.id))
    ordered_articles = tuple(sorted(articles, key=lambda a: a.source))
    return Report(articles=ordered_articles, wire=wire, stories=tuple(stories), errors=errors)


def summarize_paths(paths: Sequence[str | Path], options: PipelineOptions | None = None) -> Report:
    """Read files and folders, then run the pipeline; unreadable inputs become errors."""
    documents, read_errors = read_inputs(paths)
    report = build_report(documents, options)
    return Report(
        articles=report.articles,
        wire=report.wire,
        stories=report.stories,
        errors=read_errors + report.errors,
    )
