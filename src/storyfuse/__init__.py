"""storyfuse: turn news from many outlets into verified, cited stories.

>>> from storyfuse import summarize_paths
>>> report = summarize_paths(["demo/corpus"])  # doctest: +SKIP

The pipeline is imported on first use, so ``import storyfuse`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from storyfuse.models import Article, Report, Story, SummarySentence

if TYPE_CHECKING:
    from storyfuse.pipeline import PipelineOptions, build_report, summarize_paths

__version__ = "0.1.0"
__all__ = [
    "Article",
    "PipelineOptions",
    "Report",
    "Story",
    "SummarySentence",
    "__version__",
    "build_report",
    "summarize_paths",
]

_LAZY = {"PipelineOptions", "build_report", "summarize_paths"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("storyfuse.pipeline"), name)
    raise AttributeError(f"module 'storyfuse' has no attribute {name!r}")


logging.getLogger(__name__).addHandler(logging.NullHandler())
