"""Who is reporting: the outlet directory, outlet names, and a story's coverage by country and kind.

The directory is a CSV bundled with the package (English-language outlets
written from public knowledge, each row with a source to check it) plus a
user file in the same format whose rows override the bundled ones: a user row
replaces every bundled row with the same name or a shared domain. An article
finds its outlet by the host of its URL (``www.`` and subdomains fall back to
the parent domain), else by the name it gives itself ("The Jerusalem Post |
JPost.com", "cleveland"). Outlets the directory does not know keep the name
the article gives, shown as it is, and count as "not in the directory".
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

KINDS = ("wire service", "national", "local", "public broadcaster", "magazine", "aggregator")
COLUMNS = ("name", "domains", "country", "language", "kind", "owner", "source")
USER_FILE_ENV = "STORYFUSE_OUTLETS"
# Never tried inside a run of whitespace, only where it starts: linear in the name.
_SEPARATORS = re.compile(r"(?:(?<!\s)|(?!\s))(?:\s++[|–—-]\s++|\s*+[|]\s*+)")
_DOMAIN_LIKE = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$", re.IGNORECASE)
_NOT_NAME = re.compile(r"[^0-9a-z]+")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "or", "ne", "go"})


@dataclass(frozen=True, slots=True)
class Outlet:
    """One entry of the directory."""

    name: str
    domains: tuple[str, ...]
    country: str
    language: str
    kind: str
    owner: str
    source: str


@dataclass(frozen=True, slots=True)
class Coverage:
    """Who reports a story: its outlets, counted by country and by kind, and its blind spots."""

    outlets: tuple[tuple[str, Outlet | None], ...]
    by_country: tuple[tuple[str, int], ...]
    by_kind: tuple[tuple[str, int], ...]
    unknown: tuple[str, ...]
    blind_spots: tuple[str, ...]


class OutletError(ValueError):
    """A directory file that cannot be read, with the file and line in the message."""


def name_key(name: str) -> str:
    """A name folded for matching: case, punctuation and a leading "The" do not count."""
    folded = name.casefold().strip()
    folded = folded.removeprefix("the ")
    return _NOT_NAME.sub("", folded)


def host_of(url: str | None) -> str | None:
    """The lower-cased host of an http(s) URL, without ``www.``; None for anything else."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    return host.removeprefix("www.")


def name_parts(name: str) -> list[str]:
    """The pieces of a site name: "The Jerusalem Post | JPost.com" gives both sides."""
    return [part.strip() for part in _SEPARATORS.split(name) if part.strip()]


def site_name(name: str | None, url: str | None = None) -> str | None:
    """How to show an outlet the directory does not know: its name without a domain tag.

    "Quellbrook Gazette | quellbrook.example" shows as "Quellbrook Gazette"; an
    article with no name but a URL shows by its host.
    """
    if name:
        parts = name_parts(name)
        words = [part for part in parts if not _DOMAIN_LIKE.match(part)]
        return (words or parts or [name.strip()])[0]
    return host_of(url)


def _site_label(domain: str) -> str:
    """The label a site is known by: "cleveland" of cleveland.com, "bbc" of bbc.co.uk."""
    labels = domain.split(".")[:-1]
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels.pop()
    return labels[-1] if labels else domain


def parse_outlets(text: str, origin: str) -> list[Outlet]:
    """The rows of a directory file (``#`` lines are comments); errors name ``origin`` and line."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in ("name", "domains") if c not in (reader.fieldnames or ())]
    if missing:
        raise OutletError(f"{origin}: no {' or '.join(missing)} column (columns: {COLUMNS})")
    outlets = []
    for number, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        if not name:
            raise OutletError(f"{origin}: row {number}: no name")
        if kind and kind not in KINDS:
            raise OutletError(f"{origin}: row {number}: unknown kind {kind!r} (one of {KINDS})")
        domains = tuple(
            d.lower().removeprefix("www.") for d in (row.get("domains") or "").split() if d
        )
        outlets.append(
            Outlet(
                name=name,
                domains=domains,
                country=(row.get("country") or "").strip(),
                language=(row.get("language") or "").strip(),
                kind=kind,
                owner=(row.get("owner") or "").strip(),
                source=(row.get("source") or "").strip(),
            )
        )
    return outlets


def format_outlets(outlets: Iterable[Outlet]) -> str:
    """Outlets as a directory file (the header row first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for o in outlets:
        writer.writerow(
            (o.name, " ".join(o.domains), o.country, o.language, o.kind, o.owner, o.source)
        )
    return buffer.getvalue()


def bundled_outlets() -> list[Outlet]:
    """The directory shipped with storyfuse."""
    data = resources.files("storyfuse.stories").joinpath("data", "outlets.csv")
    return parse_outlets(data.read_text(encoding="utf-8"), "bundled outlets.csv")


def default_user_file() -> Path:
    """``$STORYFUSE_OUTLETS``, else ``outlets.csv`` in the user data directory."""
    configured = os.environ.get(USER_FILE_ENV)
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "storyfuse" / "outlets.csv"


def read_user_file(path: Path) -> list[Outlet]:
    """The rows of a user file; none when it does not exist."""
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise OutletError(f"{path}: cannot read the outlet file ({error})") from None
    return parse_outlets(text, str(path))


def merge(bundled: Sequence[Outlet], user: Sequence[Outlet]) -> list[Outlet]:
    """The bundled rows less those a user row overrides (same name or a shared domain), then the
    user rows."""
    names = {name_key(o.name) for o in user}
    domains = {d for o in user for d in o.domains}
    kept = [o for o in bundled if name_key(o.name) not in names and not domains & set(o.domains)]
    return [*kept, *user]


class OutletDirectory:
    """Outlets by domain and by name, for naming articles' outlets and counting coverage."""

    def __init__(
        self, outlets: Sequence[Outlet], user_file: Path | None = None, user_entries: int = 0
    ) -> None:
        self.outlets = tuple(sorted(outlets, key=lambda o: o.name.casefold()))
        self.user_file = user_file
        self.user_entries = user_entries
        self._by_domain: dict[str, Outlet] = {}
        self._by_name: dict[str, Outlet] = {}
        for outlet in self.outlets:
            self._by_name.setdefault(name_key(outlet.name), outlet)
            for domain in outlet.domains:
                self._by_domain.setdefault(domain, outlet)
                # "cleveland" names cleveland.com; "jpost" names jpost.com
                self._by_name.setdefault(name_key(_site_label(domain)), outlet)
                self._by_name.setdefault(name_key(domain), outlet)

    @classmethod
    def load(cls, user_file: Path | None = None) -> OutletDirectory:
        """The bundled directory overridden by ``user_file`` (default :func:`default_user_file`)."""
        path = user_file if user_file is not None else default_user_file()
        user = read_user_file(path)
        return cls(merge(bundled_outlets(), user), path, len(user))

    def by_domain(self, host: str) -> Outlet | None:
        """The outlet of a host: the host itself, else each parent domain in turn."""
        labels = host.split(".")
        for start in range(len(labels) - 1):
            found = self._by_domain.get(".".join(labels[start:]))
            if found is not None:
                return found
        return None

    def find(self, name: str | None, url: str | None = None) -> Outlet | None:
        """The outlet of an article: by its URL's host, else by the name it gives itself."""
        host = host_of(url)
        if host:
            found = self.by_domain(host)
            if found is not None:
                return found
        if not name:
            return None
        whole = self._by_name.get(name_key(name))
        if whole is not None:
            return whole
        for part in name_parts(name):
            found = (
                self.by_domain(part.lower().removeprefix("www."))
                if _DOMAIN_LIKE.match(part)
                else None
            ) or self._by_name.get(name_key(part))
            if found is not None:
                return found
        return None

    def display_name(self, name: str | None, url: str | None = None) -> str | None:
        """The directory's name for the outlet, else the article's own site name."""
        found = self.find(name, url)
        return found.name if found else site_name(name, url)

    def coverage(self, articles: Iterable[tuple[str | None, str | None]]) -> Coverage:
        """Who covers a story whose articles give these (outlet name, URL) pairs."""
        outlets: dict[str, Outlet | None] = {}
        for name, url in articles:
            shown = self.display_name(name, url)
            if shown and shown not in outlets:
                outlets[shown] = self.find(name, url)
        known = [o for o in outlets.values() if o is not None]
        countries = Counter(o.country for o in known if o.country)
        kinds = Counter(o.kind for o in known if o.kind)
        unknown = tuple(name for name, o in outlets.items() if o is None)
        return Coverage(
            outlets=tuple(sorted(outlets.items(), key=lambda item: item[0].casefold())),
            by_country=tuple(sorted(countries.items(), key=lambda c: (-c[1], c[0]))),
            by_kind=tuple((kind, kinds[kind]) for kind in KINDS if kinds[kind]),
            unknown=unknown,
            blind_spots=_blind_spots(known, countries, kinds, len(outlets)),
        )

    def edited(self, outlet: Outlet) -> OutletDirectory:
        """This directory with ``outlet`` added or replacing the entries it overrides."""
        return OutletDirectory(merge(self.outlets, [outlet]), self.user_file, self.user_entries)


def _blind_spots(
    known: Sequence[Outlet], countries: Counter[str], kinds: Counter[str], total: int
) -> tuple[str, ...]:
    """What the coverage lacks, said only when the directory knows enough to say it."""
    if not known:
        return ()
    spots = []
    if not kinds["wire service"]:
        spots.append("no wire service")
    if len(countries) == 1:
        spots.append(f"only one country ({next(iter(countries))})")
    if total - len(known):
        count = total - len(known)
        spots.append(f"{count} {'outlet' if count == 1 else 'outlets'} not in the directory")
    return tuple(spots)


def edit_outlet(base: Outlet | None, name: str, changes: dict[str, str | None]) -> Outlet:
    """``base`` (or a new entry named ``name``) with the given fields changed."""
    outlet = base or Outlet(name, (), "", "en", "", "", "")
    values: dict[str, object] = {}
    for field, value in changes.items():
        if value is None:
            continue
        if field == "domains":
            values[field] = tuple(d.lower().removeprefix("www.") for d in value.split())
        elif field == "kind" and value and value not in KINDS:
            raise OutletError(f"unknown kind {value!r} (one of {', '.join(KINDS)})")
        else:
            values[field] = value
    return replace(outlet, **values)  # type: ignore[arg-type]
