"""Benchmark: hostile search queries on a 10,000-article store, worst time first.

Builds (or reuses, with ``--db``) a SQLite store of ``--articles`` articles: the source
articles of ``../shared/data/multinews-val.jsonl`` in order, ingested as ``storyfuse
ingest`` does, 1,000 at a time, until the store holds that many. Then it runs each
hostile query through :meth:`Store.search` ``--repeat`` times and prints its slowest
time, its hits and whether the search was stopped at its time limit. ``--pg URL`` does
the same on a PostgreSQL store. The issue 12 target: every query returns within 1 s.

    python benchmarks/search_bench.py [--articles 10000] [--db PATH] [--pg URL]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.store.store import SearchTooCostly, Store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"
COMMON = "the of and to in that for with was said has from have were they would about".split()
PREFIXES = "con pro sta com pre dis res tra per rep".split()


def hostile_queries() -> dict[str, str]:
    """Query shapes that once tied the server up, and their bounded worst cases."""
    words = [COMMON[i % len(COMMON)] for i in range(300)]
    return {
        "100 prefix terms a*": " ".join(["a*"] * 100),
        "300 prefix terms a*": " ".join(["a*"] * 300),
        "100 prefix terms of 3 letters": " ".join(f"{PREFIXES[i % 10]}*" for i in range(100)),
        "300 prefix terms of 3 letters": " ".join(f"{PREFIXES[i % 10]}*" for i in range(300)),
        "NEAR( with 300 terms": "NEAR(" + " ".join(words) + ")",
        "NEAR( with 300 prefixes": "NEAR(" + " ".join(f"{p}*" for p in PREFIXES * 30) + ")",
        "phrase of 300 common words": '"' + " ".join(words) + '"',
        "unclosed phrase of 300 words": '"' + " ".join(words),
        "300 words joined by OR": " OR ".join(words),
        "300 prefixes joined by OR": " OR ".join(f"{p}*" for p in PREFIXES * 30),
        "12 common long words": " ".join(w for w in COMMON if len(w) >= 4)[:500],
        "hyphenated run of 250 words": "-".join(words[:250]),
        "500 chars of punctuation": "*()\"'-" * 84,
        "one common word": "said",
    }


def _documents(path: Path) -> Iterator[RawDocument]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cluster = json.loads(line)
            for k, text in enumerate(cluster["raw_document"]):
                if text.strip():
                    yield RawDocument(source=f"{cluster['idx']}-{k}", text=text)


def build(target: str, data: Path, articles: int) -> int:
    """Ingest sources, 1,000 at a time, until the store holds ``articles``; returns the count."""
    with Store(target) as store:
        ingestion = Ingestion(store)
        sources = _documents(data)
        started = time.perf_counter()
        while (stored := store.counts()["articles"]) < articles:
            batch = list(itertools.islice(sources, 1000))
            if not batch:
                break
            ingestion.ingest(batch)
        print(f"store ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return stored


def run(target: str, repeat: int) -> float:
    """Time every hostile query; prints a table and returns the worst time in seconds."""
    worst = 0.0
    with Store(target) as store:
        print(f"| query | chars | worst of {repeat} s | hits | cut |")
        print("| --- | ---: | ---: | ---: | --- |")
        for name, query in hostile_queries().items():
            slowest, hits, cut = 0.0, 0, False
            for _ in range(repeat):
                started = time.perf_counter()
                try:
                    hits = len(store.search(query))
                except SearchTooCostly:
                    cut = True
                slowest = max(slowest, time.perf_counter() - started)
            worst = max(worst, slowest)
            print(f"| {name} | {len(query)} | {slowest:.3f} | {hits} | {'yes' if cut else 'no'} |")
    print(f"worst: {worst:.3f} s")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the store")
    parser.add_argument("--db", help="SQLite store to build or reuse (default: a temporary one)")
    parser.add_argument("--pg", help="also a PostgreSQL store (its database is filled if short)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: missing (see ../shared/data/README.md)")
    with tempfile.TemporaryDirectory() as folder:
        targets = [args.db or str(Path(folder) / "search.db"), *([args.pg] if args.pg else [])]
        for target in targets:
            stored = build(target, args.data, args.articles)
            engine = "PostgreSQL" if target.startswith("postgres") else "SQLite"
            print(f"\n{engine}: {stored} articles")
            run(target, args.repeat)


if __name__ == "__main__":
    main()
