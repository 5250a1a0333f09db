"""The web's story lists are cut in SQL and answered from a cache that new articles refresh."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")

from fastapi.testclient import TestClient

from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.stories import entity_model
from storyfuse.stories.outlets import OutletDirectory
from storyfuse.web import list_cache
from storyfuse.web.app import create_app
from storyfuse.web.list_cache import ListResponses
from storyfuse.web.site import Site

from helpers import ROOT


def test_lists_follow_new_articles_and_repeat_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("storyfuse.web.site", "storyfuse.web.list_cache"):  # no minute turns here
        monkeypatch.setattr(f"{module}.current_minute", lambda: 29_000_000)
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    tunnel = [d for d in documents if "tunnel" in d.source]
    others = [d for d in documents if "tunnel" not in d.source]
    db = tmp_path / "lists.db"
    with Store(db) as store:
        Ingestion(store).ingest(others)
    with TestClient(create_app(db)) as client:
        before = client.get("/api/stories").json()
        home = client.get("/").text
        feed = client.get("/feed.xml").text
        search = client.get("/search", params={"q": "tunnel"}).text
        assert client.get("/api/stories").json() == before
        site = client.app.state.web.site  # type: ignore[attr-defined]
        assert len(site.answers) == 4  # each list computed once, then answered from the cache
        with Store(db) as store:
            Ingestion(store).ingest(tunnel)
        after = client.get("/api/stories").json()
        assert after["total"] == before["total"] + 1
        assert "Orsegg" in client.get("/").text and "Orsegg" not in home
        assert "Orsegg" in client.get("/feed.xml").text and "Orsegg" not in feed
        assert client.get("/search", params={"q": "tunnel"}).text != search
        assert client.get("/api/stories", params={"since": "junk"}).status_code == 400


def test_list_summaries_are_kept_in_the_store_and_recomputed_when_the_story_changes(
    tmp_path: Path,
) -> None:
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    tunnel = [d for d in documents if "tunnel" in d.source]
    db = tmp_path / "summaries.db"
    with Store(db) as store:
        Ingestion(store).ingest([d for d in documents if d not in tunnel[1:]])
        ids = [row.id for row in store.stories()]
        site = Site(db, None, 64, OutletDirectory(()))
        listed = site.summaries(store, ids)
        assert listed == {story: site.view(store, story).summary for story in ids}  # type: ignore[union-attr]
        kept = store.db.execute("SELECT story_id, lines FROM story_summaries").fetchall()
        assert sorted(row[0] for row in kept) == sorted(ids)
        # another server (an empty view cache) lists what the store keeps, without summarizing
        marked = store.db.execute(
            "SELECT story_id FROM articles WHERE source = ?", (tunnel[0].source,)
        ).fetchone()[0]
        store.db.execute(
            "UPDATE story_summaries SET lines = ? WHERE story_id = ?",
            ('[["kept line", []]]', marked),
        )
        fresh = Site(db, None, 64, OutletDirectory(()))
        assert fresh.summaries(store, [marked])[marked][0].text == "kept line"
        # the story gains an article: the kept line is stale and is summarized again
        Ingestion(store).ingest(tunnel[1:])
        again = Site(db, None, 64, OutletDirectory(()))
        lines = again.summaries(store, [marked])[marked]
        assert lines and lines[0].text != "kept line"
        assert lines == again.view(store, marked).summary  # type: ignore[union-attr]


def test_list_summaries_are_computed_without_the_comparison_or_its_entity_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    db = tmp_path / "lists.db"

    def no_model() -> None:
        raise AssertionError("the entity model was loaded")

    with Store(db) as store:
        Ingestion(store, workers=1).ingest(documents)
        ids = [row.id for row in store.stories()]
        monkeypatch.setattr(entity_model, "_READ", {})
        monkeypatch.setattr(entity_model, "_pipeline", no_model)
        listed = Site(db, None, 64, OutletDirectory(())).summaries(store, ids)
        monkeypatch.undo()
        site = Site(db, None, 64, OutletDirectory(()))
        assert listed == {story: site.view(store, story).summary for story in ids}  # type: ignore[union-attr]


def test_a_repeated_list_request_is_replayed_with_the_same_bytes_and_headers(
    tmp_path: Path,
) -> None:
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    db = tmp_path / "replay.db"
    with Store(db) as store:
        Ingestion(store).ingest(documents[:6])
    with TestClient(create_app(db)) as client:
        paths = ["/", "/api/stories?page=1", "/feed.xml", "/search?q=fire", "/?since=junk"]
        first = [client.get(path) for path in paths]
        replays = client.app.user_middleware  # type: ignore[attr-defined]
        assert any(m.cls is ListResponses for m in replays)
        answers = client.app.state.web.site.answers  # type: ignore[attr-defined]
        computed = len(answers)
        again = [client.get(path) for path in paths]
        assert len(answers) == computed, "the repeats never reached the routes"
        for before, after in zip(first, again, strict=True):
            assert (after.status_code, after.content) == (before.status_code, before.content)
            assert after.headers["content-type"] == before.headers["content-type"]
            assert "default-src 'self'" in after.headers["content-security-policy"]
        assert again[-1].status_code == 400
        assert client.head("/").content == b"" and client.head("/").status_code == 200
        with Store(db) as store:
            Ingestion(store).ingest(documents[6:])
        assert client.get("/api/stories?page=1").json() != first[1].json()


def test_when_the_minute_turns_the_last_answer_is_replayed_while_the_new_one_is_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    db = tmp_path / "minute.db"
    with Store(db) as store:
        Ingestion(store).ingest(documents)
        version = store.latest_seq()
    now = [600]
    monkeypatch.setattr(list_cache, "current_minute", lambda: now[0])
    with TestClient(create_app(db)) as client:
        first = client.get("/api/stories")
        replays = next(
            m for m in _middleware(client.app) if isinstance(m, list_cache.ListResponses)
        )
        now[0] += 1
        again = client.get("/api/stories")
        assert again.content == first.content
        new_key = ("/api/stories", b"", version, 601)
        deadline = time.monotonic() + 10
        while replays.recorded.get(new_key) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert replays.recorded.get(new_key) is not None, "recomputed in the background"
        assert not replays._refreshing


def _middleware(app: object) -> list[object]:
    """The app's middleware instances, outermost first (once it has served a request)."""
    found = []
    layer = getattr(app, "middleware_stack", None)
    while layer is not None:
        found.append(layer)
        layer = getattr(layer, "app", None)
    return found


def test_a_store_that_refuses_the_summary_rows_still_lists_its_stories(tmp_path: Path) -> None:
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    db = tmp_path / "refusing.db"
    with Store(db) as store:
        Ingestion(store).ingest(documents)
        store.db.execute(
            "CREATE TRIGGER no_summaries BEFORE INSERT ON story_summaries"
            " BEGIN SELECT RAISE(ABORT, 'summaries refused'); END"
        )
    with TestClient(create_app(db)) as client:
        home = client.get("/")
        assert home.status_code == 200 and 'class="lede"' in home.text
        assert client.get("/feed.xml").status_code == 200
    with Store(db) as store:
        assert store.db.execute("SELECT COUNT(*) FROM story_summaries").fetchone()[0] == 0
