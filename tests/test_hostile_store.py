"""Writers during a long ingest, and duplicates inside one ingest (issue 12, defects 6 and 8).

Writers take turns: one waits for another's transaction and goes on, or, past the wait, gets
``StoreBusy`` (a 503 with Retry-After from the API, one line and exit 1 from the command line),
never "database is locked" from deep inside. A long ingest commits in bounded batches that
another connection sees while it runs. Both engines, real databases.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.ingestion import service
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.store import database
from storyfuse.store.database import StoreBusy
from storyfuse.store.store import Store

from helpers import fire_report, store_target


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store on one engine: a SQLite file, or the wiped PostgreSQL test database."""
    path = store_target(request.param, tmp_path)
    Store(path).close()  # created and migrated before any lock is held
    return path


class _OtherWriter:
    """Another process's write transaction, held open until released."""

    def __init__(self, target: str) -> None:
        self.target = target
        if target.startswith(database.POSTGRES_PREFIXES):
            import psycopg

            self._pg = psycopg.connect(target, autocommit=True)
            self._pg.execute("SELECT pg_advisory_lock(%s)", (database._WRITER_LOCK,))
        else:
            self._sqlite = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            self._sqlite.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.target.startswith(database.POSTGRES_PREFIXES):
            self._pg.execute("SELECT pg_advisory_unlock(%s)", (database._WRITER_LOCK,))
            self._pg.close()
        else:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(database, "WRITE_WAIT_SECONDS", 0.5)
    yield


def _fires(town: str, count: int = 5) -> list[RawDocument]:
    return [fire_report(town, "quay", k) for k in range(count)]


def test_a_writer_waits_for_the_other_writer_and_goes_on(target: str) -> None:
    other = _OtherWriter(target)
    threading.Timer(1.0, other.release).start()
    started = time.monotonic()
    with Store(target) as store:
        result = Ingestion(store).ingest(_fires("Quellbrook"))
    assert time.monotonic() - started >= 0.9
    assert result.added == 5


def test_a_writer_kept_out_too_long_gets_store_busy_and_nothing_half_done(
    target: str, short_wait: None
) -> None:
    other = _OtherWriter(target)
    try:
        with Store(target) as store, pytest.raises(StoreBusy, match="busy"):
            Ingestion(store).ingest(_fires("Quellbrook"))
    finally:
        other.release()
    with Store(target) as store:
        assert store.counts()["articles"] == 0
        assert Ingestion(store).ingest(_fires("Quellbrook")).added == 5


def test_a_second_ingest_is_one_line_and_exit_1_while_the_store_is_kept(
    target: str, short_wait: None, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for k, document in enumerate(_fires("Quellbrook")):
        (folder / f"{k}.txt").write_text(document.text, encoding="utf-8")
    other = _OtherWriter(target)
    try:
        result = CliRunner().invoke(main, ["ingest", str(folder), "--db", target, "-q"])
    finally:
        other.release()
    assert result.exit_code == 1
    assert "busy" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_the_api_answers_503_with_retry_after_while_another_writer_keeps_the_store(
    target: str, short_wait: None
) -> None:
    pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
    from fastapi.testclient import TestClient

    from storyfuse.web.app import create_app

    article = {"text": _fires("Quellbrook")[0].text, "outlet": "Quay Post"}
    headers = {"Authorization": "Bearer t"}
    with TestClient(create_app(target, token="t"), raise_server_exceptions=False) as client:
        other = _OtherWriter(target)
        try:
            busy = client.post("/api/articles", json=article, headers=headers)
        finally:
            other.release()
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"].isdigit()
        assert busy.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" in busy.headers
        assert "busy" in busy.json()["detail"]
        assert client.post("/api/articles", json=article, headers=headers).status_code == 201


def test_a_long_ingest_commits_in_batches_others_can_see(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH_ARTICLES", 3)
    documents = [*_fires("Quellbrook"), *_fires("Ardmore"), *_fires("Kilbeg")]
    seen_by_another: list[int] = []
    with Store(target) as watcher, Store(target) as store:

        def progress(_: int) -> None:
            seen_by_another.append(watcher.counts()["articles"])

        result = Ingestion(store).ingest(documents, progress=progress)
    assert result.added == 15
    assert seen_by_another[0] == 0
    assert seen_by_another[-1] >= 12  # the first four batches were committed while it ran
    assert sorted(set(seen_by_another)) == [0, 3, 6, 9, 12]


def test_concurrent_writers_all_get_their_articles_stored(target: str) -> None:
    towns = ("Quellbrook", "Ardmore", "Kilbeg", "Dunmore")
    failures: list[BaseException] = []

    def write(town: str) -> None:
        try:
            with Store(target) as store:
                Ingestion(store).ingest(_fires(town))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(town,)) for town in towns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Store(target) as store:
        assert store.counts()["articles"] == 5 * len(towns)


def test_exact_duplicates_within_one_ingest_are_linked_as_sources(target: str) -> None:
    first = fire_report("Quellbrook", "quay", 0)
    copy = RawDocument(source="mirror/copy.txt", text=first.text, outlet="Mirror")
    with Store(target) as store:
        result = Ingestion(store).ingest([first, copy])
        rows = store.db.execute("SELECT source, article_id, kind FROM sources").fetchall()
    assert (result.added, result.duplicates) == (1, 1)
    by_source = {row[0]: (row[1], row[2]) for row in rows}
    assert by_source[copy.source][1] == "duplicate"
    assert by_source[copy.source][0] == by_source[first.source][0]


def test_in_batch_and_across_batch_duplicates_leave_the_same_sources(target: str) -> None:
    together = fire_report("Quellbrook", "quay", 0)
    apart = fire_report("Ardmore", "pier", 1)

    def copy(document: RawDocument) -> RawDocument:
        return RawDocument(source=f"mirror/{document.source}", text=document.text)

    with Store(target) as store:
        ingestion = Ingestion(store)
        ingestion.ingest([together, copy(together)])
        ingestion.ingest([apart])
        ingestion.ingest([copy(apart)])
        rows = store.db.execute("SELECT source, article_id, kind FROM sources").fetchall()
    links = {row[0]: (row[1], row[2]) for row in rows}
    for document in (together, apart):
        original, mirrored = links[document.source], links[copy(document).source]
        assert (original[1], mirrored[1]) == ("original", "duplicate")
        assert mirrored[0] == original[0]
