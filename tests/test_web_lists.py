"""The web's story lists are cut in SQL and answered from a cache that new articles refresh."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")

from fastapi.testclient import TestClient

from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.web.app import create_app

from helpers import ROOT


def test_lists_follow_new_articles_and_repeat_from_the_cache(tmp_path: Path) -> None:
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
