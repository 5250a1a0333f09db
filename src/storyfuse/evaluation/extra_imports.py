"""The optional packages of the ``eval`` extra, imported only when a run needs them."""

from __future__ import annotations

import importlib
from typing import Any

EVAL_EXTRA = "pip install 'storyfuse[eval]'"


class MissingDependency(RuntimeError):
    """An optional package of the ``eval`` extra is not installed."""


def import_extra(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        package = (error.name or module).split(".")[0]
        message = f"{package} is missing; it comes with the eval extra: {EVAL_EXTRA}"
        raise MissingDependency(message) from None
