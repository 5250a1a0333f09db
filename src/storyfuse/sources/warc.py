"""Web archives read as articles: WARC and ARC files (gzipped or not), streamed with warcio.

:func:`iter_archive` is a generator: it reads one record at a time, extracts
the article of each HTML page (a ``response`` or ``resource`` record whose
Content-Type is HTML, or that starts like HTML when it has none) and moves on,
so memory stays flat however large the archive is. Records are named
``path:N`` (N counts records from 1). Other records (requests, metadata,
revisits, images, scripts, redirects and errors) are skipped silently; a page
whose payload repeats an earlier page's is reported as a duplicate; a page too
large or without an article is an error naming the record; a damaged archive
is an error naming the record, and reading resumes at the next record after it; a
response whose HTTP status line is garbled is an error too.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.pages import MAX_PAGE_BYTES, looks_like_html, page_document

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PAGE_RECORDS = frozenset({"response", "resource"})
_RECORD_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion"}
    | {"continuation"}
)
_CHUNK = 64 * 1024
_MB = 1024 * 1024
_DETAIL = 120  # characters of a parser message worth showing
_STATUS = re.compile(r"[1-5]\d\d")
_GZIP_MAGIC = b"\x1f\x8b\x08"


def is_archive(path: Path) -> bool:
    """Whether the file name says it is a WARC or ARC archive."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def _read_capped(stream: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _content_type(record: Any) -> str | None:
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    value = headers.get_header("Content-Type") if headers is not None else None
    return value.split(";")[0].strip().lower() if value else None


def _status_problem(record: Any) -> str | None:
    """Why a response record's HTTP status line cannot be read, or ``None`` when it can."""
    if record.rec_type != "response":
        return None
    status = record.http_headers.get_statuscode() if record.http_headers else None
    if status is None or not _STATUS.fullmatch(str(status)):
        line = record.http_headers.statusline if record.http_headers else ""
        return f"garbled HTTP status line {str(line)[:_DETAIL]!r}"
    return None


def _is_page_record(record: Any) -> bool:
    """A successful response or a resource that is (or may be) an HTML page."""
    if record.rec_type not in _PAGE_RECORDS:
        return False
    if record.rec_type == "response" and not str(record.http_headers.get_statuscode()).startswith(
        "2"
    ):
        return False
    kind = _content_type(record)
    return kind is None or kind in HTML_TYPES


def _next_start(stream: BinaryIO, after: int, gzipped: bool) -> int | None:
    """Where the next record may start after ``after``: a gzip member or a ``WARC/1.x`` line."""
    marker = _GZIP_MAGIC if gzipped else b"\nWARC/1."
    stream.seek(after)
    offset, tail = after, b""
    while chunk := stream.read(_CHUNK):
        found = (tail + chunk).find(marker)
        if found >= 0:
            return offset - len(tail) + found + (0 if gzipped else 1)
        tail = chunk[-len(marker) :]
        offset += len(chunk)
    return None


class _Unreadable(Exception):
    """A record whose headers warcio fails on."""


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:_DETAIL]


def iter_archive(path: Path) -> Iterator[RawDocument | InputError]:
    """Each HTML page of a WARC/ARC archive as an article, streaming record by record.

    A damaged record is reported, and reading resumes at the next record
    start (a gzip member, or a ``WARC/1.x`` line) after the last record read.
    """
    seen: dict[str, str] = {}  # payload digest -> source of the first page with it
    number = 0
    gzipped = path.name.lower().endswith(".gz")
    resume: int | None = 0
    told = False  # whether anything was said about the archive
    try:
        with path.open("rb") as stream:
            if not stream.read(1):
                yield InputError(str(path), "empty archive")
                return
            while resume is not None:
                stream.seek(resume)
                records = ArchiveIterator(stream, arc2warc=True)
                reading = iter(records)
                last_start = resume  # where the record read last began
                try:
                    while True:
                        try:
                            record = next(reading)
                        except AttributeError as error:  # warcio on headers it cannot parse
                            raise _Unreadable(f"its headers cannot be parsed: {error}") from None
                        number += 1
                        last_start = records.offset
                        for result in _record_results(f"{path}:{number}", record, seen):
                            told = True
                            yield result
                except StopIteration:
                    resume = None
                except (_Unreadable, ArchiveLoadFailed, zlib.error, EOFError, ValueError) as error:
                    # warcio's failures on a damaged record, while reading its headers or body
                    number += 1
                    detail = str(error) if isinstance(error, _Unreadable) else _describe(error)
                    told = True
                    yield InputError(f"{path}:{number}", f"damaged archive record ({detail})")
                    # after the last record's start: a wrong length may have hidden the next one
                    resume = _next_start(stream, last_start + 1, gzipped)
    except OSError as error:
        yield InputError(str(path), error.strerror or str(error))
        return
    if not told:
        records = "1 record" if number == 1 else f"{number} records"
        yield InputError(str(path), f"no HTML pages in the archive ({records}, none a page)")


def _record_results(
    source: str, record: Any, seen: dict[str, str]
) -> Iterator[RawDocument | InputError]:
    """The article of one record, an error saying why it has none, or nothing (not a page)."""
    problem = _status_problem(record)
    if record.rec_type not in _RECORD_TYPES:
        problem = f"not an archive record (WARC-Type {record.rec_type!r})"
    if problem:
        yield InputError(source, problem)
        return
    if not _is_page_record(record):
        return
    url = record.rec_headers.get_header("WARC-Target-URI")
    data = _read_capped(record.content_stream(), MAX_PAGE_BYTES)
    if len(data) > MAX_PAGE_BYTES:
        limit = MAX_PAGE_BYTES // _MB
        yield InputError(source, f"{url}: too large for a page (limit {limit} MB)")
        return
    if _content_type(record) is None and not looks_like_html(data):
        return
    digest = hashlib.sha1(data).hexdigest()
    if digest in seen:
        yield InputError(source, f"{url}: duplicate of {seen[digest]} (same page)")
        return
    seen[digest] = source
    yield page_document(source, data, url)
