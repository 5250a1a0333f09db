"""Web archives read as articles: WARC and ARC files (gzipped or not), streamed with warcio.

:func:`iter_archive` is a generator: it reads one record at a time, extracts
the article of each HTML page (a ``response`` or ``resource`` record whose
Content-Type is HTML, or that starts like HTML when it has none) and moves on,
so memory stays flat however large the archive is. Records are named
``path:N`` (N counts records from 1). Other records (requests, metadata,
revisits, images, scripts, redirects and errors) are skipped silently; a page
whose payload repeats an earlier page's is reported as a duplicate; a page too
large or without an article is an error naming the record; a damaged archive
ends with an error naming the record where reading stopped.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.pages import MAX_PAGE_BYTES, looks_like_html, page_document

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PAGE_RECORDS = frozenset({"response", "resource"})
_CHUNK = 64 * 1024
_MB = 1024 * 1024
_DETAIL = 120  # characters of a parser message worth showing


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


def _is_page_record(record: Any) -> bool:
    """A successful response or a resource that is (or may be) an HTML page."""
    if record.rec_type not in _PAGE_RECORDS:
        return False
    if record.rec_type == "response":
        status = record.http_headers.get_statuscode() if record.http_headers else None
        if status is not None and not str(status).startswith("2"):
            return False
    kind = _content_type(record)
    return kind is None or kind in HTML_TYPES


def iter_archive(path: Path) -> Iterator[RawDocument | InputError]:
    """Each HTML page of a WARC/ARC archive as an article, streaming record by record."""
    seen: dict[str, str] = {}  # payload digest -> source of the first page with it
    number = 0
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream, arc2warc=True)
            for number, record in enumerate(records, start=1):
                if not _is_page_record(record):
                    continue
                source = f"{path}:{number}"
                url = record.rec_headers.get_header("WARC-Target-URI")
                data = _read_capped(record.content_stream(), MAX_PAGE_BYTES)
                if len(data) > MAX_PAGE_BYTES:
                    limit = MAX_PAGE_BYTES // _MB
                    yield InputError(source, f"{url}: too large for a page (limit {limit} MB)")
                    continue
                if _content_type(record) is None and not looks_like_html(data):
                    continue
                digest = hashlib.sha1(data).hexdigest()
                if digest in seen:
                    yield InputError(source, f"{url}: duplicate of {seen[digest]} (same page)")
                    continue
                seen[digest] = source
                yield page_document(source, data, url)
    except (ArchiveLoadFailed, zlib.error, EOFError) as error:
        detail = str(error)[:_DETAIL]
        yield InputError(f"{path}:{number + 1}", f"damaged archive record ({detail})")
    except OSError as error:
        yield InputError(str(path), error.strerror or str(error))
