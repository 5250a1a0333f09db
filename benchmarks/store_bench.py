"""Benchmark: ingest + dedup + clustering into a fresh SQLite store, at growing sizes.

The source articles of ``../shared/data/multinews-val.jsonl`` are pooled and
ingested in batches of ``--batch`` through :class:`storyfuse.store.store.Store`
(cleaning, MinHash near-duplicate lookup, clustering, full-text index, one
transaction per batch). After every 1,000 articles it prints the rate over the
last 1,000 and overall, so a cost per article that grows with the store shows,
and the memory in use then.

The sources carry no dates. ``--days D`` spreads publication dates over D days
in input order, as a feed read for that long would bring them: stories older
than the active window then leave memory, and the memory column shows whether
it stays bounded by the window rather than growing with the store.

    python benchmarks/store_bench.py [--limit N] [--batch B] [--days D]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.store.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"


def _documents(path: Path, limit: int) -> list[RawDocument]:
    documents: list[RawDocument] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cluster = json.loads(line)
            for k, text in enumerate(cluster["raw_document"]):
                if text.strip():
                    documents.append(RawDocument(source=f"{cluster['idx']}-{k}", text=text))
            if limit and len(documents) >= limit:
                return documents[:limit]
    return documents


def _dated(documents: list[RawDocument], days: int) -> list[RawDocument]:
    """The documents with publication dates spread evenly over ``days``, in order."""
    start = dt.date(2025, 1, 1)
    return [
        replace(document, published=start + dt.timedelta(days=days * i // len(documents)))
        for i, document in enumerate(documents)
    ]


def _memory_mb() -> float:
    """The memory this process holds now (resident set), in MB of 2**20 bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="articles to ingest (0: all)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--days", type=int, default=0, help="spread dates over D days (0: none)")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"store_bench: {args.data} is absent; nothing to measure", file=sys.stderr)
        return 1
    documents = _documents(args.data, args.limit)
    if args.days:
        documents = _dated(documents, args.days)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.db") as store:
        ingestion = Ingestion(store)
        started = last_mark = time.perf_counter()
        done = marked = 0
        print(f"{'articles':>9} {'last 1000/s':>12} {'overall/s':>10} {'memory MB':>10}")
        for start in range(0, len(documents), args.batch):
            batch = documents[start : start + args.batch]
            ingestion.ingest(batch)
            done += len(batch)
            if done - marked >= 1000 or done == len(documents):
                now = time.perf_counter()
                print(
                    f"{done:>9} {(done - marked) / (now - last_mark):>12.1f} "
                    f"{done / (now - started):>10.1f} {_memory_mb():>10.0f}"
                )
                marked, last_mark = done, now
        counts = store.counts()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"stored articles: {counts['articles']}  stories: {counts['stories']}")
    print(f"peak memory: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
