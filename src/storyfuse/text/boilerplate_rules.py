"""The boilerplate the cleaner removes: each reason, and the patterns that find it."""

from __future__ import annotations

import re

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

LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
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
    # a bare URL, or a short label and a URL ("National Safe Kids Campaign: http://…")
    (
        SOURCE_URL,
        re.compile(r"^\s*([^:.!?]{1,80}:\s*)?<?(https?://|www\.)\S+>?\s*$", re.IGNORECASE),
    ),
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

SENTENCE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
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
NOTICE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
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
LEADING_NOTICES: tuple[tuple[str, re.Pattern[str]], ...] = (
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
TRAILING_NOTICES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        SUBSCRIBE,
        re.compile(
            r"(^|(?<!\s)\s+)interested in [^?]{1,60}\? add .{1,60} as an interest to stay up to"
            r" date on the latest .{1,60}$",
            re.IGNORECASE,
        ),
    ),
    (
        SHARE,
        re.compile(
            r"(^|(?<!\s)\s+)((—\s*)*>>\s*follow .{1,60} on twitter\s+)?have a tip we should know\?"
            r"\s*\S+@\S+$|(^|(?<!\s)\s+)a link to this page will be included in your message\.$",
            re.IGNORECASE,
        ),
    ),
)

# A cheap first look: no sentence rule can match a sentence without one of these
# (words looked for in the lowercased sentence, or openings).
TRIGGER_WORDS = tuple(
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
TRIGGER_OPENINGS = re.compile(
    r"file\b|this (undated )?(handout )?(photo|image|picture)|\(?(photo|image|picture)s?"
    r"( credit)?\s*:|interested in|(register|download|get|start|try|unlock)\b"
    r"|read (more|the full)\b",
    re.IGNORECASE,
)
# First-person plural outside quotation marks: the outlet talking about itself.
OUTLET_VOICE = re.compile(r"\b([Ww]e|[Oo]ur)\b")
ABOUT_JOURNALISM = re.compile(
    r"\b(journalis(m|ts?)|reporters?|reporting|newsroom|documentar(y|ies)|the story|stories"
    r"|readers|facts|news)\b",
    re.IGNORECASE,
)
SELF_PROMOTION = re.compile(
    r"\bis (on the ground|there when|in the room|trusted by|funded by)\b|\brelies on\b",
    re.IGNORECASE,
)
