"""sumy's LexRank, TextRank, LSA and SumBasic as storyfuse summarizers, to compare against."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from storyfuse.evaluation.extra_imports import import_extra
from storyfuse.models import Article, SentenceRef, SummarySentence
from storyfuse.stories.sentence_context import word_count
from storyfuse.stories.summarize import Summarizer, SummaryOptions
from storyfuse.stories.support import printing_articles
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.segment import split_sentences
from storyfuse.text.words import STOPWORDS, stem

PEERS = {
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
}
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


class SumyTokenizer:
    """sumy's tokenizer interface backed by storyfuse's sentence splitter and a word pattern."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """The sentences of ``paragraph``, as storyfuse splits them."""
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Runs of letters and digits, with inner apostrophes and hyphens."""
        return tuple(_WORD.findall(sentence))


def _sumy_ranking(name: str, articles: Sequence[Article]) -> list[SentenceRef]:
    """Every sentence of ``articles``, best first, as sumy's ``name`` ranks them."""
    module, class_name = PEERS[name]
    ranker = getattr(import_extra(module), class_name)(stem)
    ranker.stop_words = STOPWORDS
    dom = import_extra("sumy.models.dom")
    tokenizer = SumyTokenizer()
    refs: list[SentenceRef] = []
    paragraphs = []
    for article in articles:
        for _, group in groupby(article.sentences, key=lambda s: s.paragraph):
            sentences = list(group)
            paragraphs.append(dom.Paragraph([dom.Sentence(s.text, tokenizer) for s in sentences]))
            refs.extend(SentenceRef(article.id, s.index) for s in sentences)
    order: list[int] = []

    def keep_all(infos: list[Any]) -> list[Any]:
        # sumy hands its sentence count the sentences sorted by rating, best first.
        order.extend(info.order for info in infos)
        return infos

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LSA warns on short documents; the ranking stands
        ranker(dom.ObjectDocumentModel(paragraphs), keep_all)
    return [refs[number] for number in order]


def peer_summarizer(name: str) -> Summarizer:
    """sumy's ``name`` summarizer (lexrank, textrank, lsa, sumbasic) as a storyfuse Summarizer.

    Sentences are taken whole, in rank order, skipping any that would exceed the
    budget (no length bounds: sumy has none), then put in reading order.
    """
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r} (known: {', '.join(PEERS)})")

    def summarize(
        articles: Sequence[Article], index: SentenceIndex, options: SummaryOptions
    ) -> tuple[SummarySentence, ...]:
        position = {article.id: number for number, article in enumerate(articles)}
        chosen: list[tuple[SentenceRef, str]] = []
        budget = options.words
        for ref in _sumy_ranking(name, articles):
            text = index.articles[ref.article].sentences[ref.sentence].text
            words = word_count(text)
            if words <= budget:
                chosen.append((ref, text))
                budget -= words
        chosen.sort(key=lambda item: (position[item[0].article], item[0].sentence))
        return tuple(
            SummarySentence(text=text, citations=printing_articles(ref, index), source=ref)
            for ref, text in chosen
        )

    summarize.__doc__ = f"sumy's {PEERS[name][1]} under storyfuse's budget and citations."
    return summarize
