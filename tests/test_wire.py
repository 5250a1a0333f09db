"""Wire copy: near-identical sentences, shared passages and independent sources."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storyfuse.models import SentenceRef
from storyfuse.stories.wire import SentenceIndex, independent_sources
from storyfuse.text.tokens import coverage, match_tokens

from helpers import make_article

WIRE = [
    "The harbour authority said the fire had been brought under control after nine hours.",
    "Officials organised the evacuation of 40 families from flats near the quay.",
    "“We will find out what caused this,” Fire Chief Marta Okonkwo said in a statement.",
    "The US Coast Guard sent two boats to help with the operation on the water.",
    "Insurers said the warehouse held grain, timber and machine parts worth millions.",
]
REPRINT = [
    "The harbor authority said the fire had been brought under control after nine hours.",
    "Officials organized the evacuation of 40 families from flats near the quay.",
    '"We will find out what caused this," Fire Chief Marta Okonkwo said in a statement.',
    "The U.S. Coast Guard sent two boats to help with the operation on the water.",
    "The Evening Star understands the warehouse was last inspected in 2019.",
]
OWN_REPORT = [
    "Smoke hung over Port Avel for most of Tuesday as crews fought the blaze.",
    "Residents described hearing a loud bang shortly before midnight.",
    "The city council will hold an emergency meeting on Thursday.",
]


def test_spelling_quotes_and_us_variants_fold_to_the_same_tokens() -> None:
    for british, american in zip(WIRE[:4], REPRINT[:4], strict=True):
        assert match_tokens(british) == match_tokens(american)


def test_shared_sentences_cites_and_links() -> None:
    wire = make_article("wire", WIRE)
    reprint = make_article("reprint", REPRINT, outlet="Evening Star")
    own = make_article("own", OWN_REPORT, outlet="Harbour Courier")
    index = SentenceIndex([wire, reprint, own])
    links = index.wire_links()
    assert [(link.article, link.shared_sentences) for link in links["wire"]] == [("reprint", 4)]
    assert [(link.article, link.shared_sentences) for link in links["reprint"]] == [("wire", 4)]
    assert links["own"] == ()
    assert index.supporting_articles(SentenceRef("wire", 0)) == ("reprint", "wire")
    assert index.supporting_articles(SentenceRef("wire", 4)) == ("wire",)
    assert independent_sources([wire, reprint, own], links) == 2
    groups = index.groups()
    assert len(groups) == 4 and all(g.articles == ("reprint", "wire") for g in groups)


def test_a_longer_sentence_supports_the_shorter_one_it_contains() -> None:
    short = make_article("short", ["Residents were allowed home on Wednesday morning."])
    long = make_article(
        "long",
        ["Residents were allowed home on Wednesday morning, after inspectors checked the flats."],
    )
    index = SentenceIndex([short, long])
    assert index.supporting_articles(SentenceRef("short", 0)) == ("long", "short")
    assert index.supporting_articles(SentenceRef("long", 0)) == ("long",)


def test_same_outlet_counts_once() -> None:
    first = make_article("a", OWN_REPORT[:2], outlet="Harbour Courier")
    second = make_article("b", OWN_REPORT[2:], outlet="Harbour Courier")
    index = SentenceIndex([first, second])
    assert independent_sources([first, second], index.wire_links()) == 1


@settings(max_examples=50)
@given(st.lists(st.sampled_from(WIRE + OWN_REPORT), min_size=1, max_size=6, unique=True))
def test_an_article_is_a_near_duplicate_of_its_copy(sentences: list[str]) -> None:
    original = make_article("original", sentences)
    copy = make_article("copy", sentences)
    links = SentenceIndex([original, copy]).wire_links()
    assert links["original"][0].share == 1.0
    assert coverage(match_tokens(sentences[0]), match_tokens(sentences[0])) == (1.0, 1.0)
