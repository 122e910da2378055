"""aiosqlite with one trip to its thread per statement instead of four.

aiosqlite runs every call on the connection's own thread; SQLAlchemy's adapter makes four such
calls per statement (open a cursor, execute, fetch, close) and two more rollbacks when a session
ends, even when nothing was written. Each trip wakes a thread and then the event loop: on a busy
bot that was a large share of the CPU spent per update. Here a statement is run, fetched and closed
in one trip, and commit or rollback only travel when a transaction is open (SQLite's own commit
and rollback do nothing otherwise, so the behaviour is the same).

SQLite lets one connection write at a time. Left to SQLite, the others wait in its busy handler,
which sleeps in steps of up to 100 ms and retries: under load most of an RSVP's time went there
while the file was free. Here the connections of one engine queue for writing in the event loop
instead (`WriteGate`) and start the moment the writer before them commits. Other processes on the
same file (the command line while the bot runs) still meet SQLite's own busy handler.

Reads (plain SELECTs) are tried on the event loop's own thread first (`_read_here`): a lookup
by key takes microseconds, far less than the trip to the connection's thread and back (a fifth
of the CPU of a settings or claim step, bench/updates.py). So that this can never stall the
loop, the attempt gives up, and the read goes to the thread as before, when SQLite is busy (no
waiting in its busy handler here) or the read runs longer than READ_HERE_STEPS of SQLite's
virtual machine (about half a millisecond): a read has no side effects, so running it again
there is safe.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_Result = tuple[Any, int, int | None, list[Any]]
# Statements that write or may lead to a write: the ones Python's sqlite3 opens a transaction
# for, WITH (the outbox's CTE that updates runs as one statement of its own; a read-only CTE
# only waits its turn), and SAVEPOINT/BEGIN, which open a transaction the next write belongs to.
_WRITES = ("insert", "update", "delete", "replace", "with", "savepoint", "begin")
# How long SQLite waits for another process's lock (PRAGMA busy_timeout), and our own queue for
# writing just as long: after that, the same error SQLite would give.
BUSY_TIMEOUT_MS = 10_000
WRITE_WAIT_SECONDS = BUSY_TIMEOUT_MS / 1000
# SQLite virtual machine steps a read may take on the event loop's thread before it is handed to
# the connection's thread instead: about half a millisecond (reading a person by key takes
# about 500 steps; bench/sqlite_reads.py shows what the loop sees).
READ_HERE_STEPS = 10_000


def starts_a_write(sql: str) -> bool:
    return sql.lstrip()[:9].lower().startswith(_WRITES)


def is_a_read(sql: str) -> bool:
    """A plain SELECT: the only kind tried on the event loop's thread (see the module's notes)."""
    return sql.lstrip()[:6].lower() == "select"


class WriteGate:
    """One writer at a time among an engine's connections, queued in the event loop."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def enter(self) -> None:
        try:
            await asyncio.wait_for(self._lock.acquire(), WRITE_WAIT_SECONDS)
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None

    def leave(self) -> None:
        self._lock.release()


def _run(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> _Result:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class _ReadElsewhere(Exception):
    """The read would wait or take too long on the event loop's thread."""


def _stop_reading() -> int:
    return 1  # non-zero: SQLite interrupts the statement


def _read_here(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> _Result:
    """`_run` for a read on the calling thread, or _ReadElsewhere if it would wait or run long."""
    connection.execute("PRAGMA busy_timeout=0")  # "busy" at once instead of sleeping here
    connection.set_progress_handler(_stop_reading, READ_HERE_STEPS)
    try:
        return _run(connection, sql, parameters)
    except sqlite3.OperationalError as error:
        # "interrupted" (our step limit), "database is locked" (busy) or "... table is locked".
        if "interrupted" in str(error) or "locked" in str(error):
            raise _ReadElsewhere from error
        raise
    finally:
        connection.set_progress_handler(None, 0)
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


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

    async def _trip(self, function: Callable[..., _Result], sql: str, *args: Any) -> OneTripCursor:
        connection = self._connection
        if function is _run and is_a_read(sql):
            try:
                result = _read_here(connection.sqlite, sql, *args)
            except _ReadElsewhere:
                pass
            else:
                self.description, self.rowcount, self.lastrowid, self._rows = result
                return self
        elif starts_a_write(sql):
            await connection.before_write()
        try:
            result = await connection.run_in_thread(function, connection.sqlite, sql, *args)
        finally:
            connection.after_statement()
        self.description, self.rowcount, self.lastrowid, self._rows = result
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> OneTripCursor:
        return await self._trip(_run, sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneTripCursor:
        return await self._trip(_run_many, sql, list(parameters))

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
    gate: WriteGate | None = None
    _writing = False  # this connection holds the gate

    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._conn

    @property
    def writing(self) -> bool:
        """This connection has the engine's turn to write."""
        return self._writing

    def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return self._execute(function, *args)

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def _in_transaction(self) -> bool:
        # Safe to read here: SQLAlchemy never runs two things on one connection at once.
        return self._connection is not None and self._connection.in_transaction

    async def before_write(self) -> None:
        if self.gate is not None and not self._writing:
            await self.gate.enter()
            self._writing = True

    def after_statement(self) -> None:
        """Leave the gate once no transaction is open (a single statement, a commit, a failure)."""
        if not self._in_transaction():
            self._leave_gate()

    def _leave_gate(self) -> None:
        if self._writing:
            self._writing = False
            assert self.gate is not None
            self.gate.leave()

    async def commit(self) -> None:
        try:
            if self._in_transaction():
                await super().commit()
        finally:
            self.after_statement()

    async def rollback(self) -> None:
        try:
            if self._in_transaction():
                await super().rollback()
        finally:
            self.after_statement()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._leave_gate()

    def stop(self) -> asyncio.Future[Any] | None:
        # SQLAlchemy's way to drop a connection it cannot await (a cancelled task, a dispose):
        # a transaction left open here dies with the connection, so must its place in the queue.
        self._leave_gate()
        return super().stop()


def connector(path: str) -> Callable[[], Awaitable[OneTripConnection]]:
    """SQLAlchemy's `async_creator` for a SQLite file (the arguments its own dialect would use)."""

    gate = WriteGate()

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, path, check_same_thread=False), 64)
        connection.gate = gate
        connection._thread.daemon = True  # as SQLAlchemy does: never keep the process alive
        await connection  # starts the thread and opens the file there
        return connection

    return connect
