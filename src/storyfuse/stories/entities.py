"""Named people, organisations and places, found with rules instead of a model.

Each sentence is cut into runs of capitalised words ("Republican US Senator John
McCain", "Senate Intelligence Committee"). A run is typed by its cues: a title
or role before a name makes a person ("Mr Putin", "spokeswoman Sarah Sanders"),
a head word or an acronym an organisation ("Justice Department", "OSCE"), the
gazetteer or a locative cue ("in Salisbury") a place; the word lists are in
:mod:`storyfuse.stories.entity_lexicon`. Short forms are then linked to the
longest full form in the story ("Mr Putin" -> "Vladimir Putin") and acronyms to
the expansion the text gives for them. Everything runs in two linear passes over
the tokens; the regular expressions are compiled once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from storyfuse.models import Article, Entity, EntityType
from storyfuse.stories.entity_lexicon import (
    HEADLINE_LOWER,
    KNOWN_ORGS,
    MONTHS,
    NAME_SUFFIXES,
    NOT_ACRONYMS,
    OF_HEADS,
    ORG_HEADS,
    PARTICLES,
    PLACE_ALIASES,
    PLACE_CUES,
    PLACE_CUES_OF,
    PLACE_PREFIXES,
    PLACES,
    PORTFOLIO,
    ROLE_WORDS,
    SPEECH_VERBS,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
)
from storyfuse.stories.name_shapes import (
    capital_places,
    in_capitals,
    is_demonym,
    looks_like_a_name,
    result_sides,
    sides_as_teams,
)
from storyfuse.stories.people import Counts, add_speakers, link_people
from storyfuse.text.segment import PARAGRAPH_SEPARATOR

_OPENERS = frozenset({"“", '"', "‘", "'", ":", "[", "("})

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_](?:[\w'’-]*[^\W_])?|\S")
_POSSESSIVE = re.compile(r"['’]s$")
_ACRONYM_DEFINITION = re.compile(r"\(([A-Z]{2,6})\)")
_DEFINITION_WORD = re.compile(r"[^\W\d_][\w'’-]*|&")
_DEFINITION_FILLERS = frozenset({"and", "for", "of", "the", "in", "on", "de", "du", "&"})


# --- tokens and runs ---------------------------------------------------------


@dataclass(slots=True)
class _Run:
    """Adjacent capitalised words of one sentence, with the words around them."""

    words: list[str]
    initial: list[bool]
    start: int
    end: int
    before: str
    before2: str
    after: str


@dataclass(frozen=True, slots=True)
class _Mention:
    article: str
    name: str
    type: EntityType | None
    speech: bool = False
    place_cue: bool = False
    printed: str | None = None  # the text as printed, when ``name`` is its alias
    determined: bool = False  # after an article or a preposition of place


def _is_capitalised(word: str) -> bool:
    if word[0].isupper():
        return True
    head, _, rest = word.partition("-")
    return head in {"al", "el"} and rest[:1].isupper()


def _bare(word: str) -> str:
    return word.rstrip(".").lower()


def _is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 6 and word.isupper() and word.isalpha()


def _undot(word: str) -> str:
    return word.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,}", word) else word


def _is_title_case(tokens: Sequence[str]) -> bool:
    """Whether a sentence looks like a headline ("Trump Congratulates Putin on Election")."""
    words = [t for t in tokens if t[0].isalpha()]
    if len(words) < 4 or any(w.islower() and w not in HEADLINE_LOWER for w in words):
        return False
    return sum(1 for w in words if w[0].isupper()) >= 0.6 * len(words)


def _runs(text: str, midcap: set[str]) -> tuple[list[_Run], list[tuple[int, int, str, str]]]:
    """Capitalised runs of a sentence and its acronym definitions (start, end, expansion, acronym).

    Words seen capitalised away from the start of a sentence are added to ``midcap``.
    """
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text)]
    words = [t for t, _ in tokens]
    title = _is_title_case(words)
    runs: list[_Run] = []
    current: list[tuple[str, int, bool]] = []
    pending: list[str] = []
    first = last = 0
    initial = True

    def close() -> None:
        if current:
            before = words[first - 1] if first > 0 else ""
            before2 = words[first - 2] if first > 1 else ""
            after = words[last + 1] if last + 1 < len(words) else ""
            runs.append(
                _Run(
                    [w for w, _, _ in current],
                    [i for _, _, i in current],
                    current[0][1],
                    tokens[last][1] + len(words[last]),
                    before,
                    before2,
                    after,
                )
            )
        current.clear()
        pending.clear()

    for index, (token, start) in enumerate(tokens):
        if token[0].isalpha() and _is_capitalised(token):
            word = _POSSESSIVE.sub("", token)
            if not current:
                first = index
            current.extend((p, start, False) for p in pending)
            pending.clear()
            current.append((word, start, initial or title))
            if not (initial or title):
                midcap.add(word)
            last = index
            initial = False
            if word != token:
                close()
            continue
        if token == "." and current and index == last + 1:
            word = current[-1][0]
            if len(word) == 1 or _bare(word) in TITLES or word in {"Jr", "Sr", "St"}:
                current[-1] = (word + ".", current[-1][1], current[-1][2])
                last = index
                continue
        if current and _joins(token, [w for w, _, _ in current], pending):
            pending.append(token)
            initial = False
            continue
        close()
        initial = token in _OPENERS
    close()
    return runs, _acronym_definitions(text)


def _joins(token: str, run: list[str], pending: list[str]) -> bool:
    """Whether a lower-case word may continue a run if a capitalised word follows."""
    if token in PARTICLES and not pending:
        return True
    if token in {"of", "for"} and not pending and run[-1] in OF_HEADS:
        return True
    if token == "the" and pending == ["of"]:
        return True
    if token == "and" and not pending:
        return True  # kept only where the run ends in a head word (see _clean)
    return token in {"and", "of", "the", "de"} and (*run, *pending, token) in PLACE_PREFIXES


def _acronym_definitions(text: str) -> list[tuple[int, int, str, str]]:
    """Spans like "Organization for Security and Co-operation in Europe (OSCE)"."""
    found: list[tuple[int, int, str, str]] = []
    for match in _ACRONYM_DEFINITION.finditer(text):
        acronym = match.group(1)
        head = text[: match.start()].rstrip()
        candidates = list(_DEFINITION_WORD.finditer(head))[-(2 * len(acronym) + 4) :]
        letter = len(acronym) - 1
        start = None
        for word in reversed(candidates):
            token = word.group()
            if token[0].isupper() and token[0] == acronym[letter]:
                letter -= 1
                if letter < 0:
                    start = word.start()
                    break
            elif token not in _DEFINITION_FILLERS:
                break
        if start is not None and candidates and candidates[-1].end() == len(head):
            expansion = head[start:]
            if " " in expansion:
                found.append((start, match.end(), expansion, acronym))
    return found


# --- typing ------------------------------------------------------------------


def _after_title(words: Sequence[str]) -> tuple[int, int]:
    """(title index, name start) for the last title in ``words`` followed by a name; (-1, 0)."""
    for index in range(len(words) - 1, -1, -1):
        if _bare(words[index]) in TITLES:
            start = index + 1
            while start < len(words) and words[start] in PORTFOLIO:
                start += 1
            rest = words[start:]
            if rest and rest[0] not in NAME_SUFFIXES and _is_name(rest):
                return index, start
    return -1, 0


def _is_name(words: Sequence[str]) -> bool:
    """Whether words can be a person's name (no head word, place or title inside)."""
    if " ".join(words) in PLACES or not _is_capitalised(words[0]):
        return False
    for word in words:
        if word in ORG_HEADS or _bare(word) in TITLES or is_demonym(word):
            return False
        if _is_acronym(word) and word not in NAME_SUFFIXES:
            return False
    return True


def strip_titles(phrase: str) -> str | None:
    """The name inside a speaker phrase, or None when there is none.

    ``"White House spokeswoman Sarah Sanders"`` -> ``"Sarah Sanders"``,
    ``"the Kremlin"`` -> ``"Kremlin"``, ``"a spokesman"`` -> ``None``.
    """
    words = [_POSSESSIVE.sub("", w.strip(",;:")) for w in phrase.split()]
    words = [w for w in words if w]
    title, start = _after_title(words)
    if title < 0:
        if any(_bare(w) in TITLES for w in words):
            return None
        start = 0
        while start < len(words) - 1 and (
            words[start].lower() in {"the", "a", "an"} or is_demonym(words[start])
        ):
            start += 1
    name = words[start:]
    if not name or not _is_capitalised(name[0]) or name[0] in STOPWORDS:
        return None
    return " ".join(name)


def _classify(
    run: list[str], article: str, before: str, before2: str, after: str
) -> list[_Mention]:
    """Type one cleaned run; a run may hold several mentions ("US President Trump")."""
    title, start = _after_title(run)
    if title >= 0:
        person = _Mention(article, " ".join(run[start:]), "person")
        return [*_classify(run[:title], article, "", "", ""), person] if title else [person]
    name = " ".join(run)
    if not run:
        return []
    if name in PLACE_ALIASES or _undot(name) in PLACE_ALIASES:
        return [_Mention(article, PLACE_ALIASES[_undot(name)], "place", printed=name)]
    if name in PLACES:
        return [_Mention(article, name, "place")]
    if name in KNOWN_ORGS:
        return [_Mention(article, name, "organization")]
    heads = [i for i, w in enumerate(run) if w in ORG_HEADS]
    if heads:
        lead = 0
        while _undot(run[lead]) in PLACE_ALIASES and lead < heads[-1]:
            lead += 1
        places = [
            _Mention(article, PLACE_ALIASES[_undot(w)], "place", printed=w) for w in run[:lead]
        ]
        tail = run[heads[-1] + 1 :]
        keep = run[lead:] if any(w.islower() for w in tail) else run[lead : heads[-1] + 1]
        return [*places, _Mention(article, " ".join(keep), "organization")]
    if len(run) == 1:
        word = _undot(run[0])
        if _is_acronym(word):
            return [] if word in NOT_ACRONYMS else [_Mention(article, word, "organization")]
        if word in MONTHS or is_demonym(word):
            return []
    if is_demonym(run[0]):
        return _classify(run[1:], article, "", "", after)
    if _bare(before.rsplit("-", 1)[-1]) in ROLE_WORDS and _is_name(run):
        return [_Mention(article, name, "person")]
    speech = 2 <= len(run) <= 3 and (after in SPEECH_VERBS or before in SPEECH_VERBS)
    cue = before in PLACE_CUES or (before == "of" and before2 in PLACE_CUES_OF)
    mention = _Mention(article, name, None, speech and _is_name(run), cue and len(run) <= 2)
    if before in {"the", "a", "an", "at", "in", "from", "near", "on"}:
        # "the Pass Line", "at Northgate Securities": a thing or a place, not a person
        mention = replace(mention, determined=True)
    return [mention]


def _clean(run: _Run, midcap: set[str]) -> Iterable[tuple[list[str], str, str, str]]:
    """Split a run where ordinary sentence-initial or stop words sit; yield pieces with context."""
    piece: list[str] = []
    before, before2 = run.before, run.before2
    # "Lena Hartmann said ...": a sentence-initial first name before a speech verb.
    speaker = 2 <= len(run.words) <= 3 and run.after in SPEECH_VERBS
    # "Saltmere Fire and Rescue Service" is one name; "Haddad and Keller" are two
    joined = run.words[-1] in ORG_HEADS
    for word, initial in zip(run.words, run.initial, strict=True):
        if word == "and" and piece and not joined and (*piece, word) not in PLACE_PREFIXES:
            yield _trim(piece), before, before2, word
            piece, before, before2 = [], word, before
            continue
        if not word[0].isupper() and not _is_capitalised(word) and piece:
            piece.append(word)
            continue
        ordinary = initial and not (
            speaker
            or word in midcap
            or _undot(word) in PLACES
            or (word,) in PLACE_PREFIXES
            or word in ORG_HEADS
            or _bare(word) in TITLES
            or _is_acronym(_undot(word))
        )
        if word in STOPWORDS or word in WEEKDAYS or ordinary or word.islower():
            if piece:
                yield _trim(piece), before, before2, word.lower()
            piece, before, before2 = [], word.lower(), before
            continue
        piece.append(word)
    if piece:
        yield _trim(piece), before, before2, run.after


def _trim(piece: list[str]) -> list[str]:
    while piece and piece[-1].islower():
        piece.pop()
    return piece


# --- linking -----------------------------------------------------------------


def _resolve(
    mention: _Mention, link: dict[str, str], acronyms: dict[str, str], types: dict[str, EntityType]
) -> tuple[str, EntityType] | None:
    """The entity a mention counts for, or None when it names nothing we type."""
    name, kind = mention.name, mention.type
    if kind == "organization" and name in acronyms:
        name = acronyms[name]
        kind = types.get(name, kind)
    if kind == "person" or (kind is None and name in link):
        return link.get(name, name), "person"
    if kind is None:
        kind = types.get(name)
    return None if kind is None or name in MONTHS else (name, kind)


def extract_entities(articles: Sequence[Article]) -> tuple[Entity, ...]:
    """People, organisations and places named in ``articles``, with mentions per article.

    Names come from the trained model when :func:`entity_model.use_model` says so,
    else from the rules of this module; the speakers of the story's quotes are
    added to its people either way. Entities are sorted by total mentions (most
    first), then by name; each one's ``mentions`` are ``(article_id, count)``
    pairs sorted by article id.
    """
    counts: Counts = defaultdict(Counter)
    for article, _, name, kind in _typed_mentions(articles):
        counts[(name, kind)][article] += 1
    add_speakers(articles, counts)
    entities = [
        Entity(name=name, type=kind, mentions=tuple(sorted(per_article.items())))
        for (name, kind), per_article in _spellings_merged(counts).items()
    ]
    entities.sort(key=lambda e: (-sum(n for _, n in e.mentions), e.name, e.type))
    return tuple(entities)


def _spellings_merged(counts: Counts) -> Counts:
    """One entry for the names that differ only in the full stops of their initials
    ("U.S. State Department", "US State Department"), under its most mentioned spelling."""
    groups: defaultdict[tuple[str, EntityType], list[tuple[str, EntityType]]] = defaultdict(list)
    for name, kind in counts:
        groups[(" ".join(map(_undot, name.split())), kind)].append((name, kind))
    merged: Counts = defaultdict(Counter)
    for spellings in groups.values():
        shown = min(spellings, key=lambda key: (-sum(counts[key].values()), key[0]))
        for key in spellings:
            merged[shown].update(counts[key])
    return merged


def entity_mentions(articles: Sequence[Article]) -> list[tuple[str, str, EntityType]]:
    """(article id, name as printed, type) of every mention the current finder types."""
    return [(article, printed, kind) for article, printed, _, kind in _typed_mentions(articles)]


def _typed_mentions(articles: Sequence[Article]) -> list[tuple[str, str, str, EntityType]]:
    """(article id, name as printed, the entity's name, type) from the model or the rules."""
    from storyfuse.stories import entity_model

    rules = not entity_model.use_model()
    if not rules:
        found = [_Mention(a, n, k) for a, n, k in entity_model.model_mentions(articles)]
        link = link_people(m.name for m in found if m.type == "person")
        acronyms: dict[str, str] = {}
        types: dict[str, EntityType] = {}
        # a surname of one person in the story is that person, whatever its mention was typed
        found = [
            _Mention(m.article, m.name, "person") if m.name in link and " " not in m.name else m
            for m in found
        ]
        # "U.S.", "US" and "America" are one place, as the rules have them
        found = [
            _Mention(m.article, PLACE_ALIASES[_undot(m.name)], "place", printed=m.name)
            if m.type == "place" and _undot(m.name) in PLACE_ALIASES
            else m
            for m in found
        ]
    else:
        found, link, acronyms, types = _rule_mentions(articles)
    typed: list[tuple[str, str, str, EntityType]] = []
    for m in found:
        resolved = _resolve(m, link, acronyms, types)
        if resolved is not None:
            typed.append((m.article, m.printed or m.name, *resolved))
    return _rule_teams(articles, typed) if rules else typed


def _rule_teams(
    articles: Sequence[Article], typed: list[tuple[str, str, str, EntityType]]
) -> list[tuple[str, str, str, EntityType]]:
    """The rules' mentions with results lines' sides as organisations, as the model's."""
    sides = [
        (article.id, side)
        for article in articles
        for paragraph in article.text.split(PARAGRAPH_SEPARATOR)
        for side in result_sides(paragraph)
    ]
    seen = {(a, printed, kind): name for a, printed, name, kind in typed}
    teams = sides_as_teams([(a, printed, kind) for a, printed, _, kind in typed], sides)
    # a retyped or added side is the name it prints, not a person it was linked to
    return [(a, p, seen.get((a, p, kind), p), kind) for a, p, kind in teams]


def _rule_mentions(
    articles: Sequence[Article],
) -> tuple[list[_Mention], dict[str, str], dict[str, str], dict[str, EntityType]]:
    """Mentions found by the rules of this module, with the links, acronyms and types seen."""
    midcap: set[str] = set()
    acronyms: dict[str, str] = {}
    raw: list[tuple[str, list[_Run], list[tuple[int, int, str, str]]]] = []
    capitals: list[_Mention] = []
    for article in articles:
        for sentence in article.sentences:
            if in_capitals(sentence.text):
                # a headline or dateline in capitals: only its places are read
                capitals.extend(
                    _Mention(article.id, place, "place") for place in capital_places(sentence.text)
                )
                continue
            runs, definitions = _runs(sentence.text, midcap)
            for _, _, expansion, acronym in definitions:
                acronyms.setdefault(acronym, expansion)
            raw.append((article.id, runs, definitions))

    mentions: list[_Mention] = list(capitals)
    types: dict[str, EntityType] = {}
    for article_id, runs, definitions in raw:
        for _, _, expansion, _ in definitions:
            typed = [m.type for m in _classify(expansion.split(), article_id, "", "", "")]
            kind: EntityType = "place" if typed[-1:] == ["place"] else "organization"
            types.setdefault(expansion, kind)
            mentions.append(_Mention(article_id, expansion, kind))
        for run in runs:
            if any(run.start < e and s < run.end for s, e, _, _ in definitions):
                continue
            for piece, before, before2, after in _clean(run, midcap):
                if piece:
                    mentions.extend(_classify(piece, article_id, before, before2, after))

    things = {m.name for m in mentions if m.determined}
    people = {m.name for m in mentions if m.type == "person" or (m.speech and m.name not in things)}
    # a run shaped like a name is a person unless the story also writes it as a thing
    # ("the Valdrisa Tribune") or one of its words names a place or body ("Velmora Mutual")
    not_people = things | {m.name for m in mentions if m.type is not None}
    typed_words = {w for m in mentions if m.type not in (None, "person") for w in m.name.split()}
    people |= {
        m.name
        for m in mentions
        if m.type is None
        and m.name not in not_people
        and not typed_words & set(m.name.split())
        and looks_like_a_name(m.name)
    }
    link = link_people(people)
    for m in mentions:
        if m.type is not None and m.type != "person":
            types.setdefault(m.name, m.type)
    for m in mentions:
        if m.type is None and m.place_cue and m.name not in link:
            types.setdefault(m.name, "place")
    return mentions, link, acronyms, types
