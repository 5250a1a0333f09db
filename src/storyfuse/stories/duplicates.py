"""Near-duplicate texts: MinHash signatures over word 5-grams, cut into LSH bands.

Two articles whose shingle sets have an estimated Jaccard similarity of at
least :data:`NEAR_DUPLICATE` are the same text, lightly edited. The bands let
a store find the candidates by equality look-ups: two signatures that agree on
all rows of one band share that band's bucket.
"""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from storyfuse.text.tokens import match_tokens

LSH_BANDS = 16
LSH_ROWS = 4
NEAR_DUPLICATE = 0.8
_SHINGLE = 5

# Drawn once: every signature uses the same hash family (seeded, so stable across runs).
_PERMUTATIONS = MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=1)


def signature(text: str) -> MinHash:
    """MinHash signature over the text's word 5-grams (spelling and quotes folded)."""
    tokens = match_tokens(text)
    count = max(1, len(tokens) - _SHINGLE + 1)
    shingles = sorted({" ".join(tokens[i : i + _SHINGLE]) for i in range(count)})
    minhash = MinHash(
        num_perm=_PERMUTATIONS.hashvalues.size,
        seed=1,
        permutations=_PERMUTATIONS.permutations,
        scheme=_PERMUTATIONS.scheme,
    )
    minhash.update_batch([shingle.encode() for shingle in shingles])
    return minhash


def bands(minhash: MinHash) -> list[tuple[int, str]]:
    """The signature's LSH buckets: (band number, the band's values as hex)."""
    values = minhash.hashvalues
    return [
        (band, values[band * LSH_ROWS : (band + 1) * LSH_ROWS].tobytes().hex())
        for band in range(LSH_BANDS)
    ]


def estimated_jaccard(minhash: MinHash, stored: bytes) -> float:
    """Share of equal MinHash values: an estimate of the shingle sets' Jaccard similarity."""
    values = minhash.hashvalues
    return float(np.mean(values == np.frombuffer(stored, dtype=values.dtype)))
