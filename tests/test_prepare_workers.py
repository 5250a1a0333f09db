"""Preparing articles in worker processes changes nothing in the store."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from storyfuse.ingestion.prepare import POOL_AT_LEAST
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.store.store import Store

from helpers import multinews_sources

CLOCK = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)
OUTLETS = ("Alpha Post", "Beta Times", "Gamma Wire", None)


def _edited(text: str) -> str:
    """The text with one word in its middle changed: a light edit."""
    middle = len(text) // 2
    cut = text.find(" ", middle)
    return text[:cut] + " reportedly" + text[cut:]


def _documents(limit: int) -> list[RawDocument]:
    """Multi-News sources with outlets and dates, and a few reprints lightly edited."""
    documents: list[RawDocument] = []
    for name, text in multinews_sources():
        number = len(documents)
        documents.append(
            RawDocument(
                source=f"mn/{name}",
                text=text,
                outlet=OUTLETS[number % len(OUTLETS)],
                published=dt.date(2025, 1, 1) + dt.timedelta(days=number // 40),
            )
        )
        if number % 7 == 0:
            reprint = RawDocument(
                source=f"mn/{name}-reprint", text=_edited(text), outlet="Reprint Daily"
            )
            documents.append(reprint)
        if len(documents) >= limit:
            break
    return documents[:limit]


def _contents(store: Store) -> dict[str, Any]:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in store.db.execute(sql)]

    return {
        "articles": rows(
            "SELECT id, seq, source, outlet, title, published, text, sentences, removed,"
            " features, minhash, story_id, revision_of, superseded_by, near_duplicate_of"
            " FROM articles ORDER BY seq"
        ),
        "stories": rows("SELECT * FROM stories ORDER BY id"),
        "sources": rows("SELECT source, article_id, kind FROM sources ORDER BY source, article_id"),
        "index": rows("SELECT band_key, seq FROM near_duplicate_keys ORDER BY band_key, seq"),
        "rejections": rows("SELECT source, reason FROM rejections ORDER BY seq"),
    }


def test_the_store_is_the_same_with_one_and_two_workers(tmp_path: Path) -> None:
    documents = _documents(360)
    batches = [documents[:120], documents[120:240], documents[240:]]
    assert all(len(batch) >= POOL_AT_LEAST for batch in batches)  # the pool does run
    contents = []
    for workers in (1, 2):
        with (
            Store(tmp_path / f"w{workers}.db", clock=lambda: CLOCK) as store,
            Ingestion(store, workers=workers) as ingestion,
        ):
            for batch in batches:
                ingestion.ingest(batch)
            if workers == 2:
                assert ingestion.preparer._pool is not None
            contents.append(_contents(store))
    one, two = contents
    assert len(one["articles"]) > 250 and len(one["stories"]) > 50
    assert any(row[14] for row in one["articles"])  # the reprints were found
    for part in one:
        assert one[part] == two[part], part


WORKER_TEXT = (
    "The harbour council approved the new ferry timetable on Tuesday after a long debate. "
    "Residents said the later sailings would help workers who commute to the city."
)


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_end_when_a_killed_ingest_cannot_stop_them(tmp_path: Path) -> None:
    """kill -9 of an ingest once left its forked workers waiting forever, one pair a kill."""
    source = tmp_path / "many.jsonl"
    lines = (
        json.dumps({"text": f"{WORKER_TEXT} Report {n}.", "outlet": f"o{n}"}) for n in range(4000)
    )
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    entry = "from storyfuse.cli import main; main()"
    command = [sys.executable, "-c", entry, "ingest", str(source), "--db", str(tmp_path / "s.db")]
    ingest = subprocess.Popen([*command, "--workers", "2", "-q"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(ingest.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2, "the ingest started no workers"
    finally:
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in workers if _running(pid)]
    assert not alive, f"workers left behind: {alive}"
