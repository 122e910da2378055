"""The async engine and session factory, made at start-up (never at import)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot import storage
from bot.db import sqlite_driver


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while the dispatcher writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={sqlite_driver.BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows and freed pages are overwritten with zeros, not left for a copy to read.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# Connections kept open: one per update handled at once (PANELBOT_CONCURRENT_UPDATES, 16 by
# default) plus the outbox and scheduled jobs. With SQLAlchemy's default of 5, every session
# beyond five opened a connection and closed it again (a thread and four pragmas for SQLite, a
# login for PostgreSQL).
POOL_SIZE = 20
# PostgreSQL: a connection that sat unused this long is checked before use (a restart or a
# dropped link may have closed it). Checking on every use, as pool_pre_ping does, cost one
# round trip per update: about a third of the throughput under load (bench/updates.py).
IDLE_SECONDS_BEFORE_CHECK = 10.0


def _check_after_idle(engine: AsyncEngine) -> None:
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_SECONDS_BEFORE_CHECK:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool then throws this connection away, and every one older than it (a
            # restart closed them all), and tries a fresh one.
            raise exc.InvalidatePoolError("connection closed while idle") from error


def create_engine(
    database_url: str, *, echo: bool = False, pool_size: int = POOL_SIZE
) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            storage.prepare_sqlite_file(url.database)
            engine = create_async_engine(
                url,
                echo=echo,
                async_creator=sqlite_driver.connector(url.database),
                pool_size=pool_size,
                hide_parameters=True,
            )
        else:
            engine = create_async_engine(url, echo=echo, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # hide_parameters: an error or a log line shows the statement, never the values in it
    # (which may be someone's anonymous words).
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, hide_parameters=True)
    _check_after_idle(engine)
    return engine


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, database_url: str, *, pool_size: int = POOL_SIZE) -> Database:
        return cls(create_engine(database_url, pool_size=pool_size))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
