"""Benchmark: the whole pipeline on each Multi-News validation cluster.

Each cluster's source articles go through every stage (metadata, cleaning,
segmentation, wire copy, clustering, summary, comparison) as one batch, the
way ``storyfuse summarize`` runs on a folder (names by the nlp model when it is
installed; ``STORYFUSE_NAMES=rules`` for the rules). Prints articles per second,
milliseconds per cluster and per story (median and p95) and peak memory.

    python benchmarks/pipeline_bench.py [--limit N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from storyfuse.models import RawDocument
from storyfuse.pipeline import build_report
from storyfuse.stories.entity_model import use_model

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="clusters to run (0: all)")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"pipeline_bench: {args.data} is absent; nothing to measure", file=sys.stderr)
        return 1
    timings: list[float] = []
    per_story: list[float] = []
    articles = stories = empty = 0
    started = time.perf_counter()
    with args.data.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if args.limit and number >= args.limit:
                break
            cluster = json.loads(line)
            documents = [
                RawDocument(source=f"{cluster['idx']}-{k}", text=text)
                for k, text in enumerate(cluster["raw_document"])
                if text.strip()
            ]
            begin = time.perf_counter()
            report = build_report(documents)
            milliseconds = (time.perf_counter() - begin) * 1000
            timings.append(milliseconds)
            if report.stories:  # a cluster whose sources are all boilerplate has none
                per_story.extend([milliseconds / len(report.stories)] * len(report.stories))
            else:
                empty += 1
            articles += len(report.articles)
            stories += len(report.stories)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    names = "the nlp model" if use_model() else "rules"
    print(f"clusters: {len(timings)}  articles: {articles}  stories: {stories}  names: {names}")
    print(f"clusters left without an article by cleaning: {empty}")
    print(f"articles per second: {articles / elapsed:.1f}")
    print(f"ms per cluster: median {_median(timings):.1f}  p95 {_p95(timings):.1f}")
    print(f"ms per story:   median {_median(per_story):.1f}  p95 {_p95(per_story):.1f}")
    print(f"peak memory: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
