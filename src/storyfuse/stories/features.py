"""What the clusterer knows of an article, and the options that weigh it.

An article is described by :class:`ArticleFeatures`: sublinear TF counts of its
content words (headline and opening sentences weighted up), the names it
mentions (capitalised words, weighted up again: the same kind of event
involving other people or places is another story), the years it names, and
hashes of its longer sentences (reprinted wire copy).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from storyfuse.models import Article
from storyfuse.text.tokens import match_tokens
from storyfuse.text.words import STOPWORDS, content_tokens, content_words

_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*|\b[A-Z]{2,5}\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

_COMMON_OPENERS = frozenset(
    """
    according after although among as at because before but by despite during earlier
    for from if in instead last later meanwhile more most new now officials on once
    police since some still the then there this those though thursday under until
    when where while with witnesses yet
    """.split()
)


_NOT_NAMES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec mr mrs ms dr i we the a an it he she they but and or
    """.split()
)
_DEMONYM = re.compile(r"[A-Z][a-z]+(an|ans|ian|ians|ese|ish|i|ic)")


def _names(text: str) -> list[tuple[str, bool]]:
    """Capitalised names in ``text``, each with whether it opens a sentence or quotation.

    A sentence's first word is dropped when it is a common word ("The", "After").
    """
    names = []
    for match in _CAPITALISED.finditer(text):
        name = match.group()
        first = name.split()[0].lower()
        opens_sentence = match.start() == 0 or text[: match.start()].rstrip().endswith(
            ("“", '"', "(")
        )
        if opens_sentence and (first in STOPWORDS or first in _COMMON_OPENERS):
            name = " ".join(name.split()[1:])
            opens_sentence = False
            if not name:
                continue
        if name.lower() not in _NOT_NAMES and not _DEMONYM.fullmatch(name):
            names.append((name.lower(), opens_sentence))
    return names


def _article_names(article: Article) -> list[list[str]]:
    """The names of each sentence of ``article``.

    A capitalised sentence opener counts only when the article also capitalises it
    elsewhere: in lowercased text ("Former fbi director james comey ...") it
    says nothing.
    """
    found = [_names(sentence.text) for sentence in article.sentences]
    inside = {name for names in found for name, opens in names if not opens}
    return [[name for name, opens in names if not opens or name in inside] for names in found]


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Thresholds and weights of the online clusterer."""

    # The bar an average link must clear rises with the articles in play (active and
    # new): the more an article is compared against, the closer its best unrelated match
    # comes by chance (on Multi-News the median best unrelated cosine is 0.087 among 250
    # articles, 0.107 among 1,000, 0.168 among 14,000). ``threshold`` holds up to
    # ``threshold_reference`` articles, then ``threshold_slope`` per e-fold, up to
    # ``threshold_ceiling``; a slope of 0 keeps it fixed. Measured on TAC, ECB+ and the
    # pooled Multi-News at once: 0.08 then 0.04 per e-fold (0.19 among 14,000).
    threshold: float = 0.08
    threshold_reference: int = 1000
    threshold_slope: float = 0.04
    threshold_ceiling: float = 0.25
    merge_threshold: float = 0.3
    lead_sentences: int = 3
    title_weight: float = 2.0
    lead_weight: float = 2.0
    name_weight: float = 2.0
    # Candidate stories come from the article's most distinctive terms; the best
    # few by that partial score are then scored on all terms.
    query_terms: int = 20
    candidates: int = 10
    # A term more active stories share than this is too common to find candidates by.
    max_postings: int = 100
    # Candidates are looked up through the rarest terms first, reading at most this many
    # postings in all: the cost per article stays flat as the store fills up.
    posting_budget: int = 500
    max_days_apart: int = 30
    distant_penalty: float = 0.02
    window_days: int = 30
    wire_sentences: int = 2
    # Two groups that each hold together (at least cohesive_size articles) join only when
    # they are at least cohesion_ratio as alike to each other as the looser one is within
    # itself: the same kind of event twice is two tight groups, loosely alike.
    cohesion_ratio: float = 0.7
    cohesive_size: int = 5
    # Articles agglomerated together at most (a larger batch is taken in slices).
    agglomerate_at_most: int = 20_000
    # After each batch, the stories it touched are agglomerated again from scratch with the
    # stories near them (scoring at least regroup_floor), up to this many articles at once.
    recheck_at_most: int = 300
    regroup_floor: float = 0.1
    # Beyond this many articles, a neighbourhood is agglomerated again only when the batch
    # brought at least regroup_share of them: the cost of an ingest stays bounded as stories
    # grow. On the dev streams in batches of 100, whose largest neighbourhoods hold 100 to
    # 125 articles, the scores are the same as when every neighbourhood was agglomerated.
    regroup_always: int = 100
    regroup_share: float = 0.1
    # Within a batch, pairs less similar than this count as unrelated (keeps them sparse).
    edge_floor: float = 0.05


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """What the clusterer needs to know of an article; cheap to rebuild from the text."""

    id: str
    published: dt.date | None
    terms: tuple[tuple[str, float], ...]
    sentence_hashes: frozenset[str]


class Reported(Protocol):
    """What agglomeration reads of an article: features, or a story's compact copy of them."""

    @property
    def id(self) -> str: ...

    @property
    def published(self) -> dt.date | None: ...

    @property
    def sentence_hashes(self) -> frozenset[str]: ...


def article_features(article: Article, options: ClusterOptions | None = None) -> ArticleFeatures:
    """Describe ``article`` for clustering."""
    options = options or ClusterOptions()
    counts: defaultdict[str, float] = defaultdict(float)
    if article.title:
        for word in content_words(article.title):
            counts[word] += options.title_weight
        for name, _ in _names(article.title):
            counts["@" + name] += options.title_weight
    hashes: set[str] = set()
    for sentence, names in zip(article.sentences, _article_names(article), strict=True):
        weight = options.lead_weight if sentence.index < options.lead_sentences else 1.0
        tokens = match_tokens(sentence.text)
        words = content_tokens(tokens)
        for word in words:
            counts[word] += weight
        for name in names:
            counts["@" + name] += weight * options.name_weight
        for year in _YEAR.findall(sentence.text):
            counts["#" + year] += weight
        if len(tokens) >= 8:
            hashes.add(hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).hexdigest())
    # Interned: every stored article spells the same words; one copy of each is enough.
    terms = tuple(sorted((sys.intern(term), 1.0 + math.log(n)) for term, n in counts.items()))
    return ArticleFeatures(article.id, article.published, terms, frozenset(hashes))
