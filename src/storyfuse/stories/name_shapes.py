"""Names recognised by their shape: datelines, lines in capitals, runs that read as names.

Shared by the rule finder (:mod:`storyfuse.stories.entities`) and the model
(:mod:`storyfuse.stories.entity_model`): a dateline's place ("BELGRADE 1996-08-30"),
the places of a headline in capitals, the sides of a results line ("Pohang 3 Ulsan
2", "SAN DIEGO 75 60 .556"), and whether an untyped capitalised run is shaped like
a person's name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from storyfuse.models import EntityType
from storyfuse.stories.entity_lexicon import (
    DEMONYMS,
    MONTHS,
    ORG_HEADS,
    PLACE_ALIASES,
    PLACE_WORDS,
    PLACES,
    STOPWORDS,
    WEEKDAYS,
)

_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_](?:[\w'’-]*[^\W_])?|\S")


def is_demonym(word: str) -> bool:
    """Whether a word is a demonym or a hyphenated run of them ("Russian", "Anglo-French")."""
    parts = word.split("-")
    return all(p in DEMONYMS or (p.endswith("s") and p[:-1] in DEMONYMS) for p in parts)


# A news dateline: the place in capitals that opens a paragraph, before a date,
# the agency or a dash ("BELGRADE 1996-08-30", "NICE , France", "LONDON (Reuters) -").
_DATELINE = re.compile(
    r"^([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2})"
    r"(?:\s*,\s*([A-Z][a-z]+(?: [A-Z][a-z]+)?))?"
    r"(?=\s+(?:\d{4}-\d\d-\d\d|\d{1,2} [A-Z][a-z]+|\()|\s*[-–—]\s+[A-Z][a-z])"
)


def in_capitals(text: str) -> bool:
    """Whether a sentence is written in capitals (a headline, a dateline, a table head)."""
    return text.isupper() and len(_CAPITALS.findall(text)) >= 4


_CAPITALS = re.compile(r"[A-Z]")


def capital_places(text: str) -> list[str]:
    """The places a sentence in capitals names, as printed ("BELGRADE", "NEW YORK")."""
    found = dateline_places(text)
    taken = set(found)
    words = _WORD.findall(text)
    index = 0
    while index < len(words):
        for size in (3, 2, 1):
            printed = " ".join(words[index : index + size])
            titled = " ".join(w[:1] + w[1:].lower() for w in printed.split())
            if printed.isupper() and (titled in PLACES or titled in PLACE_ALIASES):
                if printed not in taken:
                    found.append(printed)
                index += size - 1
                break
        index += 1
    return found


def looks_like_a_name(name: str) -> bool:
    """Whether an untyped run reads as a person's name: two or three name-like words.

    "Slobodan Milosevic", "M. Waugh"; not "Wall Street" (a known place word)
    or a run holding a head word, a demonym, a month or an ordinary word.
    """
    words = name.split()
    if not 2 <= len(words) <= 3 or name in PLACES or words[0] in {"St", "St.", "Saint"}:
        return False  # "St Brendan" is a church, a school or a street
    for word in words:
        initial = len(word) == 2 and word[1] == "."
        plain = word[:1].isupper() and word[1:].islower() and word.replace("-", "").isalpha()
        if not (initial or plain) or word in ORG_HEADS or word in STOPWORDS:
            return False
        if word in PLACES or word in MONTHS or word in WEEKDAYS or is_demonym(word):
            return False
        if word.lower() in PLACE_WORDS:
            return False
    return not words[-1].endswith(".")


def dateline_places(paragraph: str) -> list[str]:
    """The places of a dateline opening ``paragraph`` (title case), else none."""
    match = _DATELINE.match(paragraph)
    if match is None:
        return []
    city = " ".join(w[0] + w[1:].lower() for w in match.group(1).split())
    places = [] if city in MONTHS or city in WEEKDAYS else [match.group(1)]
    if match.group(2):
        places.append(match.group(2))
    return places


# A results line: outside parentheses, only names, figures, "and" and punctuation.
_PARENTHESISED = re.compile(r"\([^()]*\)")
_DIGIT = re.compile(r"\d")
_RESULT_TOKEN = re.compile(r"[\d.,:;/+-]+|and|[A-Z][\w.'’&-]*")
_SIDE = re.compile(r"([A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3}) (?=[\d.]*\d)")


def result_sides(paragraph: str) -> list[str]:
    """The names a results or standings line gives a figure to, as printed.

    "Pohang 3 Ulsan 2 ( halftime 1-0 )" -> Pohang, Ulsan; "Hove : Sussex 363 ( W.
    Athey 111 )" -> Sussex (the venue has no figure, a name in parentheses is a
    detail); "SAN DIEGO 75 60 .556 -" -> SAN DIEGO. A dateline is no result line.
    Teams, clubs and sides are what such lines score; who says what they are is the
    caller's (people keep a person's full name).
    """
    outside = " ".join(_PARENTHESISED.sub(" ", paragraph).split())
    tokens = outside.split()
    if not tokens or dateline_places(paragraph) or not _DIGIT.search(outside):
        return []
    if not all(_RESULT_TOKEN.fullmatch(token) for token in tokens):
        return []
    sides = []
    for match in _SIDE.finditer(outside):
        words = match.group(1).split()
        while words and (words[0] in MONTHS or words[0] in WEEKDAYS):
            words = words[1:]
        if words and not any(w in MONTHS or w in WEEKDAYS for w in words):
            sides.append(" ".join(words))
    return sides


def sides_as_teams(
    mentions: list[tuple[str, str, EntityType]], sides: Sequence[tuple[str, str]]
) -> list[tuple[str, str, EntityType]]:
    """Mentions with the sides of an article's results lines typed organisations.

    A name given a score or a standing ("Pohang 3 Ulsan 2", "SAN DIEGO 75 60 .556")
    is a team, club or side, wherever else in the article it stands (the model types
    "Surrey" a person, "BOSTON" a place). People stay people: a side the model
    types a person by a full name, or one it does not type that is shaped like a
    person's name ("Tiger Woods 66 67 70"), is left alone.
    """
    kinds: defaultdict[tuple[str, str], set[EntityType]] = defaultdict(set)
    for article, name, kind in mentions:
        kinds[(article, name)].add(kind)
    teams: set[tuple[str, str]] = set()
    for article, side in sides:
        typed = kinds.get((article, side), set())
        person = "person" in typed and " " in side
        if not person and (typed or not looks_like_a_name(side)):
            teams.add((article, side))
    kept = [(a, n, "organization" if (a, n) in teams else k) for a, n, k in mentions]
    known = {(a, n) for a, n, _ in mentions}
    kept.extend((a, side, "organization") for a, side in sides if (a, side) in teams - known)
    return kept
