"""Fuzz storyfuse with hostile inputs: no traceback, no hang, no good article lost, no silent drop.

Generates COUNT hostile inputs (benchmarks/fuzz_inputs.py, seeded) across text,
HTML, JSONL, RSS/Atom/JSON Feed and WARC/ARC, then:

1. alone: each input is run through the summarize pipeline by itself
   (:func:`storyfuse.pipeline.summarize_paths`), timed; an exception is a
   traceback, over ``--hang`` CPU seconds for an input under 1 MB a hang (CPU
   time, so that a machine shared with other work does not make up hangs; the
   slowest wall-clock time is printed too);
2. in batches: BATCH inputs mixed with GOOD good articles, through
   ``storyfuse summarize --format json`` and ``storyfuse ingest --json`` (the
   CLI entry point, in process): exit code 3 or an exception is a traceback; a
   good article missing from the output or the store is lost; a hostile input
   named nowhere (no article, no rejection, no stored source) is a silent drop;
3. with ``--server``: each batch's JSONL records are also posted to
   ``POST /api/articles`` of ``storyfuse serve`` on 127.0.0.1 (a 500 counts).

Prints the counts per check and per family, and the first examples of each
failure; exits 1 when any count that must be 0 is not.

    python benchmarks/fuzz.py [--count 10000] [--seed 12] [--batch 250] [--good 3] [--server]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_inputs import Hostile, good_article, hostile_inputs

from storyfuse.cli.main import main
from storyfuse.pipeline import summarize_paths

_MB = 1024 * 1024
INTERNAL_ERROR = "internal error"  # how storyfuse.sources.input_guard starts a guarded failure


@dataclass
class Findings:
    """What went wrong, counted, with a few examples of each."""

    inputs: int = 0
    batches: int = 0
    good: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    families: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    slowest: tuple[float, str] = (0.0, "")  # wall-clock seconds
    slowest_cpu: tuple[float, str] = (0.0, "")  # CPU seconds of this process

    def add(self, check: str, family: str, example: str) -> None:
        self.counts[check] += 1
        self.families[check, family] += 1
        found = self.examples.setdefault(check, [])
        if len(found) < 5:
            found.append(example[:600])


def write_inputs(folder: Path, inputs: Sequence[Hostile], start: int) -> list[tuple[Path, Hostile]]:
    """Write each input to its own file ``NNNNNN-family.suffix``."""
    written = []
    for number, item in enumerate(inputs, start=start):
        path = folder / f"{number:06d}-{item.family}{item.suffix}"
        path.write_bytes(item.data)
        written.append((path, item))
    return written


def run_alone(files: Sequence[tuple[Path, Hostile]], hang: float, findings: Findings) -> None:
    """Each input through the summarize pipeline by itself, timed."""
    for path, item in files:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            report = summarize_paths([str(path)])
        except Exception:
            findings.add("traceback (alone)", item.family, f"{path.name}: {traceback.format_exc()}")
            continue
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        findings.slowest = max(findings.slowest, (elapsed, path.name))
        findings.slowest_cpu = max(findings.slowest_cpu, (cpu, path.name))
        if cpu > hang and len(item.data) < _MB:
            detail = f"{path.name}: {cpu:.1f} s CPU, {elapsed:.1f} s wall"
            findings.add("hang (alone)", item.family, detail)
        for error in report.errors:
            if error.reason.startswith(INTERNAL_ERROR):
                findings.add(
                    "internal error (alone)", item.family, f"{error.source}: {error.reason}"
                )
        if not report.articles and not report.errors:
            findings.add("silent drop (alone)", item.family, path.name)


def _named(path: Path, sources: set[str], text: str) -> bool:
    name = str(path)
    return (
        any(s == name or s.startswith(name + ":") or s.startswith(name + " ") for s in sources)
        or name in text
    )


def _crashed(result: Result, command: str, findings: Findings) -> bool:
    """Whether the command crashed (exit code 3 or an exception); counted as a traceback."""
    if result.exit_code in (0, 1) and (
        not result.exception or isinstance(result.exception, SystemExit)
    ):
        return False
    detail = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
    findings.add(
        f"traceback ({command})",
        "batch",
        f"exit {result.exit_code}: {result.stderr[-400:]} {detail}",
    )
    return True


def run_batch(
    files: Sequence[tuple[Path, Hostile]], good: Sequence[Path], folder: Path, findings: Findings
) -> None:
    """One batch through summarize and ingest; check exit codes, good articles and drops."""
    runner = CliRunner()
    args = [str(path) for path, _ in files] + [str(path) for path in good]
    result = runner.invoke(main, ["summarize", "--format", "json", *args])
    if not _crashed(result, "summarize", findings):
        report = json.loads(result.stdout)
        articles = {a["source"] for a in report["articles"]}
        rejected = {e["source"] for e in report["rejected"]}
        for path in good:
            if str(path) not in articles:
                findings.add(
                    "good article lost (summarize)", "good", f"{path.name}: {result.stderr[-300:]}"
                )
        for path, item in files:
            if not _named(path, articles | rejected, ""):
                findings.add("silent drop (summarize)", item.family, path.name)
        for error in report["rejected"]:
            if error["reason"].startswith(INTERNAL_ERROR):
                findings.add(
                    "internal error (batch)",
                    error["source"].rsplit("-", 1)[-1],
                    f"{error['source']}: {error['reason']}",
                )
    store = folder / "store.db"
    result = runner.invoke(main, ["ingest", "--json", "-q", "--db", str(store), *args])
    if _crashed(result, "ingest", findings):
        return
    with sqlite3.connect(store) as db:
        stored = {
            row[0]
            for row in db.execute("SELECT source FROM articles UNION SELECT source FROM sources")
        }
        rejected = {row[0] for row in db.execute("SELECT source FROM rejections")}
    for path in good:
        if str(path) not in stored:
            findings.add("good article lost (ingest)", "good", path.name)
    for path, item in files:
        if not _named(path, stored | rejected, result.stderr):
            findings.add("silent drop (ingest)", item.family, path.name)


def server_cpu_seconds(pid: int) -> float:
    """CPU seconds the server process has used so far (user and system, all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post_batch(
    base: str,
    token: str,
    server_pid: int,
    hang: float,
    files: Sequence[tuple[Path, Hostile]],
    findings: Findings,
) -> None:
    """The JSONL inputs' lines and the text inputs, posted to POST /api/articles one by one.

    A request is a hang when the server spends over ``hang`` CPU seconds on it (its
    wall time, which a busy machine stretches, is printed beside).
    """
    for path, item in files:
        if item.suffix == ".jsonl":
            bodies = [line for line in item.data.split(b"\n") if line.strip()]
            bodies = [b"[" + line + b"]" for line in bodies] + bodies
        elif item.suffix in (".txt", ".md"):
            bodies = [json.dumps([{"text": item.data.decode("utf-8", "replace")}]).encode()]
        else:
            continue
        for body in bodies:
            request = urllib.request.Request(
                base + "/api/articles",
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            started, cpu_before = time.perf_counter(), server_cpu_seconds(server_pid)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                if error.code >= 500:
                    findings.add(
                        "server error (API)",
                        item.family,
                        f"{path.name}: {error.code} {error.read()[:200]!r}",
                    )
            except (urllib.error.URLError, TimeoutError) as error:
                findings.add("server error (API)", item.family, f"{path.name}: {error}")
            elapsed = time.perf_counter() - started
            cpu = server_cpu_seconds(server_pid) - cpu_before
            if cpu > hang:
                detail = f"{path.name}: {cpu:.1f} s CPU, {elapsed:.1f} s wall"
                findings.add("hang (API)", item.family, detail)


def _serve(folder: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    store = folder / "api.db"
    storyfuse = Path(sys.executable).parent / "storyfuse"
    subprocess.run(
        [str(storyfuse), "ingest", "-q", "--db", str(store), str(folder / "good-000000.txt")],
        check=False,
    )
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "STORYFUSE_TOKEN": token}
    server = subprocess.Popen(
        [str(storyfuse), "serve", "--db", str(store), "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/stories", timeout=2).read()
            return server, base
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("storyfuse serve did not start")


def fuzz(count: int, seed: int, batch: int, good: int, hang: float, server: bool) -> Findings:
    """Generate ``count`` inputs and run every check; return what was found."""
    import random

    findings = Findings()
    rnd = random.Random(seed)
    inputs = list(hostile_inputs(seed, count))
    findings.inputs = len(inputs)
    with tempfile.TemporaryDirectory(prefix="storyfuse-fuzz-") as tmp:
        root = Path(tmp)
        os.environ["XDG_STATE_HOME"] = str(root / "state")  # crash logs stay in the run's folder
        good_paths = []
        for number in range(len(inputs) // batch * good + good + 1):
            path = root / f"good-{number:06d}.txt"
            path.write_text(good_article(rnd, number), encoding="utf-8")
            good_paths.append(path)
        service = _serve(root, "fuzz-token") if server else None
        try:
            for index, start in enumerate(range(0, len(inputs), batch)):
                folder = root / f"batch-{index:04d}"
                folder.mkdir()
                files = write_inputs(folder, inputs[start : start + batch], start)
                run_alone(files, hang, findings)
                chosen = good_paths[index * good : index * good + good]
                run_batch(files, chosen, folder, findings)
                if service is not None:
                    post_batch(service[1], "fuzz-token", service[0].pid, hang, files, findings)
                findings.batches += 1
                findings.good += len(chosen)
                print(
                    f"batch {index + 1}: {start + len(files)} inputs, {dict(findings.counts)}",
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            if service is not None:
                service[0].terminate()
                service[0].wait(10)
    return findings


def main_cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--good", type=int, default=3, help="good articles per batch")
    parser.add_argument("--hang", type=float, default=5.0, help="CPU seconds an input may take")
    parser.add_argument("--server", action="store_true", help="also POST to a real server")
    options = parser.parse_args()
    started = time.perf_counter()
    findings = fuzz(
        options.count, options.seed, options.batch, options.good, options.hang, options.server
    )
    elapsed = time.perf_counter() - started
    print(
        f"inputs: {findings.inputs} in {findings.batches} batches "
        f"with {findings.good} good articles, {elapsed:.0f} s"
    )
    print(f"slowest input alone: {findings.slowest[0]:.2f} s wall ({findings.slowest[1]})")
    print(f"slowest input alone: {findings.slowest_cpu[0]:.2f} s CPU ({findings.slowest_cpu[1]})")
    checks = (
        "traceback",
        "internal error",
        "hang",
        "good article lost",
        "silent drop",
        "server error",
    )
    for check in checks:
        total = sum(n for name, n in findings.counts.items() if name.startswith(check))
        print(f"{check}: {total}")
    for (check, family), n in sorted(findings.families.items()):
        print(f"  {check} / {family}: {n}")
    for check, examples in findings.examples.items():
        print(f"-- {check}:")
        for example in examples:
            print(f"   {example}")
    return 1 if findings.counts else 0


if __name__ == "__main__":
    sys.exit(main_cli())
