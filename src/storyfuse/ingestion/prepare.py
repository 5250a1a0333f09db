"""Per-article preparation for an ingest, spread over a pool of processes.

What each document needs on its own (metadata, cleaning, segmentation,
clustering features, MinHash signature) runs in worker processes; what needs
the whole batch (the lines each outlet repeats, exact duplicates within the
batch) runs in between, in the calling process. The workers get their inputs
in order and ``map`` returns results in order, so the result is the same
whatever the number of processes, and the same as one process alone.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from storyfuse.models import Article, DocumentMetadata, InputError, RawDocument
from storyfuse.pipeline import (
    batch_outlets,
    checked_metadata,
    clean_document,
    distinct_articles,
    readable_documents,
)
from storyfuse.processes import exit_with_parent
from storyfuse.sources.input_guard import scrub_document
from storyfuse.stories.duplicates import Signature, signature
from storyfuse.stories.features import ArticleFeatures, ClusterOptions, article_features

T = TypeVar("T")
R = TypeVar("R")

# A batch smaller than this is prepared in this process: starting work elsewhere costs more.
POOL_AT_LEAST = 32


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """A cleaned article with what storing and clustering it needs, computed once."""

    article: Article
    features: ArticleFeatures
    minhash: Signature


def default_workers() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _clean_and_describe(
    options: ClusterOptions,
    item: tuple[RawDocument, DocumentMetadata, str | None, frozenset[str]],
) -> PreparedArticle | InputError:
    article = clean_document(*item)
    if isinstance(article, InputError):
        return article
    return PreparedArticle(article, article_features(article, options), signature(article.text))


def _interned(features: ArticleFeatures) -> ArticleFeatures:
    """The features with their terms interned in this process (a worker's copies are not)."""
    terms = tuple((sys.intern(term), weight) for term, weight in features.terms)
    return ArticleFeatures(features.id, features.published, terms, features.sentence_hashes)


class Preparer:
    """Prepares batches of documents in ``workers`` processes (1: in this one)."""

    def __init__(self, options: ClusterOptions, workers: int = 1) -> None:
        self.options = options
        self.workers = max(1, workers)
        self._pool: Executor | None = None

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self.workers == 1 or len(items) < POOL_AT_LEAST:
            return [function(item) for item in items]
        if self._pool is None:
            # fork is quickest (the workers inherit what is imported) but unsafe with threads
            method = "fork" if threading.active_count() == 1 else "forkserver"
            # a forked worker's parent is this process (a forkserver's is the server)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=partial(exit_with_parent, os.getpid()) if method == "fork" else None,
            )
        chunk = max(1, len(items) // (self.workers * 4))
        return list(self._pool.map(function, items, chunksize=chunk))

    def prepare(
        self, documents: Sequence[RawDocument]
    ) -> tuple[list[PreparedArticle], tuple[InputError, ...]]:
        """The batch's distinct articles, prepared, and the documents left out with why."""
        scrubbed = [scrub_document(document) for document in documents]
        usable, errors = readable_documents(scrubbed, self._map(checked_metadata, scrubbed))
        outlets, repeated = batch_outlets([d for d, _ in usable], [m for _, m in usable])
        items = [
            (document, meta, outlet, repeated.get(outlet or "", frozenset()))
            for (document, meta), outlet in zip(usable, outlets, strict=True)
        ]
        done = self._map(partial(_clean_and_describe, self.options), items)
        kept, more = distinct_articles(
            [d if isinstance(d, InputError) else d.article for d in done]
        )
        prepared = [_present(done[i]) for i in kept]
        if self._pool is not None:
            prepared = [
                PreparedArticle(p.article, _interned(p.features), p.minhash) for p in prepared
            ]
        return prepared, (*errors, *more)


def _present(item: PreparedArticle | InputError) -> PreparedArticle:
    if isinstance(item, InputError):  # distinct_articles keeps only documents that left an article
        raise ValueError("a kept document has no article")
    return item
