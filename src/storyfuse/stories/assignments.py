"""What clustering a batch reports: where each article went, and the stories merged on the way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from storyfuse.stories.active_story import ActiveStory, by_date_then_id


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an article went, and which story ids were merged into that story.

    ``moved`` marks an article of an earlier batch that left its story when the
    stories around it were agglomerated again (see :meth:`StoryClusterer.add_batch`).
    An article of an earlier batch that stays where it is may still be named,
    to carry the merges of its story.
    """

    article: str
    story: str
    merged: tuple[str, ...] = ()
    created: bool = False
    moved: bool = False


def attach_merges(
    assignments: list[Assignment],
    merges: Sequence[tuple[str, str]],
    live: Mapping[str, ActiveStory],
) -> list[Assignment]:
    """Put each merge on the first assignment into the surviving story.

    A story that merged without taking in an article of this batch is named by
    an assignment of its first article, which stays where it is.
    """
    into: defaultdict[str, list[str]] = defaultdict(list)
    for absorbed, survivor in merges:
        into[survivor].append(absorbed)
    result = []
    for assignment in assignments:
        extra = into.pop(assignment.story, [])
        if extra:
            assignment = replace(assignment, merged=tuple(sorted((*assignment.merged, *extra))))
        result.append(assignment)
    for survivor, ids in sorted(into.items()):
        first = min(live[survivor].members, key=by_date_then_id).id
        result.append(Assignment(first, survivor, tuple(sorted(ids))))
    return result
