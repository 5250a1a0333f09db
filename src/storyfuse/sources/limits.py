"""Size limits on inputs, in a module of their own so that checking one imports no parser."""

from __future__ import annotations

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
