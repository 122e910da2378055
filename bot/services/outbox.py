"""The outbox: every message the bot will send later is a row first.

A row has a unique key, so enqueueing the same thing twice is harmless. Workers claim due rows
with a lease in one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several processes can
share the work and a worker that dies only delays its rows until the lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import OutboxMessage, OutboxStatus

# With back-off doubling from 2 s up to 5 minutes, 12 tries ride out about 25 minutes of
# Telegram trouble (5 tries gave up after 30 seconds: one burst of 5xx lost a reminder).
MAX_ATTEMPTS = 12
# Starts last_error when a row stops after MAX_ATTEMPTS of transient faults: such rows are tried
# again once Telegram answers (bot/services/outbox_recovery.py).
GAVE_UP = "gave up after retries: "


@dataclass(frozen=True)
class ClaimedMessage:
    """A leased outbox row, detached from any session so sending holds no transaction open."""

    id: int
    key: str
    kind: str
    chat_id: int
    member_id: int | None
    payload: dict[str, Any]
    attempts: int
    due_at: datetime | None = None


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    chat_id: int,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    member_id: int | None = None,
    day_only: bool = False,
) -> bool:
    """Add a row unless one with this key exists. Returns True when a row was added.

    `day_only` (anonymous feedback notices): the row keeps only the day, never the time of
    day, when it was queued or sent, so its times cannot be matched with what a member did."""
    if day_only:
        now = due_at = start_of_day(now)
        payload = {**payload, DAY_ONLY: True}
    values = dict(
        key=key,
        kind=kind,
        chat_id=chat_id,
        member_id=member_id,
        payload=payload,
        due_at=due_at,
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=now,
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OutboxMessage).values(**values)
    # A key seen before stays as it is (that is what stops doubles), unless its row was
    # cancelled: then the same message is wanted again (a reminder that came back).
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "status": OutboxStatus.PENDING,
            "due_at": statement.excluded.due_at,
            "payload": statement.excluded.payload,
            "attempts": 0,
            "lease_until": None,
            "last_error": None,
        },
        where=OutboxMessage.status == OutboxStatus.CANCELLED,
    )
    result = await session.execute(statement.returning(OutboxMessage.id))
    return result.scalar_one_or_none() is not None


def lease_clock(session: AsyncSession, now: datetime) -> Any:
    """The time leases are reckoned in. On PostgreSQL it is the database's own `now()`: workers
    on several machines share the rows, and a worker whose clock runs ahead must not take rows
    another is still sending. SQLite has one process only, so its worker's clock will do."""
    if session.get_bind().dialect.name == "postgresql":
        return func.now()
    return now


def _due(now: datetime, lease_now: Any) -> Any:
    return and_(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.due_at <= now,
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < lease_now),
    )


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta
) -> list[ClaimedMessage]:
    """Lease up to `limit` due rows, oldest first, in one atomic statement. `now` says what is
    due; leases run by `lease_clock`."""
    lease_now = lease_clock(session, now)
    # A materialized CTE, not `id IN (subquery)`: PostgreSQL may run such a subquery again for
    # each row it updates, and with SKIP LOCKED every run finds fresh rows, so one worker took
    # every due row regardless of the limit and a second worker found nothing to do.
    candidates = (
        select(OutboxMessage.id)
        .where(_due(now, lease_now))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        update(OutboxMessage)
        # The condition is repeated so a row leased by someone else meanwhile is not taken twice.
        .where(OutboxMessage.id.in_(select(candidates.c.id)), _due(now, lease_now))
        .values(lease_until=lease_now + lease)
        .returning(
            OutboxMessage.id,
            OutboxMessage.key,
            OutboxMessage.kind,
            OutboxMessage.chat_id,
            OutboxMessage.member_id,
            OutboxMessage.payload,
            OutboxMessage.attempts,
            OutboxMessage.due_at,
        )
        .execution_options(synchronize_session=False)
    )
    # RETURNING gives no order guarantee, so restore due order here.
    rows = sorted((await session.execute(statement)).all(), key=lambda r: (r.due_at, r.id))
    return [
        ClaimedMessage(r.id, r.key, r.kind, r.chat_id, r.member_id, r.payload, r.attempts, r.due_at)
        for r in rows
    ]


async def _finish(session: AsyncSession, row_id: int, **values: Any) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )


def start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


DAY_ONLY = "day_only"


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    *,
    now: datetime,
    telegram_message_id: int | None,
    day_only: bool = False,
) -> None:
    await _finish(
        session,
        row_id,
        status=OutboxStatus.SENT,
        sent_at=start_of_day(now) if day_only else now,
        telegram_message_id=telegram_message_id,
        attempts=OutboxMessage.attempts + 1,
    )


async def mark_unreachable(session: AsyncSession, row_id: int, *, error: str) -> None:
    await _finish(
        session,
        row_id,
        status=OutboxStatus.UNREACHABLE,
        last_error=error,
        attempts=OutboxMessage.attempts + 1,
    )


async def mark_failed(session: AsyncSession, row_id: int, *, error: str) -> None:
    await _finish(
        session,
        row_id,
        status=OutboxStatus.FAILED,
        last_error=error,
        attempts=OutboxMessage.attempts + 1,
    )


async def mark_cancelled(session: AsyncSession, row_id: int, *, reason: str) -> None:
    await _finish(session, row_id, status=OutboxStatus.CANCELLED, last_error=reason)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s ... capped at 5 minutes."""
    return timedelta(seconds=min(2**attempts, 300))


async def retry_later(
    session: AsyncSession,
    message: ClaimedMessage,
    *,
    now: datetime,
    error: str,
    count_attempt: bool = True,
    delay: timedelta | None = None,
) -> bool:
    """Put a row back for another try, or fail it after MAX_ATTEMPTS. True if it will retry."""
    attempts = message.attempts + (1 if count_attempt else 0)
    if attempts >= MAX_ATTEMPTS:
        await _finish(
            session,
            message.id,
            status=OutboxStatus.FAILED,
            last_error=(GAVE_UP + error)[:500],
            attempts=attempts,
        )
        return False
    await _finish(
        session,
        message.id,
        due_at=now + (delay if delay is not None else backoff(attempts)),
        attempts=attempts,
        last_error=error,
    )
    return True


async def cancel_pending(session: AsyncSession, *, key_prefix: str, reason: str) -> int:
    """Cancel every pending row whose key starts with `key_prefix` (e.g. a cancelled meeting)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.key.startswith(key_prefix, autoescape=True),
        )
        .values(status=OutboxStatus.CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def status_of(session: AsyncSession, row_id: int) -> OutboxStatus | None:
    return await session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))


async def postpone(session: AsyncSession, row_ids: list[int], *, until: datetime) -> None:
    """Release leased rows and keep them from going before `until` (to keep a chat's order)."""
    if not row_ids:
        return
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(row_ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(lease_until=None, due_at=until)
        .execution_options(synchronize_session=False)
    )


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {str(status): int(n) for status, n in rows.all()}


async def due_time(session: AsyncSession, row_id: int) -> datetime:
    due = await session.scalar(select(OutboxMessage.due_at).where(OutboxMessage.id == row_id))
    assert due is not None
    return due


async def later_one_due(
    session: AsyncSession, message: ClaimedMessage, *, key_prefix: str, now: datetime
) -> bool:
    """Is a later row with this key prefix also due already? (Then this one is out of date.)"""
    if message.due_at is None:
        return False
    found = await session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.key.startswith(key_prefix, autoescape=True),
            OutboxMessage.kind == message.kind,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENT]),
            OutboxMessage.due_at > message.due_at,
            OutboxMessage.due_at <= now,
        )
        .limit(1)
    )
    return found is not None


async def release_leases(session: AsyncSession) -> int:
    """Free every leased row at once. Only for SQLite at start-up: one process at a time can use
    an SQLite database, so any lease there belongs to a process that is gone."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.lease_until.is_not(None))
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def renew_lease(
    session: AsyncSession, row_ids: list[int], *, now: datetime, lease: timedelta
) -> None:
    """Keep rows still being worked on (pending and leased) from being taken over."""
    if not row_ids:
        return
    until = lease_clock(session, now) + lease
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(row_ids),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.lease_until.is_not(None),
        )
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )


async def next_due(session: AsyncSession, *, after: datetime, until: datetime) -> datetime | None:
    """When the next waiting row falls due after `after`, if that is no later than `until`. The
    playground's fast-forward stops the clock there, so each message goes at its own time."""
    due: datetime | None = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.due_at > after,
            OutboxMessage.due_at <= until,
        )
    )
    return due
