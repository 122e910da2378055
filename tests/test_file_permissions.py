"""On a shared server no other local account can read what the bot keeps: the SQLite database
and its -wal and -shm files are 0600, receipts 0600, and their folders 0700, even when the
umask would allow more (the usual 022 makes 0644 files and 0755 folders)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import migrate
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from tests.claims_world import OLA, _setup, pl


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _exist(*paths: Path) -> bool:
    return all(p.exists() for p in paths)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most servers have: without care, files 0644 and folders 0755."""
    before = os.umask(0o022)
    yield
    os.umask(before)


async def test_a_new_sqlite_database_and_its_wal_and_shm_are_private(
    tmp_path: Path, usual_umask: None
) -> None:
    path = tmp_path / "new-folder" / "panelbot.sqlite3"
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(database.engine)
        async with database.session() as session:
            await session.execute(text("SELECT count(*) FROM members"))
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert _exist(wal, shm)  # open connections keep them
        assert {_mode(p) for p in (path, wal, shm)} == {0o600}
        assert _mode(path.parent) == 0o700
    finally:
        await database.dispose()


async def test_an_older_readable_database_is_made_private_when_opened(
    tmp_path: Path, usual_umask: None
) -> None:
    shared = tmp_path / "srv"
    shared.mkdir(mode=0o755)
    path = shared / "panelbot.sqlite3"
    with closing(sqlite3.connect(path)) as old:
        old.execute("CREATE TABLE t (x)")
    os.chmod(path, 0o644)
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.session() as session:
            await session.execute(text("SELECT count(*) FROM t"))
        assert _mode(path) == 0o600
        assert _mode(shared) == 0o755  # a folder panelbot did not make is left alone
    finally:
        await database.dispose()


async def test_a_receipt_sent_in_a_claim_is_kept_where_only_the_bot_can_read_it(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
    usual_umask: None,
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await ola.send("/claim")
    question = await ola.reply()
    await ola.tap(next(b for b in ola.buttons(question) if b.startswith("Planning day")))
    await ola.reply()
    await ola.tap(pl("Bus, train or tram"))
    await ola.reply()
    await ola.send("2,50")
    # The meeting gives the date, so the receipt is asked next.
    await ola.reply()
    await ola.send_photo(TINY_PNG)
    await ola.reply()

    data_dir = settings.panelbot_data_dir
    files = [p for p in (data_dir / "receipts").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert _mode(files[0]) == 0o600
    for folder in (data_dir, data_dir / "receipts", files[0].parent):
        assert _mode(folder) == 0o700, folder
