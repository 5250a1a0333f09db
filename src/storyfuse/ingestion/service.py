"""An ingest, in order: prepare, deduplicate, cluster, persist, refresh the stories.

What happens to each cleaned article, in a canonical order (by publication
date, then id), so the result does not depend on the order of the inputs:

- the same text again (an exact duplicate): only the new source is linked;
- the same URL with changed text: a revision; both versions are kept, the
  older one is marked superseded and the story shows the latest;
- nearly the same text (:mod:`storyfuse.stories.duplicates`): from the same
  outlet, stored once and linked; from another outlet, kept as that outlet's
  reprint and linked to the original, in the original's story;
- otherwise a new article: the batch's new articles are clustered together
  and each group joins the story it matches best or starts one.

When a story that grew turns out to hold two events, the clusterer splits it:
the articles of the split-off part (with their earlier versions) move to a new
story, and the old id stays with the part that holds its first article. Every
story touched is then refreshed: headline, size, dates, independent sources.

Exact duplicates within one ingest are linked as sources of the first, like
duplicates of stored articles. Each batch of ``BATCH_ARTICLES`` articles (in
the canonical order) is one transaction of the store, so that a long ingest
holds the write lock only in bounded turns: a crash or a bad input mid-batch
leaves the batches before it stored and the rest as it was, and ingesting the
same input again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from storyfuse.ingestion.prepare import PreparedArticle, Preparer
from storyfuse.models import Article, InputError, RawDocument
from storyfuse.store.database import StoreBusy
from storyfuse.store.store import Store, StoryRecord
from storyfuse.stories.cluster import StoryClusterer
from storyfuse.stories.features import ArticleFeatures, ClusterOptions
from storyfuse.stories.story_tally import StoryTally

# Stories whose tallies stay in memory between batches (the most recently refreshed).
# A tally is written to the store when it leaves memory, or when the ingestion closes,
# not on every refresh: a kept tally that is older than its story is still a true
# tally of the articles it holds, and is grown from there.
TALLIES_KEPT = 2000


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What an ingest did: counts, and the reason for every rejection."""

    added: int = 0
    duplicates: int = 0
    revised: int = 0
    near_duplicates: int = 0
    rejected: tuple[InputError, ...] = ()
    stories_touched: tuple[str, ...] = ()

    def summary_line(self) -> str:
        """One human line: added / duplicate / revised / rejected."""
        return (
            f"{self.added} added, {self.duplicates + self.near_duplicates} duplicate, "
            f"{self.revised} revised, {len(self.rejected)} rejected"
        )


@dataclass
class _Batch:
    """Counters of one ingest while its transaction is open."""

    now: str
    added: int = 0
    duplicates: int = 0
    revised: int = 0
    near_duplicates: int = 0
    touched: set[str] = field(default_factory=set)
    # variants of articles new in this batch, waiting for their original's story
    waiting: list[tuple[str, ArticleFeatures]] = field(default_factory=list)


BATCH_ARTICLES = 500
"""Articles per transaction: a long ingest commits as it goes and lets other writers in."""


class Ingestion:
    """Ingests batches of documents into a store, keeping its clusterer between batches.

    The clusterer holds the stories active in the last ``window_days``; it is
    loaded from the store on first use and rebuilt whenever an ingest failed
    (its memory may hold articles the rolled-back transaction never stored) or
    another connection has written to the store since.
    """

    def __init__(
        self, store: Store, options: ClusterOptions | None = None, workers: int = 1
    ) -> None:
        self.store = store
        self.options = options or ClusterOptions()
        self.preparer = Preparer(self.options, workers)
        # the tallies of the stories refreshed last, most recent last
        self._tallies: OrderedDict[str, StoryTally] = OrderedDict()
        self._unsaved: set[str] = set()  # of those, the ones the store keeps older
        self._clusterer: StoryClusterer | None = None
        self._data_version: tuple[int, int] = (-1, -1)

    def __enter__(self) -> Ingestion:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Write the tallies the store keeps older; stop the preparation's worker processes."""
        try:
            if self._unsaved:
                with self.store.transaction():
                    for story_id in sorted(self._unsaved):
                        self.store.save_tally(story_id, self._tallies[story_id].encode())
        except StoreBusy:
            pass  # another writer holds the store: the older tallies it keeps stay true
        finally:
            self._unsaved.clear()
            self.preparer.close()

    def ingest(
        self,
        documents: Sequence[RawDocument],
        errors: Sequence[InputError] = (),
        progress: Callable[[int], None] | None = None,
    ) -> IngestResult:
        """Add documents, a transaction per batch; rejected inputs are recorded with their reason.

        Raises :class:`~storyfuse.store.database.StoreBusy` when another writer keeps the
        store too long; the batches committed before stay.
        """
        # the slow part runs before the write lock is taken, so other writers get their turn
        ready, prepare_errors = self.preparer.prepare(documents)
        rejected = [*errors, *(e for e in prepare_errors if e.duplicate_of is None)]
        repeats = [e for e in prepare_errors if e.duplicate_of is not None]
        ordered = sorted(
            ready, key=lambda item: (item.article.published or dt.date.min, item.article.id)
        )
        aliases: dict[str, str] = {}
        totals = _Batch(now=self.store.now())
        starts = range(0, len(ordered), BATCH_ARTICLES) if ordered else range(1)
        for start in starts:
            last = start + BATCH_ARTICLES >= len(ordered)
            batch = self._ingest_batch(
                ordered[start : start + BATCH_ARTICLES],
                rejected if start == 0 else (),
                repeats if last else (),
                aliases,
                progress,
            )
            totals.added += batch.added
            totals.duplicates += batch.duplicates
            totals.revised += batch.revised
            totals.near_duplicates += batch.near_duplicates
            totals.touched |= batch.touched
        clusterer = self._clusterer
        resolve = clusterer.resolve if clusterer else str
        return IngestResult(
            added=totals.added,
            duplicates=totals.duplicates,
            revised=totals.revised,
            near_duplicates=totals.near_duplicates,
            rejected=tuple(rejected),
            stories_touched=tuple(sorted({resolve(s) for s in totals.touched})),
        )

    def _ingest_batch(
        self,
        ordered: Sequence[PreparedArticle],
        rejected: Sequence[InputError],
        repeats: Sequence[InputError],
        aliases: dict[str, str],
        progress: Callable[[int], None] | None,
    ) -> _Batch:
        """One transaction: articles in canonical order, rejections, in-batch repeats last."""
        store = self.store
        batch = _Batch(now=store.now())
        try:
            with store.transaction():
                for error in rejected:
                    store.record_rejection(error, batch.now)
                clusterer = self._clusterer_for([item.article for item in ordered])
                prepared = [item for item in ordered if not self._known(item.article, batch)]
                store.prefetch_near_duplicates([item.minhash for item in prepared])
                clusterer.observe(item.features for item in prepared)
                fresh: list[PreparedArticle] = []
                for item in prepared:
                    if not self._place_variant(item, batch, clusterer, aliases):
                        # its story is decided below, with the batch's other new articles
                        store.insert_article(
                            item.article, item.features, item.minhash, None, batch.now
                        )
                        fresh.append(item)
                        batch.added += 1
                    if progress:
                        progress(1)
                self._place_fresh(fresh, batch, clusterer)
                self._refresh_stories({clusterer.resolve(s) for s in batch.touched}, batch.now)
                for repeat in repeats:  # exact duplicates of another input of this ingest
                    assert repeat.duplicate_of is not None
                    original = aliases.get(repeat.duplicate_of, repeat.duplicate_of)
                    store.link_source(repeat.source, original, "duplicate", batch.now)
                    batch.duplicates += 1
        except BaseException:
            self._clusterer = None
            self._forget_tallies()
            raise
        self._data_version = store.data_version()  # our own writes keep the clusterer valid
        return batch

    def _known(self, article: Article, batch: _Batch) -> bool:
        """An exact duplicate of a stored article: link the new source, and that is all."""
        if self.store.has_article(article.id):
            self.store.link_source(article.source, article.id, "duplicate", batch.now)
            batch.duplicates += 1
            return True
        return False

    def _place_variant(
        self,
        item: PreparedArticle,
        batch: _Batch,
        clusterer: StoryClusterer,
        aliases: dict[str, str],
    ) -> bool:
        """Store a revision or a near-duplicate with its original; False if the text is new."""
        store, article = self.store, item.article
        previous = store.latest_version(article.url) if article.url else None
        if previous is not None:
            previous_id, story = previous
            store.insert_article(
                article, item.features, item.minhash, story, batch.now, revision_of=previous_id
            )
            store.supersede(previous_id, article.id)
            self._join_story(story, item, batch, clusterer)
            batch.revised += 1
            return True
        original = store.near_duplicate(item.minhash)
        if original is not None:
            outlet, story = store.outlet_and_story(original)
            if outlet == article.outlet or not article.outlet:
                store.link_source(article.source, original, "near-duplicate", batch.now)
                aliases[article.id] = original  # where its exact repeats are linked too
                batch.near_duplicates += 1
                return True
            store.insert_article(
                article, item.features, item.minhash, story, batch.now, near_duplicate_of=original
            )
            self._join_story(story, item, batch, clusterer)
            batch.added += 1
            return True
        return False

    @staticmethod
    def _join_story(
        story: str | None, item: PreparedArticle, batch: _Batch, clusterer: StoryClusterer
    ) -> None:
        """Add a variant to its original's story; wait if that story is still being decided."""
        if story is None:
            batch.waiting.append((item.article.id, item.features))
            return
        clusterer.restore(story, item.features)
        batch.touched.add(story)

    def _place_fresh(
        self, fresh: Sequence[PreparedArticle], batch: _Batch, clusterer: StoryClusterer
    ) -> None:
        """Cluster the batch's new articles together, then give their variants the same story."""
        store = self.store
        assignments = clusterer.add_batch([item.features for item in fresh], count_terms=False)
        moves: Counter[tuple[str, str]] = Counter()
        for assignment in assignments:
            if assignment.moved:
                left = store.move_article(assignment.article, assignment.story)
                if left is not None:
                    moves[(clusterer.resolve(left), assignment.story)] += 1
            else:
                store.assign_story(assignment.article, assignment.story)
            for absorbed in assignment.merged:
                store.redirect_story(absorbed, assignment.story)
                self._tallies.pop(absorbed, None)  # the store dropped its tally too
                self._unsaved.discard(absorbed)
            batch.touched.add(assignment.story)
        for (from_story, to_story), count in sorted(moves.items()):
            store.record_split(from_story, to_story, count, batch.now)
            batch.touched.add(from_story)
        for article_id, features in batch.waiting:
            story = clusterer.resolve(store.original_story(article_id))
            store.assign_story(article_id, story)
            clusterer.restore(story, features)
            batch.touched.add(story)

    def _clusterer_for(self, incoming: Sequence[Article]) -> StoryClusterer:
        """The clusterer, loaded once and kept valid, with idle stories evicted."""
        dates = [a.published for a in incoming if a.published]
        newest = max(dates) if dates else dt.date.today()
        since = newest - dt.timedelta(days=self.options.window_days)
        if self._clusterer is None or self.store.data_version() != self._data_version:
            self._clusterer = self._load_clusterer(since.isoformat())
            self._forget_tallies()  # another writer may have changed any story
        else:
            self._clusterer.evict(before=since)
        return self._clusterer

    def _load_clusterer(self, since: str) -> StoryClusterer:
        """A clusterer holding the stories active since ``since`` (an ISO date)."""
        clusterer = StoryClusterer(self.options)
        seen_since = self.store.clock() - dt.timedelta(days=self.options.window_days)
        restored = self.store.active_features(since, seen_since.isoformat())
        clusterer.observe(features for _, features in restored)
        for story_id, features in restored:
            clusterer.restore(story_id, features)
        return clusterer

    def _forget_tallies(self) -> None:
        """Drop the tallies in memory; the store's, older or not, are true of their articles."""
        self._tallies.clear()
        self._unsaved.clear()

    def _refresh_stories(self, story_ids: set[str], now: str) -> None:
        """Refresh each story's record; the tallies not in memory are read from the store."""
        ordered = sorted(story_ids)
        kept = self.store.tallies([s for s in ordered if s not in self._tallies])
        for story_id in ordered:
            self._refresh_story(story_id, kept.get(story_id), now)

    def _refresh_story(self, story_id: str, kept: bytes | None, now: str) -> None:
        """Headline, size, dates and independent sources of a story, from its articles.

        The story's tally (in memory, else as the store keeps it) loses the articles
        that left the story (a split, a revision) and grows by those it gained; a
        story without a tally, or whose tally refuses, is tallied from all its articles.
        """
        current = set(self.store.story_article_ids(story_id))
        if not current:
            return
        tally = self._tallies.pop(story_id, None)
        if tally is None and kept is not None:
            tally = StoryTally.decode(kept)
        lost = sorted(tally.members.keys() - current) if tally is not None else []
        if tally is not None and lost:
            left = self.store.articles_by_id(lost)  # moved on, or superseded by a revision
            if len(left) != len(lost) or not tally.remove(left):
                tally = None
        known = tally.members.keys() if tally is not None else set()
        gained = self.store.articles_by_id(sorted(current - known))
        if tally is None or not tally.add(gained):
            tally = StoryTally()
            tally.add(self.store.story_articles(story_id) if known else gained)
        self._tallies[story_id] = tally
        self._unsaved.add(story_id)
        while len(self._tallies) > TALLIES_KEPT:
            oldest, leaving = self._tallies.popitem(last=False)
            if oldest in self._unsaved:
                self._unsaved.discard(oldest)
                self.store.save_tally(oldest, leaving.encode())
        first, last = tally.dates()
        record = StoryRecord(
            id=story_id,
            headline=tally.headline(),
            size=len(tally.members),
            independent_sources=tally.independent_sources(),
            first_published=first,
            last_published=last,
            outlets=tally.outlets(),
        )
        self.store.save_story(record, now)
