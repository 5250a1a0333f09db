"""A story summary's cited lines as the store keeps them (JSON), and back.

Lists show each story's summary; :class:`~storyfuse.store.story_summaries.StorySummaries`
keeps the lines once a story view has computed them, so that a list page reads
them in one query instead of summarizing its stories again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from storyfuse.web.views import CitedText, Marker, Source


def encode_lines(lines: Sequence[CitedText]) -> str:
    """Cited lines as compact JSON: each line's text and its markers' sources."""
    return json.dumps(
        [[line.text, [_marker(m) for m in line.markers]] for line in lines],
        separators=(",", ":"),
    )


def _marker(marker: Marker) -> list[object]:
    s = marker.source
    return [s.number, s.id, s.outlet, s.title, s.published, marker.sentence]


def decode_lines(encoded: str) -> tuple[CitedText, ...]:
    """The lines :func:`encode_lines` wrote."""
    return tuple(
        CitedText(
            text,
            tuple(
                Marker(Source(number, article, outlet, title, published), sentence)
                for number, article, outlet, title, published, sentence in markers
            ),
        )
        for text, markers in json.loads(encoded)
    )
