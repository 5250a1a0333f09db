"""Little helpers several ``storyfuse`` commands share: exit codes, the store option."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from storyfuse.store.database import database_target

if TYPE_CHECKING:
    from storyfuse.store.store import Store

EXIT_OK = 0
EXIT_REJECTED = 1


def db_option(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the ``--db`` option (or ``$STORYFUSE_DB``) that names the store."""
    return click.option(
        "--db",
        envvar="STORYFUSE_DB",
        help="The store: a file, or a postgresql:// URL "
        "(default: $STORYFUSE_DB, else storyfuse.db in the user data directory).",
    )(command)


def open_store(db: str | None, create: bool = False) -> Store:
    """Open the store ``db`` names, or fail with one line saying why.

    A store file that does not exist is an error unless ``create`` (``ingest`` and
    ``follow`` create it), so that a mistyped ``--db`` never reads an empty new store.
    """
    from storyfuse.store.database import POSTGRES_PREFIXES
    from storyfuse.store.store import Store

    target = database_target(db)
    if not create and not target.startswith(POSTGRES_PREFIXES) and not Path(target).exists():
        raise click.ClickException(
            f"{target}: no such store (storyfuse ingest PATH --db {target} creates one)"
        )
    try:
        return Store(db)
    except (sqlite3.DatabaseError, RuntimeError) as error:
        raise click.ClickException(
            f"{database_target(db)}: not a storyfuse store ({error})"
        ) from None
    except Exception as error:  # a PostgreSQL server that refuses or is not there
        raise click.ClickException(
            f"{database_target(db)}: cannot open the store ({error})"
        ) from None
