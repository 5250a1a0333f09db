"""Story summaries kept beside the stories, so that lists show them without summarizing.

A list (the home page, the feeds) shows the first lines of each story's
summary. Summarizing a story takes milliseconds to seconds, so the summary is
kept once computed: a row per story and summary length, holding the summary
lines as the caller encodes them and the key of the articles they were
computed from (:func:`article_key`). A row whose key is not the story's
current one is stale and is not returned; the caller computes it again and
replaces it. Rows are a cache: losing one costs a recomputation, nothing else.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from storyfuse.store.database import Database, keep_cache_rows

_CHUNK = 500

SummaryRow = tuple[str, int, str, str]  # story id, words, article key, encoded lines


def article_key(article_ids: Iterable[str]) -> str:
    """A short fixed-length key of a set of article ids (their sorted SHA-1)."""
    return hashlib.sha1("\n".join(sorted(article_ids)).encode()).hexdigest()


class StorySummaries:
    """The kept summaries of a store's stories."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def article_ids(self, story_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Each story's current article ids, sorted, in one query per few hundred stories."""
        found: dict[str, list[str]] = defaultdict(list)
        for start in range(0, len(story_ids), _CHUNK):
            chunk = story_ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT story_id, id FROM articles WHERE story_id IN ({marks})"
                " AND superseded_by IS NULL",
                chunk,
            )
            for row in rows:
                found[row[0]].append(row[1])
        return {story: tuple(sorted(ids)) for story, ids in found.items()}

    def current(self, keys: Mapping[str, str], words: int) -> dict[str, str]:
        """The kept lines of these stories whose article key is the one given."""
        found: dict[str, str] = {}
        story_ids = sorted(keys)
        for start in range(0, len(story_ids), _CHUNK):
            chunk = story_ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT story_id, article_key, lines FROM story_summaries"
                f" WHERE words = ? AND story_id IN ({marks})",
                [words, *chunk],
            )
            found.update((row[0], row[2]) for row in rows if keys[row[0]] == row[1])
        return found

    def keep(self, rows: Sequence[SummaryRow]) -> bool:
        """Write these summaries in one short transaction; False if they could not be kept.

        A reader must not fail for a cache: a busy or read-only store keeps nothing.
        """
        return keep_cache_rows(
            self.db,
            "INSERT INTO story_summaries (story_id, words, article_key, lines)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (story_id, words) DO UPDATE SET"
            " article_key = excluded.article_key, lines = excluded.lines",
            rows,
            "story summaries",
        )
