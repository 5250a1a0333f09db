"""The result of a batch job: Parquet tables, ``stories.jsonl`` and ``rejected.jsonl``.

``DIR/articles/``, ``DIR/stories/`` and ``DIR/story_articles/`` are Parquet
datasets (folders of part files, as Spark writes them); one schema each, for
both engines. ``stories.jsonl`` holds one story per line in the JSON shape of
``storyfuse summarize --format json``; ``rejected.jsonl`` every input that gave
no article, with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from storyfuse.models import Article, Removal, Sentence

ARTICLES = "articles"
STORIES = "stories"
STORY_ARTICLES = "story_articles"
STORIES_JSONL = "stories.jsonl"
REJECTED_JSONL = "rejected.jsonl"

Row = dict[str, Any]


class MissingDependency(RuntimeError):
    """A part the batch job needs is not installed (an extra: pyarrow, pyspark; or Java)."""


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingDependency(
            "storyfuse batch writes Parquet with pyarrow: pip install 'storyfuse[batch]'"
        ) from None
    return pyarrow


def schemas() -> dict[str, Any]:
    """The pyarrow schema of each table."""
    pa = _pyarrow()
    text = pa.string()
    return {
        ARTICLES: pa.schema(
            [
                ("id", text),
                ("story_id", text),
                ("near_duplicate_of", text),
                ("source", text),
                ("outlet", text),
                ("title", text),
                ("published", pa.date32()),
                ("updated", pa.date32()),
                ("author", text),
                ("language", text),
                ("url", text),
                ("text", text),
                (
                    "sentences",
                    pa.list_(
                        pa.struct(
                            [
                                ("text", text),
                                ("paragraph", pa.int32()),
                                ("start", pa.int32()),
                                ("end", pa.int32()),
                            ]
                        )
                    ),
                ),
                ("removed", pa.list_(pa.struct([("text", text), ("reason", text)]))),
            ]
        ),
        STORIES: pa.schema(
            [
                ("id", text),
                ("headline", text),
                ("size", pa.int32()),
                ("independent_sources", pa.int32()),
                ("first_published", pa.date32()),
                ("last_published", pa.date32()),
                ("story", text),
            ]
        ),
        STORY_ARTICLES: pa.schema(
            [("story_id", text), ("article_id", text), ("position", pa.int32())]
        ),
    }


def article_row(article: Article, story_id: str, near_duplicate_of: str | None) -> Row:
    """An article as a row of the ``articles`` table."""
    return {
        "id": article.id,
        "story_id": story_id,
        "near_duplicate_of": near_duplicate_of,
        "source": article.source,
        "outlet": article.outlet,
        "title": article.title,
        "published": article.published,
        "updated": article.updated,
        "author": article.author,
        "language": article.language,
        "url": article.url,
        "text": article.text,
        "sentences": [
            {"text": s.text, "paragraph": s.paragraph, "start": s.start, "end": s.end}
            for s in article.sentences
        ],
        "removed": [{"text": r.text, "reason": r.reason} for r in article.removed],
    }


def article_of(row: Mapping[str, Any]) -> Article:
    """The article a row of the ``articles`` table holds."""
    return Article(
        id=row["id"],
        source=row["source"],
        outlet=row["outlet"],
        title=row["title"],
        published=row["published"],
        url=row["url"],
        text=row["text"],
        sentences=tuple(
            Sentence(index, s["text"], s["paragraph"], s["start"], s["end"])
            for index, s in enumerate(row["sentences"])
        ),
        removed=tuple(Removal(r["text"], r["reason"]) for r in row["removed"]),
        updated=row["updated"],
        author=row["author"],
        language=row["language"],
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def story_rows(line: str) -> tuple[Row, list[Row]]:
    """A line of ``stories.jsonl`` as a row of ``stories`` and its rows of ``story_articles``."""
    story = json.loads(line)
    row = {
        "id": story["id"],
        "headline": story["headline"],
        "size": len(story["articles"]),
        "independent_sources": story["independent_sources"],
        "first_published": _date(story["first_published"]),
        "last_published": _date(story["last_published"]),
        "story": line,
    }
    members = [
        {"story_id": story["id"], "article_id": article, "position": position}
        for position, article in enumerate(story["articles"])
    ]
    return row, members


def write_table(out: Path, name: str, rows: Iterable[Row]) -> None:
    """Write one table as a Parquet dataset of one part file (the local engine's)."""
    pa = _pyarrow()
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.parquet"):  # an earlier job's parts, of either engine
        stale.unlink()
    table = pa.Table.from_pylist(list(rows), schema=schemas()[name])
    pa.parquet.write_table(table, folder / "part-00000.parquet")


def read_table(out: Path, name: str) -> list[Row]:
    """Every row of one table of a batch result, whichever engine wrote it."""
    pa = _pyarrow()
    folder = out / name
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such table (is {out} a storyfuse batch result?)")
    parts = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))
    rows: list[Row] = []
    for part in parts:
        rows.extend(pa.parquet.read_table(part, schema=schemas()[name]).to_pylist())
    return rows


def write_lines(path: Path, lines: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as stream:
        for line in lines:
            stream.write(line + "\n")
