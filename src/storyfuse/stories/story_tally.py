"""What a stored story's record is computed from, kept between batches and grown by new articles.

A story's record (headline, size, dates, outlets, independent sources) used to
be recomputed from all its articles whenever a batch touched it: every
sentence re-tokenized and every pair of sentences sharing words re-aligned.
A :class:`StoryTally` keeps what that computation builds (each sentence's
tokens, the story's n-gram postings, which sentences of each article another
article prints, the words each article uses) so that new articles are matched
against the postings and only pairs with a new sentence are aligned.

The result is the one :class:`~storyfuse.stories.wire.SentenceIndex`,
:func:`~storyfuse.stories.wire.independent_sources` and
:func:`~storyfuse.stories.summarize.choose_headline` give on all the articles
(a test checks it). One case cannot be grown: an n-gram that passes
:data:`~storyfuse.stories.wire.MAX_GRAM_REFS` sentences stops counting for the
pairs it counted for before; :meth:`StoryTally.add` then refuses, and the
caller builds the tally again from all the articles.

A tally is kept with its story in the store (:meth:`StoryTally.encode`, compressed
JSON: no code runs on reading it back), so that an old story that gains a reprint
or a revision months later is grown from its new articles too rather than tallied
whole again; the postings are rebuilt from the kept tokens.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from storyfuse.models import Article, WireLink
from storyfuse.stories.wire import MAX_GRAM_REFS, MatchOptions, scored_pair
from storyfuse.text.tokens import match_tokens, shingles
from storyfuse.text.words import content_words

Ref = tuple[str, int]  # (article id, sentence index): plain tuples hash fast
# Bumped whenever what a tally keeps changes: an older encoding is tallied again.
ENCODING_VERSION = 1


@dataclass(frozen=True, slots=True)
class _Member:
    """What the tally keeps of one article beyond its sentences' tokens."""

    id: str
    outlet: str | None
    published: dt.date | None
    title: str | None
    title_words: frozenset[str]
    sentences: int
    first_sentence: str | None

    @property
    def order(self) -> tuple[bool, str, str]:
        """The store's order of a story's articles: dated first, by date, then by id."""
        return (
            self.published is None,
            self.published.isoformat() if self.published else "",
            self.id,
        )


class _SourceGroups:
    """The story's sources as :func:`~storyfuse.stories.wire.outlet_groups` finds them,
    grown article by article: articles join when they share an outlet or one mostly
    reprints the other. Joins only ever add up, so growing gives the whole count."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.count = 0
        self._parent: dict[str, str] = {}
        self._first_of_outlet: dict[str, str] = {}

    def _root(self, article_id: str) -> str:
        parent = self._parent
        while parent[article_id] != article_id:
            parent[article_id] = parent[parent[article_id]]
            article_id = parent[article_id]
        return article_id

    def join(self, first: str, second: str) -> None:
        """Put two articles in one source."""
        root_a, root_b = self._root(first), self._root(second)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)
            self.count -= 1

    def add_article(self, article_id: str, outlet: str | None) -> None:
        """A new article: a source of its own, or of its outlet's."""
        self._parent[article_id] = article_id
        self.count += 1
        if outlet:
            self.join(article_id, self._first_of_outlet.setdefault(outlet, article_id))

    def reprints(self, shared: int, sentences: int) -> bool:
        """Whether sharing ``shared`` of an article's ``sentences`` makes it a reprint."""
        return round(shared / max(1, sentences), 3) >= self.threshold


class StoryTally:
    """A story's articles as the record needs them; grows with :meth:`add`."""

    def __init__(self, options: MatchOptions | None = None) -> None:
        self.options = options or MatchOptions()
        self.members: dict[str, _Member] = {}
        self._tokens: dict[Ref, tuple[str, ...]] = {}
        self._postings: dict[tuple[str, ...], list[Ref]] = defaultdict(list)
        # article -> other article -> the article's sentences the other prints (nearly)
        self._same: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._usage: Counter[str] = Counter()
        # None once articles left (joins cannot be undone): rebuilt when next asked for
        self._groups: _SourceGroups | None = _SourceGroups(self.options.same_source)

    def add(self, articles: Sequence[Article]) -> bool:
        """Take in new articles of the story; False (and nothing changed): rebuild the tally."""
        size, options = self.options.shingle, self.options
        tokens: dict[Ref, tuple[str, ...]] = {}
        sentence_grams: dict[Ref, set[tuple[str, ...]]] = {}
        grams: Counter[tuple[str, ...]] = Counter()  # gram: new sentences holding it
        for article in articles:
            for sentence in article.sentences:
                ref = (article.id, sentence.index)
                found = tokens[ref] = match_tokens(sentence.text)
                if len(found) >= options.min_tokens:
                    held = shingles(found, size)
                    sentence_grams[ref] = held
                    grams.update(held)
        postings = self._postings
        for gram, new in grams.items():
            before = len(postings.get(gram, ()))
            if 2 <= before <= MAX_GRAM_REFS < before + new:
                return False
        self._tokens.update(tokens)
        # grams that stay within the cap count for pairs; a gram past it says nothing
        counting = {
            gram
            for gram, new in grams.items()
            if len(postings.get(gram, ())) + new <= MAX_GRAM_REFS
        }
        # each new sentence against the sentences posted before it (the story's and the
        # batch's earlier ones): every pair once, with the number of grams it shares
        shared: Counter[tuple[Ref, Ref]] = Counter()
        for ref, held in sentence_grams.items():
            # held is a set: no gram's postings gain this sentence before being counted
            earlier = Counter(chain.from_iterable(map(postings.__getitem__, held & counting)))
            for gram in held:
                postings[gram].append(ref)
            for other, count in earlier.items():
                if other[0] != ref[0]:
                    shared[(ref, other) if ref < other else (other, ref)] += count
        for (first, second), count in shared.items():
            covered = scored_pair(
                self._tokens[first], self._tokens[second], count, options, both=True
            )
            if covered is not None and min(covered) >= options.same_sentence:
                self._same[first[0]][second[0]].add(first[1])
                self._same[second[0]][first[0]].add(second[1])
        for article in articles:
            self._usage.update(_words(article))
            self.members[article.id] = _Member(
                id=article.id,
                outlet=article.outlet,
                published=article.published,
                title=article.title,
                title_words=frozenset(content_words(article.title))
                if article.title
                else frozenset(),
                sentences=len(article.sentences),
                first_sentence=article.sentences[0].text if article.sentences else None,
            )
        if self._groups is not None:
            self._group(self._groups, [article.id for article in articles])
        return True

    def _group(self, groups: _SourceGroups, article_ids: Sequence[str]) -> None:
        """Add these member articles to ``groups`` with every same-copy link they have."""
        members = self.members
        for article_id in article_ids:
            groups.add_article(article_id, members[article_id].outlet)
        for article_id in article_ids:
            total = members[article_id].sentences
            for other, sentences in self._same.get(article_id, {}).items():
                mirrored = self._same.get(other, {}).get(article_id, ())
                if groups.reprints(len(sentences), total) or groups.reprints(
                    len(mirrored), members[other].sentences
                ):
                    groups.join(article_id, other)

    def remove(self, articles: Sequence[Article]) -> bool:
        """Take out articles that left the story; False (and nothing changed): rebuild the tally.

        The same-copy links between the articles that stay do not change, unless an
        n-gram that passed :data:`~storyfuse.stories.wire.MAX_GRAM_REFS` sentences
        falls back under it: then it counts again for pairs, and the tally refuses.
        """
        gone = {article.id for article in articles}
        size, min_tokens = self.options.shingle, self.options.min_tokens
        refs = [ref for ref in self._tokens if ref[0] in gone]
        dropped: Counter[tuple[str, ...]] = Counter()
        for ref in refs:
            found = self._tokens[ref]
            if len(found) >= min_tokens:
                dropped.update(shingles(found, size))
        for gram, count in dropped.items():
            before = len(self._postings.get(gram, ()))
            if before > MAX_GRAM_REFS and 2 <= before - count <= MAX_GRAM_REFS:
                return False
        for gram in dropped:
            kept = [ref for ref in self._postings[gram] if ref[0] not in gone]
            if kept:
                self._postings[gram] = kept
            else:
                del self._postings[gram]
        for ref in refs:
            del self._tokens[ref]
        for article_id in gone:
            self._same.pop(article_id, None)
        for per_other in self._same.values():
            for article_id in gone:
                per_other.pop(article_id, None)
        for article in articles:
            if self.members.pop(article.id, None) is not None:
                self._usage.subtract(_words(article))
        self._usage = +self._usage  # words no article uses any more are dropped
        self._groups = None
        return True

    def encode(self) -> bytes:
        """The tally as compressed JSON, for :meth:`decode` (made with the default options)."""
        members = [
            [
                m.id,
                m.outlet,
                m.published.isoformat() if m.published else None,
                m.title,
                sorted(m.title_words),
                m.sentences,
                m.first_sentence,
            ]
            for m in self.members.values()
        ]
        tokens: dict[str, list[list[object]]] = defaultdict(list)
        for (article_id, index), found in self._tokens.items():
            tokens[article_id].append([index, " ".join(found)])
        same = [
            [article_id, other, sorted(sentences)]
            for article_id, per_other in self._same.items()
            for other, sentences in per_other.items()
        ]
        state = {
            "version": ENCODING_VERSION,
            "members": members,
            "tokens": tokens,
            "same": same,
            "usage": dict(self._usage),
        }
        return zlib.compress(json.dumps(state, separators=(",", ":")).encode(), 6)

    @classmethod
    def decode(cls, blob: bytes) -> StoryTally | None:
        """A tally from :meth:`encode`; None if it was kept in another version's encoding."""
        state = json.loads(zlib.decompress(blob))
        if state.get("version") != ENCODING_VERSION:
            return None
        tally = cls()
        size, min_tokens = tally.options.shingle, tally.options.min_tokens
        for article_id, outlet, published, title, title_words, sentences, first in state["members"]:
            tally.members[article_id] = _Member(
                id=article_id,
                outlet=outlet,
                published=dt.date.fromisoformat(published) if published else None,
                title=title,
                title_words=frozenset(title_words),
                sentences=sentences,
                first_sentence=first,
            )
        for article_id, kept in state["tokens"].items():
            for index, joined in kept:
                ref = (article_id, index)
                found = tally._tokens[ref] = tuple(joined.split(" ")) if joined else ()
                if len(found) >= min_tokens:
                    for gram in shingles(found, size):
                        tally._postings[gram].append(ref)
        for article_id, other, sentences in state["same"]:
            tally._same[article_id][other].update(sentences)
        tally._usage.update(state["usage"])
        tally._groups = None
        return tally

    def headline(self) -> str:
        """The title whose words the story's articles use most; else the earliest lead sentence."""
        ordered = sorted(self.members.values(), key=lambda m: m.order)
        best: tuple[float, tuple[bool, str, str], str] | None = None
        for member in ordered:
            if not member.title:
                continue
            words = member.title_words
            score = sum(self._usage[w] for w in words) / math.sqrt(1 + len(words))
            key = (-score, member.order, member.title)
            if best is None or key < best:
                best = key
        if best is not None:
            return best[2]
        return next((m.first_sentence for m in ordered if m.first_sentence), "Untitled story")

    def wire_links(self) -> dict[str, tuple[WireLink, ...]]:
        """For each article, the others it shares sentences with: as the sentence index says."""
        links: dict[str, tuple[WireLink, ...]] = {}
        for article_id, member in self.members.items():
            total = max(1, member.sentences)
            per_other = self._same.get(article_id, {})
            links[article_id] = tuple(
                WireLink(other, len(sentences), round(len(sentences) / total, 3))
                for other, sentences in sorted(
                    per_other.items(), key=lambda item: (-len(item[1]), item[0])
                )
            )
        return links

    def independent_sources(self) -> int:
        """The number of independent sources among the story's articles."""
        if self._groups is None:
            self._groups = _SourceGroups(self.options.same_source)
            self._group(self._groups, list(self.members))
        return self._groups.count

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last publication dates of the story's articles."""
        days = sorted(m.published for m in self.members.values() if m.published)
        return (days[0], days[-1]) if days else (None, None)

    def outlets(self) -> int:
        """The number of outlets its articles name."""
        return len({m.outlet for m in self.members.values() if m.outlet is not None})


def _words(article: Article) -> set[str]:
    """The content words an article uses (each once): what the headline's choice counts."""
    return {w for s in article.sentences for w in content_words(s.text)}
