"""Reading inputs: every bad input becomes an InputError with a reason, never an exception."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyfuse.models import InputError, RawDocument
from storyfuse.sources import inputs as ingest
from storyfuse.sources.inputs import decode_bytes, looks_like_prose, read_inputs

ARTICLE = (
    "Harbour ferries return after strike\n"
    "Ferry crews voted on Wednesday to accept a new pay offer, ending a three-day stoppage.\n"
    "The union said the deal was fair and that crossings would resume on Thursday morning.\n"
)


def write(path: Path, text: str = ARTICLE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def only_error(paths: list[str | Path]) -> InputError:
    documents, errors = read_inputs(paths)
    assert documents == ()
    assert len(errors) == 1
    return errors[0]


# Plain-text files


def test_reads_a_text_file_with_its_path_as_source(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt")
    documents, errors = read_inputs([path])
    assert errors == ()
    assert documents == (RawDocument(source=str(path), text=ARTICLE),)


@pytest.mark.parametrize("name", ["a.txt", "a.text", "a.md", "a.TXT", "article"])
def test_plain_text_extensions_are_articles(tmp_path: Path, name: str) -> None:
    documents, errors = read_inputs([write(tmp_path / name)])
    assert errors == ()
    assert len(documents) == 1


def test_newlines_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r\n").encode())
    documents, _ = read_inputs([path])
    assert documents[0].text == ARTICLE


def test_stdin_is_read_as_plain_text() -> None:
    documents, errors = read_inputs(["-"], stdin=io.BytesIO(ARTICLE.encode()))
    assert errors == ()
    assert documents == (RawDocument(source="-", text=ARTICLE),)


def test_empty_stdin_is_an_error() -> None:
    _, errors = read_inputs(["-"], stdin=io.BytesIO(b" \n"))
    assert errors == (InputError("-", "empty file"),)


# Folders, order and duplicates


def test_folder_is_walked_recursively_sorted_skipping_hidden_and_unsupported(
    tmp_path: Path,
) -> None:
    write(tmp_path / "b.txt")
    write(tmp_path / "a.md")
    write(tmp_path / "sub" / "c")
    write(tmp_path / "table.csv", "1,2,3\n")
    write(tmp_path / "photo.png", "not really a png")
    write(tmp_path / ".hidden.txt")
    write(tmp_path / ".git" / "notes.txt")
    documents, errors = read_inputs([tmp_path])
    assert errors == ()
    assert [Path(d.source).relative_to(tmp_path).as_posix() for d in documents] == [
        "a.md",
        "b.txt",
        "sub/c",
    ]


def test_folder_without_articles_is_not_an_error(tmp_path: Path) -> None:
    write(tmp_path / "data.csv", "1,2\n")
    assert read_inputs([tmp_path]) == ((), ())


def test_output_is_sorted_by_path_whatever_the_argument_order(tmp_path: Path) -> None:
    first, second = write(tmp_path / "1.txt"), write(tmp_path / "2.txt")
    missing = tmp_path / "0.txt"
    forward = read_inputs([first, second, missing])
    assert read_inputs([missing, second, first]) == forward
    assert [d.source for d in forward[0]] == [str(first), str(second)]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt")
    documents, _ = read_inputs([path, tmp_path, str(path)])
    assert [d.source for d in documents] == [str(path)]


def test_hidden_file_named_explicitly_is_read(tmp_path: Path) -> None:
    documents, _ = read_inputs([write(tmp_path / ".draft.txt")])
    assert len(documents) == 1


# Rejected inputs


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert only_error([path]) == InputError(str(path), "does not exist")


def test_named_csv_is_rejected_for_its_type(tmp_path: Path) -> None:
    path = write(tmp_path / "table.csv", "a,b\n1,2\n")
    assert only_error([path]) == InputError(
        str(path),
        "not an article: unsupported file type .csv "
        "(expected .txt, .md, .jsonl, .html, .xml, .rss, .atom, .json, .warc or .arc)",
    )


@pytest.mark.parametrize("suffix", [".pdf", ".png", ".log", ".gz"])
def test_other_named_types_are_rejected(tmp_path: Path, suffix: str) -> None:
    error = only_error([write(tmp_path / f"file{suffix}")])
    assert error.reason.startswith(f"not an article: unsupported file type {suffix} ")


def test_unreadable_file_reports_the_os_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "locked.txt")

    def refuse(self: Path, *args: object, **kwargs: object) -> io.BufferedReader:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # chmod 000 does not stop root
    assert only_error([path]) == InputError(str(path), "Permission denied")


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  "])
def test_empty_or_blank_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert only_error([path]) == InputError(str(path), "empty file")


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert only_error([path]) == InputError(str(path), "binary file, not text")


def test_huge_file_is_rejected_from_its_size_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "server.txt"
    with path.open("wb") as stream:
        stream.write(b"2024-01-01 12:00:00 INFO started\n" * 3)
        stream.truncate(50 * 1024 * 1024)  # sparse: costs no disk and no time

    def no_reading(self: Path, *args: object, **kwargs: object) -> io.BufferedReader:
        raise AssertionError("a too-large file must not be opened")

    monkeypatch.setattr(Path, "open", no_reading)
    assert only_error([path]) == InputError(
        str(path), "too large for an article (50.0 MB, limit 5 MB)"
    )


def test_file_just_over_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    with path.open("wb") as stream:
        stream.truncate(ingest.MAX_ARTICLE_BYTES + 1)
    assert only_error([path]).reason.startswith("too large for an article (5.0 MB")


NO_PROSE = "not an article: no prose found (looks like a log or table)"


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01 12:00:00 INFO connection reset by peer host one.\n"
        "2024-01-01 12:00:01 ERROR worker failed to restart in time.\n" * 5,
        "name\tage\tcity\nAnna\t31\tOslo\nBen\t45\tLeeds\nCara\t28\tCork\n",
        "| id | value |\n|----|-------|\n| 1 | 3.5 |\n| 2 | 4.1 |\n",
        "this line has many words but never ends a sentence at all\n" * 3,
    ],
    ids=["log", "tsv", "markdown-table", "no-punctuation"],
)
def test_text_without_prose_is_rejected(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "data.txt", text)
    assert only_error([path]) == InputError(str(path), NO_PROSE)


def test_prose_check_accepts_articles_with_a_few_short_lines() -> None:
    assert looks_like_prose(ARTICLE)
    short_lines = (
        "Headline\n\nBy Jane Doe\n\nMarch 3, 2018\n\n"
        "She said it was over.\nHe agreed that talks had failed.\n"
    )
    assert looks_like_prose(short_lines)


# JSONL


def jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(**fields: object) -> str:
    return json.dumps(fields)


def test_jsonl_one_article_per_line_with_optional_fields(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "feed.jsonl",
        record(text="First story.\r\nSecond line.", title="One", url="https://x.example/1"),
        "",
        record(text="Another.", outlet="The Ledger", published="2018-03-21"),
        record(text="Timed.", published="2018-03-21T23:10:00+03:00"),
    )
    documents, errors = read_inputs([path])
    assert errors == ()
    assert documents == (
        RawDocument(
            f"{path}:1", "First story.\nSecond line.", title="One", url="https://x.example/1"
        ),
        RawDocument(f"{path}:3", "Another.", outlet="The Ledger", published=dt.date(2018, 3, 21)),
        RawDocument(f"{path}:4", "Timed.", published=dt.date(2018, 3, 21)),
    )


def test_jsonl_bad_line_is_an_error_and_other_lines_are_kept(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "feed.ndjson",
        record(text="Good one."),
        '{"text": "broken',
        record(text="Good two."),
    )
    documents, errors = read_inputs([path])
    assert [d.source for d in documents] == [f"{path}:1", f"{path}:3"]
    assert len(errors) == 1
    assert errors[0].source == f"{path}:2"
    assert errors[0].reason.startswith("malformed JSON")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (record(title="No text"), 'missing or empty "text"'),
        (record(text="  "), 'missing or empty "text"'),
        (record(text=5), 'missing or empty "text"'),
        ("[1, 2]", "expected a JSON object, got list"),
        (record(text="Hi.", published="last Tuesday"), "bad \"published\" value 'last Tuesday'"),
        (record(text="Hi.", published=2018), 'bad "published" value 2018'),
        (record(text="Hi.", title=["x"]), '"title" must be a string, not list'),
    ],
)
def test_jsonl_line_errors(tmp_path: Path, line: str, reason: str) -> None:
    path = jsonl(tmp_path / "feed.jsonl", record(text="Fine."), line)
    documents, errors = read_inputs([path])
    assert len(documents) == 1
    assert [e.source for e in errors] == [f"{path}:2"]
    assert errors[0].reason.startswith(reason)


def test_jsonl_overlong_line_is_skipped_without_losing_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_ARTICLE_BYTES", 100)
    path = jsonl(tmp_path / "feed.jsonl", record(text="x " * 200), record(text="Short."))
    documents, errors = read_inputs([path])
    assert [d.source for d in documents] == [f"{path}:2"]
    assert [e.source for e in errors] == [f"{path}:1"]
    assert errors[0].reason.startswith("line too long")


def test_empty_jsonl_file(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "feed.jsonl", "", "  ")
    assert only_error([path]) == InputError(str(path), "empty file")


# Encodings


def test_cp1252_file_with_curly_quotes_and_euro(tmp_path: Path) -> None:
    text = "Toll row deepens\n“It is unfair,” the mayor said of the €12 levy. It’s due in May.\n"
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    documents, errors = read_inputs([path])
    assert errors == ()
    assert documents[0].text == text


def test_latin1_file_with_accents_and_pound(tmp_path: Path) -> None:
    text = (
        "Bakers open a café\nThe café in Zürich sells a slice of cake for £4 to visiting groups.\n"
    )
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    documents, errors = read_inputs([path])
    assert errors == ()
    assert documents[0].text == text


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffCafé\r\nfine".encode(),
        "Café\r\nfine".encode("utf-16"),
        "Café\rfine".encode("utf-32"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-32-bom"],
)
def test_decode_bytes_strips_boms_and_normalises_newlines(data: bytes) -> None:
    assert decode_bytes(data) == "Café\nfine"


def test_decode_bytes_leaves_other_scripts_to_charset_normalizer() -> None:
    text = "Президент России Владимир Путин победил на выборах в воскресенье.\n"
    assert decode_bytes(text.encode("cp1251")) == text


def test_utf16_file_is_not_mistaken_for_binary(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(ARTICLE.encode("utf-16"))
    documents, errors = read_inputs([path])
    assert errors == ()
    assert documents[0].text == ARTICLE


@given(st.binary(max_size=2000))
def test_any_bytes_give_one_document_or_one_error(data: bytes) -> None:
    documents, errors = read_inputs(["-"], stdin=io.BytesIO(data))
    assert len(documents) + len(errors) == 1
    for document in documents:
        assert "\r" not in document.text
        assert document.text.splitlines() == document.text.removesuffix("\n").split("\n")
