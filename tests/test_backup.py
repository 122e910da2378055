"""`panelbot backup PATH`: a whole, private copy of the SQLite database, taken while it is in use;
for PostgreSQL, one line pointing to pg_dump, with no password and no file."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _panelbot(workdir: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env |= {"DATABASE_URL": database_url, "PANELBOT_DATA_DIR": str(workdir / "data")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        # The usual umask: the backup must be private because panelbot makes it so.
        preexec_fn=lambda: os.umask(0o022),
    )


def test_a_backup_of_a_database_in_use_is_whole_private_and_restores(tmp_path: Path) -> None:
    live = tmp_path / "data" / "panelbot.sqlite3"
    url = f"sqlite+aiosqlite:///{live}"
    assert _panelbot(tmp_path, url, "migrate").returncode == 0
    assert _panelbot(tmp_path, url, "panel", "create", "Carers Voice").returncode == 0
    # Another program holds the database open mid-write (as the running bot would), with
    # changes still in the write-ahead log: the backup must include what was committed.
    with closing(sqlite3.connect(live)) as bot:
        bot.execute("PRAGMA journal_mode=WAL")
        bot.execute("UPDATE panels SET name = 'Carers Voice (renamed)'")
        bot.commit()
        bot.execute("BEGIN IMMEDIATE")
        bot.execute("UPDATE panels SET name = 'not committed'")

        done = _panelbot(tmp_path, url, "backup", str(tmp_path / "copy.sqlite3"))
        bot.rollback()
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "copy.sqlite3"
    assert done.stdout.startswith(f"panelbot: backed up {live} to {copy}")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with closing(sqlite3.connect(copy)) as restored:
        assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        assert restored.execute("SELECT name FROM panels").fetchall() == [
            ("Carers Voice (renamed)",)
        ]

    # Restore, as the README says: the bot stopped, the copy put in place of the database.
    live.unlink()
    for companion in ("-wal", "-shm"):
        Path(f"{live}{companion}").unlink(missing_ok=True)
    live.write_bytes(copy.read_bytes())
    listed = _panelbot(tmp_path, url, "panel", "list")
    assert listed.returncode == 0 and "Carers Voice (renamed)" in listed.stdout


def test_a_backup_never_writes_over_a_file_and_a_folder_gets_a_dated_file(tmp_path: Path) -> None:
    live = tmp_path / "data" / "panelbot.sqlite3"
    url = f"sqlite+aiosqlite:///{live}"
    assert _panelbot(tmp_path, url, "migrate").returncode == 0
    earlier = tmp_path / "earlier.sqlite3"
    earlier.write_bytes(b"an older backup")
    refused = _panelbot(tmp_path, url, "backup", str(earlier))
    assert refused.returncode != 0
    assert refused.stderr.strip() == f"panelbot: {earlier} already exists. Choose a new file name."
    assert earlier.read_bytes() == b"an older backup"

    folder = tmp_path / "backups"
    folder.mkdir()
    assert _panelbot(tmp_path, url, "backup", str(folder)).returncode == 0
    [made] = folder.iterdir()
    assert made.name.startswith("panelbot-") and made.suffix == ".sqlite3"

    missing = _panelbot(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'typo.sqlite3'}", "backup", "x")
    assert missing.returncode != 0 and "there is no database file" in missing.stderr
    assert not (tmp_path / "typo.sqlite3").exists() and not (tmp_path / "x").exists()


def test_on_postgresql_it_points_to_pg_dump_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://panel:hunter2-secret@db.internal:5432/panelbot"
    done = _panelbot(tmp_path, url, "backup", str(tmp_path / "copy"))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "pg_dump --format=custom" in line and "postgresql://panel:***@db.internal" in line
    assert "hunter2" not in done.stdout + done.stderr
    assert not (tmp_path / "copy").exists()
