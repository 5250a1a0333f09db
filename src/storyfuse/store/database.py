"""One small connection interface over SQLite and PostgreSQL.

The store writes its SQL once, with ``?`` placeholders and the syntax both
engines share (``ON CONFLICT ... DO UPDATE``, ``excluded``); the few places
that differ (schema types, full-text search, transaction start) ask for
:attr:`Database.dialect`. Rows can be read by position or by column name on
both engines.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
WRITE_WAIT_SECONDS = 30.0
"""Seconds a writer waits for another writer's transaction, then gives up (:class:`StoreBusy`)."""
_WRITER_LOCK = 0x73746F72  # PostgreSQL advisory lock: one writer at a time, as on SQLite

SQLITE_CACHE_KIB = 65536
"""A SQLite connection's page cache, at most (filled as pages are read; SQLite's default: 2 MB)."""


class StoreBusy(Exception):
    """Another writer kept the store for longer than the writer could wait."""


class QueryTimeout(Exception):
    """A statement ran past its time limit and was stopped."""


class Cursor(Protocol):
    """What the store reads from a query."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Row(tuple[Any, ...]):
    """A PostgreSQL row readable like :class:`sqlite3.Row`: by position or by name."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """Column names, in order."""
        return list(self.names)


def _row_factory(cursor: Any) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


class Database:
    """A connection to the store's database, SQLite file or PostgreSQL server."""

    def __init__(self, target: str, write_wait: float | None = None) -> None:
        self.target = target
        self.write_wait = WRITE_WAIT_SECONDS if write_wait is None else write_wait
        self.dialect: Dialect
        if target.startswith(POSTGRES_PREFIXES):
            try:
                import psycopg
            except ImportError:
                raise RuntimeError(
                    "PostgreSQL needs the 'postgres' extra: pip install 'storyfuse[postgres]'"
                ) from None
            self.dialect = "postgresql"
            self._pg = psycopg.connect(target, autocommit=True, row_factory=_row_factory)
        else:
            path = target.removeprefix("sqlite:///")
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.dialect = "sqlite"
            self._sqlite = sqlite3.connect(path, isolation_level=None, timeout=self.write_wait)
            self._sqlite.row_factory = sqlite3.Row
            self._sqlite.execute("PRAGMA journal_mode = WAL")
            # a large store's indexes stay in this connection's memory between statements
            self._sqlite.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement written with ``?`` placeholders."""
        if self.dialect == "sqlite":
            return self._sqlite.execute(sql, params)
        return self._pg.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement written with ``?`` placeholders once per row, in bulk."""
        if self.dialect == "sqlite":
            self._sqlite.executemany(sql, rows)
            return
        with self._pg.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all.

        Writers take turns: one waits up to ``write_wait`` seconds for another's
        transaction to end, then raises :class:`StoreBusy`.
        """
        self._begin()
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def read_within(self, seconds: float, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of a read-only query, or :class:`QueryTimeout` once it runs ``seconds``."""
        if self.dialect == "sqlite":
            return self._sqlite_read_within(seconds, sql, params)
        import psycopg

        with self._pg.transaction():
            self._pg.execute(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}")
            try:
                return self._pg.execute(sql.replace("?", "%s"), params).fetchall()
            except psycopg.errors.QueryCanceled:
                raise QueryTimeout(f"stopped after {seconds:g} s") from None

    def _sqlite_read_within(self, seconds: float, sql: str, params: Sequence[Any]) -> list[Any]:
        """A timer thread interrupts the statement at the deadline.

        Not a progress handler: that calls back into Python every few hundred VM steps,
        each time waiting for the GIL, which a busy web server's threads hold for up to
        5 ms at a time, so a query would spend its time limit waiting.
        """
        if seconds <= 0:
            raise QueryTimeout("stopped after 0 s")
        guard = threading.Lock()
        running = True

        def stop() -> None:
            with guard:
                if running:  # never interrupt a later statement of this connection
                    self._sqlite.interrupt()

        timer = threading.Timer(seconds, stop)
        timer.daemon = True
        timer.start()
        try:
            return self._sqlite.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise QueryTimeout(f"stopped after {seconds:g} s") from None
            raise
        finally:
            with guard:
                running = False
            timer.cancel()

    def _begin(self) -> None:
        busy = f"the store is busy: another writer kept it for over {self.write_wait:g} s"
        if self.dialect == "sqlite":
            try:
                self.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    raise StoreBusy(busy) from None
                raise
            return
        import psycopg

        self.execute("BEGIN")
        try:
            self.execute(f"SET LOCAL lock_timeout = {int(self.write_wait * 1000)}")
            self.execute("SELECT pg_advisory_xact_lock(?)", (_WRITER_LOCK,))
            self.execute("SET LOCAL lock_timeout = 0")
        except psycopg.errors.LockNotAvailable:
            self.execute("ROLLBACK")
            raise StoreBusy(busy) from None

    def close(self) -> None:
        """Close the connection."""
        if self.dialect == "sqlite":
            self._sqlite.close()
        else:
            self._pg.close()


def database_target(value: str | Path | None) -> str:
    """The store to open: the given path or URL, ``$STORYFUSE_DB``, or the default file."""
    if value is not None:
        return str(value)
    configured = os.environ.get("STORYFUSE_DB")
    if configured:
        return configured
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return str(base / "storyfuse" / "storyfuse.db")


def keep_cache_rows(db: Database, statement: str, rows: Sequence[Sequence[Any]], what: str) -> bool:
    """Write rows of a cache table in one short transaction; False if they were not kept.

    A reader must not fail for a cache: a busy store keeps nothing, and any other failure (a
    read-only file or role, say) is logged as ``what`` not kept.
    """
    if not rows:
        return True
    try:
        with db.transaction():
            db.executemany(statement, rows)
    except StoreBusy:
        return False
    except Exception as error:
        logging.getLogger(__name__).warning("%s not kept: %s", what, error)
        return False
    return True
