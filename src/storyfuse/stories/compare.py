"""Coverage comparison: what outlets share, what only one reports, who said what."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storyfuse.models import (
    Article,
    Contradiction,
    Entity,
    Fact,
    Quote,
    SentenceRef,
    UniqueFact,
)
from storyfuse.stories.entities import extract_entities
from storyfuse.stories.quotes import extract_quotes
from storyfuse.stories.support import citing_articles, figures, twin_sentences, without_figures
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.words import content_words


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """Thresholds for calling a fact shared."""

    min_fact_words: int = 6
    # Share of content words (figures aside) two sentences must share to report one fact.
    contradiction_overlap: float = 0.6


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the coverage comparison found for one story."""

    shared_facts: tuple[Fact, ...]
    unique_facts: tuple[UniqueFact, ...]
    quotes: tuple[Quote, ...]
    entities: tuple[Entity, ...]
    contradictions: tuple[Contradiction, ...] = ()


# Sources named for one wording of a fact with figures: a story of hundreds of outlets
# split between two figures would otherwise list every pair of them.
MAX_SOURCES_PER_WORDING = 4
# A word in more wordings than this finds no pairs (it bounds the work on a story of
# hundreds of lightly edited copies); pairs are still found through their rarer words.
MAX_WORDINGS_PER_WORD = 200


@dataclass(frozen=True, slots=True)
class _Wording:
    """Sentences with the same content words and figures: where its first few sources print it."""

    words: frozenset[str]
    figures: frozenset[str]
    printed: dict[str, tuple[str, str]]  # source: (article id, text), the first few


def _wordings(articles: Sequence[Article], index: SentenceIndex) -> list[_Wording]:
    """The story's sentences with figures, one entry per distinct wording, in reading order."""
    wordings: dict[tuple[frozenset[str], frozenset[str]], _Wording] = {}
    for article in articles:
        source = index.sources[article.id]
        for sentence in article.sentences:
            own = figures(sentence.text)
            if not own:
                continue
            words = frozenset(content_words(without_figures(sentence.text)))
            wording = wordings.setdefault((words, own), _Wording(words, own, {}))
            if len(wording.printed) < MAX_SOURCES_PER_WORDING:
                wording.printed.setdefault(source, (article.id, sentence.text))
    return list(wordings.values())


def find_contradictions(
    articles: Sequence[Article], index: SentenceIndex, options: CompareOptions
) -> tuple[Contradiction, ...]:
    """Sentences of different independent sources that report one fact with other figures.

    Two sentences report one fact when, figures aside, they share most of their
    content words; they contradict when each gives a figure the other does not.
    Reprints are compared once, as one wording, so the work grows with the
    distinct wordings of a story, not with the square of its copies.
    """
    wordings = _wordings(articles, index)
    postings: dict[str, list[int]] = defaultdict(list)
    for number, wording in enumerate(wordings):
        for word in wording.words:
            postings[word].append(number)
    found: list[Contradiction] = []
    # Each disagreement once per pair of sources, however many reprints either side has.
    seen: set[tuple[frozenset[str], frozenset[frozenset[str]]]] = set()
    for number, first in enumerate(wordings):
        if len(first.words) < 4:
            continue
        candidates = {
            other
            for word in first.words
            if len(postings[word]) <= MAX_WORDINGS_PER_WORD
            for other in postings[word]
            if other > number
        }
        for other in sorted(candidates):
            second = wordings[other]
            shared = len(first.words & second.words)
            if shared < options.contradiction_overlap * len(first.words | second.words):
                continue
            only_first, only_second = first.figures - second.figures, second.figures - first.figures
            if not (only_first and only_second):
                continue
            disagreement = frozenset({only_first, only_second})
            for source, (article_id, text) in first.printed.items():
                for other_source, (other_article, other_text) in second.printed.items():
                    key = (frozenset({source, other_source}), disagreement)
                    if source == other_source or key in seen:
                        continue
                    seen.add(key)
                    found.append(
                        Contradiction(
                            article_id,
                            text,
                            other_article,
                            other_text,
                            (tuple(sorted(only_first)), tuple(sorted(only_second))),
                        )
                    )
    return tuple(found)


def compare_story(
    articles: Sequence[Article], index: SentenceIndex, options: CompareOptions | None = None
) -> Comparison:
    """Shared and unique facts, merged quotes and named entities of one story."""
    options = options or CompareOptions()
    outlet_of = {article.id: article.outlet_key for article in articles}
    shared: list[Fact] = []
    unique: list[UniqueFact] = []
    covered: set[SentenceRef] = set()
    several_outlets = len(set(outlet_of.values())) > 1
    for article in articles:
        for sentence in article.sentences:
            ref = SentenceRef(article.id, sentence.index)
            if ref in covered or len(sentence.text.split()) < options.min_fact_words:
                continue
            reporters = citing_articles(ref, index)
            # Copies in articles that do not support this sentence remain facts of their own.
            copies = {*index.same_copy(ref), *twin_sentences(ref, index)}
            cited = set(reporters)
            covered.update(copy for copy in copies if copy.article in cited)
            if len({outlet_of[a] for a in reporters}) >= 2:
                shared.append(Fact(text=sentence.text, articles=reporters))
            elif several_outlets:
                unique.append(UniqueFact(article=article.id, text=sentence.text))
    shared.sort(key=lambda fact: -len(fact.articles))
    entities = extract_entities(articles)
    people = [entity for entity in entities if entity.type == "person"]
    return Comparison(
        shared_facts=tuple(shared),
        unique_facts=tuple(unique),
        quotes=extract_quotes(articles, people),
        entities=entities,
        contradictions=find_contradictions(articles, index, options),
    )
