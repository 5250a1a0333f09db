"""Gzip input with a cap on what it may expand to, so a gzip bomb is refused, not expanded."""

from __future__ import annotations

import zlib
from typing import BinaryIO

_CHUNK = 64 * 1024
_MB = 1024 * 1024
_GZIP_WINDOW = 16 + zlib.MAX_WBITS  # zlib reads the gzip header and trailer


class TooLargeError(ValueError):
    """Compressed input that expands past the cap."""


def gunzip_capped(stream: BinaryIO, limit: int) -> bytes:
    """Decompress a gzip stream (several members allowed) to at most ``limit`` bytes.

    Inflates chunk by chunk and stops as soon as the output passes ``limit``,
    raising :class:`TooLargeError`; a corrupt or truncated stream raises ``zlib.error``.
    """
    out = bytearray()
    inflater = zlib.decompressobj(_GZIP_WINDOW)
    pending = b""
    while True:
        if not pending:
            pending = stream.read(_CHUNK)
            if not pending:
                break
        if inflater.eof:  # the next gzip member
            inflater = zlib.decompressobj(_GZIP_WINDOW)
        out += inflater.decompress(pending, limit + 1 - len(out))
        if len(out) > limit:
            raise TooLargeError(f"expands past the {limit // _MB} MB limit")
        pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
    if not inflater.eof:
        raise zlib.error("truncated or empty gzip stream")
    return bytes(out)
