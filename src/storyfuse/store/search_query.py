"""What a reader types into a search box, read into a query both databases run safely.

Readers type ``al-qaida``, ``u.s.``, ``o'brien``, unbalanced quotes or a stray ``NEAR(``; none of
that is query syntax to them. So the text is never handed to FTS5 or ``to_tsquery`` as it is: it is
read into terms first, and each database gets a query built only from word characters.

The language: words (all must match); ``"a phrase"`` (an unclosed quote runs to the end); ``OR``
between two terms (either may match); ``word*`` for words that start with it. Words joined by
punctuation (``al-qaida``, ``u.s.``) are a phrase, as the index splits them. A word of four or
more letters that the stemmer keeps whole also finds the words that begin with it (``syria``
finds ``syrian``), beside its stemmed forms; one the stemmer cuts does not, since both
databases stem a prefix before matching it (``suing*`` would be ``su*``: ``such``, ``support``).
The query is bounded so that no query ties up the database: at most
``MAX_TERMS`` terms, ``MAX_PREFIXES`` of them prefixes, ``MAX_QUERY_CHARS`` characters read.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MAX_PREFIXES = 4
MIN_PREFIX_CHARS = 3
AUTO_PREFIX_CHARS = 4

_WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<token>[^\s"]+)')


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """Adjacent words that must all appear in this order; the last may be a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    also_longer: bool = False
    """A lone long word: it also matches the longer words it begins (``syria``: ``syrian``)."""
    typed: str = field(default="", compare=False)
    """The piece as typed, for PostgreSQL's parser (it reads ``U.S.`` as one word)."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Groups of alternatives: every group must match, any term within a group may."""

    groups: tuple[tuple[SearchTerm, ...], ...]
    dropped: int = 0

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def words(self) -> tuple[str, ...]:
        """Every word of the query, in order (for matching headlines)."""
        return tuple(word for group in self.groups for term in group for word in term.words)

    def fts5(self) -> str:
        """The query in SQLite FTS5 syntax: quoted words only, so nothing in it is an operator."""
        return " AND ".join(
            "(" + " OR ".join(_fts5_term(term) for term in group) + ")" for group in self.groups
        )

    def tsquery(self) -> tuple[str, list[str]]:
        """A PostgreSQL ``tsquery`` expression and its parameters (the text is never SQL)."""
        parts: list[str] = []
        params: list[str] = []
        for group in self.groups:
            alternatives = []
            for term in group:
                sql, term_params = _ts_term(term)
                alternatives.append(sql)
                params += term_params
            parts.append("(" + " || ".join(alternatives) + ")")
        return " && ".join(parts), params


def parse_query(text: str) -> SearchQuery:
    """Read what a reader typed; never fails (a query of no words is ``empty``)."""
    groups: list[list[SearchTerm]] = []
    join_next = absorbed = False
    terms = prefixes = dropped = 0
    for match in _PIECE.finditer(text[:MAX_QUERY_CHARS]):
        if match["token"] in ("OR", "AND"):
            join_next = match["token"] == "OR" and bool(groups)
            continue
        term = _term(match["phrase"] if match["phrase"] is not None else match["token"])
        if term is None:
            continue
        if join_next and absorbed:  # an alternative to a term that must match anyway
            join_next = False
            continue
        absorbed = not join_next and [term] in groups
        if absorbed:  # a term repeated adds nothing to what must match
            continue
        if terms >= MAX_TERMS:
            dropped += 1
            continue
        if prefixes >= MAX_PREFIXES:
            term = SearchTerm(term.words)
        terms += 1
        prefixes += term.prefix or term.also_longer
        if join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return SearchQuery(tuple(tuple(group) for group in groups), dropped)


def _term(piece: str) -> SearchTerm | None:
    found = list(_WORD.finditer(piece))
    if not found:
        return None
    words = tuple(match[0].casefold() for match in found)
    span = piece[found[0].start() : found[-1].end()]
    typed = "".join(char for char in span if char.isprintable())  # no NULs, no lone surrogates
    if piece.rstrip().endswith("*"):
        return SearchTerm(words, prefix=len(words[-1]) >= MIN_PREFIX_CHARS, typed=typed)
    lone_long_word = len(words) == 1 and len(words[0]) >= AUTO_PREFIX_CHARS
    return SearchTerm(words, also_longer=lone_long_word, typed=typed)


def _fts5_term(term: SearchTerm) -> str:
    phrase = '"' + " ".join(term.words) + '"'
    if term.prefix:
        return phrase + "*"
    if term.also_longer and _porter_keeps(term.words[0]):
        return f"{phrase} OR {phrase}*"
    return phrase


_STEMMER_LOCK = threading.Lock()
# The tokenizer of the store's index (migrations: articles_fts), and the same without stemming.
_TOKENIZERS = {
    "stemmed": "porter unicode61 remove_diacritics 2",
    "plain": "unicode61 remove_diacritics 2",
}


@functools.cache
def _tokenizing_connection() -> sqlite3.Connection:
    """An in-memory database with an FTS5 table (and its vocabulary) per tokenizer."""
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    for name, tokenize in _TOKENIZERS.items():
        connection.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(word, tokenize='{tokenize}')")
        connection.execute(f"CREATE VIRTUAL TABLE {name}_terms USING fts5vocab({name}, 'row')")
    return connection


@functools.lru_cache(maxsize=4096)
def _porter_keeps(word: str) -> bool:
    """Whether the index's stemmer stores ``word`` as it is (``syria``), not cut (``suing``)."""
    with _STEMMER_LOCK:
        connection = _tokenizing_connection()
        tokens = {}
        for name in _TOKENIZERS:
            connection.execute(f"INSERT INTO {name}(word) VALUES (?)", (word,))
            tokens[name] = connection.execute(f"SELECT term FROM {name}_terms").fetchall()
            connection.execute(f"DELETE FROM {name}")
    return len(tokens["plain"]) == 1 and tokens["plain"] == tokens["stemmed"]


def _ts_term(term: SearchTerm) -> tuple[str, list[str]]:
    phrase = "phraseto_tsquery('english', ?)"
    if term.prefix:
        prefixed = " <-> ".join(term.words) + ":*"
        return "to_tsquery('english', ?)", [prefixed]
    if term.also_longer:  # the prefix only where the stemmer keeps the word whole
        longer = (
            "CASE WHEN to_tsvector('simple', ?) = to_tsvector('english', ?)"
            f" THEN to_tsquery('english', ?) ELSE {phrase} END"
        )
        word = term.words[0]
        return f"({phrase} || {longer})", [term.typed, word, word, word + ":*", term.typed]
    spaced = " ".join(term.words)
    if term.typed in ("", spaced):
        return phrase, [spaced]
    # PostgreSQL reads "al-qaida" as the compound and its parts, "al qaida" as two words.
    return f"({phrase} || {phrase})", [term.typed, spaced]
