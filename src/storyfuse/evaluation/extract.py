"""Article extraction measured on Zyte's article-extraction benchmark, beside trafilatura.

The dataset folder holds ``ground-truth.json`` (page hash -> ``articleBody``, the
human gold text) and ``html/<hash>.html.gz``. Every page goes through
:func:`storyfuse.sources.page_extract.extract_html` and through plain trafilatura (default
settings, ``include_comments=False``, the page decoded as UTF-8: the way the
benchmark runs it), in the same run.

Scores follow the benchmark's own ``evaluate.py``: a text is split into ``\\w+``
tokens; its 4-token shingles (one shorter shingle when it has fewer than four
tokens) are counted as a multiset; a page's true positives, false positives and
false negatives are the multiset overlaps, divided by their sum so that long
pages weigh no more than short ones. Precision is the mean over pages with some
predicted text, recall the mean over pages with some gold text, F1 the harmonic
mean of those two means. Intervals are 95% percentile bootstraps over pages;
the difference between the two systems is bootstrapped on the same resamples.
"""

from __future__ import annotations

import json
import logging
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import trafilatura

from storyfuse.evaluation.datasets import DatasetError
from storyfuse.sources.compressed import gunzip_capped
from storyfuse.sources.page_extract import NotHTMLError, extract_html

SHINGLE = 4
RESAMPLES = 1000
_TOKEN = re.compile(r"\w+")
_MAX_PAGE_BYTES = 50 * 1024 * 1024

Counts = tuple[float, float, float]  # true positives, false positives, false negatives


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its key, raw HTML bytes and gold article text."""

    key: str
    html: bytes
    gold: str


@dataclass(frozen=True, slots=True)
class Score:
    """A mean score and its 95% bootstrap interval."""

    value: float
    low: float
    high: float

    def as_json(self) -> dict[str, float]:
        """The score and its interval, rounded to four places."""
        return {
            "value": round(self.value, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
        }


@dataclass(frozen=True, slots=True)
class SystemResult:
    """One extractor's scores on the benchmark."""

    name: str
    version: str
    f1: Score
    precision: Score
    recall: Score
    errors: int
    seconds: float

    def as_json(self) -> dict[str, Any]:
        """The system's scores, error count and time as JSON."""
        return {
            "version": self.version,
            "f1": self.f1.as_json(),
            "precision": self.precision.as_json(),
            "recall": self.recall.as_json(),
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True, slots=True)
class ExtractionEvaluation:
    """storyfuse and trafilatura on the same pages, and the F1 difference between them."""

    dataset: str
    pages: int
    systems: tuple[SystemResult, ...]
    f1_difference: Score
    seed: int

    def as_json(self) -> dict[str, Any]:
        """The whole evaluation as JSON (what ``--json`` prints)."""
        return {
            "dataset": self.dataset,
            "pages": self.pages,
            "metric": f"{SHINGLE}-token shingle precision/recall/F1 as in the benchmark's "
            "evaluate.py; 95% percentile bootstrap intervals",
            "resamples": RESAMPLES,
            "seed": self.seed,
            "systems": {system.name: system.as_json() for system in self.systems},
            "f1_difference": {"systems": "storyfuse - trafilatura", **self.f1_difference.as_json()},
        }


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The text's ``size``-token shingles as a multiset (one shorter one for a short text)."""
    tokens = _TOKEN.findall(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[start : start + size]) for start in range(len(tokens) - size + 1))


def page_counts(gold: str, predicted: str) -> Counts:
    """True positive, false positive and false negative shingles, normalised to sum to 1."""
    truth, guess = shingles(gold), shingles(predicted)
    counts = (
        float(sum((truth & guess).values())),
        float(sum((guess - truth).values())),
        float(sum((truth - guess).values())),
    )
    total = sum(counts)
    if not total:
        return counts
    tp, fp, fn = (part / total for part in counts)
    return tp, fp, fn


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def scores(counts: Sequence[Counts]) -> tuple[float, float, float]:
    """F1, precision and recall of a set of pages, as the benchmark averages them."""
    precisions = [_precision(*page) for page in counts if page[0] + page[1] > 0]
    recalls = [_recall(*page) for page in counts if page[0] + page[2] > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def read_pages(folder: Path, limit: int | None = None) -> Iterator[Page]:
    """The benchmark's pages in key order, the first ``limit`` of them when given."""
    truth_path = folder / "ground-truth.json"
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{folder}: no ground-truth.json (not the benchmark's folder)") from None
    except (OSError, ValueError) as error:
        raise DatasetError(f"{truth_path}: cannot read it ({error})") from None
    if not isinstance(truth, dict):
        raise DatasetError(f"{truth_path}: expected an object keyed by page hash")
    for key in sorted(truth)[:limit]:
        path = folder / "html" / f"{key}.html.gz"
        try:
            with path.open("rb") as stream:
                html = gunzip_capped(stream, _MAX_PAGE_BYTES)
        except OSError as error:
            raise DatasetError(f"{path}: cannot read it ({error})") from None
        entry = truth[key]
        gold = entry.get("articleBody") if isinstance(entry, dict) else None
        yield Page(key, html, gold if isinstance(gold, str) else "")


def storyfuse_text(page: Page) -> str:
    """storyfuse's extraction of a page (raises on a page without an article)."""
    return extract_html(page.html, page.key).text


def trafilatura_text(page: Page) -> str:
    """Plain trafilatura, as the benchmark runs it."""
    return trafilatura.extract(page.html.decode("utf-8"), include_comments=False) or ""


SYSTEMS: dict[str, Callable[[Page], str]] = {
    "storyfuse": storyfuse_text,
    "trafilatura": trafilatura_text,
}


def _interval(values: Sequence[float], point: float) -> Score:
    ordered = sorted(values)
    low = ordered[int(0.025 * (len(ordered) - 1))]
    high = ordered[int(0.975 * (len(ordered) - 1))]
    return Score(point, low, high)


def evaluate_extraction(
    folder: Path, limit: int | None = None, seed: int = 0
) -> ExtractionEvaluation:
    """Score storyfuse and plain trafilatura on the benchmark in ``folder``, side by side."""
    pages = list(read_pages(folder, limit))
    if not pages:
        raise DatasetError(f"{folder}: no pages")
    counts: dict[str, list[Counts]] = {}
    errors: dict[str, int] = {}
    seconds: dict[str, float] = {}
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # per-page chatter
    for name, system in SYSTEMS.items():
        started = time.perf_counter()
        counts[name], errors[name] = [], 0
        for page in pages:
            try:
                predicted = system(page)
            except (NotHTMLError, UnicodeDecodeError):
                predicted, errors[name] = "", errors[name] + 1
            counts[name].append(page_counts(page.gold, predicted))
        seconds[name] = time.perf_counter() - started
    rng = random.Random(seed)
    resampled: dict[str, list[tuple[float, float, float]]] = {name: [] for name in SYSTEMS}
    for _ in range(RESAMPLES):
        picks = [rng.randrange(len(pages)) for _ in pages]
        for name in SYSTEMS:
            resampled[name].append(scores([counts[name][pick] for pick in picks]))
    results = []
    for name in SYSTEMS:
        point = scores(counts[name])
        results.append(
            SystemResult(
                name=name,
                version=_version(name),
                f1=_interval([s[0] for s in resampled[name]], point[0]),
                precision=_interval([s[1] for s in resampled[name]], point[1]),
                recall=_interval([s[2] for s in resampled[name]], point[2]),
                errors=errors[name],
                seconds=seconds[name],
            )
        )
    differences = [
        ours[0] - theirs[0]
        for ours, theirs in zip(resampled["storyfuse"], resampled["trafilatura"], strict=True)
    ]
    difference = _interval(differences, results[0].f1.value - results[1].f1.value)
    return ExtractionEvaluation(str(folder), len(pages), tuple(results), difference, seed)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def extraction_table(result: ExtractionEvaluation) -> str:
    """The evaluation as an aligned text table."""

    def cell(score: Score) -> str:
        return f"{score.value:.3f} [{score.low:.3f}, {score.high:.3f}]"

    lines = [
        f"article extraction: {result.pages} pages of {result.dataset}",
        f"{SHINGLE}-token shingles as in the benchmark's evaluate.py; "
        f"95% bootstrap intervals ({RESAMPLES} resamples, seed {result.seed})",
        "",
        f"{'system':<12} {'version':<8} {'F1':<21} {'precision':<21} {'recall':<21} "
        f"{'errors':>6} {'seconds':>8}",
    ]
    for system in result.systems:
        lines.append(
            f"{system.name:<12} {system.version:<8} {cell(system.f1):<21} "
            f"{cell(system.precision):<21} {cell(system.recall):<21} "
            f"{system.errors:>6} {system.seconds:>8.1f}"
        )
    diff = result.f1_difference
    lines.append("")
    lines.append(
        f"F1 storyfuse - trafilatura: {diff.value:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]"
    )
    return "\n".join(lines)
