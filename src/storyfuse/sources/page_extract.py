"""Article extraction from HTML pages: trafilatura, then a second pass over the page.

trafilatura finds the article body. This module maps every block it kept back
to the element of the page it came from, then:

1. finds the article's container (the deepest element that holds most of the
   kept text) and recovers the paragraphs trafilatura dropped inside it or in
   sibling sections of the same kind: a teaser or lead paragraph its filters
   took for a teaser of another article, the later sections of a body the
   page splits into chunks;
2. hands the blocks, each knowing whether it sits inside the article, to
   :func:`storyfuse.sources.page_blocks.judge_blocks`, which drops what leaked around the
   body (repeated headline, related links, newsletter boxes, ...) and keeps
   every dropped block as a :class:`Removal` with its reason.

Before extraction, pop-ups (a person's hover card, a tooltip) are cut from the
page; scripts, styles and templates never reach the text.

Metadata (title, outlet, author, canonical URL, language, dates) comes from
:mod:`storyfuse.sources.page_metadata`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import trafilatura
from charset_normalizer import from_bytes
from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement
from trafilatura.settings import Document

from storyfuse.models import RawDocument
from storyfuse.sources.page_blocks import Block, judge_blocks
from storyfuse.sources.page_metadata import page_metadata

# Bounds on what one page may cost: real article pages hold a few thousand elements.
MAX_PAGE_ELEMENTS = 10_000
MAX_TAG_ATTRIBUTES = 1_000
_TAG = re.compile(r"<[A-Za-z][^>]*+>?")
_LONG_TAG = 4096  # characters; shorter tags cannot hold enough attributes to matter
_ATTRIBUTE = re.compile(r"\s[^\s=>\"']++\s*+=")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET_SNIFF = 4096

# Elements whose text is never article text.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "button"})
_SKIPPED_XPATH = " | ".join(f"//{tag}" for tag in sorted(_SKIPPED))
# Pop-ups that appear on hover or click (a person's card, a tooltip): never article text.
# (The link that opens one stays: its text is the article's.)
_POPUP_XPATH = "|".join(
    f"//*[not(self::a)][contains(translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ_', "
    f"'abcdefghijklmnopqrstuvwxyz-'), '{word}')]"
    for word in ("tooltip", "popover", "rollover", "hovercard", "hover-card")
)
# trafilatura output elements that start a new line inside a block
_LINE_BREAKS = frozenset({"lb", "p", "item", "row", "head"})
# Elements a recovered paragraph can come from.
_RECOVERABLE = frozenset({"p", "blockquote"})
# Longest element text worth indexing: paragraphs and list items are far shorter.
_MAX_INDEXED = 20_000
_PREFIX = 40
# Share of the kept text the article container must hold.
_CONTAINER_SHARE = 0.6
# How many levels above the container sibling sections are looked for.
_SECTION_LEVELS = 3
_RECOVER_MIN_WORDS = 12
_RECOVER_MAX_LINK_DENSITY = 0.3


class NotHTMLError(ValueError):
    """The input is not an HTML page, or the page holds no article text."""


def _norm(text: str) -> str:
    return " ".join(text.split())


def _block_text(element: etree._Element) -> str:
    """Text of a trafilatura output element, ``<lb/>`` as a line break."""
    parts: list[str] = []
    for node in element.iter():
        if node is not element and node.tag in _LINE_BREAKS:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _output_blocks(body: etree._Element) -> list[tuple[str, str]]:
    """(kind, text) for each block of trafilatura's output body, lists item by item."""
    blocks: list[tuple[str, str]] = [("p", body.text or "")]
    for child in body:
        if child.tag == "list":
            for item in child.iter("item"):
                if item.find(".//item") is None:
                    blocks.append(("item", _block_text(item)))
        elif child.tag == "table":
            for row in child.iter("row"):
                blocks.append(("row", " ".join(_block_text(cell) for cell in row)))
        elif child.tag in {"head", "quote"}:
            blocks.append((child.tag, _block_text(child)))
        else:
            blocks.append(("p", _block_text(child)))
        blocks.append(("p", _norm(child.tail or "")))  # text loose in the body
    return [(kind, text) for kind, text in blocks if text.strip()]


class _PageIndex:
    """The page's elements by their (whitespace-normalised) text, in document order."""

    def __init__(self, tree: HtmlElement) -> None:
        self.position: dict[HtmlElement, int] = {}
        self.by_text: dict[str, list[HtmlElement]] = {}
        self.by_prefix: dict[str, list[HtmlElement]] = {}
        for number, element in enumerate(tree.iter()):
            if not isinstance(element.tag, str):
                continue
            self.position[element] = number
            text = _norm(element.text_content())
            if not text or len(text) > _MAX_INDEXED:
                continue
            self.by_text.setdefault(text, []).append(element)
            if len(text) >= _PREFIX:
                self.by_prefix.setdefault(text[:_PREFIX], []).append(element)

    def find(self, text: str, after: int) -> HtmlElement | None:
        """The outermost element with this text, preferring one after position ``after``."""
        flat = _norm(text)
        candidates = self.by_text.get(flat) or (
            self.by_prefix.get(flat[:_PREFIX], []) if len(flat) >= _PREFIX else []
        )
        later = (element for element in candidates if self.position[element] >= after)
        return next(later, candidates[0] if candidates else None)


def _link_density(element: HtmlElement) -> float:
    text = len(_norm(element.text_content()))
    if not text:
        return 0.0
    linked = sum(len(_norm(link.text_content())) for link in element.iter("a"))
    return min(1.0, linked / text)


def _container(sources: Iterable[tuple[HtmlElement | None, int]]) -> HtmlElement | None:
    """The deepest element holding at least 60% of the kept text (by length).

    Only ancestors count: a page whose text is one long paragraph has that
    paragraph's parent as its container, not the paragraph itself.
    """
    weights: dict[HtmlElement, int] = {}
    total = 0
    for element, weight in sources:
        total += weight
        if element is None:
            continue
        for ancestor in element.iterancestors():
            weights[ancestor] = weights.get(ancestor, 0) + weight
    if not total:
        return None
    best: HtmlElement | None = None
    best_depth = -1
    for element, weight in weights.items():
        if weight >= _CONTAINER_SHARE * total:
            depth = sum(1 for _ in element.iterancestors())
            if depth > best_depth:
                best, best_depth = element, depth
    return best


def _signature(element: HtmlElement) -> tuple[str, str]:
    return str(element.tag), " ".join(sorted((element.get("class") or "").split()))


def _sections(container: HtmlElement) -> list[HtmlElement]:
    """The container and its sibling sections: same tag and classes, a few levels up."""
    sections = [container]
    node: HtmlElement | None = container
    for _ in range(_SECTION_LEVELS):
        if node is None:
            break
        signature = _signature(node)
        parent = node.getparent()
        if signature[1] and parent is not None:
            siblings = [child for child in parent if child is not node]
            sections.extend(child for child in siblings if _signature(child) == signature)
        node = parent
    return sections


def _hidden(element: HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _recoverable(element: HtmlElement, used: set[HtmlElement]) -> bool:
    if element in used or any(ancestor in used for ancestor in element.iterancestors()):
        return False
    if any(child in used or child.tag in _RECOVERABLE for child in element.iterdescendants()):
        return False
    if _hidden(element) or any(_hidden(ancestor) for ancestor in element.iterancestors()):
        return False
    text = _norm(element.text_content())
    return (
        len(text.split()) >= _RECOVER_MIN_WORDS
        and _link_density(element) <= _RECOVER_MAX_LINK_DENSITY
    )


def _recover(sections: list[HtmlElement], used: set[HtmlElement], index: _PageIndex) -> list[Block]:
    """Paragraphs inside the article's sections that trafilatura did not keep."""
    found: list[Block] = []
    for section in sections:
        for element in section.iter(*_RECOVERABLE):
            if not _recoverable(element, used):
                continue
            found.append(
                Block(
                    kind="quote" if element.tag == "blockquote" else "p",
                    text=_norm(element.text_content()),
                    position=index.position.get(element, 0),
                    element=element,
                    recovered=True,
                    link_density=_link_density(element),
                )
            )
            used.add(element)
    return found


def decode_html(data: bytes) -> str:
    """Decode a page's bytes: BOM, then UTF-8, then its ``<meta charset>``, then a guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:_CHARSET_SNIFF])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("cp1252", errors="replace")


def markup_problem(text: str) -> str | None:
    """Why markup is too costly to parse (a tag with too many attributes), or ``None``.

    lxml's parse time grows with the square of one element's attributes (100,000
    of them take minutes), so they are counted first, in one pass over the tags.
    """
    for tag in _TAG.finditer(text):
        if tag.end() - tag.start() > _LONG_TAG:
            attributes = len(_ATTRIBUTE.findall(text, tag.start(), tag.end()))
            if attributes > MAX_TAG_ATTRIBUTES:
                return f"a tag with too many attributes ({attributes}, limit {MAX_TAG_ATTRIBUTES})"
    return None


def extract_html(html: str | bytes, source: str, url: str | None = None) -> RawDocument:
    """Extract the article of an HTML page: text, metadata and what was dropped around it.

    ``html`` is the page as text or bytes (decoded by :func:`decode_html`);
    ``url`` is where it came from, when known. Raises :class:`NotHTMLError`
    when the input is not an HTML page or holds no article text.
    """
    text = decode_html(html) if isinstance(html, bytes) else html
    problem = markup_problem(text)
    if problem:
        raise NotHTMLError(problem)
    page = trafilatura.load_html(text) if text.strip() else None
    if page is None:
        raise NotHTMLError("not an HTML page")
    elements = sum(1 for _ in page.iter())
    if elements > MAX_PAGE_ELEMENTS:
        raise NotHTMLError(
            f"too many elements for an article page ({elements}, limit {MAX_PAGE_ELEMENTS})"
        )
    if page.tag != "html":  # "<math id=content></html>": the parsers drop elements by parent
        root = lxml_html.Element("html")
        etree.SubElement(root, "body").append(page)
        page = root
    metadata = page_metadata(page, url)
    _drop(page.xpath(_POPUP_XPATH))
    # fast: no readability/jusText fallback, which measured worse after the second pass
    result = trafilatura.bare_extraction(page, url=url, include_comments=False, fast=True)
    _drop(page.xpath(_SKIPPED_XPATH))
    body = result.body if isinstance(result, Document) else None
    paragraphs, removed = judge_blocks(_page_blocks(body, page), metadata.titles)
    article = "\n\n".join(paragraphs)
    if not article.strip():
        raise NotHTMLError("no article text found in the page")
    return RawDocument(
        source=source,
        text=article,
        title=metadata.title,
        url=metadata.url,
        outlet=metadata.outlet,
        published=metadata.published,
        updated=metadata.updated,
        author=metadata.author,
        language=metadata.language,
        removed=tuple(removed),
    )


def _drop(elements: Any) -> None:
    """Remove elements with their content (a root element, which has no parent, stays)."""
    for element in elements:
        if element.getparent() is not None:
            element.drop_tree()


def _page_blocks(body: etree._Element | None, page: HtmlElement) -> list[Block]:
    """trafilatura's blocks mapped to the page, plus the paragraphs it dropped there.

    Each block knows the article section it sits in, or that it sits outside them.
    """
    index = _PageIndex(page)
    blocks: list[Block] = []
    position = 0
    for kind, text in _output_blocks(body) if body is not None else []:
        element = index.find(text, position)
        if element is not None:
            position = index.position[element]
        density = _link_density(element) if element is not None else 0.0
        blocks.append(Block(kind, text, position, element, link_density=density))
    container = _container(
        (block.element, len(block.text)) for block in blocks if block.kind == "p"
    )
    if container is None:
        return blocks
    sections = _sections(container)
    used = {block.element for block in blocks if block.element is not None}
    recovered = _recover(sections, used, index)
    placed = []
    for block in sorted([*blocks, *recovered], key=lambda block: block.position):
        if block.element is None:
            placed.append(block)
            continue
        section = _section_of(block.element, sections)
        placed.append(replace(block, section=section, outside=section is None))
    return placed


def _section_of(element: HtmlElement, sections: list[HtmlElement]) -> HtmlElement | None:
    chain = {element, *element.iterancestors()}
    return next((section for section in sections if section in chain), None)
