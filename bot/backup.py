"""`panelbot backup PATH`: a consistent copy of the SQLite database, taken while the bot runs.

SQLite's online backup API (through Python's sqlite3) copies every page under a read lock, so
the copy is whole even while the bot writes; it is then switched out of WAL mode, so it is one
self-contained file. The copy is made 0600: it holds everything the database holds.
PostgreSQL has its own tool for this, pg_dump; panelbot says so rather than copy it badly.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot import storage
from bot.config import Settings

NOT_SQLITE_EXIT = 2


def run(settings: Settings, target: Path) -> int:
    """Back up, print one line saying what happened, and return the exit code."""
    settings.check_database_url()
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
        print(
            "panelbot: the database is PostgreSQL, so panelbot backup does not copy it. Use "
            f"PostgreSQL's own tool: pg_dump --format=custom --file=panelbot.dump '{plain}' "
            "(README: Backups).",
            file=sys.stderr,
        )
        return NOT_SQLITE_EXIT
    source = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not source.is_file():
        print(f"panelbot: there is no database file at {source} to back up.", file=sys.stderr)
        return 1
    if target.is_dir():
        target = target / f"panelbot-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite3"
    try:
        # O_EXCL: never write over a file that is already there (an older backup, perhaps).
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, storage.FILE_MODE))
    except FileExistsError:
        print(f"panelbot: {target} already exists. Choose a new file name.", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"panelbot: cannot write {target} ({error.strerror}).", file=sys.stderr)
        return 1
    # Read-only: a mistyped DATABASE_URL must not create an empty database to back up.
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as live,
        closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
    os.chmod(target, storage.FILE_MODE)
    if check != "ok":
        print(f"panelbot: the copy in {target} failed its check ({check}).", file=sys.stderr)
        return 1
    print(f"panelbot: backed up {source} to {target} ({target.stat().st_size:,} bytes).")
    return 0
