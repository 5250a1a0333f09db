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
from collections.abc import Iterator
from urllib.parse import urlsplit

from storyfuse.models import DocumentMetadata, MetadataSpan
from storyfuse.text.boilerplate_rules import LINE_RULES
from storyfuse.text.page_talk import is_furniture, is_link_label
from storyfuse.text.words import content_words

HEADER_LINES = 12
MAX_HEADLINE_WORDS = 25
# A headline shares at least this share of its content words with the article.
_LINK_OVERLAP = 0.25
MAX_STANDFIRST_WORDS = 40

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
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
_YMD_GROUPS = (
    ("iso_y", "iso_m", "iso_d"), ("ymd_y", "ymd_m", "ymd_d"),
    ("mdy_y", "mdy_mon", "mdy_d"), ("dmy_yy", "dmy_mon", "dmy_d"),
)  # fmt: skip
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
_MAX_DATE_LINE = 200  # characters; longer lines are body text

# Readable names of well-known news sites, by the name part of their domain.
_KNOWN_SITES = {
    "abc": "ABC News", "afp": "AFP", "aljazeera": "Al Jazeera", "apnews": "AP News",
    "axios": "Axios", "bbc": "BBC", "bloomberg": "Bloomberg", "bostonglobe": "The Boston Globe",
    "businessinsider": "Business Insider", "cbc": "CBC News", "cbsnews": "CBS News",
    "cnbc": "CNBC", "cnn": "CNN", "dailymail": "Daily Mail", "dw": "DW",
    "economist": "The Economist", "euronews": "Euronews", "express": "Daily Express",
    "forbes": "Forbes", "foxnews": "Fox News", "france24": "France 24", "ft": "Financial Times",
    "guardian": "The Guardian", "haaretz": "Haaretz", "hindustantimes": "Hindustan Times",
    "huffingtonpost": "HuffPost", "huffpost": "HuffPost", "independent": "The Independent",
    "irishtimes": "The Irish Times", "latimes": "Los Angeles Times", "lemonde": "Le Monde",
    "mirror": "Daily Mirror", "msnbc": "MSNBC", "nbcnews": "NBC News", "newsweek": "Newsweek",
    "newyorker": "The New Yorker", "npr": "NPR", "nypost": "New York Post",
    "nytimes": "The New York Times", "pbs": "PBS", "politico": "Politico", "reuters": "Reuters",
    "rferl": "RFE/RL", "scmp": "South China Morning Post", "sky": "Sky News",
    "smh": "The Sydney Morning Herald", "spiegel": "Der Spiegel", "standard": "Evening Standard",
    "straitstimes": "The Straits Times", "tass": "TASS", "telegraph": "The Telegraph",
    "theatlantic": "The Atlantic", "theglobeandmail": "The Globe and Mail",
    "theguardian": "The Guardian", "thehill": "The Hill", "theintercept": "The Intercept",
    "themoscowtimes": "The Moscow Times", "thesun": "The Sun", "thetimes": "The Times",
    "time": "Time", "timesofisrael": "The Times of Israel", "usatoday": "USA Today",
    "voanews": "VOA News", "vox": "Vox", "washingtonpost": "The Washington Post",
    "washingtontimes": "The Washington Times", "wsj": "The Wall Street Journal",
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
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "news"})

_NAME = r"(?:The\s+)?[A-Z][\w&'’-]*(?:\s+(?:(?:of|and|&)\s+)?[A-Z][\w&'’-]*){0,4}"
_READERS = (
    r"[^.!?\n]{0,60}?\b(?:readers?|subscri\w*|support\w*|donations?|donors?|members?|you|your"
    r"|advertis\w*|millions|people|Americans|Britons|audiences?|licen[cs]e|public)\b"
)
_YEARS = r"\d{4}(?:\s*[-–]\s*\d{4})?"
# "<Name> is trusted by readers", "<Name> has reported ... since 1921": found from the
# verb, then the name just before it.
_SELF_VERB = re.compile(  # starts where a whitespace run starts: linear in the line
    r"(?<!\s)\s++(?:is\s+on\s+the\s+ground"
    rf"|(?:is\s+trusted\s+by|relies\s+on|is\s+funded\s+by)(?={_READERS})"
    r"|has\s+(?:reported|covered|served|been\s+\w+ing)(?=[^.!?\n]{0,80}\bsince\s+\d{4}))"
)
_NAME_BEFORE = re.compile(rf"(?<![\w&'’-])(?P<name>{_NAME})$")
# "© 2024 The Daily Ledger", "Subscribe to Independent Premium", "Support The Harbour Courier",
# and appeal headings such as "Become a member of the Morning Herald".
_SELF_NAMING = (
    re.compile(
        rf"(?:©\s*(?:{_YEARS}\s+)?|(?:\([cC]\)|\bCopyright)\s*©?\s*{_YEARS}\s+)(?P<name>{_NAME})"
    ),
    re.compile(rf"\bSubscribe\s+to\s+(?P<name>{_NAME})"),
    re.compile(rf"\bSupport\s+(?P<name>The\s+{_NAME})"),
    re.compile(
        rf"^[ \t]*(?:Support|Become\s+an?\s+(?:member|subscriber|supporter)\s+of)\s+(?:the\s+)?"
        rf"(?P<name>{_NAME})[ \t]*$",
        re.MULTILINE,
    ),
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


_Taken = dict[int, MetadataSpan]  # line number -> the metadata span found on it


def _to_date(year: str, month: int, day: str) -> dt.date | None:
    try:
        value = dt.date(int(year), month, int(day))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None


def _date_of(match: re.Match[str]) -> dt.date | None:
    """The date a ``_DATE`` match names, or None for an impossible one."""
    groups = match.groupdict()
    for year, month, day in _YMD_GROUPS:
        if groups[year]:
            name = groups[month]
            number = int(name) if name.isdigit() else _MONTH_NAMES.index(name[:3].lower()) + 1
            return _to_date(groups[year], number, groups[day])
    first, second = int(groups["dmy_a"]), int(groups["dmy_b"])
    if first > 12 >= second:
        return _to_date(groups["dmy_y"], second, str(first))
    if second > 12 >= first:
        return _to_date(groups["dmy_y"], first, str(second))
    return None  # 03/04/2018: day-first or month-first, no way to tell


def parse_date_line(line: str) -> tuple[dt.date, str] | None:
    """The date of a line that is a date (or opens with one), and the metadata part of it.

    The metadata part is the whole line when it holds only dates, labels and times, or
    the leading part ending in whitespace when the date is glued to body text;
    a bare month-name date glued to text counts only after a label or a dash
    ("March 3, 2018, was..." is prose).
    """
    matches = list(_DATE_ITEM.finditer(line)) if len(line) <= _MAX_DATE_LINE else []
    if matches and not _DATE_SEPARATORS.fullmatch(_DATE_ITEM.sub("", line)):
        matches = []
    for match in matches:
        value = _date_of(match)
        if value is not None:
            return value, line
    prefix = _DATE_PREFIX.match(line)
    if prefix is None:
        return None
    numeric = prefix.group("iso_y") or prefix.group("ymd_y")
    if not (prefix.group("label") or prefix.group("sep") or numeric):
        return None
    value = _date_of(prefix)
    return (value, prefix.group("prefix")) if value is not None else None


def _url_in(text: str) -> str | None:
    """The URL a line consists of (possibly in ``<...>``), if it parses."""
    match = _URL_LINE.match(text)
    try:
        return match.group("url") if match and urlsplit(match.group("url")).hostname else None
    except ValueError:  # "http://[broken"
        return None


def _find_urls(lines: list[str]) -> tuple[str | None, list[MetadataSpan]]:
    """The first source URL, and every URL line: bare, or labelled ``Original url:``.

    A label whose URL is on the next non-empty line is a span too; the URL line
    itself is found as a bare URL line.
    """
    spans: list[MetadataSpan] = []
    first: str | None = None
    for number, line in enumerate(lines):
        url = _url_in(line)
        label = None if url else _URL_LABEL.match(line)
        if label and label.group("rest").strip():
            url = _url_in(label.group("rest"))
        elif label:
            later = (n for n in range(number + 1, len(lines)) if lines[n].strip())
            following = next(later, None)
            url = _url_in(lines[following]) if following is not None else None
        if url:
            spans.append(MetadataSpan(number, line, "source URL line"))
            first = first or url
    return first, spans


def _ends_sentence(line: str, marks: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return stripped.endswith(tuple(marks)) and not stripped.endswith("...")


def _heading(lines: list[str], number: int, max_words: int, marks: str, taken: _Taken) -> bool:
    """Whether a line is short, unpunctuated at the end, and not wrapped onto the next line."""
    line = lines[number]
    words = line.split(maxsplit=max_words + 1)
    following = lines[number + 1] if number + 1 < len(lines) else ""
    if number + 1 in taken:  # "date 2018-03-20 The body..." starts with "date"
        following = following[len(taken[number + 1].text) :]
    following = following.lstrip()
    return (
        2 <= len(words) <= max_words
        and any(char.isalpha() for char in line)
        and not _ends_sentence(line, marks)
        and not following[:1].islower()  # hard-wrapped prose carries on in lowercase
    )


def _site_label(url: str) -> str | None:
    """The name part of a URL's domain: ``news.bbc.co.uk`` -> ``bbc``."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) < 2 or all(label.isdigit() for label in labels):
        return None
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]  # example.co.uk
    return labels[-2]


def site_name(url: str) -> tuple[str, bool] | None:
    """A readable outlet name for a URL's site, and whether the site is a known one.

    Known news sites come from a table; otherwise the domain's name label is
    title-cased, split at hyphens and masthead words (``dailyledger.example``
    -> "Daily Ledger").
    """
    label = _site_label(url)
    if label is None:
        return None
    if label in _KNOWN_SITES:
        return _KNOWN_SITES[label], True
    words = [word for part in re.split(r"[-_]+", label) for word in _split_label(part)]
    return (" ".join(words), False) if words else None


def _spelled_out(label: str, text: str) -> str | None:
    """The site's name as the text writes it: ``capitalexchange`` -> "Capital Exchange"."""
    letters = re.sub(r"[^a-z0-9]", "", label)
    if len(letters) < 4:
        return None
    pattern = r"\b" + r"[ -]?".join(letters) + r"\b"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        if all(word[0].isupper() for word in re.split(r"[ -]", match.group())):
            return match.group()
    return None


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
        before = text[max(0, match.start() - 20) : match.start()].rstrip(" \t")
        if match.group(1) == "the":
            votes -= 1
        elif before and before[-1] not in "\n.!?:\"“‘'":
            votes += 1
    return votes > 0 or (votes == 0 and name.startswith("The "))


def _self_names(text: str) -> Iterator[tuple[int, str]]:
    """Where the text names an outlet in its own boilerplate, and the name as written."""
    for verb in _SELF_VERB.finditer(text):
        start = max(0, verb.start() - 120)
        match = _NAME_BEFORE.search(text, start, verb.start())
        if match:
            yield match.start(), match.group("name")
    for pattern in _SELF_NAMING:
        for match in pattern.finditer(text):
            yield match.start(), match.group("name")


def outlet_from_text(text: str) -> str | None:
    """The outlet an article's boilerplate names ("© 2024 The Daily Ledger"), if any.

    The name named most often wins; "The Independent" and "Independent Premium"
    count as the same outlet, written with its "The" when the text treats it as
    part of the name.
    """
    votes: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for position, raw in _self_names(text):
        name = _clean_name(raw)
        if name is None:
            continue
        key = name.removeprefix("The ").lower()
        votes[key] += 1
        first_seen[key] = min(first_seen.get(key, position), position)
        if len(name) > len(spelling.get(key, "")):
            spelling[key] = name
    for short in list(votes):  # "Tribune" counts for "The Valdrisa Tribune"
        longer = [key for key in votes if key.endswith(" " + short)]
        if longer:
            votes[max(longer, key=len)] += votes.pop(short)
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
        published = published or found[0]
        spans.append(MetadataSpan(number, found[1], "date line"))
    return published, spans


def _page_line(lines: list[str], number: int) -> bool:
    """A line above the story that belongs to the page, not to the article: never its headline.

    Boilerplate by its form ("Read more: ...", "Advertisement"), or a label and a link
    title ("Watch: ...") whose words the article itself never uses.
    """
    line = lines[number]
    if is_furniture(line) or any(pattern.search(line) for _, pattern in LINE_RULES):
        return True
    if not is_link_label(line):
        return False
    words = set(content_words(line))
    body = {word for other in lines[number + 1 :] for word in content_words(other)}
    return bool(words) and len(words & body) < _LINK_OVERLAP * len(words)


def _headline(lines: list[str], nonempty: list[int], taken: _Taken) -> list[MetadataSpan]:
    """Headline and standfirst spans: short unpunctuated lines before the body."""
    free = [number for number in nonempty if number not in taken]
    while free and free[0] <= nonempty[min(len(nonempty), HEADER_LINES) - 1]:
        if not _page_line(lines, free[0]):
            break
        free = free[1:]  # the cleaner removes it
    if len(free) < 2 or free[0] > nonempty[min(len(nonempty), HEADER_LINES) - 1]:
        return []
    if any(span.line < free[0] and span.text != lines[span.line] for span in taken.values()):
        return []  # a date glued to the first sentence: the text starts with its body
    if not _heading(lines, free[0], MAX_HEADLINE_WORDS, ".:;,", taken):
        return []
    spans = [MetadataSpan(free[0], lines[free[0]], "headline")]
    following = next((n for n in nonempty if n > free[0]), None)
    if following in free[1:-1] and _heading(
        lines, following, MAX_STANDFIRST_WORDS, ".!?…:;,", taken
    ):
        spans.append(MetadataSpan(following, lines[following], "standfirst"))
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

    spans = sorted(url_spans + date_spans + title_spans, key=lambda span: span.line)
    return DocumentMetadata(title, published, url, _outlet(url, text), tuple(spans))


def _outlet(url: str | None, text: str) -> str | None:
    """A known site's name; else the site's name as the text spells it; else the name
    the text gives itself; else the site's name guessed from its domain."""
    site = site_name(url) if url else None
    if site is not None and site[1]:
        return site[0]
    label = _site_label(url) if url else None
    spelled = _spelled_out(label, text) if label else None
    if spelled:
        return f"The {spelled}" if _keeps_the(text, spelled) else spelled
    return outlet_from_text(text) or (site[0] if site else None)
