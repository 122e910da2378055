"""aiosqlite with one trip to its thread per statement instead of four.

aiosqlite runs every call on the connection's own thread; SQLAlchemy's adapter makes four such
calls per statement (open a cursor, execute, fetch, close) and two more rollbacks when a session
ends, even when nothing was written. Each trip wakes a thread and then the event loop: on a busy
bot that was a large share of the CPU spent per update. Here a statement is run, fetched and closed
in one trip, and commit or rollback only travel when a transaction is open (SQLite's own commit
and rollback do nothing otherwise, so the behaviour is the same).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_Result = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> _Result:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _run_many(
    connection: sqlite3.Connection, sql: str, parameters: Iterable[Sequence[Any]]
) -> _Result:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


class OneTripCursor:
    """What SQLAlchemy's adapter needs of an aiosqlite cursor, with the rows already fetched."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _trip(self, function: Callable[..., _Result], *args: Any) -> OneTripCursor:
        result = await self._connection.run_in_thread(function, *args)
        self.description, self.rowcount, self.lastrowid, self._rows = result
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> OneTripCursor:
        return await self._trip(_run, self._connection.sqlite, sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneTripCursor:
        return await self._trip(_run_many, self._connection.sqlite, sql, list(parameters))

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._conn

    def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return self._execute(function, *args)

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def _in_transaction(self) -> bool:
        # Safe to read here: SQLAlchemy never runs two things on one connection at once.
        return self._connection is not None and self._connection.in_transaction

    async def commit(self) -> None:
        if self._in_transaction():
            await super().commit()

    async def rollback(self) -> None:
        if self._in_transaction():
            await super().rollback()


def connector(path: str) -> Callable[[], Awaitable[OneTripConnection]]:
    """SQLAlchemy's `async_creator` for a SQLite file (the arguments its own dialect would use)."""

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, path, check_same_thread=False), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: never keep the process alive
        await connection  # starts the thread and opens the file there
        return connection

    return connect
