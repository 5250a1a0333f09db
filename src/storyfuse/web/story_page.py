"""What a reader sees first: the story page in reading order, and the home page's ranking.

The story view (:mod:`storyfuse.web.views`) holds everything computed from the
articles; this module arranges it for reading: the facts most outlets agree on
first, what only one outlet reports grouped by outlet, a timeline of dated
articles with the facts each day first brought, and who covers the story (by
country and kind, with its blind spots, from the outlet directory). The home
page ranks stories by importance and shows dates relative to now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from storyfuse.store.listing import importance as importance  # the home page's order
from storyfuse.store.listing import ranked as ranked
from storyfuse.stories.outlets import Coverage, OutletDirectory
from storyfuse.web.views import Marker, MatrixRow, Source, StoryView

KEY_FACTS_SHOWN = 5
UNIQUE_SHOWN_PER_OUTLET = 2
DAY_FACTS_SHOWN = 2


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact as the page lists it: its text, the outlets reporting it and their markers."""

    text: str
    outlets: int
    markers: tuple[Marker, ...]


@dataclass(frozen=True, slots=True)
class OutletFacts:
    """What one outlet alone reports."""

    outlet: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class TimelineDay:
    """A publication day: the articles published then and the facts first reported then."""

    day: dt.date | None
    articles: tuple[Source, ...]
    facts: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class StoryPage:
    """The story page's reading order on top of the view."""

    key_facts: tuple[Fact, ...]
    unique: tuple[OutletFacts, ...]
    days: tuple[TimelineDay, ...]
    coverage: Coverage


def _fact(row: MatrixRow) -> Fact:
    markers = tuple(m for cell in row.cells for m in cell)
    ordered = tuple(sorted(markers, key=lambda m: m.source.number))
    return Fact(row.text, sum(1 for cell in row.cells if cell), ordered)


def reading_order(view: StoryView, outlets: OutletDirectory) -> StoryPage:
    """Arrange a story's view for reading (see the module's docstring)."""
    shared = [_fact(row) for row in view.matrix if row.shared]
    key_facts = tuple(sorted(shared, key=lambda f: -f.outlets))
    by_outlet: dict[str, list[Fact]] = defaultdict(list)
    for row in view.matrix:
        if not row.shared:
            fact = _fact(row)
            if fact.markers:
                by_outlet[fact.markers[0].source.outlet].append(fact)
    unique = tuple(
        OutletFacts(name, tuple(facts))
        for name, facts in sorted(by_outlet.items(), key=lambda item: (-len(item[1]), item[0]))
    )
    published = {s.id: s.published for s in view.sources}
    first_day: dict[str | None, list[Fact]] = defaultdict(list)
    for fact in (*key_facts, *(f for group in unique for f in group.facts)):
        days = sorted(d for m in fact.markers if (d := published.get(m.source.id)))
        first_day[days[0] if days else None].append(fact)
    day_articles: dict[str | None, list[Source]] = defaultdict(list)
    for source in view.sources:
        day_articles[source.published].append(source)
    ordered_days = sorted(day_articles, key=lambda d: (d is None, d or ""))
    timeline = tuple(
        TimelineDay(
            dt.date.fromisoformat(day[:10]) if day else None,
            tuple(day_articles[day]),
            tuple(first_day.get(day, ())),
        )
        for day in ordered_days
    )
    documents = view.document.get("articles", [])
    coverage = outlets.coverage((a.get("outlet"), a.get("url")) for a in documents)
    return StoryPage(key_facts, unique, timeline, coverage)


# -- the home page --------------------------------------------------------------------


def relative_time(value: str | dt.date | None, now: dt.datetime) -> str:
    """``3 h ago``, ``yesterday``, ``5 days ago``, ``2 months ago``; "no date" when unknown."""
    if value is None or value == "":
        return "no date"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        days = (now.date() - value).days
        if days <= 0:
            return "today"
        return _days_ago(days)
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return _days_ago(int(seconds // 86400))


def _days_ago(days: int) -> str:
    if days == 1:
        return "yesterday"
    if days < 31:
        return f"{days} days ago"
    if days < 365:
        months = days // 30
        return f"{months} {'month' if months == 1 else 'months'} ago"
    years = days // 365
    return f"{years} {'year' if years == 1 else 'years'} ago"
