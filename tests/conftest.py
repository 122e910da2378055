"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), the project's Bot API emulator, and the real bot pointed at it over HTTP."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
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
# A test that uses either of these opens the database of the engine CI asks for.
ENGINE_FIXTURES = frozenset({"database_url", "migrated_template"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only the tests that open its database. The rest (catalogues, parsers,
    the playground on its own SQLite file) give the same result on either engine and already
    ran on SQLite: running them twice cost CI minutes and proved nothing new."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    engine_free = [i for i in items if not ENGINE_FIXTURES & set(getattr(i, "fixturenames", ()))]
    if engine_free:
        config.hook.pytest_deselected(items=engine_free)
        dropped = set(engine_free)
        items[:] = [i for i in items if i not in dropped]


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
    await _postgres_admin(base, f'CREATE DATABASE "{name}"')
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    await _postgres_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _migrate(url: str) -> None:
    database = Database.from_url(url)
    try:
        await migrate.upgrade(database.engine)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database migrated by the real Alembic chain, once per run; each test's `db` starts
    as a copy of it (SQLite's backup API, CREATE DATABASE ... TEMPLATE on PostgreSQL), which
    saves running the whole chain for every test. tests/test_migrations.py runs the chain itself."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("template") / "panelbot.sqlite3"
        asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
        yield str(path)
        return
    name = f"panelbot_template_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(base, f'CREATE DATABASE "{name}"'))
    asyncio.run(_migrate(make_url(base).set(database=name).render_as_string(hide_password=False)))
    yield name
    asyncio.run(_postgres_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _postgres_admin(base: str, *statements: str) -> None:
    admin = await asyncpg.connect(_postgres_admin_dsn(base))
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


@pytest.fixture
async def db(database_url: str, migrated_template: str) -> AsyncIterator[Database]:
    """The test's database, migrated to head (a copy of the run's migrated template)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # SQLite's backup API: a consistent copy whatever the journal mode left behind.
        source, copy = sqlite3.connect(migrated_template), sqlite3.connect(str(url.database))
        with closing(source), closing(copy):
            source.backup(copy)
    else:
        await _postgres_admin(
            os.environ["TEST_DATABASE_URL"],
            f'DROP DATABASE "{url.database}"',
            f'CREATE DATABASE "{url.database}" TEMPLATE "{migrated_template}"',
        )
    database = Database.from_url(database_url)
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
