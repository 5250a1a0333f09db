"""WARC and ARC archives: HTML pages become articles, streamed record by record."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.inputs import read_inputs
from storyfuse.sources.warc import iter_archive

from helpers import FIXTURES

PAGE = (FIXTURES / "html" / "harbour-fire.html").read_bytes()
SECTIONS = (FIXTURES / "html" / "two-sections.html").read_bytes()
HOSTILE = (FIXTURES / "html" / "hostile.html").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str | None, status: str = "200 OK"
) -> None:
    headers = [("Content-Length", str(len(body)))]
    if content_type is not None:
        headers.insert(0, ("Content-Type", content_type))
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
    writer.write_record(record)


def write_archive(path: Path, gzipped: bool = True) -> None:
    """Pages, a request, an image, a redirect, a 404, a page without a type, a duplicate."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders("GET /news HTTP/1.1", [("Host", "ledger.example")])
        writer.write_record(
            writer.create_warc_record(
                "https://ledger.example/news", "request", http_headers=request
            )
        )
        _response(writer, "https://ledger.example/news", PAGE, "text/html; charset=utf-8")
        _response(writer, "https://ledger.example/logo.png", PNG, "image/png")
        _response(writer, "https://ledger.example/old", b"", "text/html", "301 Moved Permanently")
        _response(writer, "https://ledger.example/gone", HOSTILE, "text/html", "404 Not Found")
        _response(writer, "https://coastline.example/quay", SECTIONS, None)
        _response(writer, "https://ledger.example/news?amp=1", PAGE, "text/html")
        _response(writer, "https://ledger.example/hack", HOSTILE, "application/xhtml+xml")


def test_archive_pages_become_articles_and_the_rest_is_skipped(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    write_archive(archive)
    documents, errors = read_inputs([archive])
    assert [(d.source, d.url) for d in documents] == [
        (f"{archive}:3", "https://www.dailyledger.example/news/2025/04/02/harbour-fire"),
        (f"{archive}:7", "https://coastline.example/quay"),
        (f"{archive}:9", "https://ledger.example/hack"),
    ]
    assert documents[0].title == "Fire closes Saltmere harbour"
    assert documents[0].outlet == "The Daily Ledger"
    assert "INJECTED" not in documents[2].text
    assert errors == (
        InputError(
            f"{archive}:8",
            f"https://ledger.example/news?amp=1: duplicate of {archive}:3 (same page)",
        ),
    )


def test_uncompressed_warc_reads_the_same(tmp_path: Path) -> None:
    packed, plain = tmp_path / "a.warc.gz", tmp_path / "b.warc"
    write_archive(packed)
    write_archive(plain, gzipped=False)
    texts = [[d.text for d in read_inputs([path])[0]] for path in (packed, plain)]
    assert texts[0] == texts[1]
    assert len(texts[0]) == 3


def test_reader_is_a_generator_that_yields_before_a_damaged_tail(tmp_path: Path) -> None:
    archive = tmp_path / "damaged.warc.gz"
    write_archive(archive)
    data = archive.read_bytes()
    archive.write_bytes(data + b"garbage, not a record\r\n" * 5)
    reader = iter_archive(archive)
    assert isinstance(reader, Iterator)
    first = next(reader)
    assert isinstance(first, RawDocument)
    rest = list(reader)
    assert isinstance(rest[-1], InputError)
    assert rest[-1].reason.startswith("damaged archive record")
    assert sum(isinstance(item, RawDocument) for item in rest) == 2


def test_arc_file(tmp_path: Path) -> None:
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE
    header = b"filedesc://old.arc 0.0.0.0 20250402000000 text/plain 69\n"
    version = b"1 0 storyfuse\nURL IP-address Archive-date Content-type Archive-length\n"
    record = b"https://ledger.example/news 192.0.2.1 20250402081500 text/html %d\n" % len(body)
    archive = tmp_path / "old.arc.gz"
    archive.write_bytes(
        gzip.compress(header + version + b"\n") + gzip.compress(record + body + b"\n")
    )
    documents, errors = read_inputs([archive])
    assert errors == ()
    assert [d.title for d in documents] == ["Fire closes Saltmere harbour"]
