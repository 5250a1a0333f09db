"""Names the entity model found in paragraphs, kept so that a story view need not load it.

The trained entity model (:mod:`storyfuse.stories.entity_model`) reads a story's
paragraphs one at a time, and what it finds in a paragraph depends on that
paragraph's text and the model alone. Loading the model takes seconds, so the
names found are kept: a row per paragraph (the SHA-1 of its text) and model
(name and version), holding the names as JSON. Rows are a cache: losing one
costs the model reading that paragraph again, nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from storyfuse.models import EntityType
from storyfuse.store.database import Database, keep_cache_rows

_CHUNK = 500

Names = tuple[tuple[str, EntityType], ...]


def paragraph_digest(text: str) -> str:
    """The key of a paragraph: the SHA-1 of its text."""
    return hashlib.sha1(text.encode()).hexdigest()


class EntityNames:
    """The kept names of the paragraphs of a store's articles, per model."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, paragraphs: Sequence[str], model: str) -> dict[str, Names]:
        """The kept names of those of these paragraphs the model has read before."""
        by_digest = {paragraph_digest(text): text for text in paragraphs}
        digests = sorted(by_digest)
        found: dict[str, Names] = {}
        for start in range(0, len(digests), _CHUNK):
            chunk = digests[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT digest, names FROM entity_names WHERE model = ? AND digest IN ({marks})",
                [model, *chunk],
            )
            for digest, names in rows:
                found[by_digest[digest]] = tuple((n, k) for n, k in json.loads(names))
        return found

    def keep(self, found: Mapping[str, Names], model: str) -> bool:
        """Write these paragraphs' names in one short transaction; False if not kept.

        A reader must not fail for a cache: a busy or read-only store keeps nothing.
        """
        rows = [
            (paragraph_digest(text), model, json.dumps([list(pair) for pair in names]))
            for text, names in found.items()
        ]
        return keep_cache_rows(
            self.db,
            "INSERT INTO entity_names (digest, model, names) VALUES (?, ?, ?)"
            " ON CONFLICT (digest, model) DO NOTHING",
            rows,
            "entity names",
        )
