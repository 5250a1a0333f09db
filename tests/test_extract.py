"""HTML extraction: the article, its metadata, and every dropped block with a reason."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.evaluation.extract import evaluate_extraction, page_counts, scores, shingles
from storyfuse.models import InputError, RawDocument
from storyfuse.sources.inputs import read_inputs
from storyfuse.sources.page_blocks import (
    CONTACT,
    DUPLICATE,
    OUTSIDE,
    PROMO,
    TITLE,
    Block,
    judge_blocks,
)
from storyfuse.sources.page_extract import NotHTMLError, decode_html, extract_html
from storyfuse.sources.page_metadata import parse_date
from storyfuse.text.boilerplate_rules import RELATED
from webserver import Reply, WebServer

from helpers import DATA, FIXTURES

HTML = FIXTURES / "html"
BENCHMARK = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "article-extraction-benchmark"
)
# Measured F1 0.978 (storyfuse) vs 0.960 (plain trafilatura 2.3.1) on the 181 pages.
# Pinned just below the measurement; raise it when extraction improves, never lower it silently.
F1_FLOOR = 0.975


def extract_fixture(name: str) -> RawDocument:
    path = HTML / name
    return extract_html(path.read_bytes(), str(path))


def reasons(document: RawDocument) -> dict[str, str]:
    return {item.text: item.reason for item in document.removed}


# The article and its metadata


def test_metadata_comes_from_json_ld_opengraph_and_the_canonical_link() -> None:
    document = extract_fixture("harbour-fire.html")
    assert document.title == "Fire closes Saltmere harbour"
    assert document.outlet == "The Daily Ledger"
    assert document.author == "Marta Okonkwo"
    assert document.published == dt.date(2025, 4, 2)
    assert document.updated == dt.date(2025, 4, 3)
    assert document.language == "en"
    assert document.url == "https://www.dailyledger.example/news/2025/04/02/harbour-fire"


def test_paragraphs_are_separated_by_blank_lines() -> None:
    paragraphs = extract_fixture("harbour-fire.html").text.split("\n\n")
    assert paragraphs[1].startswith("Fire crews from three towns")
    assert all(paragraph.strip() == paragraph and paragraph for paragraph in paragraphs)


def test_teaser_paragraph_that_trafilatura_drops_is_recovered() -> None:
    text = extract_fixture("harbour-fire.html").text
    assert text.startswith("A fire that broke out in a fish warehouse on Tuesday night")


def test_title_repeated_in_the_body_is_removed_with_its_reason() -> None:
    document = extract_fixture("harbour-fire.html")
    assert not document.text.startswith("Fire closes Saltmere harbour")
    assert reasons(document)["Fire closes Saltmere harbour"] == TITLE


def test_newsletter_box_and_read_more_link_leave_the_text_with_reasons() -> None:
    document = extract_fixture("harbour-fire.html")
    assert "newsletter" not in document.text
    assert "Read more" not in document.text
    dropped = reasons(document)
    assert dropped["Read more: Harbour dredging delayed until summer"] == RELATED
    assert any("Sign up for our free newsletter" in text for text in dropped)


def test_related_links_and_page_chrome_stay_out() -> None:
    text = extract_fixture("harbour-fire.html").text
    for junk in ("Island ferry timetable", "Related stories", "All rights reserved", "Weather"):
        assert junk not in text


def test_body_split_into_sections_is_read_to_the_end() -> None:
    document = extract_fixture("two-sections.html")
    assert "Saltmere's council voted on Monday night" in document.text
    assert "The council will ask the regional government to share the cost" in document.text
    assert "Lighthouse keeper retires" not in document.text
    assert document.outlet == "Coastline Weekly"
    assert document.author == "Priya Nandakumar"


def test_hostile_markup_comes_out_as_inert_text() -> None:
    text = extract_fixture("hostile.html").text
    assert "guest entry named <script>steal()</script> was shown" in text
    assert "an image tag, <img src=x onerror=alert(1)>, which ran code" in text
    for executed in ("INJECTED", "inline script", "real onerror", "NOSCRIPT", "STYLE TEXT"):
        assert executed not in text
    assert "javascript:" not in text


def test_text_that_is_not_html_is_refused() -> None:
    with pytest.raises(NotHTMLError):
        extract_html("just a line of text, no markup", "note.html")
    with pytest.raises(NotHTMLError):
        extract_html(b"", "empty.html")


def test_page_with_no_article_text_is_refused() -> None:
    page = (
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    )
    with pytest.raises(NotHTMLError, match="no article text"):
        extract_html(page, "menu.html")


def test_malformed_or_absurdly_deep_json_ld_is_ignored() -> None:
    paragraph = "<p>" + "The ferry left Saltmere on time this morning. " * 5 + "</p>"
    for script in ("{not json", "[" * 100_000 + "]" * 100_000):
        page = (
            f'<html><head><script type="application/ld+json">{script}</script></head>'
            f"<body><article>{paragraph}</article></body></html>"
        )
        assert extract_html(page, "page.html").text.startswith("The ferry left Saltmere")


def test_bytes_are_decoded_by_bom_meta_charset_or_content() -> None:
    assert decode_html("Café".encode()) == "Café"
    assert decode_html(b"\xef\xbb\xbfCaf\xc3\xa9") == "Café"
    page = b'<html><head><meta charset="windows-1252"></head><body>Caf\xe9 \x93ok\x94</body></html>'
    assert "Café “ok”" in decode_html(page)


# The rules that judge blocks


def block(text: str, kind: str = "p", **fields: object) -> Block:
    return Block(kind=kind, text=text, position=0, **fields)


LONG = "The harbour authority said ferries would resume on Thursday once divers had checked."


def test_promotional_and_credit_lines_are_judged_by_their_text() -> None:
    kept, removed = judge_blocks(
        [
            block(LONG),
            block("Sign up for our newsletter to get the news delivered to your inbox."),
            block("Email Marta Okonkwo at marta@dailyledger.example with tips."),
            block(LONG + " Again."),
        ],
        titles=[],
    )
    assert kept == [LONG, LONG + " Again."]
    assert [item.reason for item in removed] == [PROMO, CONTACT]


def test_trailing_headings_and_link_items_are_a_related_list() -> None:
    kept, removed = judge_blocks(
        [
            block(LONG),
            block("More from the Ledger", kind="head"),
            block("Quay repairs approved", kind="item", link_density=1.0),
            block("Trawler fleet shrinks", kind="item", link_density=1.0),
        ],
        titles=[],
    )
    assert kept == [LONG]
    assert {item.reason for item in removed} == {RELATED}


def test_a_list_of_short_items_alone_is_not_cut() -> None:
    items = [block(f"Stage {n}: 10 March, Interlagos", kind="item") for n in range(3)]
    kept, _ = judge_blocks(items, titles=[])
    assert len(kept) == 3


def test_paragraphs_outside_the_article_after_it_started_are_dropped() -> None:
    kept, removed = judge_blocks(
        [
            block("A lead paragraph above the body.", outside=True),
            block(LONG),
            block("The next story on the page, in another box.", outside=True),
        ],
        titles=[],
    )
    assert kept == ["A lead paragraph above the body.", LONG]
    assert removed[0].reason == OUTSIDE


def test_recovered_paragraph_repeating_a_kept_one_is_dropped() -> None:
    kept, removed = judge_blocks([block(LONG), block(LONG, recovered=True)], titles=[])
    assert kept == [LONG]
    assert removed[0].reason == DUPLICATE


def test_paragraph_of_links_is_a_related_list() -> None:
    kept, removed = judge_blocks([block(LONG), block(LONG + " x", link_density=0.9)], titles=[])
    assert kept == [LONG]
    assert removed[0].reason == RELATED


def test_dates_parse_from_iso_and_rfc_2822_and_junk_is_none() -> None:
    assert parse_date("2019-11-19T08:57:40+01:00") == dt.date(2019, 11, 19)
    assert parse_date("20191119") == dt.date(2019, 11, 19)
    assert parse_date("Tue, 19 Nov 2019 08:00:00 GMT") == dt.date(2019, 11, 19)
    assert parse_date("yesterday") is None
    assert parse_date("1970-01-01") is None


# Reading pages from disk


def test_html_and_gzipped_html_files_are_read_as_articles(tmp_path: Path) -> None:
    page = (HTML / "harbour-fire.html").read_bytes()
    (tmp_path / "a.htm").write_bytes(page)
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(page))
    documents, errors = read_inputs([tmp_path])
    assert errors == ()
    assert [Path(d.source).name for d in documents] == ["a.htm", "b.html.gz"]
    assert documents[0].text == documents[1].text


def test_gzip_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b" " * (25 * 1024 * 1024)))
    assert bomb.stat().st_size < 100_000
    documents, errors = read_inputs([bomb])
    assert documents == ()
    assert errors == (
        InputError(str(bomb), "refused: the gzip data expands past the page limit 20 MB"),
    )


def test_corrupt_gzip_and_binary_pages_are_errors(tmp_path: Path) -> None:
    (tmp_path / "corrupt.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _, errors = read_inputs([tmp_path / "corrupt.html.gz", tmp_path / "image.html"])
    assert "corrupt gzip data" in errors[0].reason
    assert errors[1].reason == "binary data, not an HTML page"


# The command line


def test_extract_jsonl_prints_one_object_per_page() -> None:
    result = CliRunner().invoke(
        main, ["extract", str(HTML / "harbour-fire.html"), str(HTML / "hostile.html"), "--jsonl"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 2
    keys = {"source", "title", "outlet", "published", "updated", "author", "language", "url"}
    assert keys | {"text", "removed"} <= set(lines[0])
    assert lines[0]["published"] == "2025-04-02"
    assert lines[0]["removed"][0] == {"text": "Fire closes Saltmere harbour", "reason": TITLE}


def test_extract_text_view_and_json_array() -> None:
    page = str(HTML / "harbour-fire.html")
    text = CliRunner().invoke(main, ["extract", page])
    assert text.exit_code == 0
    assert "outlet:    The Daily Ledger" in text.output
    assert f"  - {TITLE}: Fire closes Saltmere harbour" in text.output
    array = CliRunner().invoke(main, ["extract", page, "--json"])
    assert json.loads(array.output)[0]["title"] == "Fire closes Saltmere harbour"


def test_extract_fetches_urls_and_names_what_it_cannot_read() -> None:
    page = (HTML / "harbour-fire.html").read_bytes()
    with WebServer() as web:
        web.routes["/story.html"] = Reply(body=page, headers={"Content-Type": "text/html"})
        url = f"{web.base}/story.html"
        fetched = CliRunner().invoke(main, ["extract", url, "--allow-private", "--json"])
        assert fetched.exit_code == 0, fetched.output
        assert json.loads(fetched.stdout)[0]["title"] == "Fire closes Saltmere harbour"
        refused = CliRunner().invoke(main, ["extract", url, "missing.html", "--jsonl"])
    assert refused.exit_code == 1
    records = [json.loads(line) for line in refused.stdout.splitlines()]
    assert records[0]["source"] == url and "private" in records[0]["error"]
    assert records[1] == {"source": "missing.html", "error": "No such file or directory"}
    assert "storyfuse: missing.html: No such file or directory" in refused.stderr


# The benchmark's metric and the quality gate


def test_shingles_and_page_counts_follow_the_benchmark() -> None:
    assert shingles("a b c") == {("a", "b", "c"): 1}
    assert sum(shingles("one two three four five").values()) == 2
    assert page_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    assert page_counts("a b c d e", "") == (0.0, 0.0, 1.0)
    # an empty prediction counts against recall only
    f1, precision, recall = scores([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)])
    assert (precision, recall) == (1.0, 0.5)
    assert f1 == pytest.approx(2 / 3)


def test_eval_extract_on_a_tiny_benchmark(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    page = (HTML / "two-sections.html").read_bytes()
    (tmp_path / "html" / "k1.html.gz").write_bytes(gzip.compress(page))
    gold = extract_fixture("two-sections.html").text
    (tmp_path / "ground-truth.json").write_text(json.dumps({"k1": {"articleBody": gold}}))
    result = evaluate_extraction(tmp_path)
    storyfuse, trafilatura = result.systems
    assert storyfuse.f1.value == 1.0
    assert trafilatura.recall.value < 1.0  # plain trafilatura stops after the first section
    output = CliRunner().invoke(main, ["eval", "extract", str(tmp_path), "--json"])
    assert json.loads(output.output)["systems"]["storyfuse"]["f1"]["value"] == 1.0


def test_eval_extract_rejects_a_folder_without_ground_truth(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "extract", str(tmp_path)])
    assert result.exit_code == 1
    assert "no ground-truth.json" in result.output


def test_extraction_quality_gate_on_the_real_benchmark() -> None:
    if not BENCHMARK.is_dir():
        pytest.skip(f"{BENCHMARK} is absent (the article-extraction benchmark)")
    assert BENCHMARK.parent == DATA
    result = evaluate_extraction(BENCHMARK)
    storyfuse, trafilatura = result.systems
    assert storyfuse.f1.value >= F1_FLOOR
    assert storyfuse.f1.value > trafilatura.f1.value
