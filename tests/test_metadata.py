"""Finding headline, date, URL and outlet in an article's text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyfuse.models import MetadataSpan
from storyfuse.sources.inputs import decode_bytes
from storyfuse.text.metadata import find_metadata, outlet_from_text, parse_date_line, site_name

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
BODY = (
    "The council voted on Tuesday to close the old harbour bridge for repairs.\n"
    "Engineers said the work would take at least six months to complete.\n"
)


def spans_of(text: str) -> list[tuple[int, str, str]]:
    return [(s.line, s.text, s.reason) for s in find_metadata(text).spans]


# Dates


@pytest.mark.parametrize(
    "line",
    [
        "March 21, 2018",
        "Mar. 21, 2018",
        "21 March 2018",
        "Tuesday, 21 March 2018",
        "Wed 21 Mar 2018 10.38 GMT",
        "2018/03/21",
        "2018-03-21",
        "2018-03-21T08:15:00Z",
        "21/03/2018",
        "Published: March 21, 2018",
        "Published on 21 March 2018 at 9:30 a.m. ET",
        "Updated 21 March 2018",
        "Last updated: 2018-03-21 | 10:04 BST",
        "Published 21 March 2018 | Updated 22 March 2018",
        "  date 2018-03-21  ",
    ],
)
def test_date_lines(line: str) -> None:
    text = f"{line}\n{BODY}"
    found = find_metadata(text)
    assert found.published == dt.date(2018, 3, 21)
    assert spans_of(text) == [(0, line, "date line")]


def test_date_prefix_glued_to_the_first_sentence_is_a_prefix_span() -> None:
    text = " date 2018-03-20 Donald Trump failed to raise the poisoning.\nMore text follows.\n"
    found = find_metadata(text)
    assert found.published == dt.date(2018, 3, 20)
    assert found.title is None
    assert found.spans == (MetadataSpan(0, " date 2018-03-20 ", "date line"),)


@pytest.mark.parametrize(
    ("line", "prefix"),
    [
        ("Published: 21 March 2018 The council voted.", "Published: 21 March 2018 "),
        ("March 21, 2018 — The council voted.", "March 21, 2018 — "),
        ("2018-03-21 The council voted.", "2018-03-21 "),
    ],
)
def test_labelled_numeric_or_dashed_date_prefixes(line: str, prefix: str) -> None:
    found = parse_date_line(line)
    assert found is not None
    assert found == (dt.date(2018, 3, 21), prefix)


@pytest.mark.parametrize(
    "line",
    [
        "On March 3, 2018, he said the bridge would close.",
        "March 3, 2018, was the day the bridge closed.",
        "The vote on 3 March 2018 was close.",
        "03/04/2018",  # day-first or month-first: unknown
        "February 30, 2018",
    ],
)
def test_dates_in_prose_or_impossible_dates_are_not_publication_dates(line: str) -> None:
    assert parse_date_line(line) is None
    assert find_metadata(f"Bridge to close\n{line}\n{BODY}").published is None


def test_date_deep_in_the_body_is_ignored() -> None:
    text = "Bridge to close\n" + BODY * 8 + "March 3, 2018\n" + BODY
    assert find_metadata(text).published is None


def test_first_header_date_wins_and_every_date_line_is_a_span() -> None:
    text = f"Bridge to close\nPublished: 20 March 2018\nUpdated: 22 March 2018\n{BODY}"
    found = find_metadata(text)
    assert found.published == dt.date(2018, 3, 20)
    assert [s.reason for s in found.spans] == ["headline", "date line", "date line"]


def test_date_from_url_path_when_the_header_has_none() -> None:
    text = f"{BODY}Source: https://news.example.org/2018/03/21/bridge-closes\n"
    assert find_metadata(text).published == dt.date(2018, 3, 21)


def test_header_date_beats_url_date() -> None:
    text = f"March 20, 2018\n{BODY}https://news.example.org/2018/03/21/bridge\n"
    assert find_metadata(text).published == dt.date(2018, 3, 20)


# Headline and standfirst


def test_headline_and_standfirst() -> None:
    text = (
        f"Bridge to close for six months\nRepairs will divert traffic through the old town\n{BODY}"
    )
    found = find_metadata(text)
    assert found.title == "Bridge to close for six months"
    assert spans_of(text) == [
        (0, "Bridge to close for six months", "headline"),
        (1, "Repairs will divert traffic through the old town", "standfirst"),
    ]


def test_headline_after_blank_lines_and_before_a_date() -> None:
    text = f"\n\nBridge Closes, Council Says\n\nMarch 21, 2018\n\n{BODY}"
    found = find_metadata(text)
    assert found.title == "Bridge Closes, Council Says"
    assert found.published == dt.date(2018, 3, 21)
    assert [s.reason for s in found.spans] == ["headline", "date line"]


@pytest.mark.parametrize(
    "text",
    [
        BODY,  # starts with body: the first line is a sentence
        "The bridge will close.\n" + BODY,  # short, but a sentence
        "Bridge to close\n",  # nothing follows
        "The council voted on Tuesday to close the old\nharbour bridge for repairs.\n" + BODY,
        " ".join(["word"] * 26) + "\n" + BODY,  # too long
    ],
    ids=["body", "short-sentence", "alone", "hard-wrapped", "long"],
)
def test_no_headline(text: str) -> None:
    assert find_metadata(text).title is None
    assert "headline" not in [s.reason for s in find_metadata(text).spans]


def test_headline_above_a_date_prefixed_first_sentence() -> None:
    text = "Bank lifts rates in shock move\ndate 2025-05-14 The bank raised rates.\nMore.\n"
    found = find_metadata(text)
    assert found.title == "Bank lifts rates in shock move"
    assert spans_of(text) == [
        (0, "Bank lifts rates in shock move", "headline"),
        (1, "date 2025-05-14 ", "date line"),
    ]


def test_markdown_heading_marks_are_not_part_of_the_title() -> None:
    assert find_metadata(f"# Bridge to close\n\n{BODY}").title == "Bridge to close"


# URLs


@pytest.mark.parametrize(
    ("lines", "span_lines"),
    [
        ("Original url:\n\n<https://www.example.com/a>", [0, 2]),
        ("Original URL: https://www.example.com/a", [0]),
        ("Source: <https://www.example.com/a>", [0]),
        ("https://www.example.com/a", [0]),
    ],
)
def test_source_url_lines(lines: str, span_lines: list[int]) -> None:
    text = BODY + lines + "\n"
    found = find_metadata(text)
    assert found.url == "https://www.example.com/a"
    offset = len(BODY.splitlines())
    assert spans_of(text) == [
        (offset + n, text.splitlines()[offset + n], "source URL line") for n in span_lines
    ]


def test_first_url_wins_and_url_inside_prose_is_not_a_url_line() -> None:
    text = (
        f"{BODY}Read more at https://www.example.com/more today.\n"
        "https://first.example/a\nhttps://second.example/b\n"
    )
    found = find_metadata(text)
    assert found.url == "https://first.example/a"
    assert [s.line for s in found.spans] == [3, 4]


def test_source_label_without_a_url_is_not_metadata() -> None:
    text = f"{BODY}Source: Reuters\n"
    found = find_metadata(text)
    assert found.url is None
    assert found.spans == ()


# Outlets


@pytest.mark.parametrize(
    ("url", "name", "known"),
    [
        ("https://www.themoscowtimes.com/2018/03/21/x", "The Moscow Times", True),
        ("https://www.independent.co.uk/news/x", "The Independent", True),
        ("https://uk.reuters.com/article/x", "Reuters", True),
        ("https://edition.cnn.com/x", "CNN", True),
        ("https://daily-ledger.example/x", "Daily Ledger", False),
        ("https://www.coastalherald.example/x", "Coastal Herald", False),
        ("https://news.harbour-courier.co.uk/x", "Harbour Courier", False),
        ("https://www.bridgeport.example/x", "Bridgeport", False),
    ],
)
def test_site_names(url: str, name: str, known: bool) -> None:
    assert site_name(url) == (name, known)


@pytest.mark.parametrize("url", ["http://localhost/x", "http://10.0.0.1/x", "http://[::1]/x"])
def test_no_site_name_for_hosts_without_a_domain(url: str) -> None:
    assert site_name(url) is None


@pytest.mark.parametrize(
    ("boilerplate", "outlet"),
    [
        ("The Independent is trusted by Americans across the spectrum.", "The Independent"),
        (
            "From rights to tech, The Independent is on the ground when news breaks.",
            "The Independent",
        ),
        ("Subscribe to Independent Premium to bookmark this article", "Independent"),
        ("© 2024 The Daily Ledger. All rights reserved.", "The Daily Ledger"),
        ("Copyright 2024 Reuters", "Reuters"),
        ("Support The Harbour Courier today.", "The Harbour Courier"),
        ("The Valley Post relies on readers like you.", "The Valley Post"),
    ],
)
def test_outlet_named_in_boilerplate(boilerplate: str, outlet: str) -> None:
    assert outlet_from_text(BODY + boilerplate + "\n") == outlet


def test_appeal_headings_and_since_lines_name_the_outlet() -> None:
    text = (
        f"{BODY}Support the Tribune\n"
        "The Valdrisa Tribune has covered life in the valleys since 1887.\n"
    )
    assert outlet_from_text(text) == "The Valdrisa Tribune"  # "Tribune" counts for it
    assert outlet_from_text(f"{BODY}Become a member of the Morning Herald\n") == "Morning Herald"


def test_outlet_drops_the_when_the_text_writes_it_lowercase() -> None:
    text = (
        "From quotas to prices, the Northern Gazette is there when the story breaks.\n"
        "The Northern Gazette is trusted by readers across the country.\n"
        "Subscribe to Northern Gazette Premium to bookmark this article\n"
    )
    assert outlet_from_text(text) == "Northern Gazette"


@pytest.mark.parametrize(
    "text",
    [
        "Mr Putin relies on the security services to keep order.",
        "Hamas is funded by Iran, officials said.",
        "The US Copyright Office said the rules would change.",
        "Support Ukraine, the protesters chanted.",
        BODY,
    ],
)
def test_no_outlet_from_ordinary_prose(text: str) -> None:
    assert outlet_from_text(text) is None


def test_known_site_beats_the_name_in_the_text() -> None:
    text = f"{BODY}© 2018 Some Syndicate\nhttps://www.reuters.com/article/x\n"
    assert find_metadata(text).outlet == "Reuters"


def test_text_name_beats_an_unknown_site() -> None:
    text = f"{BODY}© 2024 The Daily Ledger\nhttps://dl-news.example/x\n"
    assert find_metadata(text).outlet == "The Daily Ledger"


def test_unknown_site_spelled_out_in_the_text() -> None:
    text = (
        f"{BODY}This article appeared in The Capital Exchange Markets Daily.\n"
        "https://www.capitalexchange.example/markets/x\n"
    )
    assert find_metadata(text).outlet == "The Capital Exchange"


def test_unknown_site_when_the_text_names_nobody() -> None:
    assert find_metadata(f"{BODY}https://daily-ledger.example/x\n").outlet == "Daily Ledger"


def test_nothing_found() -> None:
    found = find_metadata(BODY)
    assert (found.title, found.published, found.url, found.outlet, found.spans) == (
        None,
        None,
        None,
        None,
        (),
    )


def test_empty_text() -> None:
    assert find_metadata("").spans == ()


# Real seeds


def test_real_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    seeds = {path.name[:3]: path for path in SEEDS.glob("*.txt")}

    def meta(key: str) -> tuple[str | None, dt.date | None, str | None, str | None]:
        found = find_metadata(decode_bytes(seeds[key].read_bytes()))
        return found.title, found.published, found.url, found.outlet

    title, published, url, outlet = meta("000")
    assert title is not None and title.startswith("Trump calls Putin")
    assert (published, url, outlet) == (None, None, "The Independent")

    title, published, url, outlet = meta("002")
    assert (title, published) == (None, dt.date(2018, 3, 20))

    assert meta("003") == (
        "Trump Congratulates Putin on Election, Says the Leaders Plan To Meet",
        dt.date(2018, 3, 21),
        "https://www.themoscowtimes.com/2018/03/21/"
        "trump-congratulates-putin-on-election-says-the-leaders-plan-to-meet-a60884",
        "The Moscow Times",
    )


# Invariants

_METADATA_LIKE = st.sampled_from(
    [
        "",
        " ",
        "Bridge to close",
        "March 21, 2018",
        " date 2018-03-20 The council voted.",
        "Published: 21 March 2018 | Updated 22 March 2018",
        "Original url:",
        "<https://www.example.com/2018/03/21/a>",
        "Source: https://x.example/a",
        "© 2024 The Daily Ledger",
        "The council voted on Tuesday to close the bridge.",
        "\r",
        "\u2028",
        "\x1c",
    ]
)
_LINES = st.lists(st.one_of(_METADATA_LIKE, st.text(max_size=40)), max_size=20)


@given(_LINES, st.sampled_from(["\n", "\r\n", "\r"]))
def test_spans_are_lines_or_their_prefixes(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    found = find_metadata(text)
    split = text.splitlines()
    for span in found.spans:
        assert 0 <= span.line < len(split)
        assert span.text
        assert split[span.line].startswith(span.text)
    assert len({span.line for span in found.spans}) == len(found.spans)
