"""Story clustering measured on labelled data: BCubed and pairwise scores.

The articles of a labelled set are pooled into one stream, ingested the way
``storyfuse ingest`` does (metadata, cleaning, segmentation, exact-duplicate
detection) and clustered as one batch, or in batches of ``batch`` articles as
a store fed by many feeds would see them (in a fixed pseudo-random order: a
hash of each article); each article's story is compared with its gold story.
A baseline runs on the same articles in the same run, batched the same way:
plain TF-IDF of the content words (no headline, lead or name weights, no
dates, no wire links, no cohesion rule) under the same average-link threshold.

Formats, detected per line:

- ECB+: ``id``, ``text``, ``event`` (the gold story), ``topic``;
- Multi-News: ``idx``, ``raw_document`` (a list): article ``IDX-K`` is the
  K-th source of cluster ``IDX``, whose gold story is ``IDX``;
- generic: ``id``, ``text``, ``story``, and optionally ``published``,
  ``title``, ``url``, ``outlet``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from storyfuse.evaluation.datasets import DatasetError, jsonl_objects
from storyfuse.models import Article, RawDocument
from storyfuse.pipeline import article_id, prepare_articles
from storyfuse.stories.cluster import StoryClusterer
from storyfuse.stories.features import ArticleFeatures, ClusterOptions, article_features
from storyfuse.text.words import content_words


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """One article of a labelled set: its dataset id, its gold story, its text."""

    id: str
    gold: str
    document: RawDocument


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1."""

    p: float
    r: float
    f: float


@dataclass(frozen=True, slots=True)
class StoryErrors:
    """How the predicted stories miss the gold ones, counted in stories.

    ``split``: gold stories whose articles fall into two or more predicted
    stories; ``merged``: predicted stories that hold articles of two or more
    gold stories.
    """

    split: int
    merged: int

    def as_json(self) -> dict[str, int]:
        """``{"split", "merged"}``."""
        return {"split": self.split, "merged": self.merged}


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """The plain TF-IDF average-link baseline's scores on the same articles."""

    stories: int
    bcubed: Scores
    pairwise: Scores
    errors: StoryErrors

    def as_json(self) -> dict[str, object]:
        """``{"method", "stories", "bcubed", "pairwise", "errors"}``."""
        return {
            "method": BASELINE,
            "stories": self.stories,
            "bcubed": _scores_json(self.bcubed),
            "pairwise": _scores_json(self.pairwise),
            "errors": self.errors.as_json(),
        }


BASELINE = "plain TF-IDF average-link (content words only, same threshold)"


@dataclass(frozen=True, slots=True)
class ClusterEvaluation:
    """The result of ``storyfuse eval cluster``."""

    dataset: str
    articles: int
    batch: int
    gold_stories: int
    stories: int
    bcubed: Scores
    pairwise: Scores
    errors: StoryErrors
    articles_per_second: float
    assignments: tuple[tuple[str, str], ...]
    baseline: BaselineResult

    def as_json(self) -> dict[str, object]:
        """The documented JSON shape."""
        return {
            "dataset": self.dataset,
            "articles": self.articles,
            "batch": self.batch,
            "gold_stories": self.gold_stories,
            "stories": self.stories,
            "bcubed": _scores_json(self.bcubed),
            "pairwise": _scores_json(self.pairwise),
            "errors": self.errors.as_json(),
            "articles_per_second": round(self.articles_per_second, 1),
            "baseline": self.baseline.as_json(),
        }


def _scores_json(scores: Scores) -> dict[str, float]:
    return {"p": round(scores.p, 4), "r": round(scores.r, 4), "f": round(scores.f, 4)}


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def read_labelled(path: Path, limit: int = 0) -> Iterator[LabelledArticle]:
    """Articles of a labelled set with their gold stories; ``limit`` counts lines."""
    for number, record in jsonl_objects(path, limit):
        yield from _records(record, f"{path}:{number}")


def _records(record: Mapping[str, object], where: str) -> Iterator[LabelledArticle]:
    if isinstance(record.get("raw_document"), list) and "idx" in record:
        cluster = str(record["idx"])
        sources: list[object] = record["raw_document"]  # type: ignore[assignment]
        for k, text in enumerate(sources):
            if isinstance(text, str) and text.strip():
                identifier = f"{cluster}-{k}"
                yield LabelledArticle(identifier, cluster, RawDocument(identifier, text))
        return
    text = record.get("text")
    gold = record.get("event", record.get("story"))
    if not isinstance(text, str) or gold is None or "id" not in record:
        raise DatasetError(f"{where}: expected ECB+ (id, text, event), Multi-News or generic")
    identifier = str(record["id"])
    document = RawDocument(
        source=identifier,
        text=text,
        title=record.get("title") if isinstance(record.get("title"), str) else None,  # type: ignore[arg-type]
        url=record.get("url") if isinstance(record.get("url"), str) else None,  # type: ignore[arg-type]
        outlet=record.get("outlet") if isinstance(record.get("outlet"), str) else None,  # type: ignore[arg-type]
        published=_date(record.get("published")),
    )
    yield LabelledArticle(identifier, str(gold), document)


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    """BCubed precision, recall and F1 (Bagga and Baldwin), averaged over items."""
    joint = Counter((predicted[item], gold[item]) for item in gold)
    predicted_size = Counter(predicted[item] for item in gold)
    gold_size = Counter(gold.values())
    precision = recall = 0.0
    for (story, label), together in joint.items():
        precision += together * together / predicted_size[story]
        recall += together * together / gold_size[label]
    total = max(1, len(gold))
    return _scores(precision / total, recall / total)


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    """Precision, recall and F1 over pairs of articles put in the same story."""

    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    together = pairs(Counter((predicted[item], gold[item]) for item in gold))
    predicted_pairs = pairs(Counter(predicted[item] for item in gold))
    gold_pairs = pairs(Counter(gold.values()))
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    return _scores(precision, recall)


def story_errors(predicted: Mapping[str, str], gold: Mapping[str, str]) -> StoryErrors:
    """Gold stories split over several predicted ones, and predicted stories merging gold ones."""
    pieces = {(predicted[item], label) for item, label in gold.items()}
    split = Counter(label for _, label in pieces)
    merged = Counter(story for story, _ in pieces)
    return StoryErrors(
        split=sum(1 for n in split.values() if n > 1),
        merged=sum(1 for n in merged.values() if n > 1),
    )


def _scores(precision: float, recall: float) -> Scores:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def evaluate_clustering(
    path: Path, options: ClusterOptions | None = None, limit: int = 0, batch: int = 0
) -> ClusterEvaluation:
    """Cluster a labelled set as one stream and score it against the gold stories.

    ``batch`` > 0 feeds the stream in batches of that many articles; 0, all at once.
    """
    labelled = list(read_labelled(path, limit))
    started = time.perf_counter()
    # Exact duplicates are stored once and join their original's story.
    original: dict[str, LabelledArticle] = {}
    for item in labelled:
        original.setdefault(article_id(item.document.text), item)
    articles, _ = prepare_articles([item.document for item in original.values()])
    options = options or ClusterOptions()
    story_of_source = _cluster(
        articles, [article_features(a, options) for a in articles], options, batch
    )
    predicted = _predictions(labelled, original, story_of_source)
    elapsed = time.perf_counter() - started
    plain_options = ClusterOptions(
        threshold=options.threshold,
        threshold_reference=options.threshold_reference,
        threshold_slope=options.threshold_slope,
        threshold_ceiling=options.threshold_ceiling,
        edge_floor=options.edge_floor,
        cohesion_ratio=0.0,
    )
    baseline = _predictions(
        labelled,
        original,
        _cluster(articles, [plain_features(a) for a in articles], plain_options, batch),
    )
    gold = {item.id: item.gold for item in labelled}
    return ClusterEvaluation(
        dataset=path.name,
        articles=len(labelled),
        batch=batch,
        gold_stories=len(set(gold.values())),
        stories=len(set(predicted.values())),
        bcubed=bcubed(predicted, gold),
        pairwise=pairwise(predicted, gold),
        errors=story_errors(predicted, gold),
        articles_per_second=len(labelled) / elapsed if elapsed else 0.0,
        assignments=tuple((item.id, predicted[item.id]) for item in labelled),
        baseline=BaselineResult(
            stories=len(set(baseline.values())),
            bcubed=bcubed(baseline, gold),
            pairwise=pairwise(baseline, gold),
            errors=story_errors(baseline, gold),
        ),
    )


def plain_features(article: Article) -> ArticleFeatures:
    """The baseline's view of an article: sublinear TF of its content words, nothing else."""
    counts = Counter(w for sentence in article.sentences for w in content_words(sentence.text))
    terms = tuple(sorted((term, 1.0 + math.log(n)) for term, n in counts.items()))
    return ArticleFeatures(article.id, None, terms, frozenset())


def _cluster(
    articles: Sequence[Article],
    features: Sequence[ArticleFeatures],
    options: ClusterOptions,
    batch: int,
) -> dict[str, str]:
    """Each article's source mapped to its story, as a store applying the assignments has it."""
    clusterer = StoryClusterer(options)
    stream = (
        sorted(features, key=lambda f: hashlib.blake2b(f.id.encode()).digest())
        if batch
        else list(features)
    )
    step = batch or max(1, len(stream))
    story: dict[str, str] = {}
    members: defaultdict[str, set[str]] = defaultdict(set)
    for start in range(0, len(stream), step):
        for assignment in clusterer.add_batch(stream[start : start + step]):
            members[story.get(assignment.article, "")].discard(assignment.article)
            story[assignment.article] = assignment.story
            members[assignment.story].add(assignment.article)
            for absorbed in assignment.merged:  # a merge: the absorbed story's articles follow
                for article in members.pop(absorbed, set()):
                    story[article] = assignment.story
                    members[assignment.story].add(article)
    return {article.source: story[article.id] for article in articles}


def _predictions(
    labelled: Sequence[LabelledArticle],
    original: Mapping[str, LabelledArticle],
    story_of_source: Mapping[str, str],
) -> dict[str, str]:
    """Each labelled article's predicted story: its original's (exact duplicates join it)."""
    predicted: dict[str, str] = {}
    for item in labelled:
        first = original[article_id(item.document.text)]
        # An article that cleaning left empty stands alone.
        predicted[item.id] = story_of_source.get(first.document.source, f"alone:{first.id}")
    return predicted
