"""The database layer under the services: SQLite's one-trip driver keeps SQLite's meaning, and a
PostgreSQL connection closed while it sat idle is replaced before anyone notices."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import asyncpg
import pytest
from sqlalchemy import exc, func, insert, select, text, update

from bot.clock import FrozenClock
from bot.db import Member, Panel, engine, sqlite_driver
from bot.db.engine import Database
from bot.db.sqlite_driver import OneTripConnection


def _only(database_url: str, backend: str) -> None:
    if not database_url.startswith(backend):
        pytest.skip(f"about {backend} only")


async def test_sqlite_statements_read_write_and_roll_back_as_sqlite_does(
    db: Database, database_url: str, clock: FrozenClock
) -> None:
    _only(database_url, "sqlite")
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)

    async with db.session() as session:
        session.add(Panel(name="Carers Voice", created_at=clock.now()))
        session.add_all(
            Member(telegram_id=100 + n, display_name=f"Person {n}", created_at=clock.now())
            for n in range(3)
        )
    async with db.sessions() as session:
        # Rows, and the number of rows an UPDATE touched.
        names = (await session.scalars(select(Member.display_name).order_by(Member.id))).all()
        assert names == ["Person 0", "Person 1", "Person 2"]
        changed = await session.execute(
            update(Member).where(Member.telegram_id >= 101).values(language="cy")
        )
        assert changed.rowcount == 2  # type: ignore[attr-defined]
        # An insert hands back its new id; nothing is kept when the session rolls back.
        added = await session.execute(
            insert(Member).values(telegram_id=200, created_at=clock.now()).returning(Member.id)
        )
        assert added.scalar_one() > 0
        await session.rollback()
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 3
        assert await session.scalar(select(func.count()).where(Member.language == "cy")) == 0
        # SQLite's own errors still arrive as SQLAlchemy's, and the session recovers.
        session.add(Member(telegram_id=100, created_at=clock.now()))
        with pytest.raises(exc.IntegrityError):
            await session.commit()
        await session.rollback()
        # Several rows in one statement (executemany) and a large result in one trip.
        await session.execute(
            insert(Member),
            [{"telegram_id": 1000 + n, "created_at": clock.now()} for n in range(500)],
        )
        await session.commit()
        ids = (await session.scalars(select(Member.telegram_id))).all()
        assert len(ids) == 503
    # The pragmas every connection needs are still set.
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_sqlite_writes_are_seen_by_other_sessions_only_after_commit(
    db: Database, database_url: str, clock: FrozenClock
) -> None:
    _only(database_url, "sqlite")
    async with db.sessions() as writer, db.sessions() as reader:
        writer.add(Member(telegram_id=7, display_name="Ann", created_at=clock.now()))
        await writer.flush()
        assert await reader.scalar(select(func.count()).select_from(Member)) == 0
        await writer.commit()
        assert await reader.scalar(select(Member.display_name)) == "Ann"


async def test_postgres_connection_closed_while_idle_is_replaced_before_use(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only(database_url, "postgresql")
    monkeypatch.setattr(engine, "IDLE_SECONDS_BEFORE_CHECK", 0.0)
    db = Database.from_url(database_url, pool_size=1)
    try:
        async with db.engine.connect() as connection:
            backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        # The server (a restart, a proxy's timeout) closes the connection the pool is keeping.
        admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", backend)
        finally:
            await admin.close()
        async with db.engine.connect() as connection:
            now_backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert now_backend != backend
    finally:
        await db.dispose()


async def test_sqlite_writers_queue_for_the_file_and_give_up_like_sqlite_after_the_wait(
    db: Database, database_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only(database_url, "sqlite")
    async with db.session() as session:
        session.add(Member(telegram_id=1, display_name="Ann", created_at=clock.now()))
    order: list[str] = []

    async def first() -> None:
        async with db.sessions() as session:
            await session.execute(update(Member).values(display_name="first"))
            order.append("first wrote")
            await asyncio.sleep(0.3)  # holds the write, as a handler awaiting Telegram would
            await session.commit()
            order.append("first committed")

    async def second() -> None:
        await asyncio.sleep(0.05)
        async with db.sessions() as session:
            await session.execute(update(Member).values(display_name="second"))
            order.append("second wrote")
            await session.commit()

    await asyncio.gather(first(), second())
    assert order == ["first wrote", "first committed", "second wrote"]
    async with db.sessions() as session:
        assert await session.scalar(select(Member.display_name)) == "second"
        # Reading never waits for a writer.
        async with db.sessions() as writer:
            await writer.execute(update(Member).values(display_name="third"))
            assert await session.scalar(select(Member.display_name)) == "second"
            # A writer kept waiting longer than SQLite's busy timeout gets SQLite's own error.
            monkeypatch.setattr(sqlite_driver, "WRITE_WAIT_SECONDS", 0.2)
            with pytest.raises(exc.OperationalError, match="database is locked"):
                await session.execute(update(Member).values(display_name="fourth"))
            await session.rollback()
            await writer.commit()
        await session.execute(update(Member).values(display_name="fifth"))
        await session.commit()
        assert await session.scalar(select(Member.display_name)) == "fifth"


async def test_sqlite_a_connection_dropped_half_way_through_a_write_lets_the_next_writer_in(
    db: Database, database_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only(database_url, "sqlite")
    monkeypatch.setattr(sqlite_driver, "WRITE_WAIT_SECONDS", 1.0)
    async with db.session() as session:
        session.add(Member(telegram_id=1, display_name="Ann", created_at=clock.now()))
    async with db.sessions() as dropped:
        await dropped.execute(update(Member).values(display_name="lost"))
        connection = await dropped.connection()
        await connection.invalidate()  # as when its task is cancelled or the pool is disposed
    async with db.sessions() as session:
        await session.execute(update(Member).values(display_name="kept"))
        await session.commit()
        assert await session.scalar(select(Member.display_name)) == "kept"


async def test_sqlite_a_write_inside_a_savepoint_takes_its_turn_like_any_other(
    db: Database, database_url: str, clock: FrozenClock
) -> None:
    _only(database_url, "sqlite")
    async with db.session() as session:
        session.add(Member(telegram_id=1, display_name="Ann", created_at=clock.now()))
    async with db.sessions() as session:
        async with session.begin_nested():  # SAVEPOINT opens the transaction, not the UPDATE
            await session.execute(update(Member).values(display_name="Anna"))
            raw = await (await session.connection()).get_raw_connection()
            connection = raw.driver_connection
            assert isinstance(connection, OneTripConnection)
            assert connection.writing
        await session.commit()
        assert not connection.writing
        assert await session.scalar(select(Member.display_name)) == "Anna"


async def test_sqlite_reads_run_here_unless_they_would_wait_or_run_long_then_go_to_the_thread(
    db: Database, database_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quick SELECT runs on the event loop's thread; one that runs past the step limit, or
    finds the file locked, is run again on the connection's thread and loses nothing."""
    _only(database_url, "sqlite")
    async with db.session() as session:
        await session.execute(
            insert(Member),
            [{"telegram_id": 1000 + n, "created_at": clock.now()} for n in range(2000)],
        )
    trips: list[str] = []
    real_trip = OneTripConnection.run_in_thread

    def counted(self: OneTripConnection, function: Any, *args: Any) -> Any:
        trips.append(args[1] if len(args) > 1 else function.__name__)
        return real_trip(self, function, *args)

    monkeypatch.setattr(OneTripConnection, "run_in_thread", counted)
    async with db.sessions() as session:
        await session.scalar(select(func.count()).select_from(Member))  # a connection, warmed
        trips.clear()
        # A lookup by key: no trip to the thread.
        assert await session.scalar(select(Member.id).where(Member.telegram_id == 1500))
        assert trips == []

        # Past the step limit: interrupted here, run again there, every row arrives.
        monkeypatch.setattr(sqlite_driver, "READ_HERE_STEPS", 100)
        everyone = (await session.scalars(select(Member.telegram_id))).all()
        assert sorted(everyone) == list(range(1000, 3000))
        assert len(trips) == 1 and trips[0].lstrip().upper().startswith("SELECT")
        monkeypatch.setattr(sqlite_driver, "READ_HERE_STEPS", 10_000)

        # The file locked by another process: no waiting here; the thread waits as before.
        real_run = sqlite_driver._run

        def locked_here(connection: Any, sql: str, parameters: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                raise sqlite3.OperationalError("database is locked")
            return real_run(connection, sql, parameters)

        monkeypatch.setattr(sqlite_driver, "_run", locked_here)
        trips.clear()
        assert await session.scalar(select(Member.telegram_id).where(Member.telegram_id == 2999))
        assert len(trips) == 1

        # Writes never run here, and SQLite's own errors still come through unchanged.
        monkeypatch.setattr(sqlite_driver, "_run", real_run)
        trips.clear()
        await session.execute(
            update(Member).where(Member.telegram_id == 1000).values(language="cy")
        )
        assert len(trips) == 1
        with pytest.raises(exc.OperationalError, match="no such column"):
            await session.execute(text("SELECT no_such_column FROM members"))
