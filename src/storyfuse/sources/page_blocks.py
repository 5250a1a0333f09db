"""Judging the blocks of an extracted page: keep the article, drop what leaked in.

Every rule names its reason (the cleaner's reasons where they fit):

- the headline (or the page title) repeated in the body;
- headings outside the article before it (kicker, standfirst) and paragraphs or
  headings outside it after it started (the next story, a footer);
- blocks in a box of the article: related links, newsletter sign-up, share
  buttons, captions (by tag, or by class and id words);
- paragraphs that are mostly links (a list of related stories);
- short promotional and credit lines: "Read more: ...", "Sign up for our
  newsletter", "Follow him on Twitter", "Reporting by ...";
- a run of short list items or headings after the last paragraph (a "more
  stories" list or the title of a sign-up box);
- a recovered paragraph that repeats one already kept.

The storyfuse cleaner (:mod:`storyfuse.text.clean`) runs later in the pipeline on the
extracted text. It is not applied here: its label and prose rules read only
Latin script and empty non-English pages, and on the extraction benchmark its
line and sentence rules cost as much recall as they gain precision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml.html import HtmlElement

from storyfuse.models import Removal
from storyfuse.text.boilerplate_rules import (
    COPYRIGHT,
    CREDIT,
    RELATED,
    SHARE,
    SOURCE_URL,
    SUBSCRIBE,
)

TITLE = "headline repeated in the body"
DUPLICATE = "block printed twice"
HEADER = "headline, standfirst or kicker above the article"
OUTSIDE = "outside the article body"
PROMO = "promotion or call to action"
CONTACT = "reporter contact or credit line"

# Class or id words of page boxes that hold no article text, with the reason.
_BOX_WORDS: tuple[tuple[str, str], ...] = (
    (
        RELATED,
        r"related|recirc\w*|more-?(stories|articles|news|from)|read-?more|readmore"
        r"|trending|popular|most-?(read|viewed|popular)|outbrain|taboola|recommend\w*"
        r"|also-?(read|like)|you-?may-?like|next-?(story|article|up)|tags?|tag-?list|keywords",
    ),
    (SUBSCRIBE, r"newsletters?|subscri\w*|sign-?up|signup|promo\w*"),
    (SHARE, r"share|sharing|social-?(share|links|buttons|icons|bar|follow)|follow-?us"),
    (CREDIT, r"captions?|credits?|figcaption|wp-caption-text|photo-?credit"),
)
_BOX_PATTERNS = tuple(
    (reason, re.compile(rf"(?:^|[\s_-])(?:{words})(?:$|[\s_-])")) for reason, words in _BOX_WORDS
)
_BOX_TAGS = frozenset({"aside", "nav", "footer", "figcaption", "figure", "form"})
# Short blocks that are boilerplate by their text, whatever the page's markup.
_TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        RELATED,
        re.compile(
            r"^\W*(read more|see more|more|also read|read also|also on [\w.]+"
            r"|related( articles?| stories| coverage)?|watch|listen|recommended"
            r"|more on this( story)?|leggi anche|lesen sie auch|lire aussi|leia também"
            r"|leia mais|veja também)\b[^:>|»–-]{0,10}[:>|»–-]",
            re.IGNORECASE,
        ),
    ),
    (RELATED, re.compile(r"\[[A-Z][A-Z ]{2,}\]\W*$")),  # "... [VIDEO]", "... [INSIGHT]|"
    (
        PROMO,
        re.compile(
            r"^\W*(click|tap) (here|for)\b|\bby clicking here\b"
            r"|^\W*(sign up|subscribe|register)\b.*\b(newsletters?|inbox|free|today|now|here)\b"
            r"|\bdelivered (to|straight to|right to|through) your (inbox|letterbox|door)\b"
            r"|\bget the (latest|day.s|best)\b.*\b(inbox|newsletters?|app)\b"
            r"|\bsubscribe to\b.*\bnewsletters?\b",
            re.IGNORECASE,
        ),
    ),
    (
        SHARE,
        re.compile(
            r"^\W*follow (us|@\w+|\w+ on (twitter|facebook|instagram))\b"
            r"|^\W*(like|enjoy(ed)?) this (story|article)\?",
            re.IGNORECASE,
        ),
    ),
    (
        CONTACT,
        re.compile(
            r"\bfollow (him|her|them|me) (on|at) (twitter|facebook|instagram)\b"
            r"|\bemail \w+( \w+)? at \S+@|\b(may|can) be reached at\b"
            r"|\breach (the )?(reporters?|writers?|author) (at|on)\b"
            r"|\bcontributed (reporting )?to this (report|story|article)\b"
            r"|^\W*(additional )?reporting by\b|\bediting by\b",
            re.IGNORECASE,
        ),
    ),
    (
        COPYRIGHT,
        re.compile(r"\bfor (your )?personal,? non-commercial use\b|\ball rights reserved\b", re.I),
    ),
    (SOURCE_URL, re.compile(r"^\s*<?https?://\S+>?\s*$", re.IGNORECASE)),
)
_RULE_WORDS = 40  # text rules judge only blocks this short
_WORD = re.compile(r"\w+")
_SHORT = 12  # words: a label, a link or a heading rather than a paragraph
_TITLE_WORDS = 40
_TRAILING_LINK_DENSITY = 0.5
_LINK_LIST_DENSITY = 0.7  # a paragraph this much link text is a list of links
_BOX_SHARE = 0.3  # a box holds at most this share of its section's text


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, heading, list item, quote or table row of a page, in reading order.

    ``element`` is the page element it came from (``None`` when it could not be
    found), ``section`` the part of the article it sits in; ``outside`` is true
    when it is known to sit outside the article. ``recovered`` marks paragraphs
    trafilatura dropped that the second pass brought back.
    """

    kind: str
    text: str
    position: int
    element: HtmlElement | None = None
    recovered: bool = False
    link_density: float = 0.0
    section: HtmlElement | None = None
    outside: bool = False


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _is_title(text: str, titles: Sequence[str]) -> bool:
    """Whether a short block repeats the headline: equal, or the title tag's first part."""
    key = _key(text)
    if not key or len(key.split()) > _TITLE_WORDS:
        return False
    for title in titles:
        title_key = _key(title)
        if key == title_key or (len(key) >= 20 and title_key.startswith(key)):
            return True
    return False


def _box_reason(
    element: HtmlElement, container: HtmlElement, sizes: dict[HtmlElement, int]
) -> str | None:
    """Why ``element`` sits in a box of ``container`` that holds no article text.

    A box is an element between the two whose tag (``aside``, ``figure``...) or
    class and id words say so, and which holds under a third of the container's
    text. ``sizes`` caches text lengths across the blocks of a page.
    """
    limit = _BOX_SHARE * _text_size(container, sizes)
    node: HtmlElement | None = element
    while node is not None and node is not container:
        reason = _named_box(node)
        if reason is not None and _text_size(node, sizes) <= limit:
            return reason
        node = node.getparent()
    return None


def _text_size(node: HtmlElement, sizes: dict[HtmlElement, int]) -> int:
    if node not in sizes:
        sizes[node] = len(node.text_content())
    return sizes[node]


def _named_box(node: HtmlElement) -> str | None:
    if node.tag in _BOX_TAGS:
        return CREDIT if node.tag in {"figure", "figcaption"} else RELATED
    names = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
    for reason, pattern in _BOX_PATTERNS:
        if pattern.search(names):
            return reason
    return None


def _rule_reason(block: Block, titles: Sequence[str], sizes: dict[HtmlElement, int]) -> str | None:
    """The reason to drop a block by its own text, links or place in a box."""
    if block.kind != "quote" and _is_title(block.text, titles):
        return TITLE
    if len(_WORD.findall(block.text)) <= _RULE_WORDS:
        for reason, pattern in _TEXT_RULES:
            if pattern.search(block.text):
                return reason
    if block.kind == "p" and block.link_density >= _LINK_LIST_DENSITY:
        return RELATED
    if block.element is not None and block.section is not None:
        return _box_reason(block.element, block.section, sizes)
    return None


def _place_reason(block: Block, started: bool) -> str | None:
    """The reason to drop a block that sits outside the article."""
    if not block.outside:
        return None
    if block.kind == "head":
        return OUTSIDE if started else HEADER
    if block.kind == "p" and started:
        return OUTSIDE
    return None  # a lead paragraph or a list before the body may be the teaser


def _trailing(blocks: Sequence[Block]) -> int:
    """Where the run of headings and short or link items after the last paragraph starts.

    Nothing is cut unless a real paragraph (more than a label) comes before the run.
    """
    end = len(blocks)
    while end > 0:
        block = blocks[end - 1]
        short = len(_WORD.findall(block.text)) <= _SHORT
        linky = block.link_density >= _TRAILING_LINK_DENSITY
        if block.kind == "head" or (short and linky) or (block.kind == "item" and (short or linky)):
            end -= 1
        else:
            break
    body = blocks[:end]
    if not any(b.kind == "p" and len(_WORD.findall(b.text)) > _SHORT for b in body):
        return len(blocks)
    return end


def judge_blocks(blocks: Sequence[Block], titles: Sequence[str]) -> tuple[list[str], list[Removal]]:
    """The article's paragraphs, and every dropped block with its reason.

    ``blocks`` come in reading order; ``titles`` are the headlines the page shows.
    """
    kept: list[Block] = []
    removed: list[Removal] = []
    seen: set[str] = set()
    sizes: dict[HtmlElement, int] = {}
    started = False  # whether the article's first paragraph has come
    for block in blocks:
        key = _key(block.text)
        if not key:
            continue
        reason = DUPLICATE if block.recovered and key in seen else None
        reason = reason or _rule_reason(block, titles, sizes) or _place_reason(block, started)
        started = started or (block.kind == "p" and not block.outside)
        seen.add(key)
        if reason is None:
            kept.append(block)
        else:
            removed.append(Removal(block.text, reason))
    end = _trailing(kept)
    removed.extend(Removal(block.text, RELATED) for block in kept[end:])
    return [block.text for block in kept[:end]], removed
