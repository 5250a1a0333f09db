"""Benchmark: summarizing time per story as the story grows, storyfuse beside LexRank and TextRank.

A story of N articles is the first N documents of DUC 2006 (news articles of about 30
sentences each), prepared once (cleaning, segmentation, sentence index: timed apart);
then each method summarizes it under the same budget. Times are CPU seconds of this
process, so that other work on the machine does not inflate them. A method whose time, extrapolated
from the previous size by the square of the growth, would pass ``--cap`` seconds is
skipped at that size and the estimate printed instead. The last column fits the exponent
k of time ~ sentences^k between the smallest and the largest size a method ran.

    python benchmarks/summary_speed.py [--sizes 10,50,200,1000] [--words 250] [--cap 120] \
        [--methods storyfuse,coverage,lexrank,textrank]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from storyfuse.evaluation.summarize import known_methods
from storyfuse.models import RawDocument
from storyfuse.pipeline import prepare_articles
from storyfuse.stories.summarize import SummaryOptions
from storyfuse.stories.wire import SentenceIndex

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "duc2006.jsonl"
METHODS = ("storyfuse", "greedy", "lexrank", "textrank")


def _documents(path: Path, count: int) -> list[str]:
    documents: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            documents.extend(json.loads(line)["documents"])
            if len(documents) >= count:
                break
    return documents[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="10,50,200,1000")
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--cap", type=float, default=120.0, help="seconds a method may take")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated names")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"summary_speed: {args.data} is absent (see ../shared/data)", file=sys.stderr)
        return 2
    sizes = [int(size) for size in args.sizes.split(",")]
    methods = known_methods()
    names = tuple(args.methods.split(","))
    unknown = [name for name in names if name not in methods]
    if unknown:
        print(f"summary_speed: unknown method {', '.join(unknown)}", file=sys.stderr)
        return 2
    texts = _documents(args.data, max(sizes))
    options = SummaryOptions(words=args.words)
    print(f"data: {args.data}  budget: {args.words} words  cap: {args.cap:.0f} s")
    print(
        f"{'articles':>8} {'sentences':>9} {'prepare s':>9} " + " ".join(f"{m:>10}" for m in names)
    )
    warm_up, _ = prepare_articles([RawDocument(source="duc:warm-up", text=texts[0])])
    for name in names:  # first calls pay for imports and caches: not the method's cost
        methods[name](warm_up, SentenceIndex(warm_up), options)
    seconds: dict[str, dict[int, float]] = {m: {} for m in names}
    counts: dict[int, int] = {}
    for size in sizes:
        raw = [RawDocument(source=f"duc:{n}", text=t) for n, t in enumerate(texts[:size])]
        begin = time.process_time()
        articles, _ = prepare_articles(raw)
        index = SentenceIndex(articles)
        _ = index.sources
        prepare = time.process_time() - begin
        counts[size] = sum(len(a.sentences) for a in articles)
        cells = []
        for name in names:
            previous = max(seconds[name], default=None)
            if previous is not None:
                growth = counts[size] / counts[previous]
                estimate = seconds[name][previous] * growth**2
                if estimate > args.cap:
                    cells.append(f"~{estimate:>8.0f}s")
                    continue
            begin = time.process_time()
            methods[name](articles, index, options)
            seconds[name][size] = time.process_time() - begin
            cells.append(f"{seconds[name][size]:>9.3f}s")
        print(f"{size:>8} {counts[size]:>9} {prepare:>9.2f} " + " ".join(cells), flush=True)
    print("exponent k (time ~ sentences^k, smallest to largest size run):")
    for name in names:
        ran = sorted(seconds[name])
        if len(ran) >= 2 and seconds[name][ran[0]] > 0:
            first, last = ran[0], ran[-1]
            k = math.log(seconds[name][last] / seconds[name][first]) / math.log(
                counts[last] / counts[first]
            )
            print(f"  {name}: {k:.2f} ({first} to {last} articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
