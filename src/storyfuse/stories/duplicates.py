"""Near-duplicate texts: MinHash signatures over word 5-grams, cut into LSH bands.

Two articles whose shingle sets have an estimated Jaccard similarity of at
least :data:`NEAR_DUPLICATE` are the same text, lightly edited. The bands let
a store find the candidates by equality look-ups: two signatures that agree on
all rows of one band share that band's key.

A signature is kept as bytes (the 64 unsigned 32-bit MinHash values), so that
reading and comparing stored signatures needs neither datasketch nor numpy;
only computing one imports datasketch.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from storyfuse.text.tokens import match_tokens

LSH_BANDS = 16
LSH_ROWS = 4
NEAR_DUPLICATE = 0.8
_SHINGLE = 5
_VALUE_BYTES = 4  # datasketch's default scheme keeps 32-bit values

Signature = bytes


@lru_cache(maxsize=1)
def _permutations() -> Any:
    """The hash family every signature uses: drawn once, seeded, so stable across runs."""
    from datasketch import MinHash  # here: datasketch imports scipy, slow to load

    return MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=1)


def signature(text: str) -> Signature:
    """MinHash signature over the text's word 5-grams (spelling and quotes folded)."""
    from datasketch import MinHash

    tokens = match_tokens(text)
    count = max(1, len(tokens) - _SHINGLE + 1)
    shingles = sorted({" ".join(tokens[i : i + _SHINGLE]) for i in range(count)})
    family = _permutations()
    minhash = MinHash(
        num_perm=family.hashvalues.size,
        seed=1,
        permutations=family.permutations,
        scheme=family.scheme,
    )
    minhash.update_batch([shingle.encode() for shingle in shingles])
    return bytes(minhash.hashvalues.tobytes())


def band_keys(minhash: Signature) -> list[int]:
    """The signature's LSH buckets as signed 64-bit keys, one per band.

    A key is a hash of the band's number and values: equal bands give equal
    keys; unequal bands collide with odds of about 2**-64, and a collision
    only adds a candidate that the Jaccard estimate then rejects.
    """
    width = LSH_ROWS * _VALUE_BYTES
    return [
        int.from_bytes(
            hashlib.blake2b(
                bytes((band,)) + minhash[band * width : (band + 1) * width], digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for band in range(LSH_BANDS)
    ]


def estimated_jaccard(minhash: Signature, stored: bytes) -> float:
    """Share of equal MinHash values: an estimate of the shingle sets' Jaccard similarity."""
    ours, theirs = memoryview(minhash).cast("I"), memoryview(stored).cast("I")
    return sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(ours)
