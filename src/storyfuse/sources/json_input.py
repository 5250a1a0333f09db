"""JSON from untrusted inputs, parsed with bounds: nesting depth, integer length.

:func:`load_json` raises :class:`JSONInputError`, whose message says what is
wrong in words a person can act on, for every way the text can fail: bad
syntax, nesting deeper than :data:`MAX_DEPTH` (checked by one linear scan
before parsing, so the parser never recurses that far), or an integer longer
than :data:`MAX_INTEGER_DIGITS` digits (refused before it is converted).
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 64
MAX_INTEGER_DIGITS = 100
# A string (skipped whole, escapes included; an unterminated one runs to the end, so
# that no later quote starts another try: linear) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)|[\[\]{}]', re.DOTALL)


class JSONInputError(ValueError):
    """JSON text that cannot be read, with the reason."""


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in ``text``, counting no further than ``limit + 1``."""
    depth = deepest = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JSONInputError(f"integer too long ({len(digits)} digits, limit {MAX_INTEGER_DIGITS})")
    return int(digits)


def load_json(text: str) -> object:
    """Parse JSON text; raises :class:`JSONInputError` with the reason when it cannot."""
    if nesting_depth(text) > MAX_DEPTH:
        raise JSONInputError(f"JSON nested too deeply (over {MAX_DEPTH} levels)")
    try:
        return json.loads(text, parse_int=_bounded_int)
    except JSONInputError:
        raise
    except json.JSONDecodeError as error:
        raise JSONInputError(
            f"malformed JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except (ValueError, RecursionError) as error:  # float overflow text, deep nesting missed
        raise JSONInputError(f"unreadable JSON ({error})") from None
