"""``storyfuse ingest --from-batch DIR``: a batch job's result loaded into a store.

Every article of the ``articles`` table is stored with its story (as the batch
decided it), its clustering features and its MinHash, so later ingests and
``follow`` go on from there; every story of the ``stories`` table gets its
row, every line of ``rejected.jsonl`` is kept as a rejection. An article the
store already holds keeps its place. All of it is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyfuse.batch import tables
from storyfuse.models import InputError
from storyfuse.store.store import Store, StoryRecord
from storyfuse.stories.duplicates import signature
from storyfuse.stories.features import article_features


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading a batch result added."""

    added: int
    known: int
    stories: int
    rejected: tuple[InputError, ...]


def load_batch(store: Store, folder: Path) -> LoadResult:
    """Load the batch result in ``folder`` into ``store``, in one transaction."""
    article_rows = tables.read_table(folder, tables.ARTICLES)
    story_rows = tables.read_table(folder, tables.STORIES)
    rejected_path = folder / tables.REJECTED_JSONL
    rejected = (
        tuple(
            InputError(record["source"], record["reason"])
            for record in (
                json.loads(line)
                for line in rejected_path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            )
        )
        if rejected_path.exists()
        else ()
    )
    added = known = 0
    now = store.now()
    with store.transaction():
        for error in rejected:
            store.record_rejection(error, now)
        for row in sorted(article_rows, key=_age):
            article = tables.article_of(row)
            if store.has_article(article.id):
                store.link_source(article.source, article.id, "duplicate", now)
                known += 1
                continue
            store.insert_article(
                article,
                article_features(article),
                signature(article.text),
                row["story_id"],
                now,
                near_duplicate_of=row["near_duplicate_of"],
            )
            added += 1
        for row in story_rows:
            store.save_story(
                StoryRecord(
                    id=row["id"],
                    headline=row["headline"],
                    size=row["size"],
                    independent_sources=row["independent_sources"],
                    first_published=row["first_published"],
                    last_published=row["last_published"],
                ),
                now,
            )
    return LoadResult(added, known, len(story_rows), rejected)


def _age(row: dict[str, Any]) -> tuple[dt.date, str]:
    """Oldest first, as the batch orders near duplicates: an original precedes its copies."""
    return (row["published"] or dt.date.min, row["id"])
