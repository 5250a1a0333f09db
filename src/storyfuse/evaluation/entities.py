"""Named entities measured on CoNLL-2003 (people, organisations, places), model beside rules.

Each document is one article (its lines are paragraphs) and goes through
:func:`storyfuse.stories.entities.extract_entities` once per finder (the rules,
and the trained model when installed). Scoring rule: exact-text micro F1 over
the unique (text, type) pairs of each document, types PER / ORG / LOC (MISC is
ignored; person, organization and place map onto them); a found name counts
only when the document's gold has exactly that text with that type. Two units
are scored: *mentions*, the names as the text prints them ("Putin" and
"Vladimir Putin" apart), and *names*, the entities as the story shows them (a
surname linked to the full name the story gives counts as the full name, a
quote's speaker is added), which the gold's per-document unique texts favour less.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyfuse.evaluation.datasets import DatasetError, jsonl_objects
from storyfuse.models import Article
from storyfuse.stories.entities import entity_mentions, extract_entities
from storyfuse.stories.entity_model import Backend, model_available, names_backend
from storyfuse.text.segment import join_paragraphs, segment

TYPES = ("PER", "ORG", "LOC")
UNITS = ("mentions", "names")
_OURS = {"person": "PER", "organization": "ORG", "place": "LOC"}


@dataclass(frozen=True, slots=True)
class EntityScores:
    """True positives, false positives and false negatives per type, and the time taken."""

    finder: str
    unit: str
    tp: dict[str, int]
    fp: dict[str, int]
    fn: dict[str, int]
    seconds: float

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        kinds = [kind] if kind else list(TYPES)
        tp = sum(self.tp[k] for k in kinds)
        fp = sum(self.fp[k] for k in kinds)
        fn = sum(self.fn[k] for k in kinds)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def as_json(self) -> dict[str, Any]:
        scores: dict[str, Any] = {
            "finder": self.finder,
            "unit": self.unit,
            "seconds": round(self.seconds, 2),
        }
        for kind in (None, *TYPES):
            p, r, f = self.prf(kind)
            scores[kind or "micro"] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}
        return scores


def _article(identifier: str, text: str) -> Article:
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    return Article(
        id=identifier,
        source=identifier,
        outlet=None,
        title=None,
        published=None,
        url=None,
        text=join_paragraphs(paragraphs),
        sentences=segment(paragraphs),
        removed=(),
    )


def _documents(path: Path, limit: int | None) -> list[tuple[Article, set[tuple[str, str]]]]:
    documents: list[tuple[Article, set[tuple[str, str]]]] = []
    for number, record in jsonl_objects(path, limit):
        text, entities = record.get("text"), record.get("entities")
        if not isinstance(text, str) or not isinstance(entities, list):
            raise DatasetError(f"{path}:{number}: expected 'text' and 'entities' (CoNLL layout)")
        gold = {(e["text"], e["type"]) for e in entities if e.get("type") in TYPES}
        documents.append((_article(str(record.get("id", number)), text), gold))
    return documents


def score_finder(
    documents: Sequence[tuple[Article, set[tuple[str, str]]]], backend: Backend
) -> list[EntityScores]:
    """Score one finder on read documents: its mentions as printed, and its names as shown."""
    tallies = {unit: (Counter[str](), Counter[str](), Counter[str]()) for unit in UNITS}
    began = time.perf_counter()
    with names_backend(backend):
        for article, gold in documents:
            printed = {(n, _OURS[k]) for _, n, k in entity_mentions([article])}
            shown = {(e.name, _OURS[e.type]) for e in extract_entities([article])}
            for unit, found in zip(UNITS, (printed, shown), strict=True):
                tp, fp, fn = tallies[unit]
                tp.update(kind for _, kind in found & gold)
                fp.update(kind for _, kind in found - gold)
                fn.update(kind for _, kind in gold - found)
    seconds = time.perf_counter() - began
    return [
        EntityScores(
            backend,
            unit,
            {k: tp[k] for k in TYPES},
            {k: fp[k] for k in TYPES},
            {k: fn[k] for k in TYPES},
            seconds,
        )
        for unit, (tp, fp, fn) in tallies.items()
    ]


def evaluate_entities(path: Path, limit: int | None = None) -> list[EntityScores]:
    """The rules, and the model when installed, scored on a CoNLL-2003 JSONL file."""
    documents = _documents(path, limit)
    finders: list[Backend] = ["model", "rules"] if model_available() else ["rules"]
    return [score for finder in finders for score in score_finder(documents, finder)]


def entity_table(results: Sequence[EntityScores]) -> str:
    """The scores as a text table, one line per finder."""
    columns = "".join(f"{k + ' P/R/F1':>22}" for k in ("micro", *TYPES))
    header = f"{'finder':<8}{'unit':<10}{columns}"
    lines = [header + f"{'seconds':>9}"]
    for result in results:
        cells = []
        for kind in (None, *TYPES):
            p, r, f = result.prf(kind)
            cells.append(f"{p:.3f}/{r:.3f}/{f:.3f}".rjust(22))
        lines.append(
            f"{result.finder:<8}{result.unit:<10}" + "".join(cells) + f"{result.seconds:>9.1f}"
        )
    if all(result.finder == "rules" for result in results):
        lines.append("model: not installed (pip install 'storyfuse[nlp]')")
    return "\n".join(lines)
