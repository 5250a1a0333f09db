"""Coverage comparison: shared and unique facts, and outlets that disagree on figures."""

from __future__ import annotations

from storyfuse.stories.compare import (
    MAX_SOURCES_PER_WORDING,
    CompareOptions,
    compare_story,
    figures,
    find_contradictions,
)
from storyfuse.stories.wire import SentenceIndex

from helpers import make_article

WIRE = [
    "Fire crews evacuated 40 families from flats near the quay in Saltmere on Tuesday night.",
    "The harbour authority said the blaze was under control by 6 a.m. on Wednesday.",
    "Port operations on the neighbouring quays were suspended as a precaution.",
    "Two firefighters were treated in hospital for smoke inhalation.",
]
OWN = [
    "Fire crews evacuated 45 families from flats near the quay in Saltmere on Tuesday night.",
    "Insurers put the damage at 3 million velmars, the city's chamber of commerce said.",
    "Residents described a loud bang shortly before midnight.",
    "The warehouse had failed a fire-safety inspection two years ago, records show.",
]


def test_figures_are_normalised_and_years_are_not_figures() -> None:
    assert figures("Valescu took 71 per cent in 2024, about 1,200 people, 6.25% and 3 million") == {
        "71%",
        "1200",
        "6.25%",
        "3million",
    }


def test_independent_reports_with_different_figures_contradict() -> None:
    wire = make_article("wire", WIRE, outlet="Meridian")
    own = make_article("own", OWN, outlet="Harbour Courier")
    index = SentenceIndex([wire, own])
    (contradiction,) = find_contradictions([wire, own], index, CompareOptions())
    assert {contradiction.first_article, contradiction.second_article} == {"wire", "own"}
    assert set(contradiction.values) == {("40",), ("45",)}
    assert contradiction.first_text in (WIRE[0], OWN[0])
    story = compare_story([wire, own], index)
    assert story.contradictions == (contradiction,)


def test_same_figures_or_the_same_source_do_not_contradict() -> None:
    wire = make_article("wire", WIRE, outlet="Meridian")
    agreeing = make_article("agree", [WIRE[0].replace("Fire crews", "Firefighters")], outlet="Star")
    assert (
        find_contradictions([wire, agreeing], SentenceIndex([wire, agreeing]), CompareOptions())
        == ()
    )
    reprint = make_article("reprint", [WIRE[0].replace("40", "41"), WIRE[1]], outlet="Meridian")
    index = SentenceIndex([wire, reprint])
    assert find_contradictions([wire, reprint], index, CompareOptions()) == ()


def test_a_disagreement_among_hundreds_of_reports_names_a_few_sources_each_side() -> None:
    """Past the wire index's reach (200 copies), reprints are compared as one wording."""
    say_40 = [make_article(f"a{n}", [WIRE[0]], outlet=f"Forty {n}") for n in range(250)]
    say_45 = [make_article(f"b{n}", [OWN[0]], outlet=f"Forty-five {n}") for n in range(250)]
    articles = say_40 + say_45
    found = find_contradictions(articles, SentenceIndex(articles), CompareOptions())
    assert 1 <= len(found) <= MAX_SOURCES_PER_WORDING**2
    assert {frozenset(c.values) for c in found} == {frozenset({("40",), ("45",)})}
    assert all(c.first_article[0] != c.second_article[0] for c in found)


def test_hundreds_of_identical_reports_make_each_shared_fact_once() -> None:
    articles = [make_article(f"r{n}", WIRE[:2], outlet=f"Outlet {n}") for n in range(250)]
    story = compare_story(articles, SentenceIndex(articles))
    assert sorted(fact.text for fact in story.shared_facts) == sorted(WIRE[:2])
    assert all(len(fact.articles) == 250 for fact in story.shared_facts)


def test_a_sentence_that_denies_never_supports_one_that_affirms() -> None:
    from storyfuse.stories.support import supports, terms

    denied = terms("For him, it's not just a movie.")
    assert not supports(denied, terms("But it's a movie."))
    assert not supports(terms("But it's a movie."), denied)
    # the same denial, spelled two ways, still supports
    assert supports(
        terms("Police didn't find the weapon."), terms("Police did not find the weapon.")
    )


def test_figures_spelled_out_must_agree_as_digits_do() -> None:
    from storyfuse.stories.support import supports, terms

    claim = terms(
        "Motsak, the chief of the Northern Fleet, said there were three possible versions."
    )
    other = terms("Motsak, the chief of the Northern Fleet, said there were two possible versions.")
    assert not supports(other, claim)
    assert supports(
        terms("Motsak, the chief of the Northern Fleet, said there were 3 possible versions."),
        claim,
    )


def test_a_claim_of_few_content_words_needs_a_sentence_printing_it() -> None:
    from storyfuse.stories.support import supports, terms

    # One content word in common is not the same claim...
    assert not supports(terms("He should know."), terms("Now it's what you know."))
    assert not supports(terms("The new standards came into force."), terms("New standards"))
    # ...but the same short sentence, lightly spelled otherwise, is.
    assert supports(terms("Now, it’s what you know!"), terms("Now it's what you know."))
