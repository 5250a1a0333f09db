"""POST /api/articles goes through the app's one Ingestion: loaded once, same stories."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyfuse.ingestion import service
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store

from helpers import ROOT, store_target


def _stories(target: str) -> set[frozenset[str]]:
    with Store(target) as store:
        rows = store.db.execute(
            "SELECT story_id, id FROM articles WHERE superseded_by IS NULL"
        ).fetchall()
    groups: dict[str, set[str]] = {}
    for story, article in rows:
        groups.setdefault(story, set()).add(article)
    return {frozenset(ids) for ids in groups.values()}


def _posted(document: RawDocument) -> dict[str, str | None]:
    return {
        "text": document.text,
        "title": document.title,
        "outlet": document.outlet,
        "published": document.published.isoformat() if document.published else None,
    }


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_posts_give_the_stories_of_one_ingest_and_load_the_clusterer_once(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
    from fastapi.testclient import TestClient

    from storyfuse.web.app import create_app
    from storyfuse.web.routes.api import ArticleIn

    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    documents = sorted(documents, key=lambda d: d.source)
    loads: list[str] = []
    real_load = service.Ingestion._load_clusterer

    def counted(self: Ingestion, since: str) -> object:
        loads.append(since)
        return real_load(self, since)

    monkeypatch.setattr(service.Ingestion, "_load_clusterer", counted)
    headers = {"Authorization": "Bearer t"}

    def post(target: str, parts: list[list[RawDocument]]) -> None:
        with TestClient(create_app(target, token="t")) as client:
            for part in parts:
                posted = [_posted(d) for d in part]
                answer = client.post("/api/articles", json=posted, headers=headers)
                assert answer.status_code == 201, answer.text

    # the same two requests, each through a new Ingestion that loads the store afresh
    fresh = str(tmp_path / "fresh.db")
    for part in (documents[::2], documents[1::2]):
        with Store(fresh) as store, Ingestion(store) as ingestion:
            ingestion.ingest([ArticleIn(**_posted(d)).document() for d in part])
    loads.clear()
    target = store_target(engine, tmp_path)
    post(target, [documents[::2], documents[1::2]])
    assert len(loads) == 1  # the first POST loads the clusterer, the second keeps it
    assert _stories(target) == _stories(fresh)
    assert len(_stories(fresh)) < len(documents)
