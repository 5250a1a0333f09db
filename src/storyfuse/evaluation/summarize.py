"""Summaries measured on labelled clusters: ROUGE with bootstrap intervals, speed, faithfulness.

Each cluster's documents go through the real preparation
(:func:`storyfuse.pipeline.prepare_articles`) and one
:class:`~storyfuse.stories.wire.SentenceIndex`; every method then summarizes the same
articles under the same word budget: storyfuse's summarizers
(:data:`~storyfuse.stories.summarize.SUMMARIZERS`) and sumy's LexRank, TextRank, LSA and
SumBasic, which rank storyfuse's own sentences (no NLTK data needed) and cite through the
same index. Formats, detected per line: Multi-News (``raw_document``, ``summary``, ``idx``)
and generic (``documents``, ``summaries``, optional ``id``). ``rouge-score``, ``sumy`` and
``numpy`` come with the ``eval`` extra and are imported only when a run needs them.
The peers are in :mod:`storyfuse.evaluation.sumy_peers`, the scoring in
:mod:`storyfuse.evaluation.rouge`.
"""

from __future__ import annotations

import json
import math
import resource
import statistics
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from storyfuse.evaluation.audit import audit_quote_attribution
from storyfuse.evaluation.datasets import DatasetError, jsonl_objects
from storyfuse.evaluation.extra_imports import import_extra
from storyfuse.evaluation.rouge import (
    METRICS,
    RougeEvaluator,
    bootstrap_intervals,
    reference_lines,
    summary_lines,
    variant,
)
from storyfuse.evaluation.sumy_peers import PEERS, peer_summarizer
from storyfuse.models import RawDocument, SentenceRef, SummarySentence
from storyfuse.pipeline import prepare_articles
from storyfuse.stories.summarize import SUMMARIZERS, Summarizer, SummaryOptions
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.tokens import coverage, match_tokens

DEFAULT_METHODS = ("storyfuse", "lead", "random", *PEERS)
# A citation holds when the cited article prints this share of the sentence, in order.
NEAR_IDENTICAL = 0.9


@dataclass(frozen=True, slots=True)
class Cluster:
    """One labelled cluster: its source documents and its reference summaries."""

    id: str
    documents: tuple[str, ...]
    references: tuple[str, ...]
    focus: str = ""
    """The topic statement the summary should serve (``--focus-field``), or empty."""


@dataclass(frozen=True, slots=True)
class EvalOptions:
    """What to run: word budget, methods, how many clusters, the seed, bootstrap resamples."""

    words: int = 250
    methods: tuple[str, ...] = DEFAULT_METHODS
    limit: int | None = None
    seed: int = 0
    resamples: int = 1000
    focus_field: str | None = None
    """Each cluster's field holding a topic statement to focus its summaries on."""


@dataclass(frozen=True, slots=True)
class Metric:
    """Mean F1 and recall in percentage points, each with its 95% bootstrap interval."""

    f: float
    r: float
    f_ci: tuple[float, float]
    r_ci: tuple[float, float]

    def as_json(self) -> dict[str, Any]:
        """``f``, ``r``, ``ci`` (of F1) and ``r_ci``, to 0.01 point."""
        return {
            "f": round(self.f, 2),
            "r": round(self.r, 2),
            "ci": [round(x, 2) for x in self.f_ci],
            "r_ci": [round(x, 2) for x in self.r_ci],
        }


@dataclass(frozen=True, slots=True)
class Failure:
    """A summary sentence that is not verbatim in its source, or a citation that does not hold."""

    cluster: str
    method: str
    sentence: str
    reason: str


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One method's scores, its median time per cluster, and its faithfulness."""

    name: str
    scores: Mapping[str, Metric]
    seconds_per_cluster: float
    total_seconds: float
    sentences: int
    verbatim: float
    citations: float
    faithful: float


@dataclass(frozen=True, slots=True)
class SummaryEvaluation:
    """The result of ``storyfuse eval summarize``."""

    dataset: str
    clusters: int
    words: int
    variant: str
    methods: tuple[MethodResult, ...]
    failures: tuple[Failure, ...]
    preparation_seconds: float
    preparation_total_seconds: float
    documents: int
    set_aside: int
    wall_seconds: float
    peak_rss_mb: float
    quotes: tuple[int, int] = (0, 0)
    """Quotes with a speaker checked by the audit's attribution rule, and how many failed."""

    def as_json(self) -> dict[str, Any]:
        """The documented JSON shape."""
        methods = {
            m.name: {name: metric.as_json() for name, metric in m.scores.items()}
            | {
                "seconds_per_cluster": round(m.seconds_per_cluster, 6),
                "total_seconds": round(m.total_seconds, 3),
                "faithful": round(m.faithful, 4),
                "verbatim": round(m.verbatim, 4),
                "citations": round(m.citations, 4),
            }
            for m in self.methods
        }
        return {
            "dataset": self.dataset,
            "clusters": self.clusters,
            "words": self.words,
            "variant": self.variant,
            "methods": methods,
            "preparation_seconds_per_cluster": round(self.preparation_seconds, 6),
            "preparation_total_seconds": round(self.preparation_total_seconds, 3),
            "documents": self.documents,
            "documents_set_aside": self.set_aside,
            "failures": [
                {"id": f.cluster, "method": f.method, "sentence": f.sentence, "reason": f.reason}
                for f in self.failures
            ],
            "wall_seconds": round(self.wall_seconds, 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "quotes_attribution": {"checked": self.quotes[0], "failed": self.quotes[1]},
        }


def parse_cluster(record: Mapping[str, Any], line: int, focus_field: str | None = None) -> Cluster:
    """A cluster from one JSON object of either format; ``line`` numbers it in errors and ids.

    With ``focus_field``, that field of the object is the cluster's topic statement.
    """
    if "raw_document" in record and "summary" in record:
        raw = record["raw_document"]
        documents = raw.split("|||||") if isinstance(raw, str) else raw
        references = [record["summary"]]
        identifier = record.get("idx", line)
    elif "documents" in record and "summaries" in record:
        documents, references = record["documents"], record["summaries"]
        identifier = record.get("id", line)
    else:
        raise DatasetError(
            f"line {line}: neither Multi-News (raw_document + summary) "
            "nor generic (documents + summaries)"
        )
    texts = (documents, references)
    if not all(isinstance(t, list) and all(isinstance(s, str) for s in t) for t in texts):
        raise DatasetError(f"line {line}: documents and summaries must be lists of strings")
    references = [r for r in references if r.strip()]
    if not references:
        raise DatasetError(f"line {line}: no reference summary")
    focus = record.get(focus_field, None) if focus_field is not None else ""
    if not isinstance(focus, str):
        raise DatasetError(f"line {line}: no text field {focus_field!r} to focus on")
    return Cluster(str(identifier), tuple(documents), tuple(references), focus)


def read_clusters(
    path: Path, limit: int | None = None, focus_field: str | None = None
) -> Iterator[Cluster]:
    """The clusters of a JSONL file, in order, at most ``limit``; blank lines are skipped."""
    for number, record in jsonl_objects(path, limit):
        yield parse_cluster(record, number, focus_field)


def known_methods() -> dict[str, Summarizer]:
    """Every method the harness runs: storyfuse's summarizers, then the sumy peers."""
    return {**SUMMARIZERS, **{name: peer_summarizer(name) for name in PEERS}}


@dataclass(frozen=True, slots=True)
class Faithfulness:
    """Whether a summary sentence is verbatim in its cited source, and which citations fail."""

    verbatim: bool
    unsupported: tuple[str, ...]


def _reports(index: SentenceIndex, article_id: str, text: str) -> bool:
    """Whether the article prints ``text`` verbatim or a near-identical sentence."""
    article = index.articles.get(article_id)
    if article is None or text in article.text:
        return article is not None
    wanted = match_tokens(text)
    return any(
        coverage(wanted, index.tokens[SentenceRef(article_id, s.index)])[0] >= NEAR_IDENTICAL
        for s in article.sentences
    )


def check_sentence(sentence: SummarySentence, index: SentenceIndex) -> Faithfulness:
    """Check a summary sentence against the articles of ``index``."""
    source = index.articles.get(sentence.source.article)
    cited = sentence.source.article in sentence.citations
    verbatim = cited and source is not None and sentence.text in source.text
    unsupported = tuple(c for c in sentence.citations if not _reports(index, c, sentence.text))
    return Faithfulness(verbatim, unsupported)


@dataclass(slots=True)
class _Tally:
    """What one method accumulates over the clusters (private, mutable)."""

    scores: list[list[float]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    sentences: int = 0
    verbatim: int = 0
    faithful: int = 0
    citations: int = 0
    supported: int = 0


def _resolve(names: Sequence[str]) -> dict[str, Summarizer]:
    available = known_methods()
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ValueError(
            f"unknown method {', '.join(unknown)} (known: {', '.join(sorted(available))})"
        )
    for name in set(names) & set(PEERS):
        import_extra(PEERS[name][0])  # fail before the run, and keep imports out of the timings
    return {name: available[name] for name in dict.fromkeys(names)}


def _summary_json(cluster: str, method: str, summary: Sequence[SummarySentence]) -> str:
    sentences = [{"text": s.text, "citations": list(s.citations)} for s in summary]
    return json.dumps({"id": cluster, "method": method, "summary": sentences}, ensure_ascii=False)


def _check_summary(
    cluster: str,
    method: str,
    summary: Sequence[SummarySentence],
    index: SentenceIndex,
    tally: _Tally,
) -> list[Failure]:
    """Count the summary's faithful sentences and holding citations; list what fails."""
    failures = []
    for sentence in summary:
        check = check_sentence(sentence, index)
        tally.sentences += 1
        tally.verbatim += check.verbatim
        tally.faithful += check.verbatim and not check.unsupported
        tally.citations += len(sentence.citations)
        tally.supported += len(sentence.citations) - len(check.unsupported)
        if not check.verbatim:
            reason = "not verbatim in its cited source article"
            failures.append(Failure(cluster, method, sentence.text, reason))
        failures.extend(
            Failure(cluster, method, sentence.text, f"cited article {cited} lacks it")
            for cited in check.unsupported
        )
    return failures


def _method_result(
    name: str, tally: _Tally, intervals: Sequence[tuple[float, float]]
) -> MethodResult:
    means = [100 * statistics.fmean(column) for column in zip(*tally.scores, strict=True)]
    bounds = [(100 * low, 100 * high) for low, high in intervals]
    return MethodResult(
        name=name,
        scores={
            metric: Metric(means[2 * k], means[2 * k + 1], bounds[2 * k], bounds[2 * k + 1])
            for k, metric in enumerate(METRICS)
        },
        seconds_per_cluster=statistics.median(tally.seconds),
        total_seconds=math.fsum(tally.seconds),
        sentences=tally.sentences,
        verbatim=tally.verbatim / max(1, tally.sentences),
        citations=tally.supported / max(1, tally.citations),
        faithful=tally.faithful / max(1, tally.sentences),
    )


def evaluate_summaries(
    path: Path, options: EvalOptions | None = None, summaries: IO[str] | None = None
) -> SummaryEvaluation:
    """Run every method of ``options`` on each cluster of ``path``; score, time and check it.

    With ``summaries``, each summary is also written there as one JSON line:
    ``{"id", "method", "summary": [{"text", "citations"}]}``.
    """
    options = options or EvalOptions()
    started = time.perf_counter()
    methods = _resolve(options.methods)
    rouge = RougeEvaluator()
    summary_options = SummaryOptions(words=options.words, seed=options.seed)
    tallies = {name: _Tally() for name in methods}
    failures: list[Failure] = []
    preparation: list[float] = []
    documents = set_aside = 0
    quotes = (0, 0)
    several_references = False
    for cluster in read_clusters(path, options.limit, options.focus_field):
        begin = time.perf_counter()
        raw = [
            RawDocument(source=f"{cluster.id}:{number}", text=text)
            for number, text in enumerate(cluster.documents)
            if text.strip()
        ]
        articles, _ = prepare_articles(raw)
        index = SentenceIndex(articles)
        _ = index.sources  # source groups are shared preparation, whichever method asks first
        preparation.append(time.perf_counter() - begin)
        attribution = audit_quote_attribution(articles, {d.source: d.text for d in raw})
        quotes = (quotes[0] + attribution.checked, quotes[1] + len(attribution.failures))
        failures += [Failure(cluster.id, "quotes", f.claim, f.reason) for f in attribution.failures]
        documents += len(cluster.documents)
        set_aside += len(cluster.documents) - len(articles)
        references = [reference_lines(reference) for reference in cluster.references]
        several_references = several_references or len(references) > 1
        for name, summarizer in methods.items():
            begin = time.perf_counter()
            focused = replace(summary_options, focus=cluster.focus)
            summary = summarizer(articles, index, focused)
            tally = tallies[name]
            tally.seconds.append(time.perf_counter() - begin)
            scores = rouge.score(summary_lines([s.text for s in summary]), references)
            tally.scores.append([value for pair in scores.values() for value in pair])
            failures.extend(_check_summary(cluster.id, name, summary, index, tally))
            if summaries is not None:
                summaries.write(_summary_json(cluster.id, name, summary) + "\n")
    if not preparation:
        raise DatasetError(f"{path}: no clusters")
    width = 2 * len(METRICS)
    rows = [
        [value for tally in tallies.values() for value in tally.scores[number]]
        for number in range(len(preparation))
    ]
    intervals = bootstrap_intervals(rows, options.resamples, options.seed)
    results = tuple(
        _method_result(name, tally, intervals[k * width : (k + 1) * width])
        for k, (name, tally) in enumerate(tallies.items())
    )
    return SummaryEvaluation(
        dataset=str(path),
        clusters=len(preparation),
        words=options.words,
        variant=variant(options.resamples, options.seed, several_references),
        methods=results,
        failures=tuple(failures),
        preparation_seconds=statistics.median(preparation),
        preparation_total_seconds=math.fsum(preparation),
        documents=documents,
        set_aside=set_aside,
        wall_seconds=time.perf_counter() - started,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        quotes=quotes,
    )


def _cell(value: float, interval: tuple[float, float]) -> str:
    return f"{value:.2f} [{interval[0]:.2f}, {interval[1]:.2f}]"


def _footer(result: SummaryEvaluation) -> list[str]:
    return [
        f"preparation shared by all methods (cleaning, segmentation, sentence index): median "
        f"{1000 * result.preparation_seconds:.1f} ms per cluster; {result.documents} documents, "
        f"{result.set_aside} set aside by cleaning (empty or exact duplicates)",
        f"all {result.clusters} clusters, preparation and summarizing without scoring: "
        + ", ".join(
            f"{m.name} {result.preparation_total_seconds + m.total_seconds:.1f} s"
            for m in result.methods
        ),
        "faithfulness: sentences verbatim in a cited source; citations to an article that prints "
        "the sentence or a near-identical one",
        *(
            f"  {m.name}: {100 * m.verbatim:.1f}% of {m.sentences} sentences, "
            f"{100 * m.citations:.1f}% of citations"
            for m in result.methods
        ),
        f"  quotes (audit rule): {result.quotes[1]} of {result.quotes[0]} speakers not attributed",
        f"wall time: {result.wall_seconds:.1f} s  peak memory: {result.peak_rss_mb:.0f} MB",
        *(f"failure: {f.cluster} {f.method}: {f.reason}: {f.sentence}" for f in result.failures),
    ]


def summary_table(result: SummaryEvaluation) -> str:
    """A plain-text report: F1 and recall tables, time, faithfulness, wall time and memory."""
    width = max(9, *(len(m.name) for m in result.methods))
    lines = [
        f"dataset: {result.dataset}  clusters: {result.clusters}  words: {result.words}",
        f"variant: {result.variant}",
    ]
    for recall in (False, True):
        header = "".join(f"  {name:<20}" for name in METRICS.values())
        header = f"{'recall' if recall else 'F1':<{width}}{header}"
        lines += ["", header.rstrip() if recall else header + "  ms/cluster  faithful"]
        for m in result.methods:
            cells = [
                _cell(x.r, x.r_ci) if recall else _cell(x.f, x.f_ci) for x in m.scores.values()
            ]
            row = f"{m.name:<{width}}" + "".join(f"  {cell:<20}" for cell in cells)
            speed = f"  {1000 * m.seconds_per_cluster:>10.1f}  {100 * m.faithful:>7.1f}%"
            lines.append(row.rstrip() if recall else row + speed)
    return "\n".join([*lines, "", *_footer(result)]) + "\n"


def summary_markdown(result: SummaryEvaluation, command: str) -> str:
    """A Markdown report headed by the command that produced it: method x metric, with time."""
    headers = [f"{name} {kind}" for kind in ("F1", "R") for name in METRICS.values()]
    lines = [
        "```sh",
        command,
        "```",
        "",
        f"{result.clusters} clusters of `{result.dataset}`, {result.words}-word summaries; "
        f"{result.variant}.",
        "",
        "| method | " + " | ".join(headers) + " | ms per cluster | faithful |",
        "| --- | " + " | ".join("---:" for _ in headers) + " | ---: | ---: |",
    ]
    for method in result.methods:
        cells = [_cell(m.f, m.f_ci) for m in method.scores.values()]
        cells += [_cell(m.r, m.r_ci) for m in method.scores.values()]
        cells += [f"{1000 * method.seconds_per_cluster:.1f}", f"{100 * method.faithful:.1f}%"]
        lines.append(f"| {method.name} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *_footer(result)]) + "\n"
