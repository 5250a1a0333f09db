"""What a story gained since a moment: new articles, new facts, new quotes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from storyfuse.models import Fact, Quote, Story, UniqueFact

_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str, now: dt.datetime | None = None) -> str:
    """An ISO timestamp from ``2025-04-02``, ``2025-04-02T10:00`` or ``3d``/``12h``/``2w`` ago."""
    now = now or dt.datetime.now(dt.UTC)
    relative = _RELATIVE.match(value.strip())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        try:
            moment = now - dt.timedelta(**{_UNITS[unit]: amount})
        except (OverflowError, ValueError):
            raise ValueError(f"{value.strip()!r} reaches back before the year 1") from None
        return moment.isoformat(timespec="seconds")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"cannot read {value!r} as a time: use 2025-04-02, 2025-04-02T10:00 or 3d, 12h, 2w"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class StoryChanges:
    """The difference between a story then and now."""

    since: str
    new_articles: tuple[str, ...]
    new_shared_facts: tuple[Fact, ...]
    new_unique_facts: tuple[UniqueFact, ...]
    new_quotes: tuple[Quote, ...]


def story_changes(before: Story | None, after: Story, since: str) -> StoryChanges:
    """Compare a story as it was (``before``, None if it did not exist) with how it is."""
    old_articles = set(before.articles) if before else set()
    old_facts: set[str] = set()
    old_quotes: set[str] = set()
    if before is not None:
        old_facts = {f.text for f in before.shared_facts} | {f.text for f in before.unique_facts}
        old_quotes = {q.text for q in before.quotes}
    return StoryChanges(
        since=since,
        new_articles=tuple(a for a in after.articles if a not in old_articles),
        new_shared_facts=tuple(f for f in after.shared_facts if f.text not in old_facts),
        new_unique_facts=tuple(f for f in after.unique_facts if f.text not in old_facts),
        new_quotes=tuple(q for q in after.quotes if q.text not in old_quotes),
    )
