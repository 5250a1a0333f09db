"""Grouping a batch of articles into stories.

Articles are compared by TF-IDF cosine over their content words, with the
headline and opening sentences weighted up, and names (capitalised words)
weighted up again, since a story is an event involving particular people and
places. Average-link agglomeration merges groups while their mean similarity
clears the threshold; reports far apart in time need a stronger link, and
articles that share wire copy always belong together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storyfuse.models import Article, WireLink
from storyfuse.words import content_words

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """How similar two articles must be to report the same story."""

    threshold: float = 0.12
    lead_sentences: int = 5
    max_days_apart: int = 3
    distant_threshold: float = 0.3
    wire_sentences: int = 3


def _vector(article: Article, options: ClusterOptions) -> Counter[str]:
    vector: Counter[str] = Counter()
    if article.title:
        for word in content_words(article.title):
            vector[word] += 3
    for sentence in article.sentences:
        weight = 2 if sentence.index < options.lead_sentences else 1
        for word in content_words(sentence.text):
            vector[word] += weight
        for name in _NAME.findall(sentence.text):
            vector["@" + name.lower()] += weight
    return vector


def _cosine(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    if len(first) > len(second):
        first, second = second, first
    dot = sum(weight * second.get(word, 0.0) for word, weight in first.items())
    norm = math.sqrt(sum(w * w for w in first.values())) * math.sqrt(
        sum(w * w for w in second.values())
    )
    return dot / norm if norm else 0.0


def _days_apart(first: dt.date | None, second: dt.date | None) -> int:
    if first is None or second is None:
        return 0
    return abs((first - second).days)


def story_id(articles: Sequence[Article]) -> str:
    """A story's id: derived from its earliest article, so it survives growth."""
    earliest = min(articles, key=lambda a: (a.published or dt.date.max, a.id))
    return "s-" + hashlib.sha1(earliest.id.encode()).hexdigest()[:10]


def cluster_articles(
    articles: Sequence[Article],
    wire: Mapping[str, Sequence[WireLink]] | None = None,
    options: ClusterOptions | None = None,
) -> list[list[Article]]:
    """Partition ``articles`` into stories; the result does not depend on input order."""
    options = options or ClusterOptions()
    ordered = sorted(articles, key=lambda a: a.id)
    raw = [_vector(article, options) for article in ordered]
    document_frequency: Counter[str] = Counter()
    for vector in raw:
        document_frequency.update(vector.keys())
    count = len(ordered)
    weighted = [
        {
            word: (1 + math.log(tf)) * (math.log((1 + count) / (1 + document_frequency[word])) + 1)
            for word, tf in vector.items()
        }
        for vector in raw
    ]
    similarity = [[0.0] * count for _ in range(count)]
    position = {article.id: number for number, article in enumerate(ordered)}
    for i in range(count):
        for j in range(i + 1, count):
            value = _cosine(weighted[i], weighted[j])
            days = _days_apart(ordered[i].published, ordered[j].published)
            if days > options.max_days_apart and value < options.distant_threshold:
                value = 0.0
            similarity[i][j] = similarity[j][i] = value
    for article_id, links in (wire or {}).items():
        for link in links:
            if link.shared_sentences >= options.wire_sentences and link.article in position:
                i, j = position[article_id], position[link.article]
                similarity[i][j] = similarity[j][i] = 1.0

    groups = [[i] for i in range(count)]
    totals = [row[:] for row in similarity]  # summed similarity between groups
    while len(groups) > 1:
        best: tuple[float, int, int] | None = None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                mean = totals[a][b] / (len(groups[a]) * len(groups[b]))
                if mean >= options.threshold and (best is None or mean > best[0]):
                    best = (mean, a, b)
        if best is None:
            break
        _, a, b = best
        groups[a] = sorted(groups[a] + groups[b])
        for k in range(len(groups)):
            totals[a][k] += totals[b][k]
            totals[k][a] = totals[a][k]
        del groups[b]
        del totals[b]
        for row in totals:
            del row[b]
    stories = [[ordered[i] for i in group] for group in groups]
    for story in stories:
        story.sort(key=lambda a: (a.published or dt.date.max, a.id))
    return stories
