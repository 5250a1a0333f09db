"""Coverage comparison: what outlets share, what only one reports, who said what."""

from __future__ import annotations

from collections import Counter, defaultdict
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
from storyfuse.stories.support import citing_articles, figures, without_figures
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


def find_contradictions(
    articles: Sequence[Article], index: SentenceIndex, options: CompareOptions
) -> tuple[Contradiction, ...]:
    """Sentences of different independent sources that report one fact with other figures.

    Two sentences report one fact when, figures aside, they share most of their
    content words; they contradict when each gives a figure the other does not.
    """
    sentences = [
        (article.id, sentence.text, frozenset(content_words(without_figures(sentence.text))))
        for article in articles
        for sentence in article.sentences
    ]
    postings: dict[str, list[int]] = defaultdict(list)
    for number, (_, _, words) in enumerate(sentences):
        for word in words:
            postings[word].append(number)
    found: list[Contradiction] = []
    # Each disagreement once, however many reprints of either side there are.
    seen: set[tuple[frozenset[str], frozenset[frozenset[str]]]] = set()
    for number, (article_id, text, words) in enumerate(sentences):
        own = figures(text)
        if not own or len(words) < 4:
            continue
        shared = Counter(other for word in words for other in postings[word] if other > number)
        for other, count in sorted(shared.items()):
            other_article, other_text, other_words = sentences[other]
            if index.sources[other_article] == index.sources[article_id]:
                continue
            if count < options.contradiction_overlap * len(words | other_words):
                continue
            theirs = figures(other_text)
            only_own, only_theirs = own - theirs, theirs - own
            sides = frozenset({index.sources[article_id], index.sources[other_article]})
            key = (sides, frozenset({only_own, only_theirs}))
            if theirs and only_own and only_theirs and key not in seen:
                seen.add(key)
                found.append(
                    Contradiction(
                        article_id,
                        text,
                        other_article,
                        other_text,
                        (tuple(sorted(only_own)), tuple(sorted(only_theirs))),
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
            covered.update(copy for copy in index.same_copy(ref) if copy.article in reporters)
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
