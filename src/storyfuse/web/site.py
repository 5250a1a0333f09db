"""The web app's access to the store: connections per thread and cached story views.

SQLite connections must not cross threads: a worker thread opens one per call
(:meth:`Site.store`), and the event loop thread keeps its own for the short
reads of the hot paths (:meth:`Site.connection`). Story views are cached,
keyed by the story id and the sorted ids of its current articles: an article
id is a hash of its text, so the key changes exactly when the story does and
a cached view is never stale. Computing a view (summary, comparison, layout)
takes milliseconds, so from the event loop it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from starlette.concurrency import run_in_threadpool

from storyfuse.ingestion.service import Ingestion, IngestResult
from storyfuse.models import Article, ArticleStatus, RawDocument
from storyfuse.pipeline import PipelineOptions
from storyfuse.store.store import SearchHit, Store
from storyfuse.store.story_summaries import SummaryRow, article_key
from storyfuse.stories.changes import StoryChanges, story_changes
from storyfuse.stories.entity_model import kept_names
from storyfuse.stories.outlets import OutletDirectory
from storyfuse.stories.summarize import SummaryOptions
from storyfuse.web.summary_rows import decode_lines, encode_lines
from storyfuse.web.views import CitedText, StoryView, build_story_summary, build_story_view

K = TypeVar("K")
V = TypeVar("V")
A = TypeVar("A")

DEFAULT_WORDS = 120
MAX_FOCUS_CHARS = 500  # a topic statement, not a document
ANSWERS_KEPT = 512
SEARCHES_AT_ONCE = 2
"""Full-text searches run at once; the others wait their turn before their time limit starts."""
SUMMARIES_AT_ONCE = 2
"""Story views and list summaries computed at once. Computing is Python holding the GIL, so
more at a time finish no sooner; and a search fetching its rows waits for the GIL behind
every computing thread, which once ran 36 ms searches past their 1 s limit."""


class LRUCache(Generic[K, V]):
    """A bounded, thread-safe map that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


ViewKey = tuple[str, tuple[str, ...], int, str]  # story, articles, words, focus


def current_minute() -> int:
    """The minute that answers are kept for (a function, so that tests can hold the clock)."""
    return int(time.time() // 60)


class Site:
    """The store behind the app, its view caches and its token.

    Two ways in: :meth:`store` opens a connection for one call in the calling
    thread (worker threads), and :meth:`connection` is the event loop thread's
    own long-lived connection, for the short reads of the hot paths (story page,
    story and article API) that then never leave the loop unless a view must
    be computed.
    """

    def __init__(
        self,
        db: str | Path,
        token: str | None,
        cache_size: int,
        outlets: OutletDirectory | None = None,
    ) -> None:
        self.db = str(db)
        self.token = token or None
        self.outlets = outlets if outlets is not None else OutletDirectory.load()
        self.cache: LRUCache[ViewKey, StoryView] = LRUCache(cache_size)
        # Rendered story pages, the per-visitor "what's new" part left as a placeholder.
        self.pages: LRUCache[ViewKey, tuple[tuple[str, str], str]] = LRUCache(cache_size)
        # Lists (home, story API, feeds, search) computed once per version of the store's data.
        self.answers: LRUCache[tuple[Hashable, int, int], Any] = LRUCache(ANSWERS_KEPT)
        self._local = threading.local()
        self._search_turns = threading.BoundedSemaphore(SEARCHES_AT_ONCE)
        self._summary_turns = threading.BoundedSemaphore(SUMMARIES_AT_ONCE)
        self._pending: dict[ViewKey, asyncio.Future[StoryView | None]] = {}
        self._pending_answers: dict[tuple[Hashable, int, int], asyncio.Future[Any]] = {}
        # One writer: the app's Ingestion (its clusterer kept between POSTs) lives in this thread.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyfuse-writer")
        self._ingestion: Ingestion | None = None

    def connection(self) -> Store:
        """This thread's long-lived connection (SQLite connections stay in their thread)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.db)
            self._local.store = store
        return store

    def close(self) -> None:
        """Close this thread's long-lived connection, if it has one."""
        store: Store | None = getattr(self._local, "store", None)
        if store is not None:
            store.close()
            self._local.store = None

    async def ingest(self, documents: Sequence[RawDocument]) -> IngestResult:
        """Ingest through the app's one :class:`Ingestion`, one request at a time.

        It and its store connection stay in one writer thread, so the clusterer is
        loaded from the store once, not per request (again only after another
        writer changed the store, or an ingest failed).
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self._ingest, documents)

    def _ingest(self, documents: Sequence[RawDocument]) -> IngestResult:
        if self._ingestion is None:
            self._ingestion = Ingestion(Store(self.db))
        return self._ingestion.ingest(documents)

    def _close_ingestion(self) -> None:
        if self._ingestion is not None:
            self._ingestion.close()
            self._ingestion.store.close()
            self._ingestion = None

    def close_writer(self) -> None:
        """Close the writer thread's Ingestion and store connection, and end the thread."""
        self._writer.submit(self._close_ingestion).result()
        self._writer.shutdown()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A connection for this request (opened and closed in the calling thread)."""
        store = Store(self.db)
        try:
            yield store
        finally:
            store.close()

    async def answer(self, key: Hashable, compute: Callable[[], A]) -> A:
        """``compute()``'s value, computed in a worker thread once per data version and minute.

        The data version is the newest article's sequence number (every change to a
        story list comes with a new article); the minute bounds how stale relative
        times ("3 h ago") and relative filters ("since 3d") get. Requests asking at
        once for the same missing answer share one computation.
        """
        full = (key, self.connection().latest_seq(), current_minute())
        cached = self.answers.get(full)
        if cached is not None:
            return cast(A, cached)
        pending = self._pending_answers.get(full)
        if pending is None:
            pending = asyncio.ensure_future(run_in_threadpool(compute))
            self._pending_answers[full] = pending

            def done(future: asyncio.Future[Any]) -> None:
                self._pending_answers.pop(full, None)
                if not future.cancelled() and future.exception() is None:
                    self.answers.put(full, future.result())

            pending.add_done_callback(done)
        return cast(A, await asyncio.shield(pending))

    def search(self, store: Store, query: str, limit: int) -> list[SearchHit]:
        """:meth:`Store.search`, at most ``SEARCHES_AT_ONCE`` at a time across the threads.

        Every search has :data:`~storyfuse.store.article_search.SEARCH_SECONDS` of wall
        time; many at once in one process would share the CPU and each run out of it.
        """
        with self._search_turns:
            return store.search(query, limit)

    def article_ids(self, store: Store, story_id: str) -> tuple[str, ...]:
        return store.story_article_ids(story_id)

    def _view(
        self, store: Store, story_id: str, articles: Sequence[Article], words: int, focus: str = ""
    ) -> StoryView:
        """These articles' view, from the cache or computed (model names kept in ``store``)."""
        key = (story_id, tuple(sorted(a.id for a in articles)), words, focus)
        view = self.cache.get(key)
        if view is None:
            options = PipelineOptions(summary=SummaryOptions(words=words, focus=focus))
            with self._summary_turns, kept_names(store.entity_names, articles):
                view = build_story_view(story_id, articles, options, self.outlets.display_name)
            self.cache.put(key, view)
        return view

    def view(self, store: Store, story_id: str, words: int = DEFAULT_WORDS) -> StoryView | None:
        """The current view of a (live) story, from the cache when the story has not changed."""
        ids = self.article_ids(store, story_id)
        if not ids:
            return None
        cached = self.cache.get((story_id, ids, words, ""))
        if cached is not None:
            return cached
        articles = store.story_articles(story_id)
        return self._view(store, story_id, articles, words) if articles else None

    def summaries(
        self, store: Store, story_ids: Sequence[str], words: int = DEFAULT_WORDS
    ) -> dict[str, tuple[CitedText, ...]]:
        """The current summary of each of these stories (those with articles), for lists.

        From the view cache, else as the store keeps it for the story's current
        articles; the rest are summarized here and kept in the store for next time.
        """
        current = store.summaries.article_ids(story_ids)
        found: dict[str, tuple[CitedText, ...]] = {}
        for story_id, ids in current.items():
            cached = self.cache.get((story_id, ids, words, ""))
            if cached is not None:
                found[story_id] = cached.summary
        keys = {s: article_key(ids) for s, ids in current.items() if s not in found}
        for story_id, lines in store.summaries.current(keys, words).items():
            found[story_id] = decode_lines(lines)
        computed: list[SummaryRow] = []
        options = PipelineOptions(summary=SummaryOptions(words=words))
        for story_id in sorted(keys.keys() - found.keys()):
            articles = store.story_articles(story_id)
            with self._summary_turns:
                summary = build_story_summary(articles, options, self.outlets.display_name)
            found[story_id] = summary
            key = article_key(a.id for a in articles)
            computed.append((story_id, words, key, encode_lines(summary)))
        store.summaries.keep(computed)
        return found

    def changes(
        self, store: Store, view: StoryView, moment: str, words: int = DEFAULT_WORDS
    ) -> StoryChanges:
        """What the story gained since ``moment`` (as ``storyfuse story --since`` computes it)."""
        before = store.story_articles(view.story.id, before=moment)
        if tuple(sorted(a.id for a in before)) == view.key:
            return StoryChanges(moment, (), (), (), ())
        then = self._view(store, view.story.id, before, words).story if before else None
        return story_changes(then, view.story, moment)

    def _load_view(self, story_id: str, words: int, focus: str) -> StoryView | None:
        with self.store() as store:
            articles = store.story_articles(story_id)
            return self._view(store, story_id, articles, words, focus) if articles else None

    def _fresh_view(
        self, story_id: str, articles: Sequence[Article], words: int, focus: str
    ) -> StoryView:
        with self.store() as store:
            return self._view(store, story_id, articles, words, focus)

    async def current_view(
        self, story_id: str, words: int = DEFAULT_WORDS, focus: str = ""
    ) -> StoryView | None:
        """:meth:`view` from the event loop: computing a view runs in a worker thread.

        Requests that miss the cache for the same story at once share one computation.
        ``focus`` biases the summary toward a topic statement.
        """
        ids = self.article_ids(self.connection(), story_id)
        if not ids:
            return None
        key = (story_id, ids, words, focus)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(
                run_in_threadpool(self._load_view, story_id, words, focus)
            )
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(pending)

    async def current_changes(
        self, view: StoryView, moment: str, words: int = DEFAULT_WORDS, focus: str = ""
    ) -> StoryChanges:
        """:meth:`changes` from the event loop."""
        before = self.connection().story_articles(view.story.id, before=moment)
        key = tuple(sorted(a.id for a in before))
        if key == view.key:
            return StoryChanges(moment, (), (), (), ())
        then = self.cache.get((view.story.id, key, words, focus)) if before else None
        if before and then is None:
            then = await run_in_threadpool(self._fresh_view, view.story.id, before, words, focus)
        return story_changes(then.story if then else None, view.story, moment)

    def story_seen(self, store: Store, story_id: str) -> tuple[str, str]:
        """When the story was first and last seen (ISO timestamps; empty if unknown)."""
        return store.story_seen(story_id)

    def status(self, store: Store, article_id: str) -> ArticleStatus | None:
        return store.article_status(article_id)
