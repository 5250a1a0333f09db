"""Durability trials: ``kill -9`` at random moments of an ingest, then open, check, re-ingest.

The input is the first ``--articles`` source articles of ``../shared/data/multinews-val.jsonl``
written to one JSONL file (in a temporary folder), with a few inputs the reader rejects. A
reference store gets it from one uninterrupted ``storyfuse ingest``. Then, ``--trials`` times,
a fresh store gets the same ``storyfuse ingest`` in a child process, killed with SIGKILL at a
moment drawn uniformly (seeded): in odd trials between the moment the reference run created
its store and the moment it ended, in even ones between its first committed batch and its
end, so that half the kills fall while it writes batches. The store must then open,
pass ``PRAGMA integrity_check`` and the FTS5 ``integrity-check`` (the index against the
articles it indexes), and, once the same ingest has run again to its end, hold the
reference's articles, sources and distinct rejections, and its stories must be those of a
clean stop at the same point: the inputs the killed run had committed, ingested by one
command, then the whole input by a second. The re-ingest clusters the batches after the
kill with a clusterer rebuilt from the store (term counts of the stored articles, their
vectors weighed with the counts at that moment), where an uninterrupted run carries the
state it built batch by batch, so against the uninterrupted run a story or two may group
differently, as after any restart between two ingests: that count is printed beside.

    python benchmarks/durability.py [--trials 20] [--articles 1500] [--seed 12]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"
REJECTED_LINES = ['{"text": ""}', "not json at all", '{"title": "no text"}']


def write_input(data: Path, articles: int, folder: Path) -> Path:
    """The input file: source articles as JSONL lines, with a few lines the reader rejects."""
    path = folder / "input.jsonl"
    written = 0
    with data.open(encoding="utf-8") as lines, path.open("w", encoding="utf-8") as out:
        for line in lines:
            cluster = json.loads(line)
            for text in cluster["raw_document"]:
                if text.strip() and written < articles:
                    out.write(json.dumps({"text": text, "outlet": f"outlet {written % 40}"}))
                    out.write("\n")
                    written += 1
                    if written % 500 == 0:
                        out.write(REJECTED_LINES[written // 500 % len(REJECTED_LINES)] + "\n")
            if written >= articles:
                break
    return path


def ingest_command(source: Path, db: Path) -> list[str]:
    """``storyfuse ingest SOURCE --db DB -q``, run by this Python."""
    entry = "from storyfuse.cli import main; main()"
    return [sys.executable, "-c", entry, "ingest", str(source), "--db", str(db), "-q"]


def totals(db: Path) -> dict[str, int]:
    """What the store holds, by the numbers a re-ingest must reproduce."""
    with sqlite3.connect(db) as connection:
        query = {
            "articles": "SELECT COUNT(*) FROM articles",
            "sources": "SELECT COUNT(*) FROM sources",
            "stories": "SELECT COUNT(*) FROM stories WHERE redirect_to IS NULL",
            "rejected inputs": "SELECT COUNT(*) FROM"
            " (SELECT DISTINCT source, reason FROM rejections)",
        }
        return {name: int(connection.execute(sql).fetchone()[0]) for name, sql in query.items()}


def partition(db: Path) -> frozenset[frozenset[str]]:
    """The stored articles grouped by story, with merged stories followed to the survivor."""
    with sqlite3.connect(db) as connection:
        redirect = dict(connection.execute("SELECT id, redirect_to FROM stories").fetchall())
        rows = connection.execute("SELECT id, story_id FROM articles").fetchall()
    groups: dict[str, set[str]] = {}
    for article, story in rows:
        seen = set()
        while redirect.get(story) and story not in seen:
            seen.add(story)
            story = redirect[story]
        groups.setdefault(story, set()).add(article)
    return frozenset(frozenset(group) for group in groups.values())


def clean_stop(source: Path, killed: Path, folder: Path, env: dict[str, str]) -> Path:
    """A store that got the killed run's committed inputs from one ingest, then all of them."""
    committed: set[int] = set()
    if killed.exists():
        with sqlite3.connect(killed) as connection:
            for (name,) in connection.execute("SELECT source FROM sources"):
                committed.add(int(name.rsplit(":", 1)[1]))
    part = folder / "committed.jsonl"
    with source.open(encoding="utf-8") as lines, part.open("w", encoding="utf-8") as out:
        out.writelines(line for number, line in enumerate(lines, 1) if number in committed)
    db = folder / "clean-stop.db"
    db.unlink(missing_ok=True)
    for step in (part, source):
        subprocess.run(ingest_command(step, db), env=env, capture_output=True, check=False)
    return db


def checks(db: Path) -> tuple[bool, bool, int]:
    """Whether the store opens with integrity, its FTS index is sound, and its articles."""
    from storyfuse.store.store import Store

    with Store(db) as store:  # opens and migrates, as the next command would
        articles = store.counts()["articles"]
    with sqlite3.connect(db) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        try:
            connection.execute(
                "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
            )
            fts = True
        except sqlite3.DatabaseError:
            fts = False
    return integrity, fts, articles


def _stored_articles(db: Path) -> int:
    """How many articles a store being written holds now (0 while it cannot be read)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def reference_run(source: Path, db: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Ingest uninterrupted; returns when the store file appeared, when its first batch was
    committed and when it ended (seconds from the start)."""
    started = time.perf_counter()
    child = subprocess.Popen(ingest_command(source, db), env=env, stderr=subprocess.DEVNULL)
    opened = committed = None
    while child.poll() is None:
        now = time.perf_counter() - started
        if opened is None and db.exists():
            opened = now
        if opened is not None and committed is None and _stored_articles(db):
            committed = now
        time.sleep(0.05)
    duration = time.perf_counter() - started
    opened = opened if opened is not None else 0.0
    return opened, committed if committed is not None else opened, duration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: missing (see ../shared/data/README.md)")
    rng = random.Random(args.seed)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = write_input(args.data, args.articles, folder)
        reference_db = folder / "reference.db"
        opened, committed, duration = reference_run(source, reference_db, env)
        reference = totals(reference_db)
        print(
            f"reference: one ingest of {source.name} in {duration:.1f} s, the store created "
            f"after {opened:.1f} s, its first batch committed after {committed:.1f} s: {reference}"
        )
        kept = {name: value for name, value in reference.items() if name != "stories"}
        print(
            "| trial | killed after s | articles then | integrity | FTS | re-ingest: stored |"
            f" stories as a clean stop | stories (uninterrupted {reference['stories']}) |"
        )
        print("| ---: | ---: | ---: | --- | --- | --- | --- | ---: |")
        failures = regrouped = 0
        for trial in range(1, args.trials + 1):
            db = folder / f"trial-{trial}.db"
            # odd trials anywhere in the run, even ones once it has started writing batches
            wait = rng.uniform(opened if trial % 2 else committed, duration)
            child = subprocess.Popen(
                ingest_command(source, db),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(wait)
            finished_first = child.poll() is not None
            if not finished_first:
                os.kill(child.pid, signal.SIGKILL)
            child.wait()
            integrity, fts, articles = (
                checks(db) if db.exists() else (True, True, 0)  # killed before it created it
            )
            expected = partition(clean_stop(source, db, folder, env))
            again = subprocess.run(ingest_command(source, db), env=env, capture_output=True)
            after = totals(db)
            stories = after.pop("stories")
            same = after == kept and again.returncode in (0, 1)
            as_clean_stop = partition(db) == expected
            failures += not (integrity and fts and same and as_clean_stop)
            regrouped += stories != reference["stories"]
            killed = "finished first" if finished_first else f"{wait:.2f}"
            print(
                f"| {trial} | {killed} | {articles} | {'ok' if integrity else 'FAILED'} "
                f"| {'ok' if fts else 'FAILED'} | {'same' if same else f'DIFFERENT {after}'} "
                f"| {'same' if as_clean_stop else 'DIFFERENT'} | {stories} |"
            )
        print(
            f"{args.trials} trials, {failures} failed (integrity, FTS, articles, sources and "
            f"rejections after the re-ingest, or stories unlike a clean stop's); {regrouped} with "
            "another story count than the uninterrupted run"
        )
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
