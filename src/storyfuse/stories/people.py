"""A story's people: the forms of a name linked to the full name, and quote speakers added.

Used by both finders of :mod:`storyfuse.stories.entities` once mentions are typed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from storyfuse.models import Article, Entity, EntityType
from storyfuse.stories.entity_lexicon import NAME_SUFFIXES, is_speech_verb

Counts = defaultdict[tuple[str, EntityType], Counter[str]]
"""Mentions per article of each (name, type) of a story."""


def _verb_led(name: str) -> bool:
    """Whether a name of several words opens with a speech verb ("Said Schorr")."""
    first, _, rest = name.partition(" ")
    return bool(rest) and is_speech_verb(first.lower())


def _surname(name: str) -> str:
    words = [w for w in name.split() if w not in NAME_SUFFIXES]
    return words[-1] if words else name


def link_people(names: Iterable[str]) -> dict[str, str]:
    """Map every form of a person's name seen in the story to its longest full form."""
    by_surname: defaultdict[str, set[str]] = defaultdict(set)
    for name in names:
        by_surname[_surname(name)].add(name)
    link: dict[str, str] = {}
    for surname, group in by_surname.items():
        roots: list[str] = []
        # "Said Schorr" (a sentence opening "Said Schorr of Mercedes: ...") is Stuart
        # Schorr when he is the one Schorr: such names come last, to find their root
        for name in sorted(group, key=lambda n: (_verb_led(n), -len(n.split()), -len(n), n)):
            words = set(name.split()[1:] if _verb_led(name) else name.split())
            parents = [root for root in roots if words <= set(root.split())]
            if not parents:
                roots.append(name)
            link[name] = parents[0] if len(parents) == 1 else name
        if len(roots) == 1:
            link[surname] = roots[0]
    return link


def add_speakers(articles: Sequence[Article], counts: Counts) -> None:
    """Add the people quoted in the story ("Priya Santangelo", said after her quote)."""
    from storyfuse.stories.quotes import extract_quotes, remember_quotes

    people = [
        Entity(name=name, type="person", mentions=tuple(per.items()))
        for (name, kind), per in counts.items()
        if kind == "person"
    ]
    named = {name for name, _ in counts}
    quotes = extract_quotes(articles, people)
    added: list[Entity] = []
    for quote in quotes:
        speaker = quote.speaker
        if speaker is None or " " not in speaker:
            continue
        if speaker in named:
            _retype_speaker(speaker, articles, counts)
            continue
        named.add(speaker)
        thing = re.compile(rf"\b(?:the|a|an) {re.escape(speaker)}(?!\w)")
        if any(thing.search(article.text) for article in articles):
            continue  # "a Brackwater Logistics warehouse": a speaker written as a thing
        surname = re.compile(rf"(?<!\w){re.escape(speaker.split()[-1])}(?!\w)")
        for article in articles:
            mentions = len(surname.findall(article.text))
            if mentions:
                counts[(speaker, "person")][article.id] += mentions
        added.append(Entity(name=speaker, type="person", mentions=()))
    remember_quotes(articles, [*people, *added], quotes)


def _retype_speaker(speaker: str, articles: Sequence[Article], counts: Counts) -> None:
    """A speaker typed a body or a place whom an article shows to be a person becomes one.

    ("Ilse Varga, the regional minister for ports, ..." typed an organisation by the model.)
    """
    from storyfuse.stories.speakers import ArticleNames

    kinds = [kind for name, kind in counts if name == speaker and kind != "person"]
    if not kinds or (speaker, "person") in counts:
        return
    if any(ArticleNames(a, []).is_person(speaker) for a in articles if speaker in a.text):
        surname = speaker.split()[-1]
        for name, kind in list(counts):
            if kind != "person" and name in (speaker, surname):
                counts[(speaker, "person")].update(counts.pop((name, kind)))
