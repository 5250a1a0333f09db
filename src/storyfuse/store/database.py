"""One small connection interface over SQLite and PostgreSQL.

The store writes its SQL once, with ``?`` placeholders and the syntax both
engines share (``ON CONFLICT ... DO UPDATE``, ``excluded``); the few places
that differ (schema types, full-text search, transaction start) ask for
:attr:`Database.dialect`. Rows can be read by position or by column name on
both engines.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


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

    def __init__(self, target: str) -> None:
        self.target = target
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
            self._sqlite = sqlite3.connect(path, isolation_level=None)
            self._sqlite.row_factory = sqlite3.Row
            self._sqlite.execute("PRAGMA journal_mode = WAL")

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
        """Everything inside commits together or not at all."""
        self.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

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
