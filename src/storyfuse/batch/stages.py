"""The stages of a batch job, as functions of one record or one group of records.

Both engines call these and only these, in the same order, so their results
agree to the byte; each stage calls the local pipeline's own functions:

1. read: one input file into documents, guarded and scrubbed as the ingest
   reads it (:func:`storyfuse.sources.inputs.read_file`);
2. locate: each document's metadata (refused as the ingest refuses it) and
   outlet; the lines each outlet repeats are found per outlet over the corpus
   (:func:`repeated_outlet_lines`);
3. clean: each document into an article (:func:`storyfuse.pipeline.clean_document`);
   of exact duplicates the first in input order is kept;
4. describe: each article's clustering features and MinHash signature;
5. weigh: document frequencies over the corpus give each article its unit tf-idf vector;
6. block: each article emits keys (its most distinctive terms within a period,
   its long sentences' hashes, its LSH bands); articles sharing a key are
   candidate pairs, scored exactly;
7. link: pairs at least as alike as the clusterer's bar (or sharing wire copy)
   join articles into blocks (connected components);
8. cluster: each block by the local clusterer, with corpus-wide weights and bar;
9. tell: each story summarized and compared by the local pipeline.

Agglomeration only joins groups whose average link reaches the bar, so two
articles end in one story only through a chain of pairs that each reach it:
clustering block by block gives what clustering the whole corpus at once
would, as far as blocking finds those pairs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyfuse.models import Article, DocumentMetadata, InputError, RawDocument
from storyfuse.pipeline import PipelineOptions, checked_metadata, clean_document
from storyfuse.pipeline import story_from_articles as _story_from_articles
from storyfuse.render import story_json
from storyfuse.sources.inputs import read_file as read_documents
from storyfuse.sources.inputs import source_order, walk_folder
from storyfuse.stories.cluster import StoryClusterer, story_id_for
from storyfuse.stories.duplicates import NEAR_DUPLICATE, band_keys, estimated_jaccard, signature
from storyfuse.stories.features import ArticleFeatures, ClusterOptions, article_features
from storyfuse.stories.similarity import dot_product
from storyfuse.text.clean import repeated_outlet_lines

# A sentence printed by more articles than this is a stock line, not a wire link
# (the value storyfuse.stories.similarity uses within a batch).
MAX_WIRE_HOLDERS = 50

Order = tuple[int, int]  # (rank of the input file, position in the file)
Vector = dict[str, float]
Age = tuple[dt.date, str]  # (publication date or the earliest date, id): oldest first
BlockKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """The pipeline's options and how candidate pairs are blocked."""

    pipeline: PipelineOptions = field(default_factory=PipelineOptions)
    # An article is blocked by this many of its most distinctive terms (by tf-idf weight).
    block_terms: int = 20
    # A (term, period) key more articles share than this is too common to block by.
    max_block: int = 50
    # Articles in the same or adjacent periods of this many days meet on a shared term.
    block_days: int = 30

    @property
    def cluster(self) -> ClusterOptions:
        return self.pipeline.cluster


@dataclass(frozen=True, slots=True)
class Located:
    """A document with its place in the input order, its metadata and its outlet."""

    order: Order
    document: RawDocument
    metadata: DocumentMetadata
    outlet: str | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A cleaned article and its place in the input order."""

    order: Order
    article: Article


@dataclass(frozen=True, slots=True)
class Described:
    """An article's clustering features and MinHash signature (its values as bytes)."""

    features: ArticleFeatures
    minhash: bytes
    bands: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class Member:
    """An article as blocking sees it: its id, its period (None: undated), its vector."""

    id: str
    period: int | None
    vector: Vector


@dataclass(frozen=True, slots=True)
class Holder:
    """An article as a blocking key holds it: what scoring a pair needs of it."""

    id: str
    dated: bool
    vector: Vector
    minhash: bytes
    age: Age


@dataclass(frozen=True, slots=True)
class Partial:
    """What one shared key tells of a pair: its cosine, wire sentences, and whether a copy."""

    similarity: float
    wire_sentences: int = 0
    # (the younger article, the older's age) when the two are nearly the same text
    copy: tuple[str, Age] | None = None

    def __add__(self, other: Partial) -> Partial:
        return Partial(
            self.similarity, self.wire_sentences + other.wire_sentences, self.copy or other.copy
        )


@dataclass(frozen=True, slots=True)
class Link:
    """A scored candidate pair (``first`` < ``second``)."""

    first: str
    second: str
    similarity: float
    wire: bool
    # (the younger article, the older's age) when the two are nearly the same text
    copy: tuple[str, Age] | None


# -- 1. read ------------------------------------------------------------------
def is_uri(path: str) -> bool:
    """Whether an input names a Hadoop filesystem URI (``hdfs://``, ``s3a://``, ``file://``)."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isalnum()


def list_inputs(paths: Sequence[str]) -> tuple[list[tuple[str, bool]], list[InputError]]:
    """The article files local ``paths`` name, as ``storyfuse summarize`` reads them.

    Returns (file, named on the command line) in reading order (sorted by path,
    each file once) and the inputs that do not exist.
    """
    errors: list[InputError] = []
    files: dict[str, tuple[str, bool]] = {}
    for given in paths:
        path = Path(given)
        if not given or not path.exists():
            errors.append(InputError(given, "does not exist"))
        elif path.is_dir():
            for found in walk_folder(path, errors):
                files.setdefault(os.path.realpath(found), (str(found), False))
        else:
            key = os.path.realpath(path)
            files[key] = (files.get(key, (given, True))[0], True)
    return sorted(files.values()), errors


def read_file(rank: int, path: str, named: bool = True) -> list[Located | InputError]:
    """Every document of one input file (at ``rank`` in reading order), located.

    The file is read, guarded and scrubbed as ``storyfuse ingest`` reads it
    (:func:`storyfuse.sources.inputs.read_file`), so a bad input is refused
    for the same reason by both.
    """
    results: list[Located | InputError] = []
    position = 0
    for item in read_documents(Path(path), named=named):
        if isinstance(item, InputError):
            results.append(item)
        else:
            results.append(locate((rank, position), item))
            position += 1
    return results


def read_file_bytes(rank: int, uri: str, data: bytes, scratch: str) -> list[Located | InputError]:
    """Like :func:`read_file` for a file read from a URI: parsed from a scratch copy."""
    import tempfile

    name = uri.rstrip("/").rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        copy = Path(folder, name)
        copy.write_bytes(data)
        results = read_file(rank, str(copy))
    prefix = str(copy)

    def renamed(source: str) -> str:
        return uri + source[len(prefix) :] if source.startswith(prefix) else source

    from dataclasses import replace

    return [
        InputError(renamed(r.source), r.reason)
        if isinstance(r, InputError)
        else replace(r, document=replace(r.document, source=renamed(r.document.source)))
        for r in results
    ]


# -- 2. locate --------------------------------------------------------------------
def locate(order: Order, document: RawDocument) -> Located | InputError:
    """A document's metadata, found in its text, and its outlet; or why it is refused.

    The ingest's own check (:func:`storyfuse.pipeline.checked_metadata`):
    dates out of range, or a failure on this one document.
    """
    metadata = checked_metadata(document)
    if isinstance(metadata, InputError):
        return metadata
    return Located(order, document, metadata, document.outlet or metadata.outlet)


def outlet_repeated_lines(outlet: str, texts: Iterable[str]) -> frozenset[str]:
    """The lines ``outlet`` repeats across its articles (whatever their order)."""
    found = repeated_outlet_lines((outlet, text) for text in texts)
    return found.get(outlet, frozenset())


# -- 3. clean -----------------------------------------------------------------------
def prepare(located: Located, repeated_lines: frozenset[str]) -> Prepared | InputError:
    """Clean and segment one located document."""
    result = clean_document(located.document, located.metadata, located.outlet, repeated_lines)
    return result if isinstance(result, InputError) else Prepared(located.order, result)


def keep_first(copies: Iterable[Prepared]) -> tuple[Prepared, list[InputError]]:
    """Of articles with the same text, the first in input order; the rest are rejected."""
    ordered = sorted(copies, key=lambda p: p.order)
    first = ordered[0]
    reason = f"exact duplicate of {first.article.source}"
    return first, [InputError(p.article.source, reason) for p in ordered[1:]]


# -- 4. describe ------------------------------------------------------------------------
def describe(article: Article, options: BatchOptions) -> Described:
    """An article's clustering features, MinHash signature and LSH bands."""
    minhash = signature(article.text)
    return Described(
        article_features(article, options.cluster),
        minhash,
        tuple((band, str(key)) for band, key in enumerate(band_keys(minhash))),
    )


# -- 5. weigh ---------------------------------------------------------------------------
class _CorpusClusterer(StoryClusterer):
    """The local clusterer with corpus-wide term weights and bar, given, not counted."""

    def __init__(
        self,
        options: ClusterOptions,
        bar: float,
        frequencies: Mapping[str, int] | None = None,
        documents: int = 0,
        vectors: Mapping[str, Vector] | None = None,
    ) -> None:
        super().__init__(options)
        self._fixed_bar = bar
        self._documents = documents
        self._document_frequency = Counter(frequencies or {})
        self._vectors = vectors or {}

    def threshold_for(self, articles: int) -> float:
        return self._fixed_bar

    def _vector(self, features: ArticleFeatures) -> dict[str, float]:
        vector = self._vectors.get(features.id)
        return dict(vector) if vector is not None else super()._vector(features)


def corpus_bar(articles: int, options: BatchOptions) -> float:
    """The average link two groups need, for a corpus of ``articles`` articles."""
    return StoryClusterer(options.cluster).threshold_for(articles)


def unit_vector(
    features: ArticleFeatures, frequencies: Mapping[str, int], documents: int
) -> Vector:
    """The article's unit tf-idf vector, exactly as the local clusterer weighs it."""
    weigher = _CorpusClusterer(ClusterOptions(), 0.0, frequencies, documents)
    return weigher._vector(features)


def period_of(published: dt.date | None, options: BatchOptions) -> int | None:
    return None if published is None else published.toordinal() // options.block_days


# -- 6. block ------------------------------------------------------------------------------
def blocking_keys(
    described: Described, vector: Vector, options: BatchOptions
) -> list[tuple[BlockKey, bool]]:
    """The keys an article meets its candidates on, each with whether the article is dated.

    A term key is (term, period): a dated article emits its period and the next
    one (so articles of adjacent periods meet), and every article emits the
    undated key, where only pairs with an undated article count.
    """
    period = period_of(described.features.published, options)
    dated = period is not None
    keys: list[tuple[BlockKey, bool]] = []
    distinctive = sorted(vector, key=lambda term: (-vector[term], term))[: options.block_terms]
    for term in distinctive:
        keys.append((("t", term, "undated"), dated))
        if period is not None:
            keys.append((("t", term, str(period)), dated))
            keys.append((("t", term, str(period + 1)), dated))
    keys.extend((("h", h), dated) for h in sorted(described.features.sentence_hashes))
    keys.extend((("b", str(band), bucket), dated) for band, bucket in described.bands)
    return keys


def key_capacity(key: BlockKey, options: BatchOptions) -> int | None:
    """The most articles a key may hold and still make pairs (None: any number)."""
    if key[0] == "t":
        return options.max_block
    return MAX_WIRE_HOLDERS if key[0] == "h" else None


def key_can_pair(key: BlockKey, dated: Sequence[bool], options: BatchOptions) -> bool:
    """Whether the articles holding ``key`` (whether each is dated) can make a pair there.

    More than one, no more than the key's capacity, and for an undated term key
    at least one undated article: only pairs with one count there, so on a dated
    corpus those keys are dropped before any article travels to them.
    """
    capacity = key_capacity(key, options)
    if len(dated) < 2 or (capacity is not None and len(dated) > capacity):
        return False
    return not (key[0] == "t" and key[2] == "undated" and all(dated))


def key_links(
    key: BlockKey, members: Iterable[Holder], bar: float, options: BatchOptions
) -> list[tuple[tuple[str, str], Partial]]:
    """What the articles sharing ``key`` tell of their pairs (first id < second), scored here.

    Only what can change a pair's :class:`Link` is emitted: a term key adds
    nothing but the cosine, so its pairs below ``bar`` are left out; a wire
    sentence counts toward wire copy whatever the cosine; an LSH band tells
    whether the two are near duplicates. A key held by more articles than its
    capacity makes no pairs. Scoring where the articles meet, each article
    travels once per key it shares, not once per candidate pair.
    """
    held = sorted({member.id: member for member in members}.values(), key=lambda m: m.id)
    capacity = key_capacity(key, options)
    if len(held) < 2 or (capacity is not None and len(held) > capacity):
        return []
    kind = key[0]
    undated_key = kind == "t" and key[2] == "undated"  # only pairs with an undated article
    found: list[tuple[tuple[str, str], Partial]] = []
    for a, b in itertools.combinations(held, 2):
        if undated_key and a.dated and b.dated:
            continue
        similarity = dot_product(a.vector, b.vector)
        if kind == "h":
            found.append(((a.id, b.id), Partial(similarity, wire_sentences=1)))
        elif kind == "b":
            copy = None
            if estimated_jaccard(a.minhash, b.minhash) >= NEAR_DUPLICATE:
                older, younger = sorted((a.age, b.age))
                copy = (younger[1], older)
            if copy is not None or similarity >= bar:
                found.append(((a.id, b.id), Partial(similarity, copy=copy)))
        elif similarity >= bar:
            found.append(((a.id, b.id), Partial(similarity)))
    return found


def pair_link(pair: tuple[str, str], partial: Partial, options: BatchOptions) -> Link:
    """A candidate pair's link, from what all the keys it shares told of it."""
    wire = partial.wire_sentences >= options.cluster.wire_sentences
    return Link(pair[0], pair[1], partial.similarity, wire, partial.copy)


def age_of(features: ArticleFeatures) -> Age:
    return (features.published or dt.date.min, features.id)


# -- 7. link ----------------------------------------------------------------------------------
def joins_blocks(link: Link, bar: float) -> bool:
    """Whether a pair can put its articles into one story: alike enough, or wire copy."""
    return link.wire or link.similarity >= bar


def matters(link: Link, bar: float) -> bool:
    """Whether a scored pair is kept: it can join blocks, or it is a near duplicate."""
    return joins_blocks(link, bar) or link.copy is not None


def components(ids: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each id's block: the smallest id of its connected component."""
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: root(i) for i in parent}


# -- 8. cluster ------------------------------------------------------------------------------------
def cluster_block(
    members: Sequence[tuple[ArticleFeatures, Vector]], bar: float, options: BatchOptions
) -> list[tuple[str, str]]:
    """(article id, story id) for the articles of one block, by the local clusterer."""
    if len(members) == 1:
        only = members[0][0].id
        return [(only, story_id_for(only))]
    vectors = {features.id: vector for features, vector in members}
    clusterer = _CorpusClusterer(options.cluster, bar, vectors=vectors)
    clusterer.add_batch([features for features, _ in members], count_terms=False)
    return [(article, story) for story, ids in clusterer.stories().items() for article in ids]


# -- 9. tell ---------------------------------------------------------------------------------------
def tell_story(story_id: str, articles: Iterable[Article], options: BatchOptions) -> str:
    """One story, summarized and compared, as a line of ``stories.jsonl``."""
    ordered = sorted(articles, key=lambda a: (a.published or dt.date.max, a.id))
    story = _story_from_articles(story_id, ordered, options.pipeline)
    return json.dumps(story_json(story), ensure_ascii=False)


def story_order(line: str) -> tuple[int, str]:
    """Stories as ``storyfuse summarize`` lists them: the largest first, then by id."""
    story = json.loads(line)
    return (-len(story["articles"]), story["id"])


def error_order(error: InputError) -> tuple[str, int, str]:
    path, line = source_order(error.source)
    return (path, line, error.reason)


def error_line(error: InputError) -> str:
    return json.dumps({"source": error.source, "reason": error.reason}, ensure_ascii=False)
