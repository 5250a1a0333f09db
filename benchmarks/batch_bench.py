"""Benchmark: ``storyfuse batch`` on Multi-News articles, by engine, size and stage.

Writes the source articles of ``../shared/data/multinews-val.jsonl`` to a JSONL
corpus (``--limit`` of them, undated as they are), then runs ``storyfuse batch``
on it once per engine: ``--engine local`` with 1 and 2 processes, Spark
``local[1]`` and ``local[2]``. ``--synthetic N`` builds instead a corpus of N
articles from them (:func:`write_corpus`): the originals first, then copies
with a sentence left out and their rarer words re-spelled per copy (so each
copy is a new set of stories of the same shape, not a reprint), dated 100 a
day with up to two days' jitter, so a larger corpus spans more days as a news
stream does.

For each run it prints articles/s of wall time and of CPU time (the job's whole
process tree: pool workers, Spark's JVM and its Python workers; the benchmark
adopts orphans to count them), the peak resident memory of the job's own
process (the driver) and of its descendants (the pool's workers; for Spark the
JVM with its executors and their Python workers), and the wall and CPU seconds
by stage from the job's ``DIR/job.json`` (Spark's stages are timed by counting
what each persists). On a machine shared with other jobs the CPU figures are
the ones to compare. Each run is a fresh ``storyfuse batch`` process, so the
Spark figures include starting the JVM (stage ``start``). ``--names`` sets the
name finder of the comparisons (``STORYFUSE_NAMES``): ``rules``, as installed
by default, unless asked. A failed job's whole stderr is kept in a file named
in the error, which quotes its start, its first lines naming errors and its end.

    python benchmarks/batch_bench.py [--limit 15000] [--synthetic N] [--engines ...]
        [--spark-conf spark.driver.memory=8g ...]
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

from storyfuse.batch.timing import ProcessTree

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"
ENGINES = {
    "local1": ["--engine", "local", "--processes", "1"],
    "local2": ["--engine", "local", "--processes", "2"],
    "spark1": ["--engine", "spark", "--master", "local[1]"],
    "spark2": ["--engine", "spark", "--master", "local[2]"],
}
_PER_DAY = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]{4,}")
_PR_SET_CHILD_SUBREAPER = 36
_COMMON = 500  # the commonest words of the sources, kept as they are in every copy
_KEEP_OF_STDERR = 2_000  # characters of a failed job's stderr kept from its start and its end
_NAMES_ERROR = re.compile(r"^.*(?:Error|Exception|Caused by)\b.*$", re.MULTILINE)
_ERROR_LINES, _LINE = 12, 300  # of the lines between, those kept and their length


def _sources(path: Path) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            texts.extend(t for t in json.loads(line)["raw_document"] if t.strip())
    return texts


def _suffix(copy: int) -> str:
    """Letters telling copy ``copy`` apart (1: "b", 26: "ba", ...)."""
    letters = ""
    while copy:
        copy, digit = divmod(copy, 26)
        letters = chr(ord("a") + digit) + letters
    return letters


def _common_words(texts: list[str]) -> frozenset[str]:
    counts = Counter(word.lower() for text in texts for word in _WORD.findall(text))
    return frozenset(word for word, _ in counts.most_common(_COMMON))


def edited(text: str, copy: int, common: frozenset[str]) -> str:
    """Copy ``copy`` of ``text``: a sentence left out, its rarer words re-spelled for the copy.

    Copy 0 is the text itself. Re-spelling every word outside the corpus's
    commonest (a suffix of letters per copy) makes each copy a new set of
    stories with the same shape, rather than a reprint of the first: its
    terms, sentence hashes and MinHash shingles are its own.
    """
    if not copy:
        return text
    sentences = _SENTENCE_END.split(text)
    if len(sentences) > 2:
        del sentences[copy % len(sentences)]
    suffix = _suffix(copy)

    def respell(match: re.Match[str]) -> str:
        word = match.group()
        return word if word.lower() in common else word + suffix

    return _WORD.sub(respell, " ".join(sentences))


def write_corpus(data: Path, limit: int, synthetic: int, target: Path) -> int:
    """Write the benchmark corpus as JSONL; returns its number of articles.

    Synthetic articles are dated 100 a day in input order (the articles of one
    Multi-News cluster are next to each other), each moved by up to two days
    either way, so a larger corpus spans more days as a news stream does.
    """
    texts = _sources(data)
    with target.open("w", encoding="utf-8") as out:
        if not synthetic:
            for text in texts[:limit]:
                out.write(json.dumps({"text": text}) + "\n")
            return min(limit, len(texts))
        common = _common_words(texts)
        start = dt.date(2020, 1, 1)
        for i in range(synthetic):
            copy, original = divmod(i, len(texts))
            jitter = zlib.crc32(str(i).encode()) % 5 - 2
            published = start + dt.timedelta(days=i // _PER_DAY + jitter)
            text = edited(texts[original], copy, common)
            out.write(json.dumps({"text": text, "published": published.isoformat()}) + "\n")
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


def _is_jvm(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii") as comm:
            return comm.read().strip() == "java"
    except OSError:
        return False


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


def _become_subreaper() -> bool:
    """Adopt the job's orphans (a JVM outliving its parent), so their CPU time is counted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _reap_all(deadline: float) -> set[int]:
    """Wait for every adopted process to end (until ``deadline``), so that its time is counted.

    Returns the ids of the processes reaped.
    """
    reaped: set[int] = set()
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            time.sleep(0.2)
        else:
            reaped.add(pid)
    return reaped


def excerpt(text: str, keep: int = _KEEP_OF_STDERR) -> str:
    """A failed job's stderr cut to its start, the lines naming errors, and its end.

    Spark's stderr begins with its start-up warnings and ends with the driver's
    traceback; the first failure (a task's ``java.lang.OutOfMemoryError``, a
    ``Caused by:``) is logged in between, so the first lines naming an error or
    an exception are kept too, with how much was left out.
    """
    if len(text) <= 2 * keep:
        return text
    middle = text[keep:-keep]
    named = list(dict.fromkeys(line[:_LINE] for line in _NAMES_ERROR.findall(middle)))
    lines = "\n".join(named[:_ERROR_LINES])
    left_out = len(middle)
    return (
        f"{text[:keep]}\n[... {left_out} characters, of which the first lines naming errors:]\n"
        f"{lines}\n[...]\n{text[-keep:]}"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    corpus: Path, engine: str, out: Path, names: str, spark_conf: list[str]
) -> dict[str, object]:
    """One ``storyfuse batch`` run: its rate, CPU time, peak memory and time by stage.

    ``spark_conf`` (``KEY=VALUE``) are given to the Spark engines as ``--spark-conf``.
    """
    storyfuse = Path(sys.executable).with_name("storyfuse")
    command = [str(storyfuse), "batch", str(corpus), "--out", str(out), *ENGINES[engine]]
    if engine.startswith("spark"):
        command.extend(arg for setting in spark_conf for arg in ("--spark-conf", setting))
    cpu_before = _children_cpu()
    start = time.perf_counter()
    environment = {**os.environ, "STORYFUSE_NAMES": names}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=environment)
    peaks = {"driver": 0, "children": 0, "jvm": 0, "workers": 0}
    tree = ProcessTree(process.pid)
    seen = {"cpu": 0.0}

    def sample() -> None:
        while process.poll() is None:
            peaks["driver"] = max(peaks["driver"], _rss_kb(process.pid))
            jvm = workers = 0
            for pid in _descendants(process.pid):
                if _is_jvm(pid):
                    jvm += _rss_kb(pid)
                else:
                    workers += _rss_kb(pid)
            peaks["children"] = max(peaks["children"], jvm + workers)
            peaks["jvm"] = max(peaks["jvm"], jvm)
            peaks["workers"] = max(peaks["workers"], workers)
            seen["cpu"] = max(seen["cpu"], tree.seconds())
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    adopted = _reap_all(time.monotonic() + 60)
    reaped = _children_cpu() - cpu_before
    # Processes whose parent ignores SIGCHLD (PySpark's Python workers) leave no time to be
    # reaped; their time as last seen is added, unless they outlived that parent and were
    # reaped here.
    vanished = tree.vanished_seconds(excluding=adopted)
    cpu = reaped + vanished
    if process.returncode not in (0, 1) or not (out / "job.json").exists():
        log = Path(tempfile.gettempdir()) / f"batch_bench-{engine}-{os.getpid()}.stderr"
        log.write_text(stderr, encoding="utf-8")
        raise RuntimeError(
            f"{engine} failed ({process.returncode}; its whole stderr in {log}): {excerpt(stderr)}"
        )
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    articles = job["articles"]
    return {
        "engine": engine,
        "articles": articles,
        "stories": job["stories"],
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "cpu_reaped_s": round(reaped, 1),
        "cpu_unreapable_s": round(vanished, 1),
        "cpu_seen_live_s": round(seen["cpu"], 1),
        "articles_per_s": round(articles / seconds, 1),
        "articles_per_cpu_s": round(articles / max(cpu, 1e-9), 1),
        "cpu_ms_per_article": round(1000 * cpu / max(articles, 1), 2),
        "driver_peak_mb": round(peaks["driver"] / 1024),
        "children_peak_mb": round(peaks["children"] / 1024),
        "jvm_peak_mb": round(peaks["jvm"] / 1024),
        "workers_peak_mb": round(peaks["workers"] / 1024),
        "stages_s": {stage["name"]: stage["seconds"] for stage in job["stages"]},
        "stages_cpu_s": {stage["name"]: stage["cpu_seconds"] for stage in job["stages"]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=15_000, help="Multi-News articles")
    parser.add_argument("--synthetic", type=int, default=0, help="build N dated light edits")
    parser.add_argument("--engines", default="local1,local2,spark1,spark2")
    parser.add_argument(
        "--names",
        choices=["auto", "model", "rules"],
        default="rules",
        help="the name finder of the comparisons (STORYFUSE_NAMES): rules, as installed by default",
    )
    parser.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting for the Spark engines (storyfuse batch --spark-conf), repeatable",
    )
    args = parser.parse_args()
    if not args.data.exists():
        print(f"batch_bench: {args.data} is absent; nothing to measure", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.jsonl"
        size = write_corpus(args.data, args.limit, args.synthetic, corpus)
        kind = f"synthetic {size}" if args.synthetic else f"Multi-News {size}"
        print(f"corpus: {kind} articles; {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})")
        subreaper = _become_subreaper()
        for engine in args.engines.split(","):
            out = Path(folder) / f"out-{engine}"
            result = run(corpus, engine, out, args.names, args.spark_conf)
            result["names"] = args.names
            if engine.startswith("spark"):
                result["spark_conf"] = args.spark_conf
            result["load_after"] = round(os.getloadavg()[0], 1)
            result["cpu_counts_orphans"] = subreaper
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
