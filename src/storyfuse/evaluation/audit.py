"""Check every claim of every story against the raw text of the articles it cites.

A story makes claims of four kinds, and each is checked against the input text
as it was read (before any cleaning), so that the cleaner and the segmenter are
checked too:

- *printed*: a summary sentence, a shared fact, a unique fact and each side of a
  contradiction is contiguous text of an article, quote marks and whitespace
  normalised. Text joined across a removed piece is not contiguous, so a
  sentence stitched together by the cleaner fails here.
- *supported*: every article a summary sentence or a shared fact cites prints a
  sentence that holds all the claim's content words and every one of its figures.
- *quoted*: every article a quote cites prints the quoted text verbatim.
- *speaker named*: an article a quote cites prints the speaker's last name, and the
  story's articles print the rest of it (initials aside).
- *speaker attributed*: in every article a quote cites, the quote's sentences and the
  one on each side of them, the quote's own words left out, hold an attribution (a
  speech verb, "according to", or the name joined to the quote by a dash or a colon)
  and a word of the speaker's name, or a personal pronoun whose person (a word of the
  name) is printed in the sentence before those (:mod:`storyfuse.stories.attribution`).

:func:`audit_report` runs the checks on a report; :func:`audit_documents` runs the
pipeline first, as ``storyfuse summarize`` does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from storyfuse.models import Article, InputError, RawDocument, Report, Story
from storyfuse.pipeline import PipelineOptions, build_report
from storyfuse.stories.attribution import SentenceText, normalize_printed
from storyfuse.stories.quotes import extract_quotes
from storyfuse.stories.support import Terms, terms
from storyfuse.text.segment import segment

SUMMARY_PRINTED = "summary sentence printed"
SUMMARY_SUPPORTED = "summary citation supported"
FACT_PRINTED = "shared fact printed"
FACT_SUPPORTED = "shared fact citation supported"
UNIQUE_PRINTED = "unique fact printed"
CONTRADICTION_PRINTED = "contradiction claim printed"
QUOTE_VERBATIM = "quote verbatim"
SPEAKER_NAMED = "quote speaker named"
SPEAKER_ATTRIBUTED = "quote speaker attributed"
KINDS = (
    SUMMARY_PRINTED,
    SUMMARY_SUPPORTED,
    FACT_PRINTED,
    FACT_SUPPORTED,
    UNIQUE_PRINTED,
    CONTRADICTION_PRINTED,
    QUOTE_VERBATIM,
    SPEAKER_NAMED,
    SPEAKER_ATTRIBUTED,
)
# What the audit cannot check yet, said with every result.
NOT_CHECKED = (
    "whether the attribution beside a quote is grammatically the speaker's (only that an "
    "attribution and the speaker's name or a pronoun for it stand in the quote's sentences "
    "or the adjacent ones)",
)

_NAME_WORD = re.compile(r"[^\W\d_]+")
_TERMINAL = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$|[\"”]\s*$")


@dataclass(frozen=True, slots=True)
class AuditFailure:
    """One claim that fails one check: its story, the article concerned and why."""

    kind: str
    story: str
    article: str | None
    claim: str
    reason: str

    def as_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "story": self.story,
            "article": self.article,
            "claim": self.claim,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class AuditResult:
    """How many claims of each kind were checked, and every one that failed."""

    stories: int
    checked: Mapping[str, int]
    failures: tuple[AuditFailure, ...]
    rejected: tuple[InputError, ...] = ()
    not_checked: tuple[str, ...] = NOT_CHECKED

    def failed(self) -> Counter[str]:
        """Failures per kind."""
        return Counter(failure.kind for failure in self.failures)

    def as_json(self) -> dict[str, object]:
        failed = self.failed()
        return {
            "stories": self.stories,
            "checks": {
                kind: {"checked": self.checked.get(kind, 0), "failed": failed[kind]}
                for kind in KINDS
            },
            "failures": [failure.as_json() for failure in self.failures],
            "rejected": [{"source": e.source, "reason": e.reason} for e in self.rejected],
            "not_checked": list(self.not_checked),
        }


@dataclass(slots=True)
class _Tally:
    """Counts and failures as the checks go (private, mutable)."""

    stories: int = 0
    checked: Counter[str] = field(default_factory=Counter)
    failures: list[AuditFailure] = field(default_factory=list)
    rejected: list[InputError] = field(default_factory=list)

    def record(
        self, kind: str, ok: bool, story: str, article: str | None, claim: str, reason: str
    ) -> None:
        self.checked[kind] += 1
        if not ok:
            self.failures.append(AuditFailure(kind, story, article, claim, reason))

    def result(self) -> AuditResult:
        return AuditResult(
            self.stories, dict(self.checked), tuple(self.failures), tuple(self.rejected)
        )


class PrintedText:
    """An article's raw text, ready for the printed and supported checks."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.normalized = normalize_printed(raw)

    def prints(self, claim: str) -> bool:
        """Whether ``claim`` is contiguous text of the article (quotes and spaces normalised)."""
        wanted = normalize_printed(claim)
        return bool(wanted) and wanted in self.normalized

    def names(self, person: str, story: Iterable[PrintedText] = ()) -> bool:
        """Whether the article names a person: it prints the last word of the name, and it
        or another article of the story prints every other word (initials aside), so that
        "Benjamin Netanyahu" is named by an article that says "Netanyahu said".
        """
        words = [word.casefold() for word in _NAME_WORD.findall(person) if len(word) > 1]
        if not words or words[-1] not in self._words:
            return False
        printed = self._words.union(*(other._words for other in story))
        return all(word in printed for word in words)

    @property
    def _words(self) -> frozenset[str]:
        return _printed_words(self.normalized)

    def supports(self, claim: str) -> bool:
        """Whether one sentence of the article holds the claim's content words and figures."""
        wanted = terms(claim)
        return any(wanted.held_by(sentence) for sentence in _raw_sentences(self.raw))

    def attributes(self, quote: str, speaker: str) -> bool:
        """Whether the article attributes ``quote`` to ``speaker`` beside it (the rule of
        :mod:`storyfuse.stories.attribution`, on the raw text's sentences)."""
        return _raw_sentence_text(self.raw).attributes(quote, speaker)


@lru_cache(maxsize=256)
def _printed_words(text: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _NAME_WORD.findall(text))


@lru_cache(maxsize=4096)
def _raw_sentences(raw: str) -> tuple[Terms, ...]:
    """The content words and figures of each sentence of raw text."""
    return tuple(terms(sentence.text) for sentence in segment(_raw_paragraphs(raw)))


@lru_cache(maxsize=256)
def _raw_sentence_text(raw: str) -> SentenceText:
    return SentenceText([sentence.text for sentence in segment(_raw_paragraphs(raw))])


def _raw_paragraphs(raw: str) -> list[str]:
    """The paragraphs of raw text.

    Lines are paragraphs, except that a line which ends without a full stop runs
    on into the next line (a soft-wrapped paragraph), and across a blank line into
    one that opens in lower case (a sentence broken by a paragraph break).
    """
    paragraphs: list[str] = []
    open_line = blank = False
    for line in raw.splitlines():
        stripped = line.strip()
        if not stripped:
            blank = True
            continue
        if open_line and (not blank or stripped[:1].islower()):
            paragraphs[-1] = f"{paragraphs[-1]} {stripped}"
        else:
            paragraphs.append(stripped)
        open_line, blank = not _TERMINAL.search(stripped), False
    return paragraphs


def _check_story(
    story: Story, articles: Mapping[str, Article], raw: Mapping[str, PrintedText], tally: _Tally
) -> None:
    tally.stories += 1

    def label(article_id: str) -> str:
        article = articles.get(article_id)
        return f"{article.source} ({article.outlet_key})" if article else article_id

    def text_of(article_id: str) -> PrintedText:
        return raw.get(article_id) or PrintedText("")

    story_texts = [raw[article_id] for article_id in story.articles if article_id in raw]

    def check_citations(kind: str, claim: str, cited_articles: Sequence[str]) -> None:
        for cited in cited_articles:
            tally.record(
                kind,
                text_of(cited).supports(claim),
                story.id,
                label(cited),
                claim,
                "the cited article prints no sentence with its content words and figures",
            )

    for sentence in story.summary:
        source = sentence.source.article
        tally.record(
            SUMMARY_PRINTED,
            text_of(source).prints(sentence.text),
            story.id,
            label(source),
            sentence.text,
            "not contiguous text of its source article",
        )
        check_citations(SUMMARY_SUPPORTED, sentence.text, sentence.citations)
    for fact in story.shared_facts:
        tally.record(
            FACT_PRINTED,
            any(text_of(cited).prints(fact.text) for cited in fact.articles),
            story.id,
            None,
            fact.text,
            "no cited article prints it as contiguous text",
        )
        check_citations(FACT_SUPPORTED, fact.text, fact.articles)
    for unique in story.unique_facts:
        tally.record(
            UNIQUE_PRINTED,
            text_of(unique.article).prints(unique.text),
            story.id,
            label(unique.article),
            unique.text,
            "not contiguous text of its article",
        )
    for contradiction in story.contradictions:
        for article_id, text in (
            (contradiction.first_article, contradiction.first_text),
            (contradiction.second_article, contradiction.second_text),
        ):
            tally.record(
                CONTRADICTION_PRINTED,
                text_of(article_id).prints(text),
                story.id,
                label(article_id),
                text,
                "not contiguous text of its article",
            )
    for quote in story.quotes:
        verbatim = dict(quote.verbatim)
        for cited in quote.articles:
            printed = verbatim.get(cited, quote.text)
            tally.record(
                QUOTE_VERBATIM,
                text_of(cited).prints(printed),
                story.id,
                label(cited),
                printed,
                "the cited article does not print the quote verbatim",
            )
            if quote.speaker is not None:
                tally.record(
                    SPEAKER_NAMED,
                    text_of(cited).names(quote.speaker, story_texts),
                    story.id,
                    label(cited),
                    f"{quote.speaker}: {printed}",
                    "the cited article never names the speaker",
                )
                tally.record(
                    SPEAKER_ATTRIBUTED,
                    text_of(cited).attributes(printed, quote.speaker),
                    story.id,
                    label(cited),
                    f"{quote.speaker}: {printed}",
                    "the cited article does not attribute the quote to the speaker beside it",
                )


@dataclass(frozen=True, slots=True)
class QuoteAttribution:
    """Quotes with a speaker checked for attribution, and those their articles do not back."""

    checked: int
    failures: tuple[AuditFailure, ...]


def audit_quote_attribution(
    articles: Sequence[Article], raw_texts: Mapping[str, str], story: str = ""
) -> QuoteAttribution:
    """The *speaker attributed* check on the quotes of ``articles`` taken as one story.

    This is what ``storyfuse eval summarize`` runs on each cluster. The quotes are found
    without the story's people (so surnames stay as printed); ``raw_texts`` maps each
    article's source to its raw text.
    """
    tally = _Tally()
    sources = {article.id: article.source for article in articles}
    for quote in extract_quotes(articles, ()):
        if quote.speaker is None:
            continue
        for cited, printed in quote.verbatim:
            tally.record(
                SPEAKER_ATTRIBUTED,
                PrintedText(raw_texts.get(sources[cited], "")).attributes(printed, quote.speaker),
                story,
                sources[cited],
                f"{quote.speaker}: {printed}",
                "the cited article does not attribute the quote to the speaker beside it",
            )
    return QuoteAttribution(tally.checked[SPEAKER_ATTRIBUTED], tuple(tally.failures))


def audit_report(report: Report, raw_texts: Mapping[str, str]) -> AuditResult:
    """Check every story of ``report``; ``raw_texts`` maps each article's source to its raw text."""
    tally = _Tally()
    _audit_into(report, raw_texts, tally)
    return tally.result()


def _audit_into(report: Report, raw_texts: Mapping[str, str], tally: _Tally) -> None:
    tally.rejected.extend(report.errors)
    articles = {article.id: article for article in report.articles}
    raw = {
        article.id: PrintedText(raw_texts[article.source])
        for article in report.articles
        if article.source in raw_texts
    }
    for story in report.stories:
        _check_story(story, articles, raw, tally)


def audit_documents(
    batches: Iterable[Sequence[RawDocument]], options: PipelineOptions | None = None
) -> AuditResult:
    """Run the pipeline on each batch of documents (one ``summarize`` run each) and audit it."""
    tally = _Tally()
    for documents in batches:
        report = build_report(documents, options)
        _audit_into(report, {document.source: document.text for document in documents}, tally)
    return tally.result()


def audit_table(result: AuditResult) -> str:
    """The counts per kind of claim as plain text lines."""
    failed = result.failed()
    width = max(len(kind) for kind in KINDS)
    lines = [f"{result.stories} stories checked"]
    lines += [
        f"{kind:<{width}}  {result.checked.get(kind, 0):>7} checked  {failed[kind]:>5} failed"
        for kind in KINDS
    ]
    if result.rejected:
        lines.append(f"{len(result.rejected)} inputs set aside (not articles; named on stderr)")
    lines += [f"not checked: {item}" for item in result.not_checked]
    return "\n".join(lines)
