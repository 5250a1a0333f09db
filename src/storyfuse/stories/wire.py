"""Wire copy: sentences that articles share word for word or nearly.

Outlets reprint agency copy with light edits: British or American spelling,
straight or curly quotes, "U.S." or "US", a clause added or dropped. Each
sentence is reduced to a normalised token sequence; candidate pairs come from
an inverted index of token 3-grams (so the cost grows with the number of
actual overlaps, not with the square of the sentences), and each candidate is
scored by how much of each sentence the other covers, in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from storyfuse.models import Article, SentenceGroup, SentenceRef, WireLink
from storyfuse.text.tokens import common_subsequence, coverage, match_tokens, shingles

# A token n-gram found in more sentences than this says nothing of copying.
MAX_GRAM_REFS = 200


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """Thresholds for calling two sentences the same copy."""

    shingle: int = 3
    # Both sentences mostly covered: the same sentence, lightly edited.
    same_sentence: float = 0.7
    # One sentence almost wholly inside the other: the longer one reports it.
    contained: float = 0.9
    min_tokens: int = 5
    # Two articles sharing this share of the shorter one's sentences are one source.
    same_source: float = 0.5


@dataclass(frozen=True, slots=True)
class SentenceMatch:
    """Two sentences of different articles and how much each covers of the other."""

    first: SentenceRef
    second: SentenceRef
    first_covered: float
    second_covered: float


class SentenceIndex:
    """All near-duplicate sentence pairs among a set of articles."""

    def __init__(self, articles: Sequence[Article], options: MatchOptions | None = None) -> None:
        self.options = options or MatchOptions()
        self.articles = {article.id: article for article in articles}
        self.tokens: dict[SentenceRef, tuple[str, ...]] = {
            SentenceRef(article.id, sentence.index): match_tokens(sentence.text)
            for article in articles
            for sentence in article.sentences
        }
        self.matches = tuple(self._find_matches())
        self._supporters: dict[SentenceRef, set[str]] = defaultdict(set)
        self._same: dict[SentenceRef, set[SentenceRef]] = defaultdict(set)
        for match in self.matches:
            # An article reports a sentence only if it prints (nearly) all of its words.
            if match.first_covered >= self.options.contained:
                self._supporters[match.first].add(match.second.article)
            if match.second_covered >= self.options.contained:
                self._supporters[match.second].add(match.first.article)
            if self._same_sentence(match):
                self._same[match.first].add(match.second)
                self._same[match.second].add(match.first)

    def _same_sentence(self, match: SentenceMatch) -> bool:
        threshold = self.options.same_sentence
        return match.first_covered >= threshold and match.second_covered >= threshold

    def _find_matches(self) -> Iterable[SentenceMatch]:
        size = self.options.shingle
        postings: dict[tuple[str, ...], list[SentenceRef]] = defaultdict(list)
        for ref, tokens in self.tokens.items():
            if len(tokens) < self.options.min_tokens:
                continue
            for gram in shingles(tokens, size):
                postings[gram].append(ref)
        shared: dict[tuple[SentenceRef, SentenceRef], int] = defaultdict(int)
        for refs in postings.values():
            if len(refs) > MAX_GRAM_REFS:  # a phrase every article uses says nothing
                continue
            for i, first in enumerate(refs):
                for second in refs[i + 1 :]:
                    if first.article != second.article:
                        key = (
                            (first, second)
                            if (first.article, first.sentence)
                            < (
                                second.article,
                                second.sentence,
                            )
                            else (second, first)
                        )
                        shared[key] += 1
        for (first, second), count in sorted(shared.items(), key=lambda item: _ref_key(item[0])):
            covered = scored_pair(self.tokens[first], self.tokens[second], count, self.options)
            if covered is not None:
                yield SentenceMatch(first, second, *covered)

    @cached_property
    def sources(self) -> dict[str, str]:
        """Each article's independent source, as :func:`source_groups` finds it."""
        return source_groups(list(self.articles.values()), self.wire_links(), self.options)

    def supporting_articles(self, ref: SentenceRef) -> tuple[str, ...]:
        """Articles that report the sentence: its own and those with the same or a fuller copy."""
        return tuple(sorted({ref.article} | self._supporters.get(ref, set())))

    def same_copy(self, ref: SentenceRef) -> frozenset[SentenceRef]:
        """Sentences of other articles that are this sentence, lightly edited."""
        return frozenset(self._same.get(ref, set()))

    def groups(self) -> tuple[SentenceGroup, ...]:
        """Connected groups of same-copy sentences spanning two or more articles."""
        parent: dict[SentenceRef, SentenceRef] = {}

        def find(ref: SentenceRef) -> SentenceRef:
            while parent.get(ref, ref) != ref:
                ref = parent[ref]
            return ref

        for ref, others in self._same.items():
            for other in others:
                root_a, root_b = find(ref), find(other)
                if root_a != root_b:
                    parent[max(root_a, root_b, key=_ref_key)] = min(root_a, root_b, key=_ref_key)
        members: dict[SentenceRef, list[SentenceRef]] = defaultdict(list)
        for ref in self._same:
            members[find(ref)].append(ref)
        groups = [SentenceGroup(tuple(sorted(refs, key=_ref_key))) for refs in members.values()]
        return tuple(sorted(groups, key=lambda group: _ref_key(group.members[0])))

    def wire_links(self) -> dict[str, tuple[WireLink, ...]]:
        """For each article, the other articles it shares sentences with, and how many."""
        return dict(self._links)

    @cached_property
    def _links(self) -> dict[str, tuple[WireLink, ...]]:
        shared: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for ref, others in self._same.items():
            for other in others:
                shared[ref.article][other.article].add(ref.sentence)
        links: dict[str, tuple[WireLink, ...]] = {}
        for article_id, article in self.articles.items():
            total = max(1, len(article.sentences))
            per_other = shared.get(article_id, {})
            links[article_id] = tuple(
                WireLink(other, len(sentences), round(len(sentences) / total, 3))
                for other, sentences in sorted(
                    per_other.items(), key=lambda item: (-len(item[1]), item[0])
                )
            )
        return links


def scored_pair(
    first: tuple[str, ...],
    second: tuple[str, ...],
    shared_grams: int,
    options: MatchOptions,
    *,
    both: bool = False,
) -> tuple[float, float] | None:
    """How much each of two sentences covers of the other, if they may be the same copy.

    ``shared_grams`` is the number of token n-grams they share; too few for their
    length and the pair is not aligned at all. Nor is a pair whose longest common
    subsequence already says that neither (with ``both``: not each) sentence can be
    covered ``same_sentence``: the answer is the one the alignment would give.
    """
    shortest = min(len(first), len(second))
    if shared_grams < 0.3 * max(1, shortest - options.shingle + 1):
        return None
    at_most = common_subsequence(first, second)
    if at_most / (max if both else min)(len(first), len(second)) < options.same_sentence:
        return None
    first_covered, second_covered = coverage(first, second)
    if max(first_covered, second_covered) >= options.same_sentence:
        return first_covered, second_covered
    return None


def _ref_key(ref: SentenceRef | tuple[SentenceRef, SentenceRef]) -> tuple[str, int]:
    first = ref[0] if isinstance(ref, tuple) else ref
    return first.article, first.sentence


def source_groups(
    articles: Sequence[Article],
    links: Mapping[str, Sequence[WireLink]],
    options: MatchOptions | None = None,
) -> dict[str, str]:
    """Map each article id to its independent source (the smallest id in its group).

    Two articles are one source when either shares ``same_source`` of its
    sentences with the other, or when they come from the same outlet.
    """
    return outlet_groups([(a.id, a.outlet) for a in articles], links, options)


def outlet_groups(
    articles: Sequence[tuple[str, str | None]],
    links: Mapping[str, Sequence[WireLink]],
    options: MatchOptions | None = None,
) -> dict[str, str]:
    """:func:`source_groups` of articles given as (id, outlet) pairs."""
    threshold = (options or MatchOptions()).same_source
    parent = {article_id: article_id for article_id, _ in articles}

    def find(article_id: str) -> str:
        while parent[article_id] != article_id:
            article_id = parent[article_id]
        return article_id

    def union(first: str, second: str) -> None:
        root_a, root_b = find(first), find(second)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)

    by_outlet: dict[str, str] = {}
    for article_id, outlet in articles:
        if outlet:
            if outlet in by_outlet:
                union(article_id, by_outlet[outlet])
            by_outlet.setdefault(outlet, article_id)
        for link in links.get(article_id, ()):
            if link.article in parent and link.share >= threshold:
                union(article_id, link.article)
    return {article_id: find(article_id) for article_id, _ in articles}


def independent_sources(
    articles: Sequence[Article],
    links: Mapping[str, Sequence[WireLink]],
    options: MatchOptions | None = None,
) -> int:
    """Count sources after merging articles that mostly reprint the same copy."""
    return len(set(source_groups(articles, links, options).values()))
