"""What keeps one bad input from costing the others: scrubbing, range checks, per-input guards.

- :func:`scrub_document` replaces lone surrogates (``"\\ud800"`` from JSON
  escapes or undecodable file names) by U+FFFD in every text field, so that
  hashing, storing and printing an article never fail on them;
- :func:`date_problem` refuses dates outside :data:`EARLIEST_DATE` ..
  :data:`LATEST_DATE`, where date arithmetic (windows of days) would overflow;
- :func:`guarded` reads the results of one input and turns an unexpected
  exception into an :class:`InputError` naming the input
  (:func:`internal_error`), so the rest of the batch goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from storyfuse.models import InputError, RawDocument

EARLIEST_DATE = dt.date(1000, 1, 1)
LATEST_DATE = dt.date(8999, 12, 31)
INTERNAL_ERROR = "internal error"  # how the reason of a guarded failure starts
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DETAIL = 160  # characters of an exception message worth showing

_log = logging.getLogger(__name__)


def scrub(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (the replacement character)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def scrub_document(document: RawDocument) -> RawDocument:
    """The document with lone surrogates replaced in its source, text and metadata."""
    changes: dict[str, Any] = {
        field.name: scrub(value)
        for field in dataclasses.fields(document)
        if isinstance(value := getattr(document, field.name), str) and _SURROGATE.search(value)
    }
    return dataclasses.replace(document, **changes) if changes else document


def scrub_error(error: InputError) -> InputError:
    """The error with lone surrogates replaced in its source and reason."""
    return InputError(scrub(error.source), scrub(error.reason))


def date_problem(document: RawDocument) -> str | None:
    """Why a document's dates cannot be used, or ``None`` when they can."""
    for name, value in (("published", document.published), ("updated", document.updated)):
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            return (
                f"{name} date {value.isoformat()} out of range "
                f"({EARLIEST_DATE.year} to {LATEST_DATE.year})"
            )
    return None


def internal_error(source: str, error: BaseException) -> InputError:
    """An unexpected exception while handling one input, as a rejection of that input.

    The traceback goes to the debug log (``storyfuse -vv`` shows it).
    """
    _log.debug("internal error on %s", source, exc_info=error)
    detail = f"{type(error).__name__}: {error}"[:_DETAIL]
    return InputError(scrub(source), f"{INTERNAL_ERROR} while reading it ({scrub(detail)})")


def guarded(
    source: str, results: Iterable[RawDocument | InputError]
) -> Iterator[RawDocument | InputError]:
    """The results of one input; an exception ends them with an error naming the input.

    Results already produced are kept; the failing input's remaining results
    are lost, but no other input's.
    """
    last = source
    try:
        for result in results:
            last = result.source
            yield result
    except Exception as error:  # any bug or parser failure on one input: reject that input
        where = source if last == source else f"{source} (after {last})"
        yield internal_error(where, error)
