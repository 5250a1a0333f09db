"""Boilerplate removal: keep every sentence of the article, say why anything went.

The cleaner works on lines, then on the sentences of each paragraph:

1. Metadata the metadata stage found (headline, date line, source URL line)
   is removed with its reason.
2. Lines become paragraphs; a sentence broken across a paragraph break
   ("... an" / "arms race ...") is joined again.
3. Whole lines that are boilerplate by their form (related links, photo
   credits, share prompts, copyright lines, a lone "Comments") go.
4. Each remaining paragraph is split into sentences and each sentence is
   judged on its own, so an appeal glued to the first sentence of the story
   ("...all the difference.Donald Trump has called...") loses only the appeal.
5. Lines an outlet repeats across its articles (footers, appeals) go too;
   see :func:`repeated_outlet_lines`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from storyfuse.models import CleanedText, DocumentMetadata, Removal
from storyfuse.text.segment import segment

# --- reasons -----------------------------------------------------------------
APPEAL = "donation or membership appeal"
SUBSCRIBE = "subscription, newsletter or bookmark prompt"
COMMENTS = "comment forum"
RELATED = "related-article or read-more link"
CREDIT = "photo credit or caption"
SOURCE_URL = "source URL line"
SHARE = "share or follow prompt"
COPYRIGHT = "copyright line"
REPEATED = "line the outlet repeats across its articles"
ARCHIVE = "web archive or crawl notice"
WIDGET = "embedded player, social widget or browser notice"
BANNER = "advertisement marker or site banner"

_LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        RELATED,
        re.compile(
            r"^\s*(related( articles?| stories| content| coverage)?|read more(?! than)"
            r"|more on this( story)?"
            r"|see also|recommended|most read|further reading|you may also like|more from)\b"
            r"\s*[:|>\-–—]?|^\s*\[[^\]]+\]\([^)]*\)\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        CREDIT,
        re.compile(
            r"^\s*(\(?(photo|image|picture|video|illustration|graphic)s?( credit)?\s*(by\b|:|/))"
            r"|\b(getty images|afp via getty|ap photo|reuters/|shutterstock|epa-efe)\b",
            re.IGNORECASE,
        ),
    ),
    (SOURCE_URL, re.compile(r"^\s*<?https?://\S+>?\s*$", re.IGNORECASE)),
    (
        SHARE,
        re.compile(
            r"^\s*(share (this|on|via)\b|follow (us|@|\w+ on)\b|click here\b|tweet this\b"
            r"|(share|tweet|email|print|whatsapp|facebook|twitter|linkedin)(\s*[|/·•]\s*"
            r"(share|tweet|email|print|whatsapp|facebook|twitter|linkedin|copy link))+\s*$)",
            re.IGNORECASE,
        ),
    ),
    (
        COPYRIGHT,
        re.compile(r"^\s*(©|\(c\)\s*\d{4}|copyright\b)|all rights reserved", re.IGNORECASE),
    ),
    (
        COMMENTS,
        re.compile(
            r"^\s*(comments?|\d+\s+comments?|show comments|view comments|leave a comment"
            r"|join the (conversation|discussion|debate))\s*[:.!]?\s*$",
            re.IGNORECASE,
        ),
    ),
)

# How a wire photo caption opens: "FILE - In this May 2, 2025, file photo, ..." or
# "This undated photo provided by ...".
_CAPTION_OPENING = (
    r"(file\s*[-–—]+\s*(in )?this\b.{0,80}\bfile (photo|image)\b|this (undated )?(handout )?"
    r"(photo|image|picture)( \w+)? (provided|released|made available|taken) by\b)"
)

_SENTENCE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (CREDIT, re.compile(rf"^{_CAPTION_OPENING}", re.IGNORECASE)),
    (
        APPEAL,
        re.compile(
            r"\byour (support|donation|contribution|gift)\b|\b(donate|give) (to us|today|now)\b"
            r"|\bmake a (donation|contribution) (today|now|here|to us|to our)\b"
            r"|\bbecome an? (\w+ )?(member|supporter|patron|subscriber) (today|now|from|for)\b"
            r"|\bbecome an? (supporter|patron)\b"
            r"|\bmembership (scheme|programme|program|today)\b|\bwith paywalls?\b"
            r"|\bsupport (us|our (work|journalism|reporting|newsroom)|independent journalism)\b"
            r"|\bquality journalism\b|\bthose who can afford\b|\bkeep (our )?journalism\b"
            r"|\b(every|each|your) (contribution|donation|gift)\b|\bkeeps? us (independent|going)\b"
            r"|^already a (member|subscriber)\b|^log in\b|\bcancel (at )?any ?time\b"
            r"|\bour journalism takes a lot of\b"
            r"|\bno one covers what is happening in our community\b",
            re.IGNORECASE,
        ),
    ),
    (
        SUBSCRIBE,
        re.compile(
            r"^(subscribe|sign up|register|download|get|start|try|unlock)\b.*"
            r"\b(premium|newsletters?|subscription|app|inbox|briefing|free|bookmark)\b"
            r"|\b(you|your)\b.*\b(subscri(be|ption)|newsletters?|bookmark|inbox)\b"
            r"|\b(subscri(be|ption)|newsletters?|bookmark|inbox)\b.*\b(you|your)\b"
            r"|\b(save|bookmark)\b.*\blater\b|\byour favou?rite (articles|stories)\b",
            re.IGNORECASE,
        ),
    ),
    (
        ARCHIVE,
        re.compile(
            r"\b(web ?crawls?|crawl data|this crawl|focused crawls|crawls of)\b"
            r"|\bwarc files\b|\barchive-it (partner|service)\b|\binitial seedlist\b"
            r"|\bthe seed for \w+ was\b"
            r"|\b(added to|host in) the wayback machine\b|\barchived pages\b"
            r"|\barchive pages as they are created\b|\bweb captures\b|\bcrawl of outlinks\b"
            r"|\b(these files|this data) (is|are) currently not publicly accessible\b"
            r"|\bexperimental crawl\b|\bnot have crawled\b|\bend of term (web|project|archive)\b"
            r"|\bproperties of this collection\b|\bfor this collection, several things\b"
            r"|\bpointers to random other collections\b|\bturned off duplicate detection\b"
            r"|\bthe seed list (was|is) built\b|\bthe original runs were just against\b"
            r"|\bdistributed crawling\b|\bheritrix\b|\bcrawler software\b|\bscope of the crawl\b",
            re.IGNORECASE,
        ),
    ),
    (
        COPYRIGHT,
        re.compile(
            r"^\s*(©|\(c\)\s*\d{4}|copyright\b)|\ball rights reserved\b"
            r"|\bthis material may not be published, broadcast, rewritten,? or redistributed\b",
            re.IGNORECASE,
        ),
    ),
    (
        COMMENTS,
        re.compile(
            r"\bcommenting forum\b|\bcomments? section\b|\bjoin (the |our )?(thought-provoking )?"
            r"(conversations?|discussions?|debate)\b|\bcommunity guidelines\b|\bsee their replies\b"
            r"|\b(readers|comments?) below\b"
            r"|^share your (memories|views|thoughts|stories|experience)\b"
            r"|\bnext to (all of )?your comments\b",
            re.IGNORECASE,
        ),
    ),
)

# Stock notices of sign-up forms, players and widgets. Judged only in short
# sentences: a long one holding a notice is article text glued to it (a lost
# sentence boundary), and must not be lost with it.
_NOTICE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (CREDIT, re.compile(r"^\(?(photo|image|picture)s?( credit)?\s*:\s*\S", re.IGNORECASE)),
    (RELATED, re.compile(r"^read (more(?! than)|the full (story|article))\b", re.IGNORECASE)),
    (
        SUBSCRIBE,
        re.compile(
            r"\bbreaking news (emails|alerts)\b|\bdelivered (weekday|every|each) mornings?\b"
            r"|\b(verification|confirmation) (e-?mail|message)\b|\bthank you for (subscribing"
            r"|registering)\b|\bdeliverable area\b|\b(get|sign up for) digital access\b"
            r"|\b(sign|log) ?in to (continue|read|comment)\b|\border reprints\b|\breprints:"
            r"|\bfor your personal,? non-?commercial use\b|\bsign in using\b"
            r"|\bget email notifications on\b|\bemail notifications are only sent\b"
            r"|\bproblem saving your notification\b|\byour notification has been saved\b"
            r"|\bclick on the link to activate your (profile|account)\b|^invalid email address\b"
            r"|\bas an interest to stay up to date\b|^(sign up )?be the first to know\b"
            r"|^please re-?enter\b|\byou agree to receive occasional updates\b"
            r"|^view all .{1,40} newsletters\b|^interested in [^?]{1,60}\?$"
            r"|\bwhy are we asking this\?|\bsign in to update your profile\b",
            re.IGNORECASE,
        ),
    ),
    (
        WIDGET,
        re.compile(
            r"\btweet with a location\b|\blocation (information )?to your tweets\b"
            r"|\bdelete your (tweet )?location history\b|\btwitter stores that location\b"
            r"|\brating is available when the video\b|\bthis feature is not available right now\b"
            r"|\binteractive transcript could not be loaded\b|\bmedia playback is unsupported\b"
            r"|\bjavascript is disabled\b|\blegacy twitter\b|\benable javascript\b"
            r"|\bsee more of .{1,80} on facebook\b|\b(join|like) us on facebook\b"
            r"|\badd this tweet to your website\b|^skip ad\b|\bconfirm your birth ?date\b"
            r"|\bmedia requires javascript to play\b|\bby copying the code below\b"
            r"|^(please try again later|an error has occurred)\W*$|\bplease enable cookies\b",
            re.IGNORECASE,
        ),
    ),
)

# Notices that lost the boundary to the text after them ("Please enable
# JavaScript to watch this video des moines, iowa -- police are ..."): cut off
# at the notice's end, so the text after it is judged on its own and kept.
_LEADING_NOTICES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        WIDGET,
        re.compile(
            r"^(please enable javascript to watch this video\.?|media playback is unsupported on"
            r" your device( media caption)?|the interactive transcript could not be loaded\."
            r"|rating is available when the video has been rented\."
            r"|this feature is not available right now\. please try again later\."
            r"|(join|like) us on facebook[.!]?|skip ad( ad loading\.*)?"
            r"|close skip in skip x embed x share|play facebook twitter (google plus )?embed"
            r"|text size\s*-\s*\+\s*reset)(\s+|$)",
            re.IGNORECASE,
        ),
    ),
    (
        SUBSCRIBE,
        re.compile(
            r"^(breaking news emails get breaking news alerts and special reports\."
            r"|the news and stories that matter, delivered weekday mornings\."
            r"|get push notifications with news, features and more\.)(\s+|$)",
            re.IGNORECASE,
        ),
    ),
    (
        BANNER,
        re.compile(
            r"^((photo )?advertisement continue reading the main story"
            r"|this article is over \d+ (year|month)s? old)(\s+|$)",
            re.IGNORECASE,
        ),
    ),
    # An AP caption glued to the story: "FILE - In this ... file photo, ... ... (Associated
    # Press) The decision ...": the caption goes up to the agency's name (alone, when the
    # caption ended a sentence before it).
    (
        CREDIT,
        re.compile(
            rf"^({_CAPTION_OPENING}.{{0,400}}?\.\.\.\s*\(\s*associated press\s*\)"
            r"|\(\s*associated press\s*\))(\s+|$)",
            re.IGNORECASE,
        ),
    ),
    # "Image copyright AFP Image caption Troops guard the site ...": the credit's labels go.
    (CREDIT, re.compile(r"^image copyright\s+\S.{0,40}?\s+image caption(\s+|$)", re.IGNORECASE)),
)

# Notices that lost the boundary to the text before them ("... the wall is absurd.
# Interested in Mexico? Add Mexico as an interest ..."): cut off where they begin.
_TRAILING_NOTICES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        SUBSCRIBE,
        re.compile(
            r"(^|\s+)interested in [^?]{1,60}\? add .{1,60} as an interest to stay up to date"
            r" on the latest .{1,60}$",
            re.IGNORECASE,
        ),
    ),
    (
        SHARE,
        re.compile(
            r"(^|\s+)((—\s*)*>>\s*follow .{1,60} on twitter\s+)?have a tip we should know\?"
            r"\s*\S+@\S+$|(^|\s+)a link to this page will be included in your message\.$",
            re.IGNORECASE,
        ),
    ),
)

# A cheap first look: no sentence rule can match a sentence without one of these
# (words looked for in the lowercased sentence, or openings).
_TRIGGER_WORDS = tuple(
    word.strip()
    for word in """
    support|donat|contribut|gift|member|paywall|journalis|afford|subscri|newsletter|bookmark
    |sign up|inbox|premium|comment|conversation|discussion|debate|replies|readers|share your
    |later|favorite|favourite|log in|login|cancel|©|(c)|copyright|rights reserved|keep us
    |keeps us|patron|briefing|give|guidelines|breaking news|delivered|verification
    |confirmation|thank you|deliverable|digital access|sign in|signin|reprint|non-commercial
    |noncommercial|crawl|warc|archive|seed|wayback|web captures|tweet|location|rating is
    |not available right now|transcript|playback|javascript|twitter|facebook|skip ad
    |birth date|birthdate|outlinks|publicly accessible|collection|duplicate detection
    |original runs|notification|activate your|invalid email|as an interest|heritrix
    |first to know|re-enter|reenter|occasional updates|code below|try again|error has
    |covers what is happening|asking this|update your profile|cookies|may not be published
    |end of term
    """.split("|")
)
_TRIGGER_OPENINGS = re.compile(
    r"file\b|this (undated )?(handout )?(photo|image|picture)|\(?(photo|image|picture)s?"
    r"( credit)?\s*:|interested in|(register|download|get|start|try|unlock)\b"
    r"|read (more|the full)\b",
    re.IGNORECASE,
)
# First-person plural outside quotation marks: the outlet talking about itself.
_OUTLET_VOICE = re.compile(r"\b([Ww]e|[Oo]ur)\b")
_ABOUT_JOURNALISM = re.compile(
    r"\b(journalis(m|ts?)|reporters?|reporting|newsroom|documentar(y|ies)|the story|stories"
    r"|readers|facts|news)\b",
    re.IGNORECASE,
)
# Quoted speech, including a quotation left open at the end of a paragraph.
_SELF_PROMOTION = re.compile(
    r"\bis (on the ground|there when|in the room|trusted by|funded by)\b|\brelies on\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"“[^”]*(”|$)|\"[^\"]*(\"|$)")
_TERMINAL = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$|[\"”]\s*$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")  # a word in any script
_TAIL_WORDS = 8
_MOSTLY = 3
_LABEL_WORDS = 30


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """What the cleaner knows beyond the text itself."""

    outlet: str | None = None
    repeated_lines: frozenset[str] = frozenset()


def _normalize_line(line: str) -> str:
    return " ".join(line.split()).casefold()


def _line_reason(line: str) -> str | None:
    """The reason to drop a whole line, judged only for short, label-like lines.

    A long line is a paragraph: a credit or link inside it ("... Reuters/Jane Doe
    San Francisco the novel ...") cannot be cut out cleanly, and the paragraph
    must not be lost with it; its sentences are judged one by one instead.
    """
    if len(line.split()) > _LABEL_WORDS:
        return None
    for reason, pattern in _LINE_RULES:
        if pattern.search(line):
            return reason
    return None


def _triggered(unquoted: str) -> bool:
    """Whether a sentence holds a word or opening some sentence rule looks for."""
    lowered = unquoted.lower()
    return any(word in lowered for word in _TRIGGER_WORDS) or bool(
        _TRIGGER_OPENINGS.match(unquoted)
    )


def _sentence_reason(unquoted: str, outlet: str | None) -> str | None:
    """Why a sentence (with quoted speech blanked out) is boilerplate on its own."""
    if _triggered(unquoted):
        for reason, pattern in _SENTENCE_RULES:
            if pattern.search(unquoted):
                return reason
        if len(unquoted.split()) <= _LABEL_WORDS:
            for reason, pattern in _NOTICE_RULES:
                if pattern.search(unquoted):
                    return reason
    if (
        outlet
        and outlet.casefold() in unquoted.casefold()
        and (
            _OUTLET_VOICE.search(unquoted)
            or _ABOUT_JOURNALISM.search(unquoted)
            or _SELF_PROMOTION.search(unquoted)
        )
    ):
        return APPEAL
    return None


def _appeal_signal(unquoted: str) -> int:
    """How much a sentence sounds like an appeal: 2 for "we" about journalism, 1 for
    journalism alone, 0 for neither.

    Columns and statements say "we" too, so a signal never removes a sentence on its
    own: 2 counts next to a certain appeal, 1 only in the same paragraph as one.
    """
    if not _ABOUT_JOURNALISM.search(unquoted):
        return 0
    return 2 if _OUTLET_VOICE.search(unquoted) else 1


def _is_prose(line: str) -> bool:
    """A line that reads as a sentence rather than a label, credit or heading."""
    words = _WORD.findall(line)
    return len(words) >= 8 or (len(words) >= 4 and bool(_TERMINAL.search(line)))


def _soft_wrapped(lines: Sequence[str]) -> bool:
    """Whether paragraphs are blank-line separated with lines wrapped inside them."""
    return any(not line.strip() for line in lines[1:-1]) and any(
        b.strip() and len(_WORD.findall(a)) >= 8 and not _TERMINAL.search(a)
        for a, b in pairwise(lines)
    )


def _paragraphs(lines: Sequence[str | None], soft_wrapped: bool) -> list[list[str]]:
    """Group kept lines into paragraphs; ``None`` marks a removed line, a break.

    A soft-wrapped document keeps the lines of a paragraph together; otherwise
    every line is a paragraph of its own.
    """
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line is None or not line.strip():
            if current:
                paragraphs.append(current)
                current = []
        elif soft_wrapped:
            current.append(line)
        else:
            paragraphs.append([line])
    if current:
        paragraphs.append(current)
    return paragraphs


def _continues(previous: str, following: str) -> bool:
    """Whether ``following`` finishes a sentence that ``previous`` left open."""
    return bool(
        previous.strip()
        and not _TERMINAL.search(previous)
        and following[:1].islower()
        and _is_prose(previous)
    )


def _judge_sentences(paragraph: str, outlet: str | None) -> list[tuple[str, str | None, int]]:
    """Each sentence of a paragraph with its own removal reason and the weak signal."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group()), paragraph)
    judged: list[tuple[str, str | None, int]] = []
    for sentence in segment([paragraph]):
        text, own = sentence.text, unquoted[sentence.start : sentence.end]
        for reason, pattern in _LEADING_NOTICES:
            notice = pattern.match(text)
            if notice:
                judged.append((text[: notice.end()].strip(), reason, 0))
                text, own = text[notice.end() :], own[notice.end() :]
                break
        trailing: tuple[str, str | None, int] | None = None
        for reason, pattern in _TRAILING_NOTICES:
            notice = pattern.search(text)
            if notice:
                trailing = (text[notice.start() :].strip(), reason, 0)
                text, own = text[: notice.start()], own[: notice.start()]
                break
        if text:
            judged.append((text, _sentence_reason(own, outlet), _appeal_signal(own)))
        if trailing:
            judged.append(trailing)
    return judged


def clean_text(text: str, metadata: DocumentMetadata, options: CleanOptions) -> CleanedText:
    """Split ``text`` into the article's own paragraphs and the removed boilerplate."""
    removed: list[Removal] = []
    lines = text.splitlines()
    soft_wrapped = _soft_wrapped(lines)
    for span in metadata.spans:
        if 0 <= span.line < len(lines) and lines[span.line].startswith(span.text):
            removed.append(Removal(span.text.strip(), span.reason))
            lines[span.line] = lines[span.line][len(span.text) :]

    kept_lines: list[str | None] = []
    seen_prose = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            kept_lines.append("")
            continue
        reason = _line_reason(stripped)
        if reason is None and _normalize_line(stripped) in options.repeated_lines:
            reason = REPEATED
        if reason is None and not seen_prose and not _is_prose(stripped):
            # a short label between the headline and the story
            reason = _sentence_reason(_QUOTED.sub(" ", stripped), options.outlet) or CREDIT
        if reason is not None:
            removed.append(Removal(stripped, reason))
            kept_lines.append(None)
            continue
        seen_prose = True
        kept_lines.append(stripped)

    paragraphs: list[str] = []
    for group in _paragraphs(kept_lines, soft_wrapped):
        joined = " ".join(part.strip() for part in group)
        if paragraphs and _continues(paragraphs[-1], joined):
            paragraphs[-1] = f"{paragraphs[-1]} {joined}"
        else:
            paragraphs.append(joined)

    judged = [_judge_sentences(paragraph, options.outlet) for paragraph in paragraphs]
    kept_paragraphs: list[str] = []
    for number, sentences in enumerate(judged):
        nearby = judged[max(0, number - 1) : number + 2]
        near_appeal = any(reason == APPEAL for group in nearby for _, reason, _ in group)
        in_appeal = any(reason == APPEAL for _, reason, _ in sentences)
        decided = [
            (
                text,
                APPEAL
                if reason is None and ((signal == 2 and near_appeal) or (signal and in_appeal))
                else reason,
            )
            for text, reason, signal in sentences
        ]
        reasons = [reason for _, reason in decided if reason is not None]
        kept = [text for text, reason in decided if reason is None]
        lengths = [len(_WORD.findall(text)) for text in kept]
        wordy = sum(length >= 3 for length in lengths)  # "2." is no sentence to speak of
        if reasons and (
            max(lengths, default=0) <= _TAIL_WORDS
            or (len(reasons) >= _MOSTLY * wordy and max(lengths) <= 2 * _TAIL_WORDS)
        ):
            # "Become a member from 4 crowns a month. Cancel any time.": the short
            # remainder of a boilerplate paragraph belongs to it, and so do the short
            # sentences left in a paragraph that is boilerplate three times over.
            decided = [(text, reason or reasons[0]) for text, reason in decided]
            kept = []
        removed.extend(Removal(text, reason) for text, reason in decided if reason is not None)
        if kept:
            kept_paragraphs.append(" ".join(kept))
    return CleanedText(paragraphs=tuple(kept_paragraphs), removed=tuple(removed))


def repeated_outlet_lines(
    documents: Iterable[tuple[str | None, str]], *, max_shared_fraction: float = 0.3
) -> dict[str, frozenset[str]]:
    """Lines each outlet repeats across two or more of its articles.

    ``documents`` yields (outlet, text) pairs. Two articles that share many of
    their lines are versions of one report, not a template, so a line counts
    only when it recurs in articles that otherwise differ.
    """
    by_outlet: dict[str, list[set[str]]] = defaultdict(list)
    for outlet, text in documents:
        if outlet:
            lines = {_normalize_line(line) for line in text.splitlines() if line.strip()}
            by_outlet[outlet].append(lines)
    repeated: dict[str, frozenset[str]] = {}
    for outlet, articles in by_outlet.items():
        found: set[str] = set()
        for i, first in enumerate(articles):
            for second in articles[i + 1 :]:
                shared = first & second
                limit = max(2.0, max_shared_fraction * min(len(first), len(second)))
                if shared and len(shared) <= limit:
                    found |= shared
        if found:
            repeated[outlet] = frozenset(found)
    return repeated
