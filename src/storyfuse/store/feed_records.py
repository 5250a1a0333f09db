"""What the store keeps of the feeds it follows: their URLs, validators and last outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from storyfuse.models import FeedState
from storyfuse.store.database import Database


class FeedRecords:
    """The followed feeds' rows; mixed into :class:`~storyfuse.store.store.Store`."""

    db: Database

    def now(self) -> str:
        """The store clock's time as an ISO timestamp (the store defines it)."""
        raise NotImplementedError

    def add_feeds(self, urls: Sequence[str]) -> int:
        """Add feeds to follow; returns how many were new."""
        added = 0
        for url in urls:
            if self.db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone() is None:
                self.db.execute("INSERT INTO feeds (url) VALUES (?)", (url,))
                added += 1
        return added

    def feeds(self) -> list[FeedState]:
        """Every followed feed, by URL, with its validators and last outcomes."""
        rows = self.db.execute(
            "SELECT url, etag, last_modified, last_checked, last_success, last_error,"
            " last_error_at FROM feeds ORDER BY url"
        ).fetchall()
        return [FeedState(*(row[i] for i in range(7))) for row in rows]

    def knows_source(self, source: str) -> bool:
        """Whether an article with this URL, or from this source, is stored."""
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE url = ? UNION ALL SELECT 1 FROM sources WHERE source = ?",
            (source, source),
        ).fetchone()
        return row is not None

    def record_feed_success(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """A feed was read: keep its validators for the next conditional request."""
        now = self.now()
        self.db.execute(
            "INSERT INTO feeds (url, etag, last_modified, last_checked, last_success)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, last_checked = excluded.last_checked,"
            " last_success = excluded.last_success",
            (url, etag, last_modified, now, now),
        )

    def record_feed_failure(self, url: str, reason: str) -> None:
        """A feed could not be read: keep the reason and when."""
        now = self.now()
        self.db.execute(
            "INSERT INTO feeds (url, last_checked, last_error, last_error_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET last_checked = excluded.last_checked,"
            " last_error = excluded.last_error, last_error_at = excluded.last_error_at",
            (url, now, reason, now),
        )
