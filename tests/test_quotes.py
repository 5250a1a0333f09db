"""Direct quotes, their speakers, and merging the same quote across outlets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfuse.models import Article, Entity, Quote
from storyfuse.stories.entities import extract_entities
from storyfuse.stories.entity_model import names_backend
from storyfuse.stories.quotes import extract_quotes

from helpers import make_article as build_article
from helpers import seed_articles


@pytest.fixture(autouse=True)
def _rules() -> Iterator[None]:
    """These tests pin the rule finder; the model has its own tests (test_entity_model.py)."""
    with names_backend("rules"):
        yield


def make_article(article_id: str, *paragraphs: str) -> Article:
    return build_article(article_id, paragraphs)


def person(name: str) -> Entity:
    return Entity(name=name, type="person", mentions=(("a", 1),))


def only(quotes: tuple[Quote, ...], start: str) -> Quote:
    (quote,) = [q for q in quotes if q.text.startswith(start)]
    return quote


def test_quote_then_surname_said_resolves_to_the_full_name() -> None:
    article = make_article(
        "a",
        "Senator Alan Brooks opposed the plan.",
        "“Nobody voted for a tax on bread and milk,” Brooks said in a statement.",
    )
    (quote,) = extract_quotes([article], [person("Alan Brooks")])
    assert quote.speaker == "Alan Brooks"
    assert quote.text == "Nobody voted for a tax on bread and milk"
    assert quote.articles == ("a",)
    assert quote.verbatim == (("a", "Nobody voted for a tax on bread and milk"),)


def test_said_before_the_speaker_with_a_role() -> None:
    article = make_article(
        "a", "“The bridge will reopen within a week,” said spokeswoman Nadia Ferris."
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Nadia Ferris"
    assert quote.text == "The bridge will reopen within a week"


def test_speaker_before_a_colon_with_the_role_removed() -> None:
    article = make_article(
        "a",
        "Asked about the delay, city spokesman Paul Ortega responded: “We are doing our best.”",
        'Later, Ortega said: "The crews are working day and night."',
    )
    quotes = extract_quotes([article], [person("Paul Ortega")])
    assert only(quotes, "We are").speaker == "Paul Ortega"
    assert only(quotes, "We are").text == "We are doing our best."
    assert only(quotes, "The crews").speaker == "Paul Ortega"


def test_organisations_speak_too() -> None:
    article = make_article(
        "a", "“The exercise poses no threat to any neighbour,” the Pentagon said in a statement."
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Pentagon"


def test_a_quote_continued_into_the_next_paragraph_keeps_its_speaker() -> None:
    article = make_article(
        "a",
        "Coach Mira Lund told reporters after the match: “We were tired and it showed.",
        "“Next week we will be fresher and we will win the return leg.”",
        "Fans left early.",
        "“This is a sentence from somebody unknown to us,” a witness said.",
    )
    quotes = extract_quotes([article], [person("Mira Lund")])
    assert only(quotes, "We were tired").speaker == "Mira Lund"
    assert only(quotes, "Next week").speaker == "Mira Lund"
    assert only(quotes, "This is a sentence").speaker is None


def test_a_whole_paragraph_quote_after_an_attributed_one_keeps_the_speaker() -> None:
    article = make_article(
        "a",
        '"We made mistakes in the first half," Lund said after the game.',
        '"The second half was much better and I am proud of the players."',
    )
    quotes = extract_quotes([article], [person("Mira Lund")])
    assert only(quotes, "The second half").speaker == "Mira Lund"


def test_pronoun_speakers_resolve_only_when_unambiguous() -> None:
    people = [person("Omar Haddad"), person("Ruth Keller")]
    clear = make_article(
        "a",
        "Mr Haddad arrived in the capital on Sunday.",
        "“We came here to listen to everyone,” he told reporters.",
    )
    unclear = make_article(
        "b",
        "Haddad and Keller met for two hours.",
        "“The talks went better than anybody expected,” she said.",
    )
    assert extract_quotes([clear], people)[0].speaker == "Omar Haddad"
    assert extract_quotes([unclear], people)[0].speaker is None


def test_a_capitalised_verb_form_in_a_name_is_no_speech_tag() -> None:
    # "States" of "United States" reads as the verb "states" only in lower case (DUC 2006)
    article = make_article(
        "a",
        "Although “Star Wars: Episode I -- The Phantom Menace” opened in the United States"
        " and Canada on May 19, it will not reach Japan until July.",
    )
    assert [q.speaker for q in extract_quotes([article], [])] == [None]


def test_a_speaker_is_kept_only_where_the_article_attributes_the_quote_beside_it() -> None:
    # the audit's attribution rule: a quote far from its paragraph's tag is not credited
    article = make_article(
        "a",
        "“We will rebuild the quay before the winter,” Harrow said. The council met for six"
        " hours. The budget was cut twice. Engineers left at noon. “Nobody here wanted the"
        " bridge to close in the middle of the season.”",
        "Fans of the old ferry gathered at the slipway on Sunday.",
        "“The money is there and the crews are ready to start,” Harrow said. “We only need"
        " the permit from the port authority now.”",
    )
    quotes = extract_quotes([article], [person("Tobias Harrow")])
    assert only(quotes, "We will rebuild").speaker == "Tobias Harrow"
    assert only(quotes, "Nobody here wanted").speaker is None
    # the second half of an interrupted quote, right after the tag, keeps it
    assert only(quotes, "We only need").speaker == "Tobias Harrow"


def test_a_fragments_speaker_is_not_given_to_the_whole_quote() -> None:
    # DUC 2006: the fragment's (wrong) tag must not credit the memorandum's whole quote
    article = make_article(
        "a",
        "Officials of Kell Bridge in Canada said the children were “well fed and well cared for.”",
        "The memorandum said “over the course of these visits, we have met many children who"
        " appear clean, well fed and well cared for.”",
    )
    quotes = extract_quotes([article], [])
    assert [(q.speaker, q.text[:20]) for q in quotes] == [(None, "over the course of t")]


def test_a_merged_quote_cites_with_its_speaker_only_the_articles_that_give_it() -> None:
    said = "“Two outlets printed this other sentence about the vote,”"
    first = make_article("a", f"{said} Haddad said.")
    second = make_article("b", f"{said} he said.")  # nobody for "he" to be
    quotes = extract_quotes([first, second], [person("Omar Haddad")])
    assert {(q.speaker, q.articles) for q in quotes} == {("Omar Haddad", ("a",)), (None, ("b",))}


def test_letters_are_no_speaker() -> None:
    # a pronoun does not go to "X" of "Generation X", nor a tag to a lone initial
    letters = make_article(
        "a",
        "She has to admire the boldness of Generation X.",
        "“If they want something, they ask for it, and it is good sense to listen,” she says.",
        "“Nobody had planned for this many people at once,” said K.",
    )
    assert [q.speaker for q in extract_quotes([letters], [])] == [None, None]


def test_an_interrupted_quote_keeps_its_speaker() -> None:
    article = make_article(
        "a",
        "Ruth Keller and Omar Haddad spoke after the vote.",
        "“We lost this round of the fight,” she said, “but the campaign for the bill will go on.”",
    )
    quotes = extract_quotes([article], [person("Omar Haddad"), person("Ruth Keller")])
    assert only(quotes, "We lost").speaker is None  # two people named before "she"
    assert only(quotes, "but the campaign").speaker is None

    article = make_article(
        "a",
        "Ruth Keller spoke after the vote.",
        "“We lost this round of the fight,” she said, “but the campaign for the bill will go on.”",
    )
    quotes = extract_quotes([article], [person("Omar Haddad"), person("Ruth Keller")])
    assert only(quotes, "We lost").speaker == "Ruth Keller"
    assert only(quotes, "but the campaign").speaker == "Ruth Keller"


def test_scare_quotes_are_ignored_and_short_quotes_need_a_speaker() -> None:
    article = make_article(
        "a",
        "Critics called the scheme “deeply flawed” and a “waste of money”.",
        "The report described conditions as “grim, crowded and getting worse by the day”.",
        "“Not good enough,” Haddad said. “Far from it,” said Keller.",
        "“We keep going,” Haddad said.",
    )
    quotes = extract_quotes([article], [person("Omar Haddad")])
    texts = {q.text: q.speaker for q in quotes}
    assert texts == {
        "grim, crowded and getting worse by the day": None,
    }


def test_four_word_quote_with_a_speaker_is_kept() -> None:
    article = make_article("a", "“We never gave up,” Haddad said.")
    (quote,) = extract_quotes([article], [person("Omar Haddad")])
    assert (quote.speaker, quote.text) == ("Omar Haddad", "We never gave up")


def test_single_curly_quotes_with_apostrophes_inside() -> None:
    article = make_article(
        "a", "‘We won’t back down from this fight, not ever,’ Keller said on Monday."
    )
    (quote,) = extract_quotes([article], [person("Ruth Keller")])
    assert quote.text == "We won’t back down from this fight, not ever"
    assert quote.speaker == "Ruth Keller"


def test_same_quote_merged_across_outlets_with_each_outlets_own_text() -> None:
    british = make_article(
        "b",
        "“We don’t prioritise the harbour over the town centre,” Mayor Ines Vidal said.",
    )
    american = make_article(
        "a",
        'Mayor Ines Vidal said: "We don\'t prioritize the harbor over the town  center."',
    )
    (quote,) = extract_quotes([british, american], [person("Ines Vidal")])
    assert quote.speaker == "Ines Vidal"
    assert quote.articles == ("a", "b")
    assert quote.verbatim == (
        ("a", "We don't prioritize the harbor over the town  center."),
        ("b", "We don’t prioritise the harbour over the town centre"),
    )
    assert quote.text == quote.verbatim[0][1]


def test_a_fragment_is_never_cited_as_the_whole_quote() -> None:
    full = make_article(
        "a",
        "“The river rose overnight and we moved everyone to the school,” Vidal said.",
    )
    partial = make_article("b", "“We moved everyone to the school,” Mayor Ines Vidal said.")
    both = make_article(
        "c",
        "Vidal said: “The river rose overnight and we moved everyone to the school.”",
    )
    whole, fragment = extract_quotes([full, partial, both], [person("Ines Vidal")])
    assert whole.articles == ("a", "c")
    assert whole.speaker == fragment.speaker == "Ines Vidal"
    assert dict(whole.verbatim) == {
        "a": "The river rose overnight and we moved everyone to the school",
        "c": "The river rose overnight and we moved everyone to the school.",
    }
    assert fragment.articles == ("b",)
    assert fragment.text == "We moved everyone to the school"


def test_quotes_by_different_speakers_are_not_merged() -> None:
    first = make_article("a", "“We will look at every option,” Haddad said.")
    second = make_article("b", "“We will look at every option,” Keller said.")
    quotes = extract_quotes([first, second], [person("Omar Haddad"), person("Ruth Keller")])
    assert sorted(q.speaker or "" for q in quotes) == ["Omar Haddad", "Ruth Keller"]


def test_quotes_sorted_by_outlets_then_first_appearance() -> None:
    first = make_article(
        "a",
        "“Only one outlet printed this particular sentence today,” Keller said.",
        "“Two outlets printed this other sentence about the vote,” Haddad said.",
    )
    second = make_article(
        "b", "“Two outlets printed this other sentence about the vote,” Haddad said."
    )
    quotes = extract_quotes([first, second], [person("Omar Haddad"), person("Ruth Keller")])
    assert [q.articles for q in quotes] == [("a", "b"), ("a",)]


_PIECES = st.sampled_from(
    [
        "“",
        "”",
        '"',
        "‘",
        "’",
        ",",
        ".",
        ":",
        "said",
        "told reporters",
        "he",
        "she",
        "Haddad",
        "Mr Haddad",
        "Ruth Keller",
        "spokeswoman",
        "the Kremlin",
        "don’t",
        "don't",
        "we will favour the plan",
        "we will favor the plan",
        "we will win",
        "and",
        "\n\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(_PIECES, max_size=40).flatmap(
            lambda pieces: st.sampled_from([" ", ""]).map(lambda sep: sep.join(pieces))
        ),
        min_size=1,
        max_size=3,
    )
)
def test_every_quote_is_verbatim_in_each_cited_article(texts: list[str]) -> None:
    articles = []
    for number, text in enumerate(texts):
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()] or ["Nothing."]
        articles.append(make_article(f"a{number}", *paragraphs))
    bodies = {article.id: article.text for article in articles}
    quotes = extract_quotes(articles, [person("Omar Haddad"), person("Ruth Keller")])
    for quote in quotes:
        assert quote.articles == tuple(sorted(quote.articles))
        assert tuple(a for a, _ in quote.verbatim) == quote.articles
        assert quote.text == quote.verbatim[0][1]
        for article_id, text in quote.verbatim:
            assert text and text in bodies[article_id]


def test_quotes_of_the_seed_reports() -> None:
    articles = seed_articles()
    people = [e for e in extract_entities(articles) if e.type == "person"]
    quotes = extract_quotes(articles, people)
    mccain = only(quotes, "An American president does not lead the Free World")
    assert mccain.speaker == "John McCain"
    assert {"002", "003"} <= set(mccain.articles)
    assert mccain.text.endswith("sham elections")
    sanders = [q for q in quotes if "get to dictate how other countries operate" in q.text]
    assert len(sanders) == 1
    assert sanders[0].speaker == "Sarah Sanders"
    assert {"002", "003"} <= set(sanders[0].articles)
    verbatim = dict(sanders[0].verbatim)
    assert verbatim["002"].startswith("We don’t get to dictate")
    assert verbatim["003"].startswith("We don't get to dictate")
    # "Trump told reporters ... about his call with the Kremlin: “I congratulated him ...”"
    congratulated = only(quotes, "I congratulated him on the victory")
    assert congratulated.speaker == "Donald Trump"
    assert {"002", "003"} <= set(congratulated.articles)
    # the paragraph after it runs the quote on, and keeps its speaker
    assert only(quotes, "The call had to do also").speaker == "Donald Trump"
    # "But Ms May said on Monday there was “no other conclusion ...”"
    assert only(quotes, "no other conclusion").speaker == "Theresa May"
    bodies = {a.id: a.text for a in articles}
    for quote in quotes:
        for article_id, text in quote.verbatim:
            assert text in bodies[article_id]


# --- the failures of issue 13, one fixture each --------------------------------------


def test_second_half_of_an_interrupted_quote_gets_the_first_halfs_speaker() -> None:
    article = make_article(
        "a",
        "Pollster Pat Caddell looked at the numbers on Sunday.",
        "“This is in their heads, and it shows in every poll we run,” said Caddell, speaking of"
        " the Democrats. “It is one of the things worrying them, and that can be deadly.”",
    )
    quotes = extract_quotes([article], [person("Pat Caddell")])
    assert only(quotes, "This is in their heads").speaker == "Pat Caddell"
    assert only(quotes, "It is one of the things").speaker == "Pat Caddell"


def test_tag_ending_its_sentence_carries_to_the_next_quote() -> None:
    article = make_article(
        "a",
        '"It\'s heartbreaking," Ryan said. "And this country has to find new ways of healing."',
    )
    (quote,) = extract_quotes([article], [person("Paul Ryan")])
    assert quote.text.startswith("And this country")
    assert quote.speaker == "Paul Ryan"


def test_pronoun_goes_to_the_nearest_person_of_its_gender() -> None:
    article = make_article(
        "a",
        "Mayor Tobias Harrow said he would open the school hall to families overnight.",
        "Priya Santangelo, a nurse who lives two streets from the quay, said police officers"
        ' knocked on her door. "We could see the flames from the bedroom window," she said.',
    )
    people = [person("Tobias Harrow")]
    (quote,) = extract_quotes([article], people)
    assert quote.speaker == "Priya Santangelo"


def test_he_skips_a_nearer_woman() -> None:
    article = make_article(
        "a",
        "Mr Omar Haddad spoke after Ruth Keller left, and she did not stay for his answer.",
        "“We will carry on with the talks next week in the capital,” he said.",
    )
    quotes = extract_quotes([article], [person("Omar Haddad"), person("Ruth Keller")])
    assert quotes[0].speaker == "Omar Haddad"


def test_she_said_after_her_name_and_a_title_with_her() -> None:
    article = make_article(
        "a",
        "Councillor Hannah Oyelaran, who represents the ward, said she had written twice."
        " “Both times I was told it was a matter for the operator,” she said.",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Hannah Oyelaran"


def test_speech_verbs_by_their_base_form() -> None:
    article = make_article(
        "a",
        "“Promise mama you’ll keep your hands in sight,” Mary Blige sings to the crowd.",
        "“Where do we go from here, after all of this?” asks Bruce Kimble.",
        "“That was the end of the debate for all of us,” Chris Matthews concluded.",
    )
    quotes = extract_quotes([article], [])
    assert only(quotes, "Promise mama").speaker == "Mary Blige"
    assert only(quotes, "Where do we go").speaker == "Bruce Kimble"
    assert only(quotes, "That was the end").speaker == "Chris Matthews"


def test_titles_and_initials_with_full_stops() -> None:
    article = make_article(
        "a",
        "“This is a disgusting day for the country,” said Rep. G.K. Butterfield (D-N.C.),"
        " head of the caucus.",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "G.K. Butterfield"


def test_role_words_and_an_apposition_before_the_verb() -> None:
    article = make_article(
        "a",
        '"We drilled through rock older than anything we modeled," chief engineer Anselm Raitt'
        " told reporters.",
        "“It’s an invasion of the state regulatory domain,” Scott Pruitt, the attorney general"
        " of Oklahoma, said at an event.",
        "“The next president will need a strategy in place,” said Daryl Kimball, executive"
        " director of the association.",
    )
    quotes = extract_quotes([article], [])
    assert only(quotes, "We drilled").speaker == "Anselm Raitt"
    assert only(quotes, "It’s an invasion").speaker == "Scott Pruitt"
    assert only(quotes, "The next president").speaker == "Daryl Kimball"


def test_dash_attribution() -> None:
    article = make_article(
        "a", "“Maybe we can build a wall around the whole campaign instead.” ― Steve Quinlan"
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Steve Quinlan"


def test_surname_gets_the_full_name_the_article_gives() -> None:
    article = make_article(
        "a",
        "Ilse Varga, the regional minister for ports, announced the inquiry on Wednesday.",
        "“People in this city deserve to know why the warehouse burned,” Varga said.",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Ilse Varga"


def test_a_description_is_no_speaker_name() -> None:
    article = make_article(
        "a",
        "“Republicans are in a frenzy that is disorganized and frenetic,” said one Democratic"
        " source on the panel.",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker is None


def test_multi_sentence_quote_is_kept_whole() -> None:
    article = make_article(
        "a",
        'Governor Elias Brandt told a news conference: "We did not take this decision lightly.',
        '"But the greater harm would come from letting inflation settle. Price stability is the'
        ' foundation on which every other goal rests."',
    )
    quotes = extract_quotes([article], [])
    whole = only(quotes, "But the greater harm")
    assert whole.text.endswith("every other goal rests.")
    assert '"' not in whole.text
    assert whole.speaker == "Elias Brandt"
    assert only(quotes, "We did not take").speaker == "Elias Brandt"


def test_speakers_are_added_to_the_people() -> None:
    article = make_article(
        "a",
        "Firefighters fought the blaze on the quay for six hours on Monday night.",
        "Asked what she saw, the nurse replied. “We could see the flames from the window,”"
        " Priya Santangelo said.",
    )
    people = {e.name for e in extract_entities([article]) if e.type == "person"}
    assert "Priya Santangelo" in people


def test_demo_flames_quote_belongs_to_the_nurse() -> None:
    from storyfuse.models import RawDocument
    from storyfuse.pipeline import prepare_articles

    from helpers import ROOT

    paths = sorted((ROOT / "demo" / "corpus").glob("harbour-fire_*.txt"))
    documents = [RawDocument(source=p.name, text=p.read_text(encoding="utf-8")) for p in paths]
    articles, _ = prepare_articles(documents)
    entities = extract_entities(articles)
    people = [e for e in entities if e.type == "person"]
    quotes = extract_quotes(articles, people)
    assert only(quotes, "We could see the flames").speaker == "Priya Santangelo"
    assert only(quotes, "Both times I was told").speaker == "Hannah Oyelaran"
    assert only(quotes, "People in this city").speaker == "Ilse Varga"
    assert only(quotes, "By the time I got back").speaker == "Dario Feld"
    names = {e.name for e in people}
    assert {"Priya Santangelo", "Hannah Oyelaran", "Ilse Varga", "Dario Feld"} <= names


def test_the_one_told_is_not_the_speaker() -> None:
    article = make_article(
        "a",
        "Campaign spokesman Brian Fallon told Politico, “We are confident the review will"
        " conclude that nothing inappropriate took place.”",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Brian Fallon"


def test_the_name_in_an_apposition_after_a_role() -> None:
    article = make_article(
        "a",
        "Carson’s business manager, Armstrong Williams, stated: “When I spoke with him about"
        " this yesterday he was so sad about it.”",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Armstrong Williams"


def test_a_name_and_a_colon_before_the_quote() -> None:
    article = make_article(
        "a",
        "The interplay has mattered in every contest - Philip Bump: “Two weeks ago his"
        " strongest territory had been the South.”",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Philip Bump"


def test_a_name_ending_a_clause_before_a_colon_is_not_the_speaker() -> None:
    article = make_article(
        "a",
        "Later, Anton Brekke told the board about his talks with the Harbour Authority:"
        " “We will reopen the quay within a week.”",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Anton Brekke"


def test_a_surname_that_is_a_month_after_a_title() -> None:
    article = make_article(
        "a",
        "Ilse May chairs the inquiry. But Ms May said on Monday there was “no sign the"
        " alarms were ever tested” in the building.",
    )
    (quote,) = extract_quotes([article], [person("Ilse May")])
    assert quote.speaker == "Ilse May"


def test_a_pronoun_speaker_is_never_someone_named_inside_a_quote() -> None:
    article = make_article(
        "a",
        "Farmer Tomas Reyes has not sprayed his fields in ten years.",
        "“We need all these bugs,” Reyes said. “Ada Quill knows it: nature is in balance.”",
        "He concludes: “We have to stop killing the systems we depend on to grow anything.”",
    )
    quotes = extract_quotes([article], [person("Tomas Reyes"), person("Ada Quill")])
    assert only(quotes, "We have to stop killing").speaker == "Tomas Reyes"


def test_a_relative_clause_ends_the_speaker_after_said() -> None:
    article = make_article(
        "a",
        "“It is becoming more common,” said psychology professor Eric Trupin who heads the"
        " Division of Child and Adolescent Psychiatry.",
    )
    (quote,) = extract_quotes([article], [])
    assert quote.speaker == "Eric Trupin"


def test_a_sentence_that_introduces_the_next_ones_quote() -> None:
    article = make_article(
        "a",
        "Sam Lau, the party’s communications director, said in a statement. “There are no paper"
        " ballots to recount after the caucuses.”",
        "On Monday, Dianne Bystrom agreed. “Mainstream Republicans are running out of time.”",
    )
    quotes = extract_quotes([article], [])
    assert only(quotes, "There are no paper").speaker == "Sam Lau"
    assert only(quotes, "Mainstream Republicans").speaker == "Dianne Bystrom"
