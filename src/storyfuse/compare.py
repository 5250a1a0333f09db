"""Coverage comparison: what outlets share, what only one reports, who said what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storyfuse.entities import extract_entities
from storyfuse.models import Article, Entity, Fact, Quote, SentenceRef, UniqueFact
from storyfuse.quotes import extract_quotes
from storyfuse.wire import SentenceIndex
from storyfuse.words import content_words


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """Thresholds for calling a fact shared."""

    # Share of a sentence's content words another outlet's sentence must contain
    # for the fact to count as reported there too (in other words).
    paraphrase_overlap: float = 0.75
    min_fact_words: int = 6


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the coverage comparison found for one story."""

    shared_facts: tuple[Fact, ...]
    unique_facts: tuple[UniqueFact, ...]
    quotes: tuple[Quote, ...]
    entities: tuple[Entity, ...]


def _reporters(
    ref: SentenceRef,
    words: frozenset[str],
    articles: Sequence[Article],
    vocabulary: dict[SentenceRef, frozenset[str]],
    index: SentenceIndex,
    options: CompareOptions,
) -> tuple[str, ...]:
    """Articles that print the sentence (nearly) verbatim or with almost all its content words."""
    found = set(index.supporting_articles(ref))
    if len(words) >= 4:
        for article in articles:
            if article.id in found:
                continue
            for sentence in article.sentences:
                other = vocabulary[SentenceRef(article.id, sentence.index)]
                if len(words & other) >= options.paraphrase_overlap * len(words):
                    found.add(article.id)
                    break
    return tuple(sorted(found))


def compare_story(
    articles: Sequence[Article], index: SentenceIndex, options: CompareOptions | None = None
) -> Comparison:
    """Shared and unique facts, merged quotes and named entities of one story."""
    options = options or CompareOptions()
    outlet_of = {article.id: article.outlet_key for article in articles}
    vocabulary = {
        SentenceRef(article.id, sentence.index): frozenset(content_words(sentence.text))
        for article in articles
        for sentence in article.sentences
    }
    shared: list[Fact] = []
    unique: list[UniqueFact] = []
    covered: set[SentenceRef] = set()
    several_outlets = len(set(outlet_of.values())) > 1
    for article in articles:
        for sentence in article.sentences:
            ref = SentenceRef(article.id, sentence.index)
            if ref in covered or len(sentence.text.split()) < options.min_fact_words:
                continue
            reporters = _reporters(ref, vocabulary[ref], articles, vocabulary, index, options)
            covered.update(index.same_copy(ref))
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
    )
