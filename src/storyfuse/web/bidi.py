"""Right-to-left text from untrusted sources, shown without spilling its direction.

An outlet name, a headline or an article line may carry Unicode bidi controls: an
override (U+202E) that is never closed turns the rest of the line around it backwards,
so that the words after a name read reversed, or seem to belong to it. Everything a
page or feed shows passes through :func:`balanced_bidi`, which keeps the controls that
are closed within the same text and drops the others; outlet names are also put in
``<bdi>`` (:func:`isolated`), so that a name written right to left keeps its own
direction without turning the text around it.
"""

from __future__ import annotations

from markupsafe import Markup

_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO: closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI: closed by PDI
_PDF, _PDI = "\u202c", "\u2069"
_CONTROLS = _EMBEDDINGS | _ISOLATES | {_PDF, _PDI}


def balanced_bidi(text: str) -> str:
    """``text`` without the bidi controls it does not close itself (or that close nothing)."""
    if not any(char in _CONTROLS for char in text):
        return text
    keep = [True] * len(text)
    open_at: list[int] = []  # positions of the openers not closed yet, innermost last
    for position, char in enumerate(text):
        if char in _EMBEDDINGS or char in _ISOLATES:
            open_at.append(position)
        elif char == _PDF:
            if open_at and text[open_at[-1]] in _EMBEDDINGS:
                open_at.pop()
            else:
                keep[position] = False
        elif char == _PDI:
            isolate = next((i for i in reversed(open_at) if text[i] in _ISOLATES), None)
            if isolate is None:
                keep[position] = False
            else:  # a PDI also ends the embeddings opened inside its isolate
                del open_at[open_at.index(isolate) :]
    for position in open_at:
        keep[position] = False
    return "".join(char for char, kept in zip(text, keep, strict=True) if kept)


def finalize(value: object) -> object:
    """Jinja's ``finalize`` hook: every string a template prints is bidi-balanced."""
    if isinstance(value, Markup):
        return Markup(balanced_bidi(str(value)))
    if isinstance(value, str):
        return balanced_bidi(value)
    return value


def isolated(name: object) -> Markup:
    """A name (an outlet's) in ``<bdi>``: its direction stays its own (escaped, balanced)."""
    return Markup("<bdi>{}</bdi>").format(balanced_bidi(str(name)))
