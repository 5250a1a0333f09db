"""Sentence segmentation: abbreviations, initials, quotes, paragraphs, offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storyfuse.text.segment import join_paragraphs, segment, split_sentences


def test_titles_and_dotted_abbreviations_do_not_end_sentences() -> None:
    text = "Mr. Alder met Dr. Vance in the U.S. capital on Monday. They spoke for an hour."
    assert split_sentences(text) == [
        "Mr. Alder met Dr. Vance in the U.S. capital on Monday.",
        "They spoke for an hour.",
    ]


def test_two_company_suffixes_are_one_name() -> None:
    text = "It was good news, said Paul Dergarabedian of Exhibitor Relations Co. Inc. He smiled."
    assert split_sentences(text) == [
        "It was good news, said Paul Dergarabedian of Exhibitor Relations Co. Inc.",
        "He smiled.",
    ]


def test_dotted_abbreviation_can_end_a_sentence() -> None:
    assert split_sentences("The firm moved to the U.S. The move took a year.") == [
        "The firm moved to the U.S.",
        "The move took a year.",
    ]


def test_initials_numbers_and_number_abbreviations() -> None:
    text = "J. R. Tolland paid $3.5 million for No. 10 Quay St. on Friday. Rivals balked."
    assert split_sentences(text) == [
        "J. R. Tolland paid $3.5 million for No. 10 Quay St. on Friday.",
        "Rivals balked.",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = "“We will rebuild,” Mayor Ines Carva said. She added: “Not this year.” Crews left."
    assert split_sentences(text) == [
        "“We will rebuild,” Mayor Ines Carva said.",
        "She added: “Not this year.”",
        "Crews left.",
    ]


def test_glued_boundary_is_split() -> None:
    text = "Support our newsroom today.The council voted on Tuesday."
    assert split_sentences(text) == ["Support our newsroom today.", "The council voted on Tuesday."]


def test_paragraph_break_ends_a_sentence_and_offsets_point_into_the_text() -> None:
    paragraphs = ["A fire broke out at the dock", "Crews arrived. Nobody was hurt."]
    sentences = segment(paragraphs)
    text = join_paragraphs(paragraphs)
    assert [s.paragraph for s in sentences] == [0, 1, 1]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


_words = st.text(alphabet="abcdefg XYZ.,!?“”\"'", min_size=0, max_size=80)


@given(st.lists(_words, min_size=1, max_size=5))
def test_sentences_are_verbatim_slices_and_lose_no_words(paragraphs: list[str]) -> None:
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    text = join_paragraphs(paragraphs)
    sentences = segment(paragraphs)
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    assert "".join("".join(s.text.split()) for s in sentences) == "".join(text.split())
