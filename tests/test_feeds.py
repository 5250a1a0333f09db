"""Feeds on disk: RSS 0.9x/1.0/2.0, Atom and JSON Feed items become articles."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.feeds import fragment_text, read_feed, read_json_feed
from storyfuse.sources.inputs import read_inputs

from helpers import FIXTURES

FEEDS = FIXTURES / "feeds"


def documents_of(results: list[RawDocument | InputError]) -> list[RawDocument]:
    return [item for item in results if isinstance(item, RawDocument)]


def test_rss2_item_content_becomes_the_article_text() -> None:
    path = FEEDS / "ledger-rss2.xml"
    first = documents_of(list(read_feed(path)))[0]
    assert first.source == f"{path}:1"
    assert first.title == "Fire closes Saltmere harbour"
    assert first.outlet == "The Daily Ledger"
    assert first.author == "Marta Okonkwo"
    assert first.published == dt.date(2025, 4, 2)
    assert first.updated is None  # RSS gives one date
    assert first.language == "en"
    assert first.url == "https://www.dailyledger.example/news/2025/04/02/harbour-fire"
    paragraphs = first.text.split("\n\n")
    assert paragraphs[0].startswith("A fire that broke out in a fish warehouse")
    assert paragraphs[2].endswith("Ines Carvalho.\nShe watched from the breakwater.")
    assert "alert" not in first.text


def test_rss2_summary_with_link_is_an_article_and_link_only_item_an_error() -> None:
    path = FEEDS / "ledger-rss2.xml"
    results = list(read_feed(path))
    summary = results[1]
    assert isinstance(summary, RawDocument)
    assert summary.text.startswith("Ferries to the islands will resume")
    assert summary.url == "https://www.dailyledger.example/news/2025/04/03/ferries"
    assert results[2] == InputError(
        f"{path}:3",
        "feed item has no text (fetch its link: "
        "https://www.dailyledger.example/galleries/2025/04/03/harbour)",
    )


def test_rss1_item() -> None:
    (item,) = documents_of(list(read_feed(FEEDS / "islands-rss1.rss")))
    assert item.outlet == "Islands Gazette"
    assert item.author == "Rui Almeida"
    assert item.published == dt.date(2025, 4, 3)
    assert item.language == "pt"
    assert item.text.startswith("The ferry from Saltmere reached the islands")


def test_atom_entry_has_both_dates() -> None:
    (entry,) = documents_of(list(read_feed(FEEDS / "coastline-atom.atom")))
    assert entry.title == "Saltmere votes to rebuild the quay"
    assert (entry.published, entry.updated) == (dt.date(2025, 4, 9), dt.date(2025, 4, 10))
    assert entry.author == "Priya Nandakumar"
    assert entry.language == "en"
    assert entry.text == (
        "Saltmere's council voted on Monday night to rebuild the fire-damaged quay in stone."
        "\n\nThe plan passed by nine votes to four."
    )


def test_json_feed_items() -> None:
    path = FEEDS / "harbour.json"
    first, second, third = read_json_feed(path)
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert first.text == (
        "Crews began clearing the burnt warehouse on Friday.\n\n"
        "The owner said the work would take three weeks."
    )
    assert (first.published, first.updated) == (dt.date(2025, 4, 4), dt.date(2025, 4, 5))
    assert first.author == "Ana Ferreira"
    assert first.outlet == "Harbour Watch"
    assert first.language == "en"
    assert second.text.endswith("All were lifted out by Thursday evening.")
    assert third == InputError(f"{path}:3", "feed item has no text")


def test_malformed_xml_is_one_error_and_the_batch_goes_on() -> None:
    documents, errors = read_inputs([FEEDS])
    broken = [error for error in errors if error.source.endswith("broken.xml")]
    assert len(broken) == 1
    assert broken[0].reason.startswith("malformed XML (")
    assert len(documents) == 6
    assert {Path(d.source.rpartition(":")[0]).name for d in documents} == {
        "coastline-atom.atom",
        "harbour.json",
        "islands-rss1.rss",
        "ledger-rss2.xml",
    }


def test_malformed_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('{"version": "https://jsonfeed.org/version/1.1", "items": [', "utf-8")
    (error,) = read_inputs([path])[1]
    assert error.source == str(path)
    assert error.reason.startswith("malformed JSON (")


def test_other_xml_and_json_are_errors_when_named_and_skipped_in_folders(tmp_path: Path) -> None:
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.com/</loc></url></urlset>",
        "utf-8",
    )
    settings = tmp_path / "package.json"
    settings.write_text(json.dumps({"name": "site", "version": "1.0.0"}), "utf-8")
    shutil.copy(FEEDS / "harbour.json", tmp_path / "harbour.json")
    documents, errors = read_inputs([tmp_path])
    assert errors == (InputError(f"{tmp_path / 'harbour.json'}:3", "feed item has no text"),)
    assert len(documents) == 2
    _, named = read_inputs([sitemap, settings])
    assert [error.reason for error in named] == [
        "not a JSON Feed (no version https://jsonfeed.org/version/...)",
        "not a feed: no RSS or Atom items found",
    ]


def test_fragment_text_keeps_markup_in_text_inert() -> None:
    text = fragment_text(
        "<p>Code &lt;script&gt;x()&lt;/script&gt; shown</p><script>alert(1)</script><p>Next</p>"
    )
    assert text == "Code <script>x()</script> shown\n\nNext"
