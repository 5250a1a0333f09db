"""Test helpers: paths to fixtures and to ../shared, and an article builder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from storyfuse.models import Article
from storyfuse.segment import join_paragraphs, segment

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"


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
