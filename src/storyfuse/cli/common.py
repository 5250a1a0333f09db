"""Little helpers several ``storyfuse`` commands share: exit codes, the store option, crashes."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from storyfuse.store.database import database_target

if TYPE_CHECKING:
    from storyfuse.store.store import Store

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_INTERNAL = 3  # a crash: a bug, not a bad input; the traceback is in a log file


def crash_log_dir() -> Path:
    """Where crash logs go: ``$XDG_STATE_HOME/storyfuse`` (else ``~/.local/state/storyfuse``)."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "storyfuse"


def _write_crash_log(error: BaseException) -> Path:
    """Write the traceback of ``error`` to a new log file (in the temp folder if need be)."""
    text = "".join(traceback.format_exception(error))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"crash-{stamp}-{os.getpid()}.log"
    argv = " ".join(sys.argv)
    for folder in (crash_log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(f"storyfuse {argv}\n\n{text}", encoding="utf-8", errors="replace")
            return path
        except OSError:
            continue
    raise error


def reports_crashes(command: Callable[..., None]) -> Callable[..., None]:
    """Turn an unexpected exception in ``command`` into one line and exit code 3.

    The traceback goes to a log file whose path the line gives; usage errors,
    ``click`` exceptions and exits pass through unchanged.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as error:
            log = _write_crash_log(error)
            detail = f"{type(error).__name__}: {error}"[:200]
            click.echo(
                f"storyfuse: internal error ({detail}); the traceback is in {log}",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return run


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


words_option = click.option(
    "--words",
    default=120,
    show_default=True,
    type=click.IntRange(min=10),
    help="Word budget of each story's summary.",
)
"""The summary budget, as every command that summarizes takes it."""
