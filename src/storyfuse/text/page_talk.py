"""Text in which the page talks about itself or to its reader, found by form and place.

Sites word their furniture differently ("Comments are closed", "Commenting has
been switched off"; "Become a member of the Herald", "Join the Sentinel today"),
so these tests look at what such text *does* rather than at its wording:

- a **label line**: a line of its own inside the article that is no sentence (no
  full stop, a few words, or a short label and a colon before a link title): a
  heading, an ad slot, a "Recommended for you" box, a related link;
- **page furniture**: a short line of its own whose first word names a part of
  the page (comments, advertising, recommendations, newsletters);
- **reader address**: a sentence, outside quotation marks, that speaks to the
  reader (an imperative opening, "you"), or about the page itself ("this
  article"), and names the outlet; or, on a short line of its own, does so at all.

Quoted speech is blanked by the caller, so a quoted "you" or "join us" counts for nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from storyfuse.text.words import STOPWORDS

LABEL = "label line inside the article (heading, link or ad slot)"
FURNITURE = "page furniture (comments, advertising, recommendations)"
READER_ADDRESS = "the outlet addressing its readers"

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
# "Watch: ...", "See also - ...": a label of a few words, then what it points to.
_LABEL_FORM = re.compile(r"^\s*(\S+(?:\s+\S+){0,2})\s*[:|>–—-]\s+\S")
_LABEL_WORDS = 8
_SHORT_LINE = 12
_FURNITURE_WORDS = 8
_OUTLET_WORDS = 25
# Parts of a web page, as the first word of a line names them.
_FURNITURE_HEADS = re.compile(
    r"^\W*(comment|advertis|sponsor|recommend|promot|newsletter|cookie|subscri|trending"
    r"|popular|related)",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
# The page naming itself: "this article", "this story was first published".
_SELF_REFERENCE = re.compile(
    r"\bthis (article|story|page|piece|post|newsletter|edition|site|website)\b", re.IGNORECASE
)
# What follows an imperative verb: "Become a", "Debate the", "Tell other", "Sign up".
_OPENING = re.compile(r"^\W*([^\W\d_][\w'’-]*) +([^\W\d_]+)\b")
_AFTER_IMPERATIVE = frozenset(
    "a an the our your us other others more up here now today with".split()
)


def words_of(text: str) -> list[str]:
    """The words of ``text`` (letters first, in any script)."""
    return _WORD.findall(text)


def is_label_line(line: str) -> bool:
    """A line that is no sentence: no full stop at the end, and a few words or a label form."""
    words = words_of(line)
    if not words or _SENTENCE_END.search(line):
        return False
    return len(words) < _LABEL_WORDS or bool(_LABEL_FORM.match(line))


def is_link_label(line: str) -> bool:
    """A label and what it points to, with no full stop: "Watch: Flood waters reach ..."."""
    return not _SENTENCE_END.search(line) and bool(_LABEL_FORM.match(line))


def is_furniture(line: str) -> bool:
    """A short line whose first word names a part of the page ("Comments are closed.")."""
    return bool(_FURNITURE_HEADS.match(line)) and len(words_of(line)) <= _FURNITURE_WORDS


def _imperative_opening(unquoted: str) -> bool:
    """Whether a sentence opens like an order to the reader: "Become a member ...".

    "Update: the first train ..." is a label, not an order: the two words must be
    separated by a space alone.
    """
    opening = _OPENING.match(unquoted)
    if opening is None or not opening.group(1)[:1].isupper():
        return False
    first = opening.group(1).casefold()
    return (
        first not in STOPWORDS
        and not first.endswith(("s", "ly", "ing", "ed", "er"))
        and opening.group(2) in _AFTER_IMPERATIVE  # in lower case: "Republican US Senator"
    )


def _names_outlet(unquoted: str, outlet: str | None) -> bool:
    """Whether the sentence names the outlet, or the last word of its name ("Courier")."""
    if not outlet:
        return False
    return outlet.casefold() in unquoted.casefold() or bool(_outlet_word(outlet).search(unquoted))


@lru_cache(maxsize=1024)
def _outlet_word(outlet: str) -> re.Pattern[str]:
    """The last capitalised word of an outlet's name, as a pattern (never matching without one)."""
    names = [word for word in words_of(outlet) if word[:1].isupper() and len(word) >= 4]
    return re.compile(rf"\b{re.escape(names[-1])}\b" if names else r"(?!)")


def _addresses_reader(unquoted: str) -> bool:
    return bool(
        _imperative_opening(unquoted)
        or _SECOND_PERSON.search(unquoted)
        or _SELF_REFERENCE.search(unquoted)
    )


def reader_address(unquoted: str, outlet: str | None) -> bool:
    """A sentence (quotes blanked) in which the outlet speaks to its reader or of its page.

    It must name the outlet; the page naming itself in a short sentence is enough too
    ("This article appeared in print on page 4.").
    """
    count = len(unquoted.split())
    if count > _OUTLET_WORDS:
        return False
    if count <= _SHORT_LINE and _SELF_REFERENCE.search(unquoted):
        return True
    return _names_outlet(unquoted, outlet) and _addresses_reader(unquoted)


def standalone_reason(line: str, unquoted: str) -> str | None:
    """Why a line that stands as its own paragraph inside an article is not reporting.

    Sentences that :func:`reader_address` finds are left to the sentence rules.
    """
    if len(line.split()) > _SHORT_LINE and not is_link_label(line):
        return None
    if is_furniture(unquoted):
        return FURNITURE
    if is_label_line(line):
        return LABEL
    if len(words_of(unquoted)) <= _SHORT_LINE and _addresses_reader(unquoted):
        return READER_ADDRESS
    return None
