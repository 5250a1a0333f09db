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
from storyfuse.sources.input_guard import date_problem, internal_error, scrub_document
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


def batch_outlets(
    documents: Sequence[RawDocument], found: Sequence[DocumentMetadata]
) -> tuple[list[str | None], dict[str, frozenset[str]]]:
    """Each document's outlet, and the lines each outlet repeats across the batch."""
    outlets = [
        document.outlet or meta.outlet for document, meta in zip(documents, found, strict=True)
    ]
    repeated = repeated_outlet_lines(
        (outlet, document.text) for outlet, document in zip(outlets, documents, strict=True)
    )
    return outlets, repeated


def checked_metadata(document: RawDocument) -> DocumentMetadata | InputError:
    """:func:`document_metadata`, or why the document is refused (dates, a stage's bug)."""
    try:
        meta = document_metadata(document)
        problem = date_problem(replace(document, published=document.published or meta.published))
    except Exception as error:  # a stage's bug on one input: reject that input
        return internal_error(document.source, error)
    return InputError(document.source, problem) if problem else meta


def clean_document(
    document: RawDocument,
    meta: DocumentMetadata,
    outlet: str | None,
    repeated_lines: frozenset[str],
) -> Article | InputError:
    """Clean and segment one document into an article, or say why none is left."""
    try:
        options = CleanOptions(outlet=outlet, repeated_lines=repeated_lines)
        cleaned = clean_text(document.text, meta, options)
        text = join_paragraphs(cleaned.paragraphs)
        sentences = segment(cleaned.paragraphs)
    except Exception as error:  # a stage's bug on one input: reject that input
        return internal_error(document.source, error)
    if not sentences:
        return InputError(document.source, "no article text left after cleaning")
    return Article(
        id=article_id(text),
        source=document.source,
        outlet=outlet,
        title=document.title or meta.title,
        published=document.published or meta.published,
        url=document.url or meta.url,
        text=text,
        sentences=sentences,
        removed=document.removed + cleaned.removed,
        updated=document.updated,
        author=document.author,
        language=document.language,
    )


def distinct_articles(
    cleaned: Sequence[Article | InputError],
) -> tuple[list[int], tuple[InputError, ...]]:
    """Which cleaned documents are kept (their positions): articles, each text once."""
    kept: dict[str, int] = {}
    errors: list[InputError] = []
    for position, article in enumerate(cleaned):
        if isinstance(article, InputError):
            errors.append(article)
        elif article.id in kept:
            first = cleaned[kept[article.id]]
            assert isinstance(first, Article)
            reason = f"exact duplicate of {first.source}"
            errors.append(InputError(article.source, reason, duplicate_of=article.id))
        else:
            kept[article.id] = position
    return list(kept.values()), tuple(errors)


def readable_documents(
    documents: Sequence[RawDocument], found: Sequence[DocumentMetadata | InputError]
) -> tuple[list[tuple[RawDocument, DocumentMetadata]], list[InputError]]:
    """The documents whose metadata was read, with it; the errors of the others."""
    usable = [
        (document, meta)
        for document, meta in zip(documents, found, strict=True)
        if not isinstance(meta, InputError)
    ]
    return usable, [meta for meta in found if isinstance(meta, InputError)]


def prepare_articles(
    documents: Sequence[RawDocument],
) -> tuple[tuple[Article, ...], tuple[InputError, ...]]:
    """Find metadata, clean and segment each document; exact duplicates are dropped.

    A document whose dates are out of range, or on which a stage fails, is an
    error naming it; the other documents go on.
    """
    scrubbed = [scrub_document(document) for document in documents]
    usable, errors = readable_documents(scrubbed, [checked_metadata(d) for d in scrubbed])
    outlets, repeated = batch_outlets([d for d, _ in usable], [m for _, m in usable])
    cleaned = [
        clean_document(document, meta, outlet, repeated.get(outlet or "", frozenset()))
        for (document, meta), outlet in zip(usable, outlets, strict=True)
    ]
    kept, more = distinct_articles(cleaned)
    articles = tuple(a for a in (cleaned[i] for i in kept) if isinstance(a, Article))
    return articles, (*errors, *more)


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
    from storyfuse.sources.inputs import read_inputs  # here: feeds and pages import slowly

    documents, read_errors = read_inputs(paths)
    report = build_report(documents, options)
    return Report(
        articles=report.articles,
        wire=report.wire,
        stories=report.stories,
        errors=read_errors + report.errors,
    )
