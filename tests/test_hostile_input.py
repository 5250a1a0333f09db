"""Hostile input (issue 12): each bad input is rejected with its reason, alone; the rest goes on."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import storyfuse.cli.summarize as summarize_cli
import storyfuse.sources.inputs as inputs_module
from storyfuse.cli import main
from storyfuse.models import RawDocument
from storyfuse.pipeline import prepare_articles
from storyfuse.sources.inputs import looks_like_prose, read_inputs
from storyfuse.sources.json_input import JSONInputError, load_json
from storyfuse.sources.warc import iter_archive
from storyfuse.stories.name_shapes import result_sides
from storyfuse.stories.outlets import name_parts
from storyfuse.text.metadata import outlet_from_text
from storyfuse.text.segment import split_sentences

from helpers import FIXTURES, crash_log_text

GOOD = (
    "The harbour council approved the new bridge plan on Monday after a long debate. "
    "Engineers said the repairs would take six months and cost four million dollars. "
    "Residents welcomed the decision after years of delays on the crossing.\n"
)
OTHER = (
    "Farmers in the northern valley reported a record apple harvest this autumn. "
    "The cooperative said prices fell by a third as the crates piled up in its sheds. "
    "Buyers from three cities arrived on Thursday to bid for the surplus fruit.\n"
)
THIRD = (
    "The city library will stay open until midnight during the exam season. "
    "Students asked for longer hours in a petition signed by two thousand people. "
    "The librarians agreed to extra shifts paid from a small university grant.\n"
)
PAGE = (FIXTURES / "html" / "harbour-fire.html").read_bytes()


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _line(text: str = GOOD, **fields: object) -> str:
    return json.dumps({"text": text, **fields})


# --- defect 1: one bad input never aborts the batch ---------------------------------------


def test_deep_json_and_huge_integers_are_rejected_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    lines = ["[" * 1000 + "]" * 1000, '{"text": "a", "n": ' + "9" * 5000 + "}", _line()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    documents, errors = read_inputs([path])
    assert [d.source for d in documents] == [f"{path}:3"]
    assert [(e.source, e.reason) for e in errors] == [
        (f"{path}:1", "JSON nested too deeply (over 64 levels)"),
        (f"{path}:2", "integer too long (5000 digits, limit 100)"),
    ]


def test_load_json_bounds_depth_but_not_strings_that_look_nested() -> None:
    assert load_json('{"text": "[[[[[[[[[[' + "[" * 500 + '"}') == {"text": "[" * 510}
    with pytest.raises(JSONInputError, match="nested too deeply"):
        load_json('{"a": ' + "[" * 65 + "]" * 65 + "}")
    with pytest.raises(JSONInputError, match="malformed JSON"):
        load_json('"\\' * 200_000)  # unterminated strings: once quadratic in the depth scan


def test_lone_surrogates_in_text_title_and_outlet_are_replaced_and_stored(tmp_path: Path) -> None:
    path = tmp_path / "surrogates.jsonl"
    lone = "\\ud800"  # a JSON escape of a lone surrogate
    lines = [
        _line().replace("Monday", f"Monday {lone}"),
        _line(OTHER, title="T").replace('"T"', f'"{lone}"'),
        _line(THIRD, outlet="Ledger").replace("Ledger", f"Ledger {lone}"),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    store = tmp_path / "store.db"
    code, _, err = _run("ingest", "-q", "--db", str(store), str(path))
    assert code == 0, err
    assert "3 added" in err
    with sqlite3.connect(store) as db:
        titles = {row[0] for row in db.execute("SELECT title FROM articles")}
        outlets = {row[0] for row in db.execute("SELECT outlet FROM articles")}
    assert "\ufffd" in titles and "Ledger \ufffd" in outlets


def test_json_feed_with_wrong_types_is_read_and_a_deep_one_rejected(tmp_path: Path) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Ledger",
        "authors": 5,
        "items": [{"id": "1", "url": "https://l.example/1", "content_text": GOOD, "authors": 5}],
    }
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(feed), encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "items": ['
        + "[" * 5000
        + "]" * 5000
        + "]}",
        encoding="utf-8",
    )
    documents, errors = read_inputs([wrong, deep])
    assert [(d.source, d.author) for d in documents] == [(f"{wrong}:1", None)]
    assert [(e.source, e.reason) for e in errors] == [
        (str(deep), "JSON nested too deeply (over 64 levels)")
    ]


def test_a_feed_feedparser_cannot_parse_is_one_rejection(tmp_path: Path) -> None:
    feed = tmp_path / "nul.xml"
    feed.write_bytes(b'<?xml version="1.0" encoding="x-nul\x00"?><rss/>')
    code, _, err = _run("summarize", str(feed), str(_good(tmp_path)))
    assert code == 1
    assert f"storyfuse: {feed}: unreadable feed (ValueError: embedded null character)" in err


def test_garbled_warc_record_is_reported_not_a_crash(tmp_path: Path) -> None:
    archive = tmp_path / "garbled.warc"
    archive.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n")
    code, _, err = _run("summarize", str(archive), str(_good(tmp_path)))
    assert code == 1
    assert f"storyfuse: {archive}:1: damaged archive record (its headers cannot be parsed" in err


def test_a_page_whose_root_is_not_html_is_rejected_not_a_crash(tmp_path: Path) -> None:
    page = tmp_path / "math.html"
    page.write_text("<math id=content></html>", encoding="utf-8")
    code, out, err = _run("summarize", "--format", "json", str(page), str(_good(tmp_path)))
    assert code == 1
    assert f"storyfuse: {page}: no article text found in the page" in err
    assert len(json.loads(out)["articles"]) == 1


def test_dates_in_year_one_are_rejected_and_the_batch_is_ingested(tmp_path: Path) -> None:
    path = tmp_path / "dates.jsonl"
    path.write_text(
        "\n".join(
            [
                _line(published="0001-01-01"),
                _line(OTHER, published="0001-01-01T00:00:00+14:00"),
                _line(THIRD, published="2024-03-02"),
            ]
        ),
        encoding="utf-8",
    )
    code, _, err = _run("ingest", "-q", "--db", str(tmp_path / "s.db"), str(path))
    assert code == 1
    assert f"{path}:1: published date 0001-01-01 out of range (1000 to 8999)" in err
    assert f"{path}:2: published date 0001-01-01 out of range" in err
    assert "1 added, 0 duplicate, 0 revised, 2 rejected" in err


def test_an_unexpected_exception_in_one_input_rejects_only_that_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)

    def broken_reader(path: Path) -> RawDocument:
        raise KeyError("a bug in the page reader")

    monkeypatch.setattr(inputs_module, "read_page", broken_reader)
    documents, errors = read_inputs([page, _good(tmp_path)])
    assert [d.source for d in documents] == [str(tmp_path / "good.txt")]
    assert [(e.source, e.reason) for e in errors] == [
        (str(page), "internal error while reading it (KeyError: 'a bug in the page reader')")
    ]


def test_a_stage_failing_on_one_document_rejects_only_that_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import storyfuse.pipeline as pipeline

    real = pipeline.clean_text

    def flaky(text: str, *args: object, **kwargs: object) -> object:
        if "poison" in text:
            raise IndexError("cleaner bug")
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "clean_text", flaky)
    documents = [RawDocument("bad.txt", GOOD + " poison."), RawDocument("good.txt", GOOD)]
    articles, errors = prepare_articles(documents)
    assert [a.source for a in articles] == ["good.txt"]
    assert [(e.source, e.reason) for e in errors] == [
        ("bad.txt", "internal error while reading it (IndexError: cleaner bug)")
    ]


def test_a_crash_exits_3_with_one_line_and_the_traceback_in_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(summarize_cli, "summarize_paths", crash)
    code, out, err = _run("summarize", str(_good(tmp_path)))
    assert code == 3 and out == ""
    log = crash_log_text(err, tmp_path / "state", "RuntimeError: simulated bug")
    assert "Traceback (most recent call last)" in log


# --- defect 2: linear work, and caps that say why ---------------------------------------


@pytest.mark.parametrize(
    "run", [" " * 50_000, "a" * 50_000, "a-" * 25_000, "A. " * 15_000, "." * 50_000]
)
def test_long_runs_on_one_line_are_read_in_one_pass(run: str) -> None:
    text = f"w{run}x\n{GOOD}"
    assert looks_like_prose(text)  # once quadratic: 40 KB of letters took 147 s
    assert outlet_from_text(text) is None
    assert result_sides(text) == []  # once quadratic: 60 KB of dots took 10 s
    assert split_sentences(GOOD + " " + run)[0].startswith("The harbour council")
    assert name_parts(f"Ledger{run}| News") == ["Ledger" + run.rstrip(), "News"]


def test_the_prose_check_still_tells_prose_from_lists() -> None:
    assert looks_like_prose("Officials said the bridge would reopen soon.")
    assert not looks_like_prose("id,name,count\n1,bridge,4\n2,road,5\n")
    assert not looks_like_prose("2024-03-02 10:00:01 ERROR the job failed again today.")


def test_a_tag_with_too_many_attributes_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "attributes.html"
    attributes = " ".join(f'a{i}="v"' for i in range(1500))
    page.write_text(f"<html><body><div {attributes}><p>{GOOD}</p></div></body></html>")
    _, errors = read_inputs([page])
    assert [(e.source, e.reason) for e in errors] == [
        (str(page), "a tag with too many attributes (1500, limit 1000)")
    ]


def test_a_page_of_too_many_elements_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "links.html"
    page.write_text(f"<html><body><p>{GOOD}</p>" + "<a href='/x'>x</a>" * 10_001 + "</body></html>")
    _, errors = read_inputs([page])
    [error] = errors
    assert error.reason.startswith("too many elements for an article page (")
    assert error.reason.endswith(", limit 10000)")


def test_a_feed_of_too_many_items_is_refused(tmp_path: Path) -> None:
    feed = tmp_path / "big.rss"
    items = "<item><link>https://l.example/x</link><description>x</description></item>" * 501
    feed.write_text(f'<rss version="2.0"><channel><title>L</title>{items}</channel></rss>')
    _, errors = read_inputs([feed])
    assert [(e.source, e.reason) for e in errors] == [
        (str(feed), "too many items for a feed (501, limit 500)")
    ]


# --- defect 7: every WARC record is read or reported -------------------------------------


def _warc(pages: int, status: str = "200 OK") -> bytes:
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=False)
    for number in range(pages):
        body = PAGE.replace(b"fire", b"fire %d" % number)
        http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                f"https://l.example/{number}",
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
            )
        )
    return stream.getvalue()


def test_an_empty_warc_is_reported(tmp_path: Path) -> None:
    archive = tmp_path / "empty.warc"
    archive.write_bytes(b"")
    code, _, err = _run("summarize", str(archive), str(_good(tmp_path)))
    assert code == 1
    assert f"storyfuse: {archive}: empty archive" in err


def test_a_warc_without_its_first_line_reports_that_record_and_reads_the_next(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "headless.warc"
    archive.write_bytes(_warc(2).removeprefix(b"WARC/1.0\r\n"))
    results = list(iter_archive(archive))
    assert [(r.source, type(r).__name__) for r in results] == [
        (f"{archive}:1", "InputError"),
        (f"{archive}:2", "RawDocument"),
    ]
    assert results[0].reason.startswith("damaged archive record (ArchiveLoadFailed")  # type: ignore[union-attr]


@pytest.mark.parametrize("status", ["abc", "99 OK", "OK"])
def test_a_garbled_http_status_line_is_reported(tmp_path: Path, status: str) -> None:
    archive = tmp_path / "status.warc"
    archive.write_bytes(_warc(1, status) + _warc(1))
    results = list(iter_archive(archive))
    assert [(r.source, type(r).__name__) for r in results] == [
        (f"{archive}:1", "InputError"),
        (f"{archive}:2", "RawDocument"),
    ]
    assert results[0].reason.startswith("garbled HTTP status line")  # type: ignore[union-attr]


# --- defect 8 (part): an upper-case scheme is a URL ---------------------------------------


def test_extract_reads_an_upper_case_scheme_as_a_url() -> None:
    code, _, err = _run("extract", "HTTP://127.0.0.1:9/story")
    assert code == 1
    assert "storyfuse: HTTP://127.0.0.1:9/story: refused: 127.0.0.1 is a loopback address" in err


def test_an_archive_without_pages_says_so(tmp_path: Path) -> None:
    archive = tmp_path / "header-only.arc"
    archive.write_bytes(
        b"filedesc://x.arc 0.0.0.0 20240302100000 text/plain 76\n1 0 Test\n"
        b"URL IP-address Archive-date Content-type Archive-length\n\n"
    )
    documents, errors = read_inputs([archive])
    assert documents == ()
    assert [(e.source, e.reason) for e in errors] == [
        (str(archive), "no HTML pages in the archive (1 record, none a page)")
    ]
