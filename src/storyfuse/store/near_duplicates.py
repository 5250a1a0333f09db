"""The near-duplicate index: a 64-bit key per LSH band of each signature, in bulk.

Each indexed article has :data:`~storyfuse.stories.duplicates.LSH_BANDS` rows
``(key, seq)`` in ``near_duplicate_keys`` (integers only, no text, a table
that is its own index on SQLite). An ingest asks for the candidates of the
whole batch at once (:meth:`NearDuplicateIndex.prefetch`: one query per few
hundred keys, one per few hundred candidates), keeps the batch's own new
signatures in memory so that later articles of the batch find them, and writes
their rows in one ``executemany`` when the transaction ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from storyfuse.store.database import Database
from storyfuse.stories.duplicates import NEAR_DUPLICATE, Signature, band_keys, estimated_jaccard

_CHUNK = 500  # values per IN (...) list


class NearDuplicateIndex:
    """Finds the stored article most like a signature; indexes new ones."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # key -> stored seqs, for the keys prefetched in this transaction
        self._keys: dict[int, list[int]] = {}
        # seq -> (article id, signature) of the candidates read so far
        self._signatures: dict[int, tuple[str, bytes]] = {}
        # this transaction's new entries, not yet written
        self._pending: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
        self._rows: list[tuple[int, int]] = []

    def prefetch(self, signatures: Iterable[Signature]) -> None:
        """Read the stored candidates of all these signatures at once."""
        self._prefetch_keys({key for s in signatures for key in band_keys(s)})

    def _prefetch_keys(self, keys: set[int]) -> None:
        wanted = sorted(keys - self._keys.keys())
        if not wanted:
            return
        for key in wanted:
            self._keys[key] = []
        for chunk in _chunks(wanted):
            marks = ", ".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT band_key, seq FROM near_duplicate_keys WHERE band_key IN ({marks})", chunk
            ):
                self._keys[int(row[0])].append(int(row[1]))
        self._read_signatures({seq for key in wanted for seq in self._keys[key]})

    def _read_signatures(self, seqs: set[int]) -> None:
        missing = sorted(seqs - self._signatures.keys())
        for chunk in _chunks(missing):
            marks = ", ".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT seq, id, minhash FROM articles WHERE seq IN ({marks})", chunk
            ):
                self._signatures[int(row[0])] = (row[1], bytes(row[2]))

    def best_match(self, minhash: Signature) -> str | None:
        """The indexed article most like this signature, if estimated Jaccard >= 0.8.

        Candidates are those sharing a band; ties go to the smallest article id.
        """
        keys = band_keys(minhash)
        self._prefetch_keys(set(keys))
        candidates: dict[str, bytes] = {}
        for key in keys:
            for seq in self._keys[key]:
                article_id, stored = self._signatures[seq]
                candidates[article_id] = stored
            for article_id, stored in self._pending.get(key, ()):
                candidates[article_id] = stored
        best: tuple[float, str] | None = None
        for candidate in sorted(candidates):
            score = estimated_jaccard(minhash, candidates[candidate])
            if score >= NEAR_DUPLICATE and (best is None or score > best[0]):
                best = (score, candidate)
        return best[1] if best else None

    def add(self, seq: int, article_id: str, minhash: Signature) -> None:
        """Index a new article (written by :meth:`flush`, found by look-ups at once)."""
        for key in band_keys(minhash):
            self._pending[key].append((article_id, minhash))
            self._rows.append((key, seq))

    def flush(self) -> None:
        """Write the new entries (inside the transaction that stored their articles)."""
        if self._rows:
            self.db.executemany(
                "INSERT INTO near_duplicate_keys (band_key, seq) VALUES (?, ?)", self._rows
            )
        self.forget()

    def forget(self) -> None:
        """Drop what this transaction read and queued (after a commit or a rollback)."""
        self._keys.clear()
        self._signatures.clear()
        self._pending.clear()
        self._rows.clear()


def rebuild(db: Database, indexed: Sequence[tuple[int, bytes]]) -> None:
    """Index these (seq, signature) pairs from scratch (a migration's backfill)."""
    db.executemany(
        "INSERT INTO near_duplicate_keys (band_key, seq) VALUES (?, ?)",
        [(key, seq) for seq, minhash in indexed for key in band_keys(bytes(minhash))],
    )


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
