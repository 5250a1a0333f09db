"""Find an article's headline, publication date, source URL and outlet in its text.

Scraped articles often carry their metadata as lines of text: a headline and a
standfirst at the top, a date line (or a ``date 2018-03-20`` prefix glued to the
first sentence), an ``Original url:`` line at the bottom, and boilerplate in
which the outlet names itself ("The Independent is trusted by..."). Each such
line is reported as a :class:`MetadataSpan` so the cleaner can drop it.

Dates are only taken from the header (the first dozen non-empty lines) and
only when they stand alone or open a line with a label or separator, so a date
mentioned in the body ("on March 3, 2018, he said") is never the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

from storyfuse.models import DocumentMetadata, MetadataSpan

HEADER_LINES = 12
MAX_HEADLINE_WORDS = 25
MAX_STANDFIRST_WORDS = 40

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_DATE = rf"""
    \b(?:{_WEEKDAY},?\s+)?
    (?:
        (?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}})(?![\d-])
      | (?P<ymd_y>\d{{4}})/(?P<ymd_m>\d{{1,2}})/(?P<ymd_d>\d{{1,2}})(?![\d/])
      | (?P<dmy_a>\d{{1,2}})[/.](?P<dmy_b>\d{{1,2}})[/.](?P<dmy_y>\d{{4}})(?!\d)
      | (?P<mdy_mon>{_MONTH})\.?\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>\d{{4}})\b
      | (?P<dmy_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dmy_mon>{_MONTH})\.?,?\s+
        (?P<dmy_yy>\d{{4}})\b
    )
"""
_ZONE = r"(?-i:UTC|GMT|BST|CES?T|[ECMP][SD]T|ET|PT|MSK|IST|JST|AE[SD]T)"
_TIME = rf"""
    (?:\s*(?:,|\bat\b|\||-|–|—|T)?\s*
        \d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?
        (?:\s*(?:Z|[+-]\d{{2}}:?\d{{2}}|{_ZONE}(?:\s*[+-]\d{{1,2}}(?::?\d{{2}})?)?))?
    )?
"""
_LABEL = r"""
    \b(?:(?:first|originally|last)\s+)?(?:published|updated|posted|modified)(?:\s+(?:on|at))?
    | dated? | dateline
"""
_DATE_ITEM = re.compile(
    rf"(?P<label>(?:{_LABEL})\s*:?\s*)?{_DATE}{_TIME}", re.IGNORECASE | re.VERBOSE
)
_DATE_PREFIX = re.compile(
    rf"""^(?P<prefix>\s*(?P<label>(?:{_LABEL})\s*:?\s*)?{_DATE}{_TIME}
         (?P<sep>\s*[|•·–—-]+)?\s+)(?=\S)""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_SEPARATORS = re.compile(r"[\s|•·,;/–—-]*")
_URL_DATE = re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})(?:/|$)")

_URL = r"<?(?P<url>https?://[^\s<>]+?)>?[.,;]?"
_URL_LINE = re.compile(rf"^\s*{_URL}\s*$", re.IGNORECASE)
_URL_LABEL = re.compile(
    r"^\s*(?:original\s+(?:url|link|article)|source(?:\s+url)?|canonical(?:\s+url)?|url|link"
    r"|permalink)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)

_CLOSERS = "\"'”’»)]"
_WORDS = re.compile(r"\S+")

# Readable names of well-known news sites, by registered domain.
_KNOWN_SITES = {
    "abcnews.go.com": "ABC News", "abc.net.au": "ABC News", "afp.com": "AFP",
    "aljazeera.com": "Al Jazeera", "apnews.com": "AP News", "axios.com": "Axios",
    "bbc.co.uk": "BBC", "bbc.com": "BBC", "bloomberg.com": "Bloomberg",
    "bostonglobe.com": "The Boston Globe", "breitbart.com": "Breitbart",
    "businessinsider.com": "Business Insider", "cbc.ca": "CBC News", "cbsnews.com": "CBS News",
    "cnbc.com": "CNBC", "cnn.com": "CNN", "csmonitor.com": "The Christian Science Monitor",
    "dailymail.co.uk": "Daily Mail", "dw.com": "DW", "economist.com": "The Economist",
    "euronews.com": "Euronews", "express.co.uk": "Daily Express", "forbes.com": "Forbes",
    "foxnews.com": "Fox News", "france24.com": "France 24", "ft.com": "Financial Times",
    "guardian.co.uk": "The Guardian", "haaretz.com": "Haaretz",
    "hindustantimes.com": "Hindustan Times", "huffingtonpost.com": "HuffPost",
    "huffpost.com": "HuffPost", "independent.co.uk": "The Independent",
    "irishtimes.com": "The Irish Times", "latimes.com": "Los Angeles Times",
    "lemonde.fr": "Le Monde", "metro.co.uk": "Metro", "mirror.co.uk": "Daily Mirror",
    "msnbc.com": "MSNBC", "nbcnews.com": "NBC News", "newsweek.com": "Newsweek",
    "newyorker.com": "The New Yorker", "npr.org": "NPR", "nypost.com": "New York Post",
    "nytimes.com": "The New York Times", "pbs.org": "PBS", "politico.com": "Politico",
    "politico.eu": "Politico", "propublica.org": "ProPublica", "reuters.com": "Reuters",
    "rferl.org": "RFE/RL", "rt.com": "RT", "scmp.com": "South China Morning Post",
    "sky.com": "Sky News", "smh.com.au": "The Sydney Morning Herald", "spiegel.de": "Der Spiegel",
    "standard.co.uk": "Evening Standard", "straitstimes.com": "The Straits Times",
    "tass.com": "TASS", "telegraph.co.uk": "The Telegraph", "theatlantic.com": "The Atlantic",
    "theglobeandmail.com": "The Globe and Mail", "theguardian.com": "The Guardian",
    "thehill.com": "The Hill", "theintercept.com": "The Intercept",
    "themoscowtimes.com": "The Moscow Times", "thesun.co.uk": "The Sun",
    "thetimes.co.uk": "The Times", "time.com": "Time", "timesofisrael.com": "The Times of Israel",
    "usatoday.com": "USA Today", "vox.com": "Vox", "voanews.com": "VOA News",
    "washingtonpost.com": "The Washington Post", "washingtontimes.com": "The Washington Times",
    "wsj.com": "The Wall Street Journal", "yahoo.com": "Yahoo News",
}  # fmt: skip
# Words newspapers' names end or start with, to split domains like "dailyledger".
_MASTHEAD_WORDS = (
    "herald", "times", "post", "news", "gazette", "courier", "tribune", "journal", "chronicle",
    "ledger", "star", "sun", "mail", "express", "observer", "guardian", "independent", "record",
    "review", "dispatch", "telegraph", "examiner", "inquirer", "enquirer", "register", "bulletin",
    "press", "standard", "mirror", "echo", "argus", "sentinel", "monitor", "globe", "leader",
    "voice", "today", "weekly", "world", "reporter", "citizen", "advocate", "democrat", "union",
    "beacon", "banner", "messenger", "telegram", "statesman", "eagle", "pioneer", "digest",
)  # fmt: skip
_MASTHEAD_END = re.compile("(?:" + "|".join(sorted(_MASTHEAD_WORDS, key=len, reverse=True)) + ")$")
_MASTHEAD_START = ("the", "daily", "new", "morning", "evening", "sunday")
_SUBDOMAINS = frozenset({"www", "www2", "m", "mobile", "amp", "edition", "beta"})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "news"})

_NAME = r"(?:The\s+)?[A-Z][\w&'’-]*(?:\s+(?:(?:of|and|&)\s+)?[A-Z][\w&'’-]*){0,4}"
_READERS = (
    r"[^.!?\n]{0,60}?\b(?:readers?|subscri\w*|support\w*|donations?|donors?|members?|you|your"
    r"|advertis\w*|millions|people|Americans|Britons|audiences?|licen[cs]e|public)\b"
)
_YEARS = r"\d{4}(?:\s*[-–]\s*\d{4})?"
_SELF_NAMING = (
    re.compile(
        rf"(?<![\w&'’-])(?P<name>{_NAME})\s+(?:is\s+on\s+the\s+ground"
        rf"|(?=(?:is\s+trusted\s+by|relies\s+on|is\s+funded\s+by){_READERS}))"
    ),
    re.compile(
        rf"(?:©\s*(?:{_YEARS}\s+)?|(?:\([cC]\)|\bCopyright)\s*©?\s*{_YEARS}\s+)(?P<name>{_NAME})"
    ),
    re.compile(rf"\bSubscribe\s+to\s+(?P<name>{_NAME})"),
    re.compile(rf"\bSupport\s+(?P<name>The\s+{_NAME})"),
)
_NAME_SUFFIXES = frozenset({
    "Premium", "Plus", "Digital", "Subscription", "Subscriptions", "Newsletter", "Newsletters",
    "App", "Edition", "Ltd", "Limited", "Inc", "LLC", "PLC", "plc", "Corp", "All", "Rights",
})  # fmt: skip
# First words of names that are people or pronouns, never an outlet.
_NOT_OUTLETS = frozenset({
    "Mr", "Mrs", "Ms", "Dr", "Sir", "President", "Prime", "Minister", "Senator", "Sen", "Rep",
    "Gov", "It", "He", "She", "They", "We", "You", "I", "This", "That", "Our", "Your", "His",
    "Her", "Their", "There", "Here", "All", "Rights",
})  # fmt: skip


class _Date(NamedTuple):
    value: dt.date
    span: str


def _to_date(year: str, month: int, day: str) -> dt.date | None:
    try:
        value = dt.date(int(year), month, int(day))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None


def _date_of(match: re.Match[str]) -> dt.date | None:
    """The date a ``_DATE`` match names, or None for an impossible one."""
    groups = match.groupdict()
    if groups["iso_y"]:
        return _to_date(groups["iso_y"], int(groups["iso_m"]), groups["iso_d"])
    if groups["ymd_y"]:
        return _to_date(groups["ymd_y"], int(groups["ymd_m"]), groups["ymd_d"])
    if groups["mdy_mon"]:
        return _to_date(groups["mdy_y"], _MONTHS[groups["mdy_mon"][:3].lower()], groups["mdy_d"])
    if groups["dmy_mon"]:
        return _to_date(groups["dmy_yy"], _MONTHS[groups["dmy_mon"][:3].lower()], groups["dmy_d"])
    first, second = int(groups["dmy_a"]), int(groups["dmy_b"])
    if first > 12 >= second:
        return _to_date(groups["dmy_y"], second, str(first))
    if second > 12 >= first:
        return _to_date(groups["dmy_y"], first, str(second))
    return None  # 03/04/2018: day-first or month-first, no way to tell


def parse_date_line(line: str) -> _Date | None:
    """The date of a line that is a date (or opens with one), and the metadata part of it.

    ``span`` is the whole line when it holds only dates, labels and times, or
    the leading part ending in whitespace when the date is glued to body text;
    a bare month-name date glued to text counts only after a label or a dash
    ("March 3, 2018, was..." is prose).
    """
    matches = list(_DATE_ITEM.finditer(line))
    if matches and not _DATE_SEPARATORS.fullmatch(_DATE_ITEM.sub("", line)):
        matches = []
    for match in matches:
        value = _date_of(match)
        if value is not None:
            return _Date(value, line)
    prefix = _DATE_PREFIX.match(line)
    if prefix is None:
        return None
    numeric = prefix.group("iso_y") or prefix.group("ymd_y")
    if not (prefix.group("label") or prefix.group("sep") or numeric):
        return None
    value = _date_of(prefix)
    return _Date(value, prefix.group("prefix")) if value is not None else None


def _url_in(text: str) -> str | None:
    match = _URL_LINE.match(text)
    return match.group("url") if match else None


def _find_urls(lines: list[str]) -> tuple[str | None, list[MetadataSpan]]:
    """The first source URL and every URL line (labelled or bare)."""
    spans: list[MetadataSpan] = []
    first: str | None = None
    taken: set[int] = set()
    for number, line in enumerate(lines):
        if number in taken:
            continue
        url = _url_in(line)
        label = _URL_LABEL.match(line)
        if url is None and label is not None:
            rest = label.group("rest").strip()
            if rest:
                url = _url_in(rest)
            else:
                following = next(
                    (n for n in range(number + 1, len(lines)) if lines[n].strip()), None
                )
                if following is not None:
                    url = _url_in(lines[following])
                    if url is not None:
                        taken.add(following)
                        spans.append(MetadataSpan(following, lines[following], "source URL line"))
        if url is None:
            continue
        spans.append(MetadataSpan(number, line, "source URL line"))
        first = first or url
    return first, sorted(spans, key=lambda span: span.line)


def _ends_sentence(line: str, marks: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return stripped.endswith(tuple(marks)) and not stripped.endswith("...")


def _continues(lines: list[str], number: int) -> bool:
    """Whether the next line carries on the same sentence (hard-wrapped text)."""
    following = lines[number + 1].lstrip() if number + 1 < len(lines) else ""
    return following[:1].islower()


def _short_line(line: str, limit: int) -> bool:
    words = _WORDS.findall(line)
    return 2 <= len(words) <= limit and any(char.isalpha() for char in line)


def site_name(url: str) -> tuple[str, bool] | None:
    """A readable outlet name for a URL's site, and whether the site is a known one.

    Known news sites come from a table; otherwise the domain's name label is
    title-cased, split at hyphens (``daily-ledger.example`` -> "Daily Ledger").
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) < 2 or all(label.isdigit() for label in labels):
        return None
    while len(labels) > 2 and labels[0] in _SUBDOMAINS:
        labels = labels[1:]
    host = ".".join(labels)
    for domain, name in _KNOWN_SITES.items():
        if host == domain or host.endswith("." + domain):
            return name, True
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]
    words = [word for part in re.split(r"[-_]+", labels[-2]) for word in _split_label(part)]
    return (" ".join(words), False) if words else None


def _split_label(label: str) -> list[str]:
    """Split a run-together site name at masthead words: ``coastalherald`` -> Coastal Herald."""
    tail: list[str] = []
    rest = label
    while match := _MASTHEAD_END.search(rest):
        if match.start() < 2:
            break
        tail.insert(0, match.group())
        rest = rest[: match.start()]
    head = []
    if tail and rest.startswith(_MASTHEAD_START) and rest not in _MASTHEAD_START:
        start = next(word for word in _MASTHEAD_START if rest.startswith(word))
        if len(rest) - len(start) >= 2:
            head, rest = [start], rest[len(start) :]
    words = [*head, rest, *tail] if rest else [*head, *tail]
    return [
        word.upper()
        if tail and word == rest and len(word) <= 3 and word != "the"
        else word.capitalize()
        for word in words
    ]


def _clean_name(name: str) -> str | None:
    words = name.split()
    if "The" in words[1:]:
        words = words[len(words) - 1 - words[::-1].index("The") :]
    while words and (words[-1] in _NAME_SUFFIXES or words[-1] in {"of", "and", "&"}):
        words.pop()
    core = words[1:] if words[:1] == ["The"] else words
    if not core or core[0] in _NOT_OUTLETS:
        return None
    return " ".join(words)


def _keeps_the(text: str, name: str) -> bool:
    """Whether an outlet's name includes "The", judging by how the text writes it.

    "..., The Independent is" (capital mid-sentence) says yes; "the Northern
    Gazette is" says no; "The X" opening a sentence says nothing.
    """
    core = name.removeprefix("The ")
    votes = 0
    for match in re.finditer(rf"\b([Tt]he)\s+{re.escape(core)}\b", text):
        before = text[: match.start()].rstrip(" \t")
        if match.group(1) == "the":
            votes -= 1
        elif before and before[-1] not in "\n.!?:\"“‘'":
            votes += 1
    return votes > 0 or (votes == 0 and name.startswith("The "))


def outlet_from_text(text: str) -> str | None:
    """The outlet an article's boilerplate names ("© 2024 The Daily Ledger"), if any.

    The name named most often wins; "The Independent" and "Independent Premium"
    count as the same outlet, written with its "The" when the text treats it as
    part of the name.
    """
    votes: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for pattern in _SELF_NAMING:
        for match in pattern.finditer(text):
            name = _clean_name(match.group("name"))
            if name is None:
                continue
            key = name.removeprefix("The ").lower()
            votes[key] += 1
            first_seen[key] = min(first_seen.get(key, match.start()), match.start())
            if len(name) > len(spelling.get(key, "")):
                spelling[key] = name
    if not votes:
        return None
    name = spelling[min(votes, key=lambda key: (-votes[key], first_seen[key]))]
    core = name.removeprefix("The ")
    return f"The {core}" if _keeps_the(text, name) else core


def _header_dates(
    lines: list[str], header: list[int], skip: set[int]
) -> tuple[dt.date | None, list[MetadataSpan]]:
    published: dt.date | None = None
    spans: list[MetadataSpan] = []
    for number in header:
        if number in skip:
            continue
        found = parse_date_line(lines[number])
        if found is None:
            continue
        published = published or found.value
        spans.append(MetadataSpan(number, found.span, "date line"))
    return published, spans


def _headline(
    lines: list[str], nonempty: list[int], taken: dict[int, MetadataSpan]
) -> list[MetadataSpan]:
    """Headline and standfirst spans: short unpunctuated lines before the body."""
    free = [number for number in nonempty if number not in taken]
    if len(free) < 2 or free[0] > nonempty[min(len(nonempty), HEADER_LINES) - 1]:
        return []
    if any(span.line < free[0] and span.text != lines[span.line] for span in taken.values()):
        return []  # a date glued to the first sentence: the text starts with its body
    first = lines[free[0]]
    if (
        not _short_line(first, MAX_HEADLINE_WORDS)
        or _ends_sentence(first, ".:;,")
        or _continues(lines, free[0])
    ):
        return []
    spans = [MetadataSpan(free[0], first, "headline")]
    following = next((n for n in nonempty if n > free[0]), None)
    if following is not None and following in free and len(free) >= 3:
        second = lines[following]
        if (
            _short_line(second, MAX_STANDFIRST_WORDS)
            and not _ends_sentence(second, ".!?…:;,")
            and not _continues(lines, following)
        ):
            spans.append(MetadataSpan(following, second, "standfirst"))
    return spans


def find_metadata(text: str) -> DocumentMetadata:
    """Find the headline, publication date, source URL and outlet in an article's text."""
    lines = text.splitlines()
    nonempty = [number for number, line in enumerate(lines) if line.strip()]
    header = nonempty[:HEADER_LINES]

    url, url_spans = _find_urls(lines)
    published, date_spans = _header_dates(lines, header, {span.line for span in url_spans})
    taken = {span.line: span for span in url_spans + date_spans}
    title_spans = _headline(lines, nonempty, taken)
    title = next((s.text.strip(" \t#") for s in title_spans if s.reason == "headline"), None)

    if published is None and url is not None:
        match = _URL_DATE.search(urlsplit(url).path)
        if match:
            published = _to_date(match.group(1), int(match.group(2)), match.group(3))

    site = site_name(url) if url else None
    named = outlet_from_text(text)
    if site is not None and (site[1] or named is None):
        outlet: str | None = site[0]
    else:
        outlet = named

    spans = sorted(url_spans + date_spans + title_spans, key=lambda span: span.line)
    return DocumentMetadata(
        title=title, published=published, url=url, outlet=outlet, spans=tuple(spans)
    )
