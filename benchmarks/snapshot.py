"""Snapshot storyfuse's outputs, so a refactoring can be shown to change none of them.

Runs the command line on the demo corpus, the seeds, the test fixtures and the
dev sets in ``../shared/data`` (those present), and writes each output to a
file of DIR with what varies from run to run (timings, ingest times, the temporary
paths) blanked. Two snapshots, one before and one after a change, are
compared with ``diff -r``:

    git worktree add /tmp/before HEAD
    PYTHONPATH=/tmp/before/src python benchmarks/snapshot.py out/before
    ... change the code ...
    python benchmarks/snapshot.py out/after && diff -r out/before out/after

``--quick`` leaves out the slow dev-set runs (Multi-News, DUC 2006).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEEDS = ROOT.parent / "shared" / "seeds"

# Keys whose values are timings, rates or memory: they differ between any two runs.
_VOLATILE_KEY = re.compile(r"second|_ms$|^ms|time|elapsed|memory|peak|rss|per_s|rate", re.I)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "<volatile>" if _VOLATILE_KEY.search(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _normalise(text: str, tmp: str) -> str:
    text = text.replace(tmp, "<tmp>")
    try:
        data = json.loads(text)
    except ValueError:
        return _TIMESTAMP.sub("<now>", text)
    return _TIMESTAMP.sub("<now>", json.dumps(_scrub(data), indent=1, sort_keys=True))


def _commands(quick: bool, db: str) -> list[tuple[str, list[str]]]:
    demo = str(ROOT / "demo" / "corpus")
    html = sorted(str(p) for p in (ROOT / "tests" / "fixtures" / "html").glob("*.html"))
    runs: list[tuple[str, list[str]]] = [
        ("demo.json", ["summarize", demo, "--format", "json"]),
        ("demo.md", ["summarize", demo, "--explain"]),
        ("demo-lead.json", ["summarize", demo, "--format", "json", "--method", "lead"]),
        (
            "fixtures-story.json",
            ["summarize", str(ROOT / "tests/fixtures/story"), "--format", "json"],
        ),
        ("extract.jsonl", ["extract", *html, "--jsonl"]),
        ("ingest.json", ["ingest", demo, "--db", db, "--json", "-q"]),
        ("stories.json", ["stories", "--db", db, "--json"]),
        ("search.json", ["search", "fire", "--db", db, "--json"]),
    ]
    if SEEDS.is_dir():
        runs.append(("seeds.json", ["summarize", str(SEEDS), "--format", "json"]))
        runs.append(("seeds.md", ["summarize", str(SEEDS), "--words", "200"]))
    if DATA.is_dir():
        runs += [
            ("eval-cluster-ecb.json", ["eval", "cluster", str(DATA / "ecbplus.jsonl"), "--json"]),
            (
                "eval-cluster-ecb-batch.json",
                ["eval", "cluster", str(DATA / "ecbplus.jsonl"), "--json", "--batch", "100"],
            ),
            (
                "eval-cluster-tac.json",
                ["eval", "cluster", str(DATA / "tac-stream.jsonl"), "--json"],
            ),
            (
                "eval-sum-multiling.json",
                [
                    "eval",
                    "summarize",
                    str(DATA / "multiling2011-en.jsonl"),
                    "--words",
                    "250",
                    "--json",
                ],
            ),
            (
                "eval-extract.json",
                ["eval", "extract", str(DATA / "article-extraction-benchmark"), "--json"],
            ),
        ]
        if not quick:
            runs += [
                (
                    "eval-sum-duc.json",
                    ["eval", "summarize", str(DATA / "duc2006.jsonl"), "--words", "250", "--json"],
                ),
                (
                    "eval-sum-multinews.json",
                    [
                        "eval",
                        "summarize",
                        str(DATA / "multinews-val.jsonl"),
                        "--words",
                        "100",
                        "--limit",
                        "600",
                        "--json",
                    ],
                ),
                (
                    "eval-cluster-multinews.json",
                    ["eval", "cluster", str(DATA / "multinews-val.jsonl"), "--json"],
                ),
            ]
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the outputs (emptied first)")
    parser.add_argument("--quick", action="store_true", help="skip the slow dev-set runs")
    args = parser.parse_args()
    # The command line of the code on PYTHONPATH (or installed): a snapshot of another
    # checkout runs with PYTHONPATH=that/src.
    storyfuse = [sys.executable, "-c", "import sys; from storyfuse.cli import main; main()"]
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "snapshot.db")
        stories_seen: list[str] = []
        for name, arguments in _commands(args.quick, db):
            done = subprocess.run(
                [*storyfuse, *arguments], capture_output=True, text=True, env=env, check=False
            )
            text = _normalise(done.stdout, tmp)
            (args.out / name).write_text(f"exit {done.returncode}\n{text}\n", encoding="utf-8")
            if name == "stories.json":
                stories_seen = [row["id"] for row in json.loads(done.stdout)]
            print(f"{name}: exit {done.returncode}", file=sys.stderr)
        for story_id in stories_seen:
            done = subprocess.run(
                [*storyfuse, "story", story_id, "--db", db, "--json"],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            (args.out / f"story-{story_id}.json").write_text(
                f"exit {done.returncode}\n{_normalise(done.stdout, tmp)}\n", encoding="utf-8"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
