"""Benchmark: ingest + dedup + clustering into a fresh SQLite store, at growing sizes.

The source articles of ``../shared/data/multinews-val.jsonl`` are pooled and
ingested in batches of ``--batch`` through :class:`storyfuse.ingestion.service.Ingestion`
(cleaning, MinHash near-duplicate lookup, clustering, full-text index, one
transaction per batch), their preparation spread over ``--workers`` processes.
It prints, per ``--slice`` articles, the cost per article over that slice (wall
milliseconds, and CPU milliseconds of this process and its workers), the rate
overall and the memory in use then (resident, this process and its workers), so
that a cost per article that grows with the store shows.

The sources carry no dates. ``--days D`` spreads publication dates over D days
in input order, as a feed read for that long would bring them: stories older
than the active window then leave memory, and the memory column shows whether
it stays bounded by the window rather than growing with the store.

``--limit`` beyond the ~15,000 sources builds a larger store the way the issue
measured one: each further pass over the sources is dated one window later,
names other outlets, and edits the texts lightly (about one word in seven
replaced by another word of the same text, a paragraph dropped here and
there), so that most copies are new articles of new stories; one copy in
twenty is edited by a single word (a reprint the near-duplicate index finds)
and one in a hundred comes back later with its URL and a changed text (a
revision). ``--keep PATH`` keeps the store (for ``web_bench.py --store``).

    python benchmarks/store_bench.py [--limit N] [--batch B] [--days D] [--workers W]
                                     [--slice S] [--keep PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from storyfuse.ingestion.prepare import default_workers
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.store.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"
OUTLET_NAMES = (
    "Courier Herald Gazette Ledger Observer Post Tribune Times Chronicle Standard Journal "
    "Dispatch Monitor Register Sentinel Express Mirror Record Star Telegraph"
).split()
PLACES = "North South East West Harbour Valley Upland River Lake Coast".split()
PASS_DAYS = 45  # a pass over the sources is dated this much later than the one before


def _sources(path: Path) -> list[RawDocument]:
    documents: list[RawDocument] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cluster = json.loads(line)
            for k, text in enumerate(cluster["raw_document"]):
                if text.strip():
                    documents.append(RawDocument(source=f"{cluster['idx']}-{k}", text=text))
    return documents


def _outlet(number: int) -> str:
    place = PLACES[number % len(PLACES)]
    return f"The {place} {OUTLET_NAMES[(number // len(PLACES)) % len(OUTLET_NAMES)]}"


def _edit(text: str, rng: random.Random, share: float) -> str:
    """The text with about ``share`` of its words replaced, and perhaps a paragraph dropped.

    A replaced word becomes another word of the same text, so an edited copy
    brings no vocabulary of its own: copies of unrelated sources share no more
    words than their sources do (a fixed list of replacement words made every
    copy share them, and piled unrelated copies into one story).
    """
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) > 4 and share > 0.05:
        paragraphs.pop(rng.randrange(len(paragraphs)))
    vocabulary = text.split()
    edited = []
    for paragraph in paragraphs:
        words = paragraph.split(" ")
        for i in range(len(words)):
            if rng.random() < share:
                words[i] = rng.choice(vocabulary)
        edited.append(" ".join(words))
    return "\n".join(edited)


def _documents(path: Path, limit: int) -> Iterator[RawDocument]:
    """The sources, then edited copies of them, pass after pass, until ``limit`` (0: one pass).

    Beyond one pass every document has an outlet and a date, the first pass too.
    """
    sources = _sources(path)
    rng = random.Random(16)
    revisions: list[RawDocument] = []
    for number in range(limit or len(sources)):
        lap, index = divmod(number, len(sources))
        source = sources[index]
        if limit <= len(sources):
            yield source
            continue
        day = dt.date(2025, 1, 1) + dt.timedelta(
            days=lap * PASS_DAYS + PASS_DAYS * index // len(sources)
        )
        outlet = _outlet(lap * 7 + index * 3)
        if lap == 0:
            yield replace(source, outlet=outlet, published=day)
            continue
        share = 1 / 7 if rng.random() >= 0.05 else 0.0
        text = _edit(source.text, rng, share) if share else source.text.replace(" the ", " a ", 1)
        url = f"https://{outlet.lower().replace(' ', '-')}.example/{lap}/{source.source}"
        copy = RawDocument(
            source=f"{source.source}/{lap}", text=text, outlet=outlet, url=url, published=day
        )
        yield copy
        if rng.random() < 0.01:
            revisions.append(replace(copy, source=copy.source + "/v2", text=_edit(text, rng, 0.02)))
        if len(revisions) >= 50:
            yield from revisions
            revisions.clear()


def _dated(documents: list[RawDocument], days: int) -> list[RawDocument]:
    """The documents with publication dates spread evenly over ``days``, in order."""
    start = dt.date(2025, 1, 1)
    return [
        replace(document, published=start + dt.timedelta(days=days * i // len(documents)))
        for i, document in enumerate(documents)
    ]


def _family() -> list[int]:
    """This process and its live children (the preparation workers)."""
    me = os.getpid()
    pids = [me]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                pids.append(int(entry))
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) of these processes, and of children already reaped."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + reaped.ru_utime + reaped.ru_stime


def _memory_mb(pids: list[int]) -> float:
    """The memory these processes hold now (resident sets), in MB of 2**20 bytes."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1])
        except OSError:
            continue
    return total * resource.getpagesize() / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="articles to ingest (0: the sources)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--days", type=int, default=0, help="spread dates over D days (0: none)")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--slice", type=int, default=1000, help="articles per printed line")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"store_bench: {args.data} is absent; nothing to measure", file=sys.stderr)
        return 1
    documents = list(_documents(args.data, args.limit))
    if args.days:
        documents = _dated(documents, args.days)
    print(f"documents: {len(documents)}  workers: {args.workers}  cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.db"
        with Store(path) as store, Ingestion(store, workers=args.workers) as ingestion:
            started = last_mark = time.perf_counter()
            cpu_start = last_cpu = _cpu_seconds(_family())
            done = marked = 0
            print(
                f"{'articles':>9} {'wall ms/article':>16} {'cpu ms/article':>15} "
                f"{'overall/s':>10} {'memory MB':>10}"
            )
            for start in range(0, len(documents), args.batch):
                batch = documents[start : start + args.batch]
                ingestion.ingest(batch)
                done += len(batch)
                if done - marked >= args.slice or done == len(documents):
                    now, family = time.perf_counter(), _family()
                    cpu = _cpu_seconds(family)
                    count = done - marked
                    print(
                        f"{done:>9} {1000 * (now - last_mark) / count:>16.2f} "
                        f"{1000 * (cpu - last_cpu) / count:>15.2f} "
                        f"{done / (now - started):>10.1f} {_memory_mb(family):>10.0f}",
                        flush=True,
                    )
                    marked, last_mark, last_cpu = done, now, cpu
            elapsed, cpu_total = time.perf_counter() - started, _cpu_seconds(_family()) - cpu_start
            counts = store.counts()
        size_mb = Path(path).stat().st_size / 2**20 if Path(path).exists() else 0.0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"stored articles: {counts['articles']}  stories: {counts['stories']}")
    print(
        f"overall: {done / elapsed:.1f} articles/s wall, {done / cpu_total:.1f} per CPU-second;"
        f" store file {size_mb:.0f} MB; peak memory of the main process: {peak_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
