"""Saved web pages on disk (``.html``, ``.htm``, gzipped too) read as articles.

Each file is size-checked before it is read; a gzipped page is inflated with a
cap, so a gzip bomb is refused with a reason instead of being expanded.
"""

from __future__ import annotations

import codecs
import re
import stat
import zlib
from pathlib import Path

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.compressed import TooLargeError, gunzip_capped
from storyfuse.sources.page_extract import NotHTMLError, extract_html

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
# Pages carry scripts, styles and markup around the text: more room than a text file.
MAX_PAGE_BYTES = 20 * 1024 * 1024
_MB = 1024 * 1024
_SNIFF = 2048
_HTML_START = re.compile(
    rb"^(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|article)\b",
    re.IGNORECASE | re.DOTALL,
)
_UNICODE_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_page(path: Path) -> bool:
    """Whether the file name says it is a saved HTML page."""
    return path.name.lower().endswith(PAGE_SUFFIXES)


def looks_like_html(data: bytes) -> bool:
    """Whether bytes start like an HTML document (for inputs that do not say what they are)."""
    head = data[:_SNIFF]
    for bom in _UNICODE_BOMS:
        if head.startswith(bom):
            return True  # text with a BOM: let the parser decide
    return bool(_HTML_START.match(head))


def page_document(source: str, data: bytes, url: str | None = None) -> RawDocument | InputError:
    """Extract the article of a page's bytes, or say why there is none."""
    if not data.strip():
        return InputError(source, "empty file")
    if b"\x00" in data[:_SNIFF] and not data.startswith(_UNICODE_BOMS):
        return InputError(source, "binary data, not an HTML page")
    try:
        return extract_html(data, source, url)
    except NotHTMLError as error:
        return InputError(source, str(error))


def read_page(path: Path) -> RawDocument | InputError:
    """Read one saved page (gzipped when its name ends in ``.gz``) and extract its article."""
    source = str(path)
    limit = f"limit {MAX_PAGE_BYTES // _MB} MB"
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_PAGE_BYTES:
            return InputError(
                source, f"too large for a page ({info.st_size / _MB:.1f} MB, {limit})"
            )
        with path.open("rb") as stream:
            if path.name.lower().endswith(".gz"):
                data = gunzip_capped(stream, MAX_PAGE_BYTES)
            else:
                data = stream.read(MAX_PAGE_BYTES + 1)
    except TooLargeError:
        return InputError(source, f"refused: the gzip data expands past the page {limit}")
    except zlib.error as error:
        return InputError(source, f"corrupt gzip data ({error})")
    except OSError as error:
        return InputError(source, error.strerror or str(error))
    if len(data) > MAX_PAGE_BYTES:
        return InputError(source, f"too large for a page ({limit})")
    return page_document(source, data)


def extraction_record(result: RawDocument | InputError) -> dict[str, object]:
    """A page's extraction as a JSON object (``source`` and ``error`` when it failed)."""
    if isinstance(result, InputError):
        return {"source": result.source, "error": result.reason}
    return {
        "source": result.source,
        "title": result.title,
        "outlet": result.outlet,
        "author": result.author,
        "published": result.published.isoformat() if result.published else None,
        "updated": result.updated.isoformat() if result.updated else None,
        "language": result.language,
        "url": result.url,
        "text": result.text,
        "removed": [{"text": item.text, "reason": item.reason} for item in result.removed],
    }


def extraction_text(document: RawDocument, width: int = 100) -> str:
    """A page's extraction for people: metadata, the text, then what was removed and why."""
    fields = (
        ("title", document.title),
        ("outlet", document.outlet),
        ("author", document.author),
        ("published", document.published.isoformat() if document.published else None),
        ("updated", document.updated.isoformat() if document.updated else None),
        ("language", document.language),
        ("url", document.url),
    )
    lines = [f"== {document.source}"]
    lines += [f"{name + ':':<11}{value}" for name, value in fields if value]
    lines += ["", document.text, ""]
    if document.removed:
        lines.append(f"removed ({len(document.removed)}):")
        for item in document.removed:
            text = " ".join(item.text.split())
            short = text if len(text) <= width else text[: width - 1] + "…"
            lines.append(f"  - {item.reason}: {short}")
        lines.append("")
    return "\n".join(lines)
