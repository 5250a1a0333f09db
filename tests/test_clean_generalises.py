"""Cleaning by form and place: held-out wordings of page furniture, and no stitched sentences.

The fixtures in tests/fixtures/heldout word their boilerplate unlike the demo corpus
and unlike any phrase the cleaner's rule lists name.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.models import Article, DocumentMetadata, RawDocument
from storyfuse.pipeline import prepare_articles
from storyfuse.sources.pages import read_page
from storyfuse.stories.summarize import choose_headline
from storyfuse.text.clean import CleanOptions, clean_text
from storyfuse.text.segment import segment

from helpers import FIXTURES, ROOT

HELD_OUT = FIXTURES / "heldout"
NO_METADATA = DocumentMetadata(title=None, published=None, url=None, outlet=None)


def _article(name: str, outlet: str | None) -> Article:
    path = HELD_OUT / name
    document = RawDocument(source=str(path), text=path.read_text(encoding="utf-8"), outlet=outlet)
    articles, errors = prepare_articles([document])
    assert not errors and len(articles) == 1
    return articles[0]


def _sentences(article: Article) -> list[str]:
    return [sentence.text for sentence in article.sentences]


def test_read_more_on_the_first_line_is_not_the_headline_and_furniture_goes() -> None:
    article = _article("lagoon-gazette.txt", "Lagoon Gazette")
    assert article.title == "Flood barrier gives way as the Kerrow river rises"
    text = " ".join(_sentences(article))
    for furniture in (
        "Read more",
        "Opposition leaders",
        "Advertisement",
        "Recommended for you",
        "Kerrow council approves bridge budget",
        "Comments are closed",
    ):
        assert furniture not in text
    assert len(article.sentences) == 4  # every sentence of the report stays
    assert _sentences(article)[-1].startswith("The barrier was built in 1987")


def test_membership_appeared_in_and_comment_invitations_in_new_wordings_go() -> None:
    article = _article("pinewood-sentinel.txt", "Pinewood Sentinel")
    # A headline in "label: title" form whose words the article uses stays the headline.
    assert article.title == "Kerrow flood: repairs to start within days"
    assert _sentences(article) == [
        "Repairs to the breached flood barrier in Kerrow will begin within days, the regional"
        " authority said on Friday, as water levels in the Millbank quarter started to fall.",
        "About 300 homes were flooded when a section of the barrier gave way early on Thursday,"
        " and more than 900 people spent the night in reception centres.",
        "The authority said the cost of the repairs was not yet known.",
    ]
    removed = {removal.text for removal in article.removed}
    assert {
        "Join the Pinewood Sentinel today and read every story without limits",
        "This story was first published in the Sentinel Weekend edition.",
        "Tell other Sentinel readers what you think in the forum below",
        "Commenting has been switched off for this article.",
        "Sponsored",
    } <= removed


def test_an_untitled_article_gets_its_headline_from_its_lead_sentence() -> None:
    article = _article("untitled.txt", None)
    assert article.title is None
    assert choose_headline([article]).startswith("Residents of the Millbank quarter in Kerrow")
    assert "Advertisement" not in article.text


def test_the_same_sentences_stay_when_nothing_is_boilerplate() -> None:
    # Short sentences, crossheads with full stops and quotes addressed to "you" are reporting.
    text = (
        "The fire was out by dawn, the fire service said.\n\nNobody was hurt.\n\n"
        '"You do not forget a night like that," said Ana Ruiz, who lives nearby.\n\n'
        "He declined to comment.\n\nUpdate: the first regular train left on time on Saturday."
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions(outlet="Lagoon Gazette"))
    assert cleaned.paragraphs == tuple(text.split("\n\n"))


def test_no_sentence_is_built_across_a_widget_cut_from_a_paragraph() -> None:
    text = (
        "Aid groups said the region's farmers were fighting for survival. Text size - + reset "
        "allen on gop debates said the field was wide open."
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    sentences = [sentence.text for sentence in segment(cleaned.paragraphs)]
    assert sentences == [
        "Aid groups said the region's farmers were fighting for survival.",
        "allen on gop debates said the field was wide open.",
    ]
    assert all(sentence in text for sentence in sentences)


def test_no_sentence_is_joined_across_a_removed_line() -> None:
    text = (
        "Okonkwo said investigators would enter the building only\n\n"
        "Read more: Ferry timetable changes after harbour closure\n\n"
        "once the structure had been made safe.\n\n"
        "Okonkwo said the cause was not yet known and the inquiry would\n\n"
        "take several weeks to complete."
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (
        "Okonkwo said investigators would enter the building only",
        "once the structure had been made safe.",
        # Nothing removed between these two: the broken sentence is joined again.
        "Okonkwo said the cause was not yet known and the inquiry would take several weeks"
        " to complete.",
    )


def test_no_demo_or_held_out_boilerplate_line_appears_as_a_fact() -> None:
    boilerplate = (
        "Become a member of the Morning Herald",
        "This article appeared in The Capital Exchange Markets Daily.",
        "Debate the issues with other Courier readers",
        "Read more:",
        "Comments",
        "Support the Tribune",
        "Join the Pinewood Sentinel",
        "Tell other Sentinel readers",
        "This story was first published",
        "Recommended for you",
    )
    for corpus in (ROOT / "demo" / "corpus", HELD_OUT):
        result = CliRunner().invoke(main, ["summarize", str(corpus), "--format", "json"])
        assert result.exit_code == 0, result.stderr
        stories = json.loads(result.stdout)["stories"]
        facts = [
            fact["text"]
            for story in stories
            for fact in [*story["shared_facts"], *story["unique_facts"]]
        ]
        assert facts
        for line in boilerplate:
            assert not any(line in fact for fact in facts), line


def test_a_held_out_page_loses_its_link_box_ad_slot_and_comment_notice() -> None:
    page = read_page(HELD_OUT / "harbour-tribune.html")
    assert isinstance(page, RawDocument)
    articles, errors = prepare_articles([page])
    assert not errors
    article = articles[0]
    assert article.title == "Ferry crews strike over new rota"
    assert [sentence.text.split()[0] for sentence in article.sentences] == [
        "Ferry",
        "The",
        "Union",
        "A",
    ]
    removed = {removal.text: removal.reason for removal in article.removed}
    assert "Advertisement" in removed and "Comments are closed." in removed
    assert "Recommended for you" in removed
    # The box of links goes by its link density, whatever its titles say.
    assert any("Kerrow council approves bridge budget" in text for text in removed)
