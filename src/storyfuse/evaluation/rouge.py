"""ROUGE as rouge-score computes it, and bootstrap intervals of the mean scores."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata

from storyfuse.evaluation.extra_imports import import_extra
from storyfuse.text.segment import split_sentences

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
# The JSON and table names of the scores; rougeL is computed as ROUGE-Lsum.
METRICS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}


def summary_lines(sentences: Sequence[str]) -> str:
    """Sentences as ROUGE-Lsum reads them: one per line (inner whitespace collapsed)."""
    return "\n".join(" ".join(sentence.split()) for sentence in sentences)


def reference_lines(reference: str) -> str:
    """A reference split with storyfuse's sentence splitter, one sentence per line."""
    return summary_lines(split_sentences(reference))


class RougeEvaluator:
    """rouge-score's scorer (Porter stemming, lowercased), each text tokenized only once."""

    def __init__(self) -> None:
        rouge_scorer = import_extra("rouge_score.rouge_scorer")
        tokenizers = import_extra("rouge_score.tokenizers")
        # Methods share a cluster's references and many sentences; a few clusters' worth.
        self._tokenize = lru_cache(maxsize=1024)(
            tokenizers.DefaultTokenizer(use_stemmer=True).tokenize
        )
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=self)

    def tokenize(self, text: str) -> list[str]:
        """rouge-score's own tokenization, cached (the scorer only reads the tokens)."""
        tokens: list[str] = self._tokenize(text)
        return tokens

    def score(self, summary: str, references: Sequence[str]) -> dict[str, tuple[float, float]]:
        """(F1, recall) per metric of METRICS, against the reference with the best F1 for it.

        ``summary`` and ``references`` hold one sentence per line.
        """
        best = self._scorer.score_multi(list(references), summary)
        return {
            name: (best[kind].fmeasure, best[kind].recall)
            for name, kind in zip(METRICS, ROUGE_TYPES, strict=True)
        }


def variant(resamples: int, seed: int, several_references: bool) -> str:
    """The exact scoring variant, as printed with every result."""
    text = (
        f"rouge-score {metadata.version('rouge-score')}, Porter stemming, case-insensitive, "
        "ROUGE-Lsum with one sentence per line; F1 and recall; "
        f"mean [95% bootstrap CI, {resamples} resamples of clusters, seed {seed}]"
    )
    if several_references:
        text += "; several references: per cluster and metric, the one with the best F1"
    return text


def bootstrap_intervals(
    rows: Sequence[Sequence[float]], resamples: int = 1000, seed: int = 0
) -> list[tuple[float, float]]:
    """95% percentile intervals of each column's mean, resampling rows (clusters).

    All columns share the same resamples, so the intervals of methods are paired.
    """
    numpy = import_extra("numpy")
    values = numpy.asarray(rows, dtype=float)
    if not len(values):
        return []
    count, columns = values.shape
    generator = numpy.random.default_rng(seed)
    means = numpy.empty((resamples, columns))
    weights = numpy.full(count, 1.0 / count)
    for start in range(0, resamples, 100):
        stop = min(resamples, start + 100)
        picks = generator.multinomial(count, weights, size=stop - start)
        means[start:stop] = picks @ values / count
    low, high = numpy.percentile(means, [2.5, 97.5], axis=0)
    return [(float(a), float(b)) for a, b in zip(low, high, strict=True)]
