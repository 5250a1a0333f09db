"""Test helpers: paths to fixtures and to ../shared, and article builders."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from storyfuse.models import Article, RawDocument
from storyfuse.text.segment import join_paragraphs, segment

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"
PG_URL = os.environ.get("STORYFUSE_TEST_PG")


def multinews_sources() -> Iterator[tuple[str, str]]:
    """("IDX-K", text) of each non-empty Multi-News val source; skips the test when absent."""
    path = DATA / "multinews-val.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cluster = json.loads(line)
            for k, text in enumerate(cluster["raw_document"]):
                if text.strip():
                    yield f"{cluster['idx']}-{k}", text


def wiped_postgres() -> str:
    """The PostgreSQL test database, emptied; the test is skipped when none is configured."""
    if not PG_URL:
        pytest.skip("STORYFUSE_TEST_PG is not set (no PostgreSQL server to test against)")
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return PG_URL


def store_target(engine: str, folder: Path, name: str = "stories.db") -> str:
    """A fresh store's place on ``engine``: a SQLite file in ``folder``, or the wiped
    PostgreSQL test database."""
    return str(folder / name) if engine == "sqlite" else wiped_postgres()


def make_article(article_id: str, paragraphs: Sequence[str], outlet: str | None = None) -> Article:
    """An article made straight from clean paragraphs (no metadata, nothing removed)."""
    return Article(
        id=article_id,
        source=f"{article_id}.txt",
        outlet=outlet,
        title=None,
        published=None,
        url=None,
        text=join_paragraphs(paragraphs),
        sentences=segment(paragraphs),
        removed=(),
    )


def seed_articles() -> list[Article]:
    """The seed reports as naive articles (every line a paragraph, nothing cleaned).

    Skips the calling test when ../shared/seeds is absent.
    """
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs = [line.strip() for line in re.split(r"\n+", text) if line.strip()]
        articles.append(make_article(path.name[:3], paragraphs))
    return articles


def fire_report(town: str, place: str, k: int, update: str = "") -> RawDocument:
    """One of five outlets' reports of a warehouse fire: alike within a town, and across."""
    witness = ("dockers", "insurers", "harbour master", "ferry crews", "mayor")[k]
    text = (
        f"Warehouse fire on the {town} {place}\n\n"
        f"A fire destroyed a warehouse on the {town} {place} early on Monday, and crews"
        " fought the blaze for six hours.\n"
        f"Firefighters in {town} said the blaze began in a storage hall beside the {place}"
        " and spread to the roof.\n"
        f"Nobody was hurt, the {town} fire service said, but the {place} stayed closed.\n"
        f"The {witness} told reporter number {k} that the {town} warehouse held timber.\n"
        f"{update}"
    )
    return RawDocument(
        source=f"{town}-{k}{'-updated' if update else ''}.txt",
        text=text,
        url=f"https://outlet{k}.example/{town.lower()}-fire",
        outlet=f"Outlet {k}",
    )


def crash_log_text(stderr: str, state: Path, detail: str) -> str:
    """The crash log a command's one line on ``stderr`` names, checked; its text.

    The line must report ``detail`` (``Type: message``) and name a log in
    ``state``'s storyfuse folder that holds the message.
    """
    [line] = stderr.splitlines()
    assert line.startswith(f"storyfuse: internal error ({detail}); the traceback")
    log = Path(line.rsplit(" ", 1)[-1])
    assert log.parent == state / "storyfuse"
    text = log.read_text(encoding="utf-8")
    assert detail.split(": ", 1)[-1] in text
    return text
