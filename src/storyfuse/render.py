"""Reports as JSON for programs and Markdown for people."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from storyfuse.models import Article, Report, Story, StoryRow, StorySplit
from storyfuse.stories.changes import StoryChanges

JsonObject = dict[str, Any]


def article_json(article: Article, report: Report) -> JsonObject:
    """One article in the documented JSON shape."""
    return {
        "id": article.id,
        "source": article.source,
        "outlet": article.outlet,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "updated": article.updated.isoformat() if article.updated else None,
        "author": article.author,
        "language": article.language,
        "url": article.url,
        "sentences": [sentence.text for sentence in article.sentences],
        "removed": [{"text": r.text, "reason": r.reason} for r in article.removed],
        "wire": [
            {
                "article": link.article,
                "shared_sentences": link.shared_sentences,
                "share": link.share,
            }
            for link in report.wire.get(article.id, ())
        ],
    }


def story_json(story: Story) -> JsonObject:
    """One story in the documented JSON shape."""
    return {
        "id": story.id,
        "headline": story.headline,
        "articles": list(story.articles),
        "single_article": len(story.articles) == 1,
        "independent_sources": story.independent_sources,
        "first_published": story.first_published.isoformat() if story.first_published else None,
        "last_published": story.last_published.isoformat() if story.last_published else None,
        "summary": [{"text": s.text, "citations": list(s.citations)} for s in story.summary],
        "shared_facts": [
            {"text": f.text, "articles": list(f.articles)} for f in story.shared_facts
        ],
        "unique_facts": [{"article": f.article, "text": f.text} for f in story.unique_facts],
        "quotes": [
            {
                "speaker": q.speaker,
                "text": q.text,
                "articles": list(q.articles),
                "verbatim": dict(q.verbatim),
            }
            for q in story.quotes
        ],
        "entities": [
            {"name": e.name, "type": e.type, "mentions": dict(e.mentions)} for e in story.entities
        ],
        "contradictions": [
            {
                "claims": [
                    {"article": c.first_article, "text": c.first_text, "values": list(c.values[0])},
                    {
                        "article": c.second_article,
                        "text": c.second_text,
                        "values": list(c.values[1]),
                    },
                ]
            }
            for c in story.contradictions
        ],
    }


def report_json(report: Report) -> str:
    """The whole report as deterministic, pretty-printed JSON."""
    document = {
        "articles": [article_json(article, report) for article in report.articles],
        "stories": [story_json(story) for story in report.stories],
        "rejected": [{"source": e.source, "reason": e.reason} for e in report.errors],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# Enough to stop links, HTML, code spans and table cells; emphasis marks stay.
_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]|<>&])")


def escape_markdown(text: str) -> str:
    """Untrusted text made inert in Markdown and in the HTML it may become.

    CommonMark treats a backslash-escaped ``<`` or ``&`` as a literal character,
    so no tag or entity can come through, and the text stays readable.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _article_label(article: Article) -> str:
    parts = [article.outlet or "Unknown outlet"]
    if article.published:
        parts.append(article.published.isoformat())
    return ", ".join(parts)


def story_markdown(story: Story, articles: dict[str, Article], *, explain: bool = False) -> str:
    """One story for people: summary with numbered citations, then the comparison."""
    number = {article_id: n for n, article_id in enumerate(story.articles, start=1)}

    def marks(cited: Sequence[str]) -> str:
        return "".join(f"[{n}]" for n in sorted(number[a] for a in cited))

    outlets = sorted({articles[a].outlet or "unknown outlet" for a in story.articles})
    lines = [f"## {escape_markdown(story.headline)}", ""]
    dates = ""
    if story.first_published and story.last_published:
        dates = f" · {story.first_published.isoformat()}"
        if story.last_published != story.first_published:
            dates += f" to {story.last_published.isoformat()}"
    lines.append(
        f"*{len(story.articles)} {'article' if len(story.articles) == 1 else 'articles'} · "
        f"{story.independent_sources} independent "
        f"{'source' if story.independent_sources == 1 else 'sources'} · "
        f"{escape_markdown(', '.join(outlets))}{dates}* (story `{story.id}`)"
    )
    lines += ["", "### Summary", ""]
    for sentence in story.summary:
        lines.append(f"- {escape_markdown(sentence.text)} {marks(sentence.citations)}")
    lines += ["", "### Sources", ""]
    for article_id in story.articles:
        article = articles[article_id]
        title = escape_markdown(article.title or article.sentences[0].text)
        lines.append(
            f"{number[article_id]}. {title} ({escape_markdown(_article_label(article))}), "
            f"{escape_markdown(article.source)}"
        )
    if story.shared_facts:
        lines += ["", "### Reported by several outlets", ""]
        for fact in story.shared_facts:
            lines.append(f"- {escape_markdown(fact.text)} {marks(fact.articles)}")
    if story.unique_facts:
        lines += ["", "### Reported by one outlet only", ""]
        by_article: dict[str, list[str]] = defaultdict(list)
        for unique in story.unique_facts:
            by_article[unique.article].append(unique.text)
        for article_id, texts in by_article.items():
            lines.append(
                f"- **[{number[article_id]}] "
                f"{escape_markdown(_article_label(articles[article_id]))}**"
            )
            lines += [f"  - {escape_markdown(text)}" for text in texts]
    if story.contradictions:
        lines += ["", "### Where outlets disagree", ""]
        for c in story.contradictions:
            lines.append(
                f"- [{number[c.first_article]}] {escape_markdown(c.first_text)} "
                f"*vs* [{number[c.second_article]}] {escape_markdown(c.second_text)}"
            )
    if story.quotes:
        lines += ["", "### Quotes", ""]
        for quote in story.quotes:
            speaker = escape_markdown(quote.speaker or "unattributed")
            lines.append(
                f"- **{speaker}**: “{escape_markdown(quote.text)}” {marks(quote.articles)}"
            )
    if story.entities:
        lines += ["", "### People, organisations and places", ""]
        for kind, title in (
            ("person", "People"),
            ("organization", "Organisations"),
            ("place", "Places"),
        ):
            names = [
                f"{escape_markdown(e.name)} ({sum(count for _, count in e.mentions)})"
                for e in story.entities
                if e.type == kind
            ]
            if names:
                lines.append(f"- {title}: {', '.join(names)}")
    if explain:
        lines += ["", "### Removed boilerplate", ""]
        for article_id in story.articles:
            article = articles[article_id]
            lines.append(f"- **[{number[article_id]}] {escape_markdown(article.source)}**")
            lines += [
                f"  - *{escape_markdown(r.reason)}*: {escape_markdown(r.text)}"
                for r in article.removed
            ] or ["  - nothing removed"]
    return "\n".join(lines) + "\n"


def report_markdown(report: Report, *, explain: bool = False) -> str:
    """All stories, then the wire-copy table and any rejected inputs."""
    articles = {article.id: article for article in report.articles}
    story_count, article_count = len(report.stories), len(report.articles)
    sections = [
        f"# {story_count} {'story' if story_count == 1 else 'stories'} from "
        f"{article_count} {'article' if article_count == 1 else 'articles'}",
        "",
    ]
    sections += [story_markdown(story, articles, explain=explain) for story in report.stories]
    shared = [
        (article_id, link) for article_id, links in sorted(report.wire.items()) for link in links
    ]
    if shared:
        sections += [
            "## Shared wire copy",
            "",
            "| article | shares with | sentences | share |",
            "| --- | --- | --- | --- |",
        ]
        for article_id, link in shared:
            sections.append(
                f"| {escape_markdown(articles[article_id].source)} | "
                f"{escape_markdown(articles[link.article].source)} | {link.shared_sentences} | "
                f"{link.share:.0%} |"
            )
        sections.append("")
    if report.errors:
        sections += ["## Rejected inputs", ""]
        sections += [
            f"- `{escape_markdown(e.source)}`: {escape_markdown(e.reason)}" for e in report.errors
        ]
        sections.append("")
    return "\n".join(sections)


def changes_json(changes: StoryChanges) -> JsonObject:
    """What a story gained since a moment, in JSON."""
    return {
        "since": changes.since,
        "new_articles": list(changes.new_articles),
        "new_shared_facts": [
            {"text": f.text, "articles": list(f.articles)} for f in changes.new_shared_facts
        ],
        "new_unique_facts": [
            {"article": f.article, "text": f.text} for f in changes.new_unique_facts
        ],
        "new_quotes": [
            {"speaker": q.speaker, "text": q.text, "articles": list(q.articles)}
            for q in changes.new_quotes
        ],
    }


def changes_markdown(changes: StoryChanges, articles: dict[str, Article]) -> str:
    """What a story gained since a moment, for people."""
    lines = [f"### What's new since {escape_markdown(changes.since)}", ""]
    if not (changes.new_articles or changes.new_shared_facts or changes.new_unique_facts):
        return "\n".join([*lines, "Nothing new.", ""])
    for article_id in changes.new_articles:
        article = articles[article_id]
        title = article.title or article.sentences[0].text
        lines.append(
            f"- New article: {escape_markdown(title)} ({escape_markdown(_article_label(article))})"
        )
    lines += [f"- New fact: {escape_markdown(f.text)}" for f in changes.new_shared_facts]
    lines += [f"- New fact: {escape_markdown(f.text)}" for f in changes.new_unique_facts]
    lines += [
        f"- New quote: {escape_markdown(q.speaker or 'unattributed')}: “{escape_markdown(q.text)}”"
        for q in changes.new_quotes
    ]
    return "\n".join(lines) + "\n"


def splits_json(splits: Sequence[StorySplit]) -> list[JsonObject]:
    """A story's splits in JSON: which story, how many articles moved, and when."""
    return [
        {"from": s.from_story, "to": s.to_story, "articles": s.articles, "at": s.at} for s in splits
    ]


def splits_markdown(story_id: str, splits: Sequence[StorySplit]) -> str:
    """A story's splits, for people: where its articles went, or where it came from."""
    lines = ["### Splits", ""]
    for split in splits:
        count = f"{split.articles} article{'s' if split.articles != 1 else ''}"
        if split.from_story == story_id:
            lines.append(
                f"- {split.at}: {count} about another event moved to story {split.to_story}"
            )
        else:
            lines.append(f"- {split.at}: split off story {split.from_story} ({count})")
    return "\n".join(lines) + "\n"


def story_row_json(row: StoryRow) -> JsonObject:
    """A listed story in JSON."""
    return {
        "id": row.id,
        "headline": row.headline,
        "size": row.size,
        "single_article": row.size == 1,
        "independent_sources": row.independent_sources,
        "outlets": list(row.outlets),
        "first_published": row.first_published.isoformat() if row.first_published else None,
        "last_published": row.last_published.isoformat() if row.last_published else None,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
    }
