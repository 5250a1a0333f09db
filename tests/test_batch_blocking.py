"""Blocking: scoring pairs where a key's articles meet finds every pair that matters.

The oracle scores every pair of articles of a corpus that shares a usable key
(one within its capacity, by the undated rule) from the pair's shared keys
alone, and keeps the pairs that matter; :func:`stages.key_links`, which drops a
term key's pairs below the bar inside the key, must give exactly those links.
The corpus is 400 Multi-News sources (read from ../shared/data, skipped when
absent), half of them dated, and near copies of 30 of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from storyfuse.batch import stages
from storyfuse.batch.stages import BatchOptions, Holder, Link, Partial
from storyfuse.stories.duplicates import NEAR_DUPLICATE, estimated_jaccard
from storyfuse.stories.similarity import dot_product

MULTINEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "multinews-val.jsonl"


def _corpus(target: Path, sources: int, copies: int) -> Path:
    texts: list[str] = []
    with MULTINEWS.open(encoding="utf-8") as lines:
        for line in lines:
            texts.extend(t for t in json.loads(line)["raw_document"] if t.strip())
            if len(texts) >= sources:
                break
    texts = texts[:sources]
    texts += [text.rsplit(".", 2)[0] + "." for text in texts[:copies]]  # the last sentence cut
    with target.open("w", encoding="utf-8") as out:
        for i, text in enumerate(texts):
            record: dict[str, str] = {"text": text}
            if i % 2:
                record["published"] = (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat()
            out.write(json.dumps(record) + "\n")
    return target


def test_key_links_give_every_pair_that_matters(tmp_path: Path) -> None:
    if not MULTINEWS.exists():
        pytest.skip(f"{MULTINEWS} is absent")
    options = BatchOptions()
    path = _corpus(tmp_path / "corpus.jsonl", 400, 30)
    by_id: dict[str, stages.Described] = {}
    for located in stages.read_file(0, str(path)):
        assert isinstance(located, stages.Located)
        prepared = stages.prepare(located, frozenset())
        if isinstance(prepared, stages.Prepared):
            by_id.setdefault(prepared.article.id, stages.describe(prepared.article, options))
    frequencies = Counter(t for d in by_id.values() for t, _ in d.features.terms)
    vectors = {i: stages.unit_vector(d.features, frequencies, len(by_id)) for i, d in by_id.items()}
    bar = stages.corpus_bar(len(by_id), options)

    holders: defaultdict[stages.BlockKey, list[str]] = defaultdict(list)
    dated: dict[str, bool] = {}
    for i, d in by_id.items():
        for key, is_dated in stages.blocking_keys(d, vectors[i], options):
            holders[key].append(i)
            dated[i] = is_dated
    held = {
        i: Holder(i, dated[i], vectors[i], d.minhash, stages.age_of(d.features))
        for i, d in by_id.items()
    }

    partials: dict[tuple[str, str], Partial] = {}
    for key, members in holders.items():
        for pair, partial in stages.key_links(key, [held[i] for i in members], bar, options):
            partials[pair] = partials[pair] + partial if pair in partials else partial
    found = {stages.pair_link(pair, p, options) for pair, p in partials.items()}
    found = {link for link in found if stages.matters(link, bar)}

    usable: defaultdict[tuple[str, str], list[stages.BlockKey]] = defaultdict(list)
    for key, members in holders.items():
        capacity = stages.key_capacity(key, options)
        if capacity is not None and len(members) > capacity:
            continue
        for a, b in itertools.combinations(sorted(members), 2):
            if not (key[0] == "t" and key[2] == "undated" and dated[a] and dated[b]):
                usable[(a, b)].append(key)
    expected: set[Link] = set()
    for (a, b), keys in usable.items():
        wire = sum(key[0] == "h" for key in keys) >= options.cluster.wire_sentences
        copy = None
        if any(key[0] == "b" for key in keys) and (
            estimated_jaccard(by_id[a].minhash, by_id[b].minhash) >= NEAR_DUPLICATE
        ):
            older, younger = sorted((held[a].age, held[b].age))
            copy = (younger[1], older)
        link = Link(a, b, dot_product(vectors[a], vectors[b]), wire, copy)
        if stages.matters(link, bar):
            expected.add(link)

    assert found == expected
    # the corpus exercises each way a pair matters, and most candidate pairs do not
    assert any(link.copy for link in expected) and any(link.wire for link in expected)
    assert sum(link.similarity >= bar for link in expected) > 100
    assert len(expected) < len(usable) / 2


def test_a_key_that_cannot_pair_is_dropped_before_its_articles_travel() -> None:
    options = BatchOptions(max_block=3)
    undated_term, dated_term = ("t", "flood", "undated"), ("t", "flood", "24")
    assert not stages.key_can_pair(undated_term, [True, True, True], options)
    assert stages.key_can_pair(undated_term, [True, False], options)
    assert stages.key_can_pair(dated_term, [True, True, True], options)
    assert not stages.key_can_pair(dated_term, [True] * 4, options)
    assert not stages.key_can_pair(dated_term, [True], options)
    assert stages.key_can_pair(("b", "3", "12345"), [True] * 500, options)
    assert not stages.key_can_pair(("h", "99"), [False] * (stages.MAX_WIRE_HOLDERS + 1), options)
