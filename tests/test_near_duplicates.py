"""The compact near-duplicate index decides as the band-by-band look-up did, in bulk."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import storyfuse.store.store as store_module
from storyfuse.models import Article
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.migrations import MIGRATIONS
from storyfuse.store.store import Store
from storyfuse.stories.duplicates import LSH_BANDS, NEAR_DUPLICATE, signature
from storyfuse.stories.features import article_features

from helpers import ROOT, make_article

AT = "2025-07-01T12:00:00+00:00"


def _texts() -> list[str]:
    """The demo articles and lightly edited copies of them: words changed, paragraphs cut."""
    documents, _ = read_inputs([ROOT / "demo" / "corpus"])
    rng = random.Random(5)
    texts = []
    for document in documents:
        paragraphs = [p for p in document.text.split("\n\n") if p.strip()]
        texts.append("\n\n".join(paragraphs))
        for _ in range(3):
            edited = list(paragraphs)
            if len(edited) > 3 and rng.random() < 0.5:
                edited.pop(rng.randrange(len(edited)))
            k = rng.randrange(len(edited))
            words = edited[k].split()
            words[rng.randrange(len(words))] = rng.choice(["quickly", "also", "Tuesday"])
            edited[k] = " ".join(words)
            texts.append("\n\n".join(edited))
    return texts


def _article(number: int, text: str) -> Article:
    return make_article(f"n{number:03d}", [p for p in text.split("\n\n") if p.strip()])


def _band(minhash: bytes, band: int) -> bytes:
    width = len(minhash) // LSH_BANDS
    return minhash[band * width : (band + 1) * width]


def _reference(minhash: bytes, indexed: dict[str, bytes]) -> str | None:
    """The former look-up: candidates share a whole band; the best score wins, ties by id."""
    best: tuple[float, str] | None = None
    for candidate in sorted(indexed):
        other = indexed[candidate]
        if not any(_band(minhash, b) == _band(other, b) for b in range(LSH_BANDS)):
            continue
        values = memoryview(minhash).cast("I"), memoryview(other).cast("I")
        score = sum(a == b for a, b in zip(*values, strict=True)) / len(values[0])
        if score >= NEAR_DUPLICATE and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None


def test_decisions_equal_the_band_by_band_look_up_within_a_batch_and_after(
    tmp_path: Path,
) -> None:
    texts = _texts()
    articles = [_article(i, text) for i, text in enumerate(texts)]
    signatures = {a.id: signature(a.text) for a in articles}
    indexed: dict[str, bytes] = {}
    decided = 0
    with Store(tmp_path / "nd.db") as store:
        half = len(articles) // 2
        for batch in (articles[:half], articles[half:]):
            with store.transaction():
                store.prefetch_near_duplicates([signatures[a.id] for a in batch])
                for article in batch:
                    found = store.near_duplicate(signatures[article.id])
                    assert found == _reference(signatures[article.id], indexed)
                    decided += found is not None
                    if found is None:  # as an ingest stores new texts
                        store.insert_article(
                            article, article_features(article), signatures[article.id], None, AT
                        )
                        indexed[article.id] = signatures[article.id]
        for article in articles:  # every look-up again, now all from the database
            minhash = signatures[article.id]
            assert store.near_duplicate(minhash) == _reference(minhash, indexed)
    assert decided >= 10, "the edited copies should be found as near-duplicates"
    assert len(indexed) >= 10


def test_a_batch_reads_the_index_in_a_few_queries_and_writes_it_in_one(tmp_path: Path) -> None:
    articles = [_article(i, text) for i, text in enumerate(_texts())]
    with Store(tmp_path / "count.db") as store:
        statements: list[str] = []
        connection: sqlite3.Connection = store.db._sqlite
        connection.set_trace_callback(statements.append)
        with store.transaction():
            store.prefetch_near_duplicates([signature(a.text) for a in articles])
            for article in articles:
                minhash = signature(article.text)
                if store.near_duplicate(minhash) is None:
                    store.insert_article(article, article_features(article), minhash, None, AT)
        connection.set_trace_callback(None)
    reads = [s for s in statements if "FROM near_duplicate_keys" in s]
    writes = [s for s in statements if "INSERT INTO near_duplicate_keys" in s]
    assert 1 <= len(reads) <= 2
    # executemany traces each row; what matters is that no look-up ran between the writes
    assert writes and statements.index(writes[0]) > max(statements.index(r) for r in reads)


def test_migration_rebuilds_the_index_from_the_former_lsh_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _texts()
    articles = [_article(i, text) for i, text in enumerate(texts[::4])]
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:4])
    with Store(path) as old:
        assert old.schema_version() == 4
        with old.db.transaction():
            for seq, article in enumerate(articles, start=1):
                minhash = signature(article.text)
                old.db.execute(
                    "INSERT INTO articles (id, seq, source, text, sentences, removed, features,"
                    " minhash, ingested_at) VALUES (?, ?, ?, ?, '[]', '[]', '{}', ?, ?)",
                    (article.id, seq, article.source, article.text, minhash, AT),
                )
                for band in range(LSH_BANDS):
                    old.db.execute(
                        "INSERT INTO lsh (band, bucket, article_id) VALUES (?, ?, ?)",
                        (band, _band(minhash, band).hex(), article.id),
                    )
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    indexed = {a.id: signature(a.text) for a in articles}
    with Store(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
        tables = {row[0] for row in new.db.execute("SELECT name FROM sqlite_master")}
        assert "lsh" not in tables
        count = new.db.execute("SELECT COUNT(*) FROM near_duplicate_keys").fetchone()[0]
        assert count == LSH_BANDS * len(articles)
        for text in texts:
            minhash = signature(_article(999, text).text)
            assert new.near_duplicate(minhash) == _reference(minhash, indexed)
