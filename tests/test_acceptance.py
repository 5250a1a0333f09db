"""The whole job on three reports of one event: the real seeds and the project's own fixture.

Both sets have the same shape: an outlet's own report wrapped in its site's
appeals and prompts, a wire report that opens with a ``date`` prefix, and a
reprint of that wire copy with a headline, a date line, a photo credit, a
related-article line and an ``Original url:`` line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyfuse.models import Article, Report, Story
from storyfuse.pipeline import PipelineOptions, summarize_paths
from storyfuse.stories.sentence_context import word_count
from storyfuse.stories.summarize import SummaryOptions
from storyfuse.text.tokens import coverage, match_tokens

from helpers import FIXTURES, SEEDS


@dataclass(frozen=True)
class Expected:
    folder: Path
    site_file: str
    wire_file: str
    reprint_file: str
    site_outlet: str
    reprint_outlet: str
    wire_date: dt.date
    reprint_date: dt.date
    # Every removal, exactly: anything else removed would be a sentence of the story.
    removed: dict[str, set[str]]
    first_and_last: dict[str, tuple[str, str]]
    quotes: dict[str, str]  # quote text start -> speaker
    congratulate: str
    meet: tuple[str, ...]
    not_discussed: tuple[str, ...]


SEED_CASE = Expected(
    folder=SEEDS,
    site_file="000_506b5eabb4f6d567.txt",
    wire_file="002_558508e157a92aa0.txt",
    reprint_file="003_486074a06d42a80d.txt",
    site_outlet="The Independent",
    reprint_outlet="The Moscow Times",
    wire_date=dt.date(2018, 3, 20),
    reprint_date=dt.date(2018, 3, 21),
    removed={
        "000_506b5eabb4f6d567.txt": {
            "Trump calls Putin to congratulate him on election victory and says they will meet "
            "in the ‘not too distant future’",
            "Kremlin says leaders did not discuss nerve agent attack on Russian double agent in "
            "Salisbury",
            "Your support helps us to tell the story",
            "From reproductive rights to climate change to Big Tech, The Independent is on the "
            "ground when the story is developing.",
            "Whether it's investigating the financials of Elon Musk's pro-Trump PAC or producing "
            "our latest documentary, 'The A Word', which shines a light on the American women "
            "fighting for reproductive rights, we know how important it is to parse out the facts "
            "from the messaging.",
            "At such a critical moment in US history, we need reporters on the ground.",
            "Your donation allows us to keep sending journalists to speak to both sides of the "
            "story.",
            "The Independent is trusted by Americans across the entire political spectrum.",
            "And unlike many other quality news outlets, we choose not to lock Americans out of "
            "our reporting and analysis with paywalls.",
            "We believe quality journalism should be available to everyone, paid for by those who "
            "can afford it.",
            "Your support makes all the difference.",
            "Subscribe to Independent Premium to bookmark this article",
            "Want to bookmark your favourite articles and stories to read or reference later?",
            "Start your Independent Premium subscription today.",
            "Join our commenting forum",
            "Join thought-provoking conversations, follow other Independent readers and see their "
            "replies",
            "Comments",
        },
        "002_558508e157a92aa0.txt": {"date 2018-03-20"},
        "003_486074a06d42a80d.txt": {
            "Trump Congratulates Putin on Election, Says the Leaders Plan To Meet",
            "March 21, 2018",
            "Kremlin Press Service",
            "Related article: [British Sanctions Against Russia More Threat Than Harm "
            "\\(Op-ed\\)](#)",
            "Original url:",
            "<https://www.themoscowtimes.com/2018/03/21/trump-congratulates-putin-on-election-says-"
            "the-leaders-plan-to-meet-a60884>",
        },
    },
    first_and_last={
        "000_506b5eabb4f6d567.txt": (
            "Donald Trump has called Russian President Vladimir Putin",
            "as the most powerful politician in the country.",
        ),
        "002_558508e157a92aa0.txt": (
            "Donald Trump failed to raise with Vladimir Putin",
            "along with the denuclearisation of North Korea.",
        ),
        "003_486074a06d42a80d.txt": (
            "President Donald Trump on Tuesday congratulated",
            "a charge Russia denies.",
        ),
    },
    quotes={
        "An American president does not lead the Free World": "John McCain",
        "We don": "Sarah Sanders",
    },
    congratulate="congratulat",
    meet=("planned to meet", "plan to meet", "will meet", "would likely meet"),
    not_discussed=("not discuss", "failed to raise", "not raise"),
)

FIXTURE_CASE = Expected(
    folder=FIXTURES / "story",
    site_file="a_outlet_site.txt",
    wire_file="b_wire.txt",
    reprint_file="c_reprint.txt",
    site_outlet="Northern Gazette",
    reprint_outlet="Coastal Herald",
    wire_date=dt.date(2024, 9, 10),
    reprint_date=dt.date(2024, 9, 11),
    removed={
        "a_outlet_site.txt": {
            "Westmark’s prime minister calls Valescu to congratulate him on re-election and "
            "promises talks ‘in the coming months’",
            "Lindholm confirms the seized trawler Northern Tern was not discussed during the call",
            "Your support keeps our reporters in the field",
            "From fishing quotas to energy prices, the Northern Gazette is there when the story "
            "breaks.",
            "Whether we are tracking the money behind a pipeline deal or waiting on a quayside for "
            "news of a detained crew, we know how much it matters to separate what happened from "
            "what people say happened.",
            "At a moment like this, reporting from the ground matters more than ever.",
            "Your contribution lets us keep sending journalists to hear every side.",
            "The Northern Gazette is trusted by readers across the whole of Westmark, whatever "
            "their vote.",
            "We keep our reporting free to read, with no paywall, because we believe good "
            "journalism should be open to all and paid for by those who are able.",
            "Every contribution keeps us independent.",
            "Subscribe to Northern Gazette Premium to bookmark this article",
            "Want to save your favourite stories to read or come back to later?",
            "Start your Northern Gazette Premium subscription today.",
            "Join our commenting forum",
            "Join lively discussions, follow other Gazette readers and see their replies",
            "Comments",
        },
        "b_wire.txt": {"date 2024-09-10"},
        "c_reprint.txt": {
            "Westmark Leader Congratulates Valescu on Disputed Win, Says the Two Will Meet",
            "September 11, 2024",
            "Drevanian Presidential Press Service",
            "Related article: [Drevania's Opposition Vows to Take Election Result to Court](#)",
            "Original url:",
            "<https://www.coastalherald.example/2024/09/11/westmark-leader-congratulates-valescu-"
            "on-disputed-win-a123>",
        },
    },
    first_and_last={
        "a_outlet_site.txt": (
            "Ingrid Halloran has telephoned Teodor Valescu",
            "wary of a confrontation before winter.",
        ),
        "b_wire.txt": ("Prime Minister Ingrid Halloran of Westmark congratulated", ""),
        "c_reprint.txt": ("Prime Minister Ingrid Halloran of Westmark on Tuesday", ""),
    },
    quotes={
        "A prime minister does not defend democracy": "Corinne Abernathy",
        "I don": "Delia Marchetti",
    },
    congratulate="congratulat",
    meet=("sit down with", "will meet", "would meet"),
    not_discussed=("not discuss", "not raise", "did not raise", "was not discussed"),
)


def _run(case: Expected) -> tuple[Report, dict[str, Article], Story]:
    if not case.folder.is_dir():
        pytest.skip(f"{case.folder} is absent")
    report = summarize_paths([case.folder], PipelineOptions(summary=SummaryOptions(words=120)))
    assert report.errors == ()
    by_file = {Path(article.source).name: article for article in report.articles}
    assert len(report.stories) == 1
    return report, by_file, report.stories[0]


CASES = [pytest.param(SEED_CASE, id="seeds"), pytest.param(FIXTURE_CASE, id="fixture")]


@pytest.mark.parametrize("case", CASES)
def test_one_story_with_outlets_and_dates(case: Expected) -> None:
    _, by_file, story = _run(case)
    assert sorted(story.articles) == sorted(a.id for a in by_file.values())
    assert by_file[case.site_file].outlet == case.site_outlet
    assert by_file[case.reprint_file].outlet == case.reprint_outlet
    assert by_file[case.wire_file].published == case.wire_date
    assert by_file[case.reprint_file].published == case.reprint_date
    assert by_file[case.site_file].published is None


@pytest.mark.parametrize("case", CASES)
def test_boilerplate_goes_and_every_sentence_of_the_story_stays(case: Expected) -> None:
    _, by_file, _ = _run(case)
    for name, expected in case.removed.items():
        article = by_file[name]
        assert {r.text for r in article.removed} == expected, name
        for removal in article.removed:
            assert removal.reason
            assert removal.text not in article.text
        first, last = case.first_and_last[name]
        assert article.sentences[0].text.startswith(first)
        assert article.sentences[-1].text.endswith(last)


@pytest.mark.parametrize("case", CASES)
def test_wire_copy_and_independent_sources(case: Expected) -> None:
    report, by_file, story = _run(case)
    site, wire, reprint = (by_file[n] for n in (case.site_file, case.wire_file, case.reprint_file))
    links = {a: {link.article: link for link in report.wire[a.id]} for a in (site, wire, reprint)}
    assert links[wire][reprint.id].share >= 0.6
    assert links[reprint][wire.id].shared_sentences >= 10
    assert all(link.shared_sentences <= 1 for link in links[site].values())
    assert story.independent_sources == 2


@pytest.mark.parametrize("case", CASES)
def test_quotes_are_attributed_and_cited_to_every_outlet_that_prints_them(case: Expected) -> None:
    _, by_file, story = _run(case)
    texts = {a.id: a.text for a in by_file.values()}
    wire, reprint = by_file[case.wire_file].id, by_file[case.reprint_file].id
    for start, speaker in case.quotes.items():
        matching = [q for q in story.quotes if q.text.startswith(start)]
        assert matching, start
        quote = matching[0]
        assert quote.speaker == speaker
        assert {wire, reprint} <= set(quote.articles)
    for quote in story.quotes:
        assert set(dict(quote.verbatim)) == set(quote.articles)
        for article_id, verbatim in quote.verbatim:
            assert verbatim in texts[article_id]


@pytest.mark.parametrize("case", CASES)
def test_summary_is_faithful_cited_and_says_what_matters(case: Expected) -> None:
    _, by_file, story = _run(case)
    articles = {a.id: a for a in by_file.values()}
    assert sum(word_count(s.text) for s in story.summary) <= 120
    for sentence in story.summary:
        assert sentence.text in articles[sentence.source.article].text
        for cited in sentence.citations:
            best = max(
                coverage(match_tokens(sentence.text), match_tokens(s.text))[0]
                for s in articles[cited].sentences
            )
            assert best >= 0.9, (sentence.text, cited)
        for other in articles.values():
            if sentence.text in other.text:
                assert other.id in sentence.citations
    text = " ".join(s.text for s in story.summary).lower()
    assert case.congratulate in text
    assert any(phrase in text for phrase in case.meet)
    assert any(phrase in text for phrase in case.not_discussed)
