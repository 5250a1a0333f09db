"""Read input articles from files, folders, JSONL, web pages, feeds, archives and stdin.

Every input either becomes a :class:`RawDocument` or an :class:`InputError`
with a reason a person can act on, never an exception. This module reads text
and JSONL itself and dispatches the rest by file name:

- plain-text articles (``.txt``, ``.text``, ``.md`` or no extension): one per file;
- JSONL (``.jsonl``, ``.ndjson``): one article per line;
- saved web pages (``.html``, ``.htm``, gzipped too): :mod:`storyfuse.sources.pages`;
- RSS and Atom (``.xml``, ``.rss``, ``.atom``) and JSON Feed (``.json``):
  one article per item, :mod:`storyfuse.sources.feeds`;
- WARC and ARC archives (``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``): one
  article per HTML page, streamed, :mod:`storyfuse.sources.warc`.
- ``http(s)://`` URLs of pages or feeds: fetched politely and safely, then
  routed like the files above, :mod:`storyfuse.sources.urls`.

Files are size-checked before they are read, so a huge log named on the
command line costs one ``stat`` call.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from storyfuse.models import InputError, RawDocument
from storyfuse.sources.feeds import FEED_SUFFIXES, JSON_FEED_SUFFIXES, read_feed, read_json_feed
from storyfuse.sources.fetch import FetchOptions
from storyfuse.sources.input_guard import guarded, scrub_document, scrub_error
from storyfuse.sources.json_input import JSONInputError, load_json
from storyfuse.sources.limits import MAX_ARTICLE_BYTES
from storyfuse.sources.pages import is_page, read_page
from storyfuse.sources.urls import is_url, read_urls
from storyfuse.sources.warc import is_archive, iter_archive

TEXT_EXTENSIONS = frozenset({".txt", ".text", ".md", ""})
JSONL_EXTENSIONS = frozenset({".jsonl", ".ndjson"})
STDIN = "-"

_MB = 1024 * 1024
_BINARY_SNIFF_BYTES = 8192
_READ_CHUNK = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Every line break str.splitlines() knows, so that after normalising,
# text.splitlines() == text.split("\n") apart from a trailing newline.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Non-ASCII characters that Western text in cp1252 commonly contains besides letters.
_WESTERN_SYMBOLS = frozenset("“”‘’‚„–—…€£¥¢©®™°•·«»§¶×÷¡¿´¨\u00a0")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Possessive quantifiers and a start only where a letter run starts keep the search
# linear in the length of the line (a 40 KB run of letters or spaces costs one pass).
_WORD = r"[^\W\d_]++(?:['’-][^\W\d_]++)*+"
_WORD_RUN = re.compile(rf"(?<![^\W\d_])(?<![^\W\d_]['’-]){_WORD}(?:[,;:]?+[ \t]++{_WORD}){{3,}}")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\s|$)")
_LOG_LINE = re.compile(
    r"^\s*\[?(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} +\d{1,2} \d{2}:)"
    r"|\b(?:DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL|TRACE)\b"
)
_PROSE_SHARE = 0.3


def decode_bytes(data: bytes) -> str:
    """Decode an article's bytes to text with ``\\n`` newlines.

    A UTF-8/16/32 byte-order mark decides the encoding; otherwise strict UTF-8,
    then cp1252 when the result reads as Western text (charset-normalizer
    misreads short Western texts as Central European code pages), then
    charset-normalizer's best guess, then cp1252 whatever it looks like.
    Raises ``UnicodeDecodeError`` when no encoding fits.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return normalize_newlines(data[len(bom) :].decode(encoding))
    try:
        return normalize_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    western: str | None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _looks_western(western):
        return normalize_newlines(western)
    best = from_bytes(data).best()
    if best is not None:
        return normalize_newlines(str(best))
    if western is not None:
        return normalize_newlines(western)
    return normalize_newlines(data.decode("cp1252"))  # raises UnicodeDecodeError


def normalize_newlines(text: str) -> str:
    """Turn every kind of line break (``\\r\\n``, ``\\r``, U+2028, ...) into ``\\n``."""
    return _LINE_BREAKS.sub("\n", text)


def _looks_western(text: str) -> bool:
    """Whether cp1252-decoded text reads like a Western European language.

    Text in another single-byte code page (Cyrillic, Greek, Polish) decoded as
    cp1252 shows runs of accented letters or stray symbols inside words.
    """
    if _NON_ASCII_RUN.search(text):
        return False
    for match in _NON_ASCII.finditer(text):
        char, index = match.group(), match.start()
        if char.isalpha():
            continue
        if char not in _WESTERN_SYMBOLS:
            return False
        if char in "¿¡" and index and text[index - 1].isalpha():
            return False
    return True


def _has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def _looks_binary(head: bytes) -> bool:
    """NUL bytes early in a file mean binary, unless a UTF-16/32 BOM explains them."""
    return b"\x00" in head[:_BINARY_SNIFF_BYTES] and not _has_bom(head)


def looks_like_prose(text: str) -> bool:
    """Whether text reads as sentences rather than a log, a table or a list of codes.

    At least 30% of its non-empty lines must hold a run of four or more words
    (log lines do not count), and it must end a sentence somewhere.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines or not _SENTENCE_END.search(text):
        return False
    prose = sum(1 for line in lines if _WORD_RUN.search(line) and not _LOG_LINE.search(line))
    return prose >= _PROSE_SHARE * len(lines)


def _size_text(size: int) -> str:
    return f"{size / _MB:.1f} MB"


def _too_large(size: int) -> str:
    return f"too large for an article ({_size_text(size)}, limit {MAX_ARTICLE_BYTES // _MB} MB)"


def _text_document(source: str, data: bytes) -> RawDocument | InputError:
    """Check and decode the bytes of one plain-text article."""
    if len(data) > MAX_ARTICLE_BYTES:
        return InputError(source, _too_large(len(data)))
    if not data.strip():
        return InputError(source, "empty file")
    if _looks_binary(data):
        return InputError(source, "binary file, not text")
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError:
        return InputError(source, "binary file, not text")
    if not text.strip():
        return InputError(source, "empty file")
    if len(_CONTROL.findall(text[:_BINARY_SNIFF_BYTES])) > 0.01 * min(
        len(text), _BINARY_SNIFF_BYTES
    ):
        return InputError(source, "binary file, not text")
    if not looks_like_prose(text):
        return InputError(source, "not an article: no prose found (looks like a log or table)")
    return RawDocument(source=source, text=text)


def _read_capped(stream: BinaryIO, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, enough to tell whether the input is too large."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(_READ_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_text_file(path: Path) -> RawDocument | InputError:
    source = str(path)
    try:
        info = path.stat()
        regular = stat.S_ISREG(info.st_mode)  # pipes and devices report no size
        if regular and info.st_size > MAX_ARTICLE_BYTES:
            return InputError(source, _too_large(info.st_size))
        if regular and info.st_size == 0:
            return InputError(source, "empty file")
        with path.open("rb") as stream:
            data = _read_capped(stream, MAX_ARTICLE_BYTES)
    except OSError as error:
        return InputError(source, error.strerror or str(error))
    return _text_document(source, data)


def _read_line(stream: BinaryIO, limit: int) -> tuple[bytes, bool]:
    """Read one line of at most ``limit`` bytes; skip the rest of a longer one.

    Returns the line (empty at end of file) and whether it was cut short.
    """
    line = stream.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, False
    while True:
        rest = stream.readline(_READ_CHUNK)
        if not rest or rest.endswith(b"\n"):
            return line[:limit], True


def _parse_published(value: object) -> dt.date | None:
    """An ISO date or datetime string as a date; raises ``ValueError`` otherwise."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f'bad "published" value {value!r} (expected an ISO date)')
    try:
        return dt.datetime.fromisoformat(value.strip()).date()
    except ValueError:
        raise ValueError(f'bad "published" value {value!r} (expected an ISO date)') from None


def _optional_string(record: dict[str, object], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')
    return value.strip() or None


def _jsonl_record(source: str, raw: bytes) -> RawDocument | InputError:
    """Turn one JSONL line into an article, or say what is wrong with it."""
    try:
        record = load_json(decode_bytes(raw).strip())
    except UnicodeDecodeError:
        return InputError(source, "binary data, not text")
    except JSONInputError as error:
        return InputError(source, str(error))
    if not isinstance(record, dict):
        return InputError(source, f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return InputError(source, 'missing or empty "text"')
    try:
        return RawDocument(
            source=source,
            text=normalize_newlines(text),
            title=_optional_string(record, "title"),
            url=_optional_string(record, "url"),
            outlet=_optional_string(record, "outlet"),
            published=_parse_published(record.get("published")),
        )
    except ValueError as error:
        return InputError(source, str(error))


def _read_jsonl(path: Path) -> Iterator[RawDocument | InputError]:
    """Yield one result per non-blank line of a JSONL file, reading line by line."""
    try:
        with path.open("rb") as stream:
            if _looks_binary(stream.read(_BINARY_SNIFF_BYTES)):
                yield InputError(str(path), "binary file, not text")
                return
            stream.seek(0)
            number = 0
            seen_text = False
            while True:
                raw, cut = _read_line(stream, MAX_ARTICLE_BYTES)
                if not raw:
                    break
                number += 1
                if not raw.strip():
                    continue
                seen_text = True
                source = f"{path}:{number}"
                if cut:
                    yield InputError(source, f"line too long (over {MAX_ARTICLE_BYTES // _MB} MB)")
                else:
                    yield _jsonl_record(source, raw)
    except OSError as error:
        yield InputError(str(path), error.strerror or str(error))
        return
    if not seen_text:
        yield InputError(str(path), "empty file")


def file_kind(path: Path) -> str | None:
    """What a file holds, from its name: ``"text"``, ``"jsonl"``, ``"page"``, ``"feed"``,
    ``"json-feed"``, ``"archive"``, or ``None`` (not an article)."""
    suffix = path.suffix.lower()
    if is_page(path):
        return "page"
    if is_archive(path):
        return "archive"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in JSON_FEED_SUFFIXES:
        return "json-feed"
    if suffix in JSONL_EXTENSIONS:
        return "jsonl"
    if suffix in TEXT_EXTENSIONS:
        return "text"
    return None


def _read_file(path: Path, kind: str, named: bool) -> Iterator[RawDocument | InputError]:
    """Every result of one file of a known kind; ``named`` when given on the command line."""
    if kind == "jsonl":
        yield from _read_jsonl(path)
    elif kind == "page":
        yield read_page(path)
    elif kind == "feed":
        yield from read_feed(path, named=named)
    elif kind == "json-feed":
        yield from read_json_feed(path, named=named)
    elif kind == "archive":
        yield from iter_archive(path)
    else:
        yield _read_text_file(path)


def read_file(path: Path, *, named: bool = True) -> Iterator[RawDocument | InputError]:
    """Every result of one file, as :func:`read_inputs` reads it: guarded and scrubbed.

    A file of an unsupported type is an error when ``named`` (given on the
    command line), silently nothing when found in a folder; a reader's failure
    ends the file's results with an error naming it (:func:`guarded`).
    """
    kind = file_kind(path)
    if kind is None:
        if named:
            yield InputError(str(path), _unsupported(path))
        return
    for result in guarded(str(path), _read_file(path, kind, named)):
        yield scrub_error(result) if isinstance(result, InputError) else scrub_document(result)


def walk_folder(folder: Path, errors: list[InputError]) -> list[Path]:
    """Article files under ``folder``, sorted, without hidden files or folders."""
    found: list[Path] = []

    def report(error: OSError) -> None:
        errors.append(InputError(str(error.filename or folder), error.strerror or str(error)))

    for root, dirs, files in os.walk(folder, onerror=report):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if not name.startswith(".") and file_kind(path) is not None:
                found.append(path)
    return found


def _unsupported(path: Path) -> str:
    return (
        f"not an article: unsupported file type {path.suffix.lower()} "
        "(expected .txt, .md, .jsonl, .html, .xml, .rss, .atom, .json, .warc or .arc)"
    )


def read_inputs(
    paths: Sequence[str | Path],
    *,
    stdin: BinaryIO | None = None,
    fetch: FetchOptions | None = None,
) -> tuple[tuple[RawDocument, ...], tuple[InputError, ...]]:
    """Read every article named by ``paths``; bad inputs become errors, never exceptions.

    Each path is a file, a folder (walked recursively, hidden entries skipped,
    unsupported file types skipped silently), ``-`` for stdin (``stdin``
    defaults to ``sys.stdin.buffer``) or an ``http(s)://`` URL of a page or a
    feed, fetched with ``fetch`` options by :mod:`storyfuse.sources.urls`. A file
    named more than once is read once. Documents and errors come out sorted by
    source path, the articles of one file (JSONL lines, feed items, archive
    records) in file order, then those of the URLs in the order given.
    """
    errors: list[InputError] = []
    files: dict[str, tuple[Path, bool]] = {}  # resolved path -> (path as named, named?)
    urls: list[str] = []
    read_stdin = False
    for given in paths:
        if str(given) == STDIN:
            read_stdin = True
            continue
        if isinstance(given, str) and is_url(given):
            urls.append(given)
            continue
        if not str(given):
            errors.append(InputError("", "does not exist"))  # Path("") would mean "."
            continue
        path = Path(given)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
            if not exists:
                errors.append(InputError(str(path), "does not exist"))
            elif is_dir:
                for found in walk_folder(path, errors):
                    files.setdefault(os.path.realpath(found), (found, False))
            else:
                key = os.path.realpath(path)
                files[key] = (files.get(key, (path, True))[0], True)
        except OSError as error:
            errors.append(InputError(str(path), error.strerror or str(error)))
        except ValueError as error:  # a NUL character in the name
            errors.append(InputError(repr(str(path)), f"not a file name ({error})"))

    results: list[RawDocument | InputError] = []
    if read_stdin:
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        try:
            if stream is None:
                raise OSError(0, "stdin is not available")
            data = _read_capped(stream, MAX_ARTICLE_BYTES)
        except OSError as error:
            results.append(InputError(STDIN, error.strerror or str(error)))
        else:
            results.extend(guarded(STDIN, (_text_document(STDIN, text) for text in [data])))
    for path, named in sorted(files.values(), key=lambda item: str(item[0])):
        results.extend(read_file(path, named=named))
    if urls:
        label = urls[0] if len(urls) == 1 else f"{urls[0]} and {len(urls) - 1} more URLs"
        results.extend(guarded(label, read_urls(urls, fetch)))

    documents = tuple(scrub_document(item) for item in results if isinstance(item, RawDocument))
    errors = [scrub_error(error) for error in errors]
    errors.extend(scrub_error(item) for item in results if isinstance(item, InputError))
    errors.sort(key=lambda error: source_order(error.source))
    return documents, tuple(errors)


def source_order(source: str) -> tuple[str, int]:
    """Sort ``path:LINE`` sources by path, then by line number."""
    path, _, line = source.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return source, 0
