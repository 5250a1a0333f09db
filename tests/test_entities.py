"""Named entities found by rules: people, organisations, places and their mentions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfuse.models import Article, Entity
from storyfuse.stories.entities import extract_entities, strip_titles
from storyfuse.stories.entity_model import names_backend
from storyfuse.stories.people import link_people

from helpers import make_article as build_article
from helpers import seed_articles


@pytest.fixture(autouse=True)
def _rules() -> Iterator[None]:
    """These tests pin the rule finder; the model has its own tests (test_entity_model.py)."""
    with names_backend("rules"):
        yield


def make_article(article_id: str, *paragraphs: str) -> Article:
    return build_article(article_id, paragraphs)


def by_name(entities: tuple[Entity, ...]) -> dict[str, Entity]:
    return {entity.name: entity for entity in entities}


def test_titles_are_stripped_and_short_forms_link_to_the_full_name() -> None:
    article = make_article(
        "a",
        "Prime Minister Helena Vasquez met President Tomas Berg in Oslo on Friday.",
        "Mr Berg said the talks had been useful. Ms Vasquez’s office declined to comment.",
        "Berg's aides flew home on Saturday.",
    )
    found = by_name(extract_entities([article]))
    assert found["Helena Vasquez"].type == "person"
    assert found["Helena Vasquez"].mentions == (("a", 2),)
    assert found["Tomas Berg"].mentions == (("a", 3),)
    assert found["Oslo"].type == "place"
    for absent in ("Berg", "Vasquez", "Mr Berg", "Friday", "Saturday", "Prime Minister"):
        assert absent not in found


def test_people_found_by_role_words_and_speech_verbs() -> None:
    article = make_article(
        "a",
        "The company spokeswoman Dana Pryce declined to comment.",
        "Special counsel Owen Reed opened an inquiry into the sale.",
        "Lena Hartmann said the plant would close by the end of the year.",
        "Workers were told of the decision, said Ivo Marsh, a union organiser.",
    )
    found = by_name(extract_entities([article]))
    for name in ("Dana Pryce", "Owen Reed", "Lena Hartmann", "Ivo Marsh"):
        assert found[name].type == "person", name
    assert "Special" not in found


def test_surnames_link_across_articles_of_a_story() -> None:
    first = make_article("b", "Senator Rhea Calloway voted against the bill.")
    second = make_article("a", "The bill failed after Calloway withdrew her support.")
    (person,) = [e for e in extract_entities([first, second]) if e.type == "person"]
    assert person.name == "Rhea Calloway"
    assert person.mentions == (("a", 1), ("b", 1))


def test_a_surname_shared_by_two_people_is_not_linked() -> None:
    article = make_article(
        "a",
        "Governor Sarah Cole and Mayor Martin Cole argued at the meeting.",
        "Cole left early.",
    )
    found = by_name(extract_entities([article]))
    assert found["Sarah Cole"].mentions == (("a", 1),)
    assert found["Martin Cole"].mentions == (("a", 1),)


def test_a_speech_verb_opening_a_sentence_links_to_the_one_person_of_that_surname() -> None:
    # a finder reads "Said Schorr of Mercedes: ..." as a name
    link = link_people(["Stuart Schorr", "Said Schorr", "Said Musa", "Asked Lee", "Ann Lee"])
    assert link["Said Schorr"] == "Stuart Schorr"
    assert link["Asked Lee"] == "Ann Lee"
    assert link["Said Musa"] == "Said Musa"  # no other Musa: the name stays whole
    # two people of that surname: no guess
    assert link_people(["Ann Lee", "Bo Lee", "Said Lee"])["Said Lee"] == "Said Lee"


def test_organisations_by_head_word_and_acronym() -> None:
    article = make_article(
        "a",
        "The Federal Aviation Agency grounded the jets, and the Ministry of Defence agreed.",
        "Researchers at Northfield University and engineers at Acme Corp disagreed.",
        "NATO officials were briefed.",
    )
    found = by_name(extract_entities([article]))
    for name in (
        "Federal Aviation Agency",
        "Ministry of Defence",
        "Northfield University",
        "Acme Corp",
        "NATO",
    ):
        assert found[name].type == "organization", name


def test_an_acronym_links_to_the_expansion_the_text_gives() -> None:
    article = make_article(
        "a",
        "The International Maritime Council (IMC) said shipping lanes would reopen.",
        "The IMC’s report was published on Monday, and the IMC said more checks would follow.",
    )
    found = by_name(extract_entities([article]))
    council = found["International Maritime Council"]
    assert council.type == "organization"
    assert council.mentions == (("a", 3),)
    assert "IMC" not in found
    assert "International Maritime" not in found


def test_places_from_the_gazetteer_aliases_and_locative_cues() -> None:
    article = make_article(
        "a",
        "Flooding in Thornbury closed roads from Germany to the Middle East, officials said.",
        "Thornbury residents marched through the streets of Thornbury with aid from Aldwick.",
        "The U.S. sent help, the US Navy said, and the United States will send more.",
        "Britain and the UK government pledged funds for Texas.",
    )
    found = by_name(extract_entities([article]))
    for name in ("Thornbury", "Aldwick", "Germany", "Middle East", "Texas"):
        assert found[name].type == "place", name
    assert found["Thornbury"].mentions == (("a", 3),)
    assert found["United States"].mentions == (("a", 3),)
    assert found["United Kingdom"].mentions == (("a", 2),)
    assert "U.S." not in found
    assert "US" not in found


def test_demonyms_months_weekdays_and_function_words_are_not_entities() -> None:
    article = make_article(
        "a",
        "However, Russian and American diplomats met British envoys in March.",
        "Republican and Democratic senators said on Tuesday that talks would resume.",
        "The Russian-American summit ended. Residents were relieved.",
    )
    names = {entity.name for entity in extract_entities([article])}
    for word in (
        "However",
        "Russian",
        "American",
        "British",
        "Republican",
        "Democratic",
        "March",
        "Tuesday",
        "The",
        "Russian-American",
        "Residents",
    ):
        assert word not in names


def test_possessives_with_either_apostrophe_count_as_the_name() -> None:
    article = make_article(
        "a",
        "Chancellor Ilse Brandt spoke first.",
        "Brandt's allies cheered, and Brandt’s rivals stayed silent.",
    )
    (person,) = extract_entities([article])
    assert person.name == "Ilse Brandt"
    assert person.mentions == (("a", 3),)


def test_headline_case_words_are_not_names() -> None:
    article = make_article(
        "a",
        "Berg Meets Vasquez Amid Growing Trade Dispute",
        "President Tomas Berg hosted Prime Minister Helena Vasquez.",
    )
    names = {entity.name for entity in extract_entities([article])}
    assert names == {"Tomas Berg", "Helena Vasquez"}


def test_entities_sorted_by_mentions_then_name_with_mentions_by_article() -> None:
    articles = [
        make_article("b", "Canada and Peru signed the pact. Peru celebrated."),
        make_article("a", "Peru welcomed Chile and Canada."),
    ]
    entities = extract_entities(articles)
    assert [e.name for e in entities] == ["Peru", "Canada", "Chile"]
    assert entities[0].mentions == (("a", 1), ("b", 2))


def test_strip_titles() -> None:
    assert strip_titles("White House spokeswoman Sarah Sanders") == "Sarah Sanders"
    assert strip_titles("Republican US Senator Jo Kerr") == "Jo Kerr"
    assert strip_titles("Secretary of State Ana Ruiz") == "Ana Ruiz"
    assert strip_titles("the Pentagon") == "Pentagon"
    assert strip_titles("a spokesman") is None
    assert strip_titles("the Prime Minister") is None


_VOCABULARY = """
    the The Mr Dr said told in from of Berg Tomas Paris U.S. UK OSCE (OSCE) Council
    Organization for Security Russian March Monday ’s 's , . : “ ” " al bin
"""
_WORDS = st.sampled_from(_VOCABULARY.split())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=25).map(" ".join), min_size=1, max_size=4))
def test_any_text_gives_well_formed_sorted_entities(paragraphs: list[str]) -> None:
    paragraphs = [p for p in paragraphs if p.strip()] or ["x"]
    entities = extract_entities([make_article("a", *paragraphs), make_article("b", "Berg.")])
    totals = [sum(n for _, n in e.mentions) for e in entities]
    assert totals == sorted(totals, reverse=True)
    for entity in entities:
        assert entity.name.strip() == entity.name and entity.name
        assert entity.type in {"person", "organization", "place"}
        assert [a for a, _ in entity.mentions] == sorted({a for a, _ in entity.mentions})
        assert all(n > 0 for _, n in entity.mentions)


def test_entities_of_the_seed_reports() -> None:
    found = {(e.name, e.type) for e in extract_entities(seed_articles())}
    for name in ("Vladimir Putin", "Donald Trump", "John McCain"):
        assert (name, "person") in found
    assert ("Kremlin", "organization") in found or ("OSCE", "organization") in found
    assert ("Salisbury", "place") in found
    assert ("United States", "place") in found or ("Russia", "place") in found
    names = {name for name, _ in found}
    assert not names & {"Putin", "Trump", "McCain", "Russian", "American", "Republican"}


def test_and_joins_a_name_only_before_its_head_word() -> None:
    article = make_article(
        "a",
        "The fire began at a warehouse, according to the Saltmere Fire and Rescue Service.",
        "On Tuesday Omar Haddad and Ruth Keller met the crews.",
    )
    found = by_name(extract_entities([article]))
    assert found["Saltmere Fire and Rescue Service"].type == "organization"
    assert "Rescue Service" not in found
    assert found["Omar Haddad"].type == "person"
    assert found["Ruth Keller"].type == "person"


def test_a_name_written_as_a_thing_is_no_person() -> None:
    article = make_article(
        "a",
        "The fire destroyed a Brackwater Logistics warehouse on the quay.",
        "Brackwater Logistics said it was cooperating fully with the authorities.",
        "On Tuesday the crews met Slobodan Milosevic at the quay.",
    )
    found = by_name(extract_entities([article]))
    assert "Brackwater Logistics" not in found or found["Brackwater Logistics"].type != "person"
    assert found["Slobodan Milosevic"].type == "person"


def test_lines_in_capitals_give_only_their_places() -> None:
    article = make_article("a", "SOCCER - JAPAN BEAT CHINA IN LONDON", "LONDON 1996-08-30")
    found = {(e.name, e.type) for e in extract_entities([article])}
    assert ("LONDON", "place") in found
    assert ("JAPAN", "place") in found
    assert not any(name in {"SOCCER", "BEAT", "IN"} for name, _ in found)


def test_the_sides_of_results_lines_are_organisations() -> None:
    article = make_article(
        "a",
        "Leicestershire beat Somerset by an innings and 39 runs on Friday.",
        "Hove : Sussex 363 ( W. Athey 111 ) , Lancashire 197-8",
        "Leicester : Leicestershire 480 , Somerset 201",
    )
    found = {(e.name, e.type) for e in extract_entities([article])}
    for team in ("Leicestershire", "Somerset", "Sussex", "Lancashire"):
        assert (team, "organization") in found, team
    assert not {name for name, kind in found if kind == "person"} & {"Leicestershire", "Somerset"}
