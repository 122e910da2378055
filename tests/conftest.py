"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), the project's Bot API emulator, and the real bot pointed at it over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.context import PanelbotApplication
from bot.db import migrate
from bot.db.engine import Database

if TYPE_CHECKING:
    from bot.emulator.server import BotApiEmulator

TOKEN = "123456:TEST-token"


def _postgres_admin_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database for each test, on the engine CI asks for."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite+aiosqlite:///{tmp_path / 'panelbot.sqlite3'}"
        return
    name = f"panelbot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_postgres_admin_dsn(base))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(_postgres_admin_dsn(base))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    await migrate.upgrade(database.engine)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    from bot.emulator.server import BotApiEmulator

    server = BotApiEmulator()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=emulator.base_url,
        telegram_file_base_url=emulator.base_file_url,
        database_url=database_url,
        panelbot_data_dir=tmp_path / "data",
        panelbot_admins="",
    )


@pytest.fixture
async def app(
    settings: Settings, db: Database, clock: FrozenClock
) -> AsyncIterator[PanelbotApplication]:
    """The real bot, polling the emulator. The outbox tick is driven by tests, not by time."""
    application = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
