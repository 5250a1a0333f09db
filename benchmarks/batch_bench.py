"""Benchmark: ``storyfuse batch`` on Multi-News articles, by engine, size and stage.

Writes the source articles of ``../shared/data/multinews-val.jsonl`` to a JSONL
corpus (``--limit`` of them, undated as they are), then runs ``storyfuse batch``
on it once per engine: ``--engine local`` with 1 and 2 processes, Spark
``local[1]`` and ``local[2]``. ``--synthetic N`` builds instead a corpus of N
articles from them, light edits of the originals (one sentence left out,
a different one each copy) dated 100 a day, so a larger corpus spans more days
as a news stream does.

For each run it prints articles/s, the peak memory of the job's own process
(the driver) and of its child processes (the pool's workers; for Spark the JVM
with its executors and their Python workers), and the seconds by stage (the
local engine reports them; Spark pipelines its stages, so only its total is
timed). Each run is a fresh ``storyfuse batch`` process, so the Spark figures
include starting the JVM.

    python benchmarks/batch_bench.py [--limit 15000] [--synthetic N] [--engines ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"
ENGINES = {
    "local1": ["--engine", "local", "--processes", "1"],
    "local2": ["--engine", "local", "--processes", "2"],
    "spark1": ["--engine", "spark", "--master", "local[1]"],
    "spark2": ["--engine", "spark", "--master", "local[2]"],
}
_PER_DAY = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sources(path: Path) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            texts.extend(t for t in json.loads(line)["raw_document"] if t.strip())
    return texts


def write_corpus(data: Path, limit: int, synthetic: int, target: Path) -> int:
    """Write the benchmark corpus as JSONL; returns its number of articles."""
    texts = _sources(data)
    with target.open("w", encoding="utf-8") as out:
        if not synthetic:
            for text in texts[:limit]:
                out.write(json.dumps({"text": text}) + "\n")
            return min(limit, len(texts))
        start = dt.date(2020, 1, 1)
        for i in range(synthetic):
            original = texts[i % len(texts)]
            sentences = _SENTENCE_END.split(original)
            copy = i // len(texts)
            if copy and len(sentences) > 2:
                del sentences[copy % len(sentences)]
            published = start + dt.timedelta(days=i // _PER_DAY)
            record = {"text": " ".join(sentences), "published": published.isoformat()}
            out.write(json.dumps(record) + "\n")
        return synthetic


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def run(corpus: Path, engine: str, out: Path) -> dict[str, object]:
    """One ``storyfuse batch`` run, its rate, peak memory and stage seconds."""
    storyfuse = Path(sys.executable).with_name("storyfuse")
    command = [str(storyfuse), "batch", str(corpus), "--out", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen([*command, *ENGINES[engine]], stderr=subprocess.PIPE, text=True)
    peaks = {"driver": 0, "children": 0}

    def sample() -> None:
        while process.poll() is None:
            peaks["driver"] = max(peaks["driver"], _rss_kb(process.pid))
            tree = sum(_rss_kb(pid) for pid in _descendants(process.pid))
            peaks["children"] = max(peaks["children"], tree)
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    summary = [line for line in stderr.splitlines() if line.startswith("storyfuse: ")]
    if process.returncode not in (0, 1) or not summary:
        raise RuntimeError(f"{engine} failed ({process.returncode}): {stderr[-2000:]}")
    found = re.search(r"(\d+) articles in (\d+) stor", summary[-1])
    articles = int(found.group(1)) if found else 0
    stages = dict(re.findall(r"(\w[\w ]*?) ([\d.]+)s", summary[-1].split("(", 1)[1]))
    return {
        "engine": engine,
        "articles": articles,
        "seconds": round(seconds, 1),
        "articles_per_s": round(articles / seconds, 1),
        "ms_per_article": round(1000 * seconds / max(articles, 1), 2),
        "driver_peak_mb": round(peaks["driver"] / 1024),
        "children_peak_mb": round(peaks["children"] / 1024),
        "stages_s": {name.strip(): float(value) for name, value in stages.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=15_000, help="Multi-News articles")
    parser.add_argument("--synthetic", type=int, default=0, help="build N dated light edits")
    parser.add_argument("--engines", default="local1,local2,spark1,spark2")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"batch_bench: {args.data} is absent; nothing to measure", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.jsonl"
        size = write_corpus(args.data, args.limit, args.synthetic, corpus)
        kind = f"synthetic {size}" if args.synthetic else f"Multi-News {size}"
        print(f"corpus: {kind} articles; {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})")
        for engine in args.engines.split(","):
            result = run(corpus, engine, Path(folder) / f"out-{engine}")
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
