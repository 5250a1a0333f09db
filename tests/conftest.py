"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import SEEDS


@pytest.fixture
def seeds() -> Path:
    """The three real seed reports; tests using it skip when ../shared is absent."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    return SEEDS
