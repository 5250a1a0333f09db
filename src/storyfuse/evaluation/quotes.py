"""Direct quotes and their speakers measured on PolNeAR (political news attribution relations).

Each article's text is split into paragraphs at blank lines and segmented as
the pipeline does; its people come from the story's entity extraction; its
quotes from :func:`storyfuse.stories.quotes.quotes_in_article`. Scoring rule:

- gold quotes are the attributions marked ``direct`` (of the chosen split);
- a gold quote is *found* when the found quotes that overlap its content
  fragments cover at least half of the fragments' characters (recall);
- a found quote is *correct* when at least half of its characters lie inside
  the content of some annotated attribution, whatever its form (precision:
  PolNeAR annotates the content of every attribution, so a quote outside all
  of them is not reported speech);
- a found gold quote's speaker is the speaker of the found quote that overlaps
  it most. The gold source is a *name* when it holds a capitalised word that is
  not a pronoun ("Caddell", "Rep. G.K. Butterfield", "The New York Times"), a
  *pronoun* ("he", "she", "they", ...), else a *description* ("a spokesman",
  "sources"). A speaker is right when the last capitalised word of one of the
  two names is a word of the other, case ignored ("Pat Caddell" for
  "Caddell", "Mike Pence" for "PENCE"). Pronoun sources are scored against the
  corpus's automatic ``source_resolved`` name where it has one, and reported
  apart from named sources.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyfuse.evaluation.datasets import DatasetError, jsonl_objects
from storyfuse.models import Article
from storyfuse.stories.entities import extract_entities
from storyfuse.stories.quotes import QuoteSpan, quotes_in_article
from storyfuse.text.segment import PARAGRAPH_SEPARATOR, segment

PRONOUNS = frozenset("he she they i we him her them it you his hers their its our my me us".split())
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One annotated direct quote: its content pieces, its source and the resolved source."""

    fragments: tuple[tuple[int, int], ...]
    source: str | None
    resolved: str | None


@dataclass(frozen=True, slots=True)
class QuoteScores:
    """The counts and rates of one run (rates are None when their count is 0)."""

    articles: int
    gold: int
    found_gold: int
    predicted: int
    correct_predicted: int
    named: int
    named_right: int
    named_unattributed: int
    pronoun: int
    pronoun_named: int
    pronoun_checked: int
    pronoun_right: int
    described: int
    unattributed: int
    seconds: float

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    def as_json(self) -> dict[str, Any]:
        rate = self._rate
        return {
            "articles": self.articles,
            "gold_direct_quotes": self.gold,
            "recall": rate(self.found_gold, self.gold),
            "predicted_quotes": self.predicted,
            "precision": rate(self.correct_predicted, self.predicted),
            "named_source": {
                "quotes": self.named,
                "speaker_accuracy": rate(self.named_right, self.named),
                "no_speaker": rate(self.named_unattributed, self.named),
            },
            "pronoun_source": {
                "quotes": self.pronoun,
                "resolved_to_a_name": rate(self.pronoun_named, self.pronoun),
                "with_resolved_gold": self.pronoun_checked,
                "accuracy_against_resolved_gold": rate(self.pronoun_right, self.pronoun_checked),
            },
            "description_source": self.described,
            "no_speaker": rate(self.unattributed, self.found_gold),
            "seconds": round(self.seconds, 2),
        }


def article_from_text(identifier: str, text: str) -> tuple[Article, list[int]]:
    """An article built from text whose paragraphs are separated by blank lines.

    Returns the article and, per paragraph, its start offset in ``text`` (the
    article's own offsets differ where paragraphs were separated by more
    than one blank line).
    """
    paragraphs: list[str] = []
    starts: list[int] = []
    for match in re.finditer(r"(?:(?!\n\s*\n)[\s\S])+", text):
        raw = match.group()
        stripped = raw.strip()
        if stripped:
            paragraphs.append(stripped)
            starts.append(match.start() + raw.index(stripped[0]))
    article = Article(
        id=identifier,
        source=identifier,
        outlet=None,
        title=None,
        published=None,
        url=None,
        text=PARAGRAPH_SEPARATOR.join(paragraphs),
        sentences=segment(paragraphs),
        removed=(),
    )
    return article, starts


def _to_source_offsets(
    article: Article, starts: Sequence[int], quotes: Sequence[QuoteSpan]
) -> list[QuoteSpan]:
    """Quote spans moved from the article's offsets to the original text's."""
    own_starts: list[int] = []
    offset = 0
    for paragraph in article.text.split(PARAGRAPH_SEPARATOR):
        own_starts.append(offset)
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    moved: list[QuoteSpan] = []
    for quote in quotes:
        number = max(i for i, s in enumerate(own_starts) if s <= quote.start)
        shift = starts[number] - own_starts[number]
        moved.append(QuoteSpan(quote.start + shift, quote.end + shift, quote.speaker))
    return moved


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _name_words(name: str) -> list[str]:
    """The capitalised words of a name, lower-cased, without possessive endings."""
    words = [_POSSESSIVE.sub("", w).rstrip(".").lower() for w in _NAME_WORD.findall(name)]
    capitalised = [
        w for w, raw in zip(words, _NAME_WORD.findall(name), strict=True) if raw[0].isupper()
    ]
    return [w for w in capitalised if w]


def source_kind(source: str | None) -> str:
    """``name``, ``pronoun``, ``description`` or ``none`` for a gold source."""
    if not source:
        return "none"
    if source.strip().lower() in PRONOUNS:
        return "pronoun"
    words = [w for w in _name_words(source) if w not in PRONOUNS | {"the", "a", "an"}]
    return "name" if words else "description"


def same_person(speaker: str | None, gold: str | None) -> bool:
    """Whether a found speaker names the gold source (see the module's rule)."""
    if not speaker or not gold:
        return False
    found, wanted = _name_words(speaker), _name_words(gold)
    if not found or not wanted:
        return False
    return wanted[-1] in found or found[-1] in wanted


def _gold_quotes(record: dict[str, Any]) -> tuple[list[GoldQuote], list[tuple[int, int]]]:
    gold: list[GoldQuote] = []
    contents: list[tuple[int, int]] = []
    for quote in record.get("quotes", []):
        fragments = tuple((int(a), int(b)) for a, b in quote["content_fragments"])
        contents.extend(fragments)
        if quote.get("direct"):
            gold.append(GoldQuote(fragments, quote.get("source"), quote.get("source_resolved")))
    return gold, contents


def evaluate_quotes(path: Path, split: str | None = "dev", limit: int | None = None) -> QuoteScores:
    """Score quote finding and speakers on a PolNeAR JSONL file (see the module's rule)."""
    counts = dict.fromkeys(
        "articles gold found_gold predicted correct_predicted named named_right "
        "named_unattributed pronoun pronoun_named pronoun_checked pronoun_right described "
        "unattributed".split(),
        0,
    )
    began = time.perf_counter()
    seen = 0
    for number, record in jsonl_objects(path):
        if split and record.get("split") != split:
            continue
        if limit is not None and seen >= limit:
            break
        seen += 1
        text = record.get("text")
        if not isinstance(text, str) or not isinstance(record.get("quotes"), list):
            raise DatasetError(f"{path}:{number}: expected 'text' and 'quotes' (PolNeAR layout)")
        gold, contents = _gold_quotes(record)
        article, starts = article_from_text(str(record.get("id", number)), text)
        people = [e for e in extract_entities([article]) if e.type == "person"]
        found = _to_source_offsets(article, starts, quotes_in_article(article, people))
        _score_article(gold, contents, found, counts)
    counts["articles"] = seen
    return QuoteScores(**counts, seconds=time.perf_counter() - began)


def _score_article(
    gold: Sequence[GoldQuote],
    contents: Sequence[tuple[int, int]],
    found: Sequence[QuoteSpan],
    counts: dict[str, int],
) -> None:
    counts["predicted"] += len(found)
    for quote in found:
        span = (quote.start, quote.end)
        if any(2 * _overlap(span, content) >= quote.end - quote.start for content in contents):
            counts["correct_predicted"] += 1
    for item in gold:
        counts["gold"] += 1
        size = sum(b - a for a, b in item.fragments)
        overlaps = [(sum(_overlap((q.start, q.end), f) for f in item.fragments), q) for q in found]
        covered = sum(n for n, _ in overlaps)
        if size == 0 or 2 * covered < size:
            continue
        counts["found_gold"] += 1
        speaker = max(overlaps, key=lambda pair: pair[0])[1].speaker
        counts["unattributed"] += speaker is None
        kind = source_kind(item.source)
        if kind == "name":
            counts["named"] += 1
            counts["named_right"] += same_person(speaker, item.source)
            counts["named_unattributed"] += speaker is None
        elif kind == "pronoun":
            counts["pronoun"] += 1
            counts["pronoun_named"] += speaker is not None and source_kind(speaker) == "name"
            if item.resolved:
                counts["pronoun_checked"] += 1
                counts["pronoun_right"] += same_person(speaker, item.resolved)
        elif kind == "description":
            counts["described"] += 1


def quote_table(scores: QuoteScores) -> str:
    """The scores as lines of text."""
    data = scores.as_json()

    def show(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    named, pronoun = data["named_source"], data["pronoun_source"]
    return "\n".join(
        [
            f"articles: {scores.articles}  gold direct quotes: {scores.gold}  "
            f"found quotes: {scores.predicted}",
            f"recall {show(data['recall'])}  precision {show(data['precision'])}",
            f"named source ({named['quotes']} found quotes): speaker accuracy "
            f"{show(named['speaker_accuracy'])}  no speaker {show(named['no_speaker'])}",
            f"pronoun source ({pronoun['quotes']}): resolved to a name "
            f"{show(pronoun['resolved_to_a_name'])}  right against the resolved gold "
            f"{show(pronoun['accuracy_against_resolved_gold'])} "
            f"(of {pronoun['with_resolved_gold']})",
            f"description source: {scores.described}  "
            f"no speaker (all found quotes): {show(data['no_speaker'])}",
            f"seconds: {scores.seconds:.1f}",
        ]
    )
