"""After Telegram trouble: rows that gave up are tried again, and admins are told of failures.

A row that kept meeting network faults or Telegram's 5xx answers gives up after MAX_ATTEMPTS
(about 25 minutes). Such a row is marked as having given up, not as refused: once Telegram
answers again, it is put back in the queue, unless it is too old to matter. Whatever it says is
rendered afresh then, so a reminder for a meeting that has started is dropped at that point.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member, OutboxMessage, OutboxStatus
from bot.services import outbox, outbox_keys
from bot.services.outbox_keys import Kind

GAVE_UP = outbox.GAVE_UP
# Older rows are not sent again: news that old would confuse more than help.
MAX_AGE = timedelta(days=2)


async def redrive(session: AsyncSession, *, now: datetime, max_age: timedelta = MAX_AGE) -> int:
    """Telegram answers again: rows that gave up within `max_age` go back in the queue."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.last_error.startswith(GAVE_UP, autoescape=True),
            OutboxMessage.created_at >= now - max_age,
        )
        .values(status=OutboxStatus.PENDING, attempts=0, due_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def admin_chats(session: AsyncSession, configured: frozenset[int]) -> list[int]:
    """Telegram ids of everyone who administers this bot (PANELBOT_ADMINS and stored admins)."""
    rows = await session.scalars(
        select(Member.telegram_id).where(
            or_(Member.is_admin.is_(True), Member.telegram_id.in_(configured or {0}))
        )
    )
    return sorted(set(rows.all()) | set(configured))


async def tell_admins(
    session: AsyncSession, configured: frozenset[int], *, failed: int, now: datetime
) -> int:
    """Queue a notice to each admin that `failed` messages could not be sent. At most one an
    hour per admin: the key holds the hour."""
    added = 0
    for chat_id in await admin_chats(session, configured):
        member_id = await session.scalar(select(Member.id).where(Member.telegram_id == chat_id))
        added += await outbox.enqueue(
            session,
            key=outbox_keys.outbox_failed(chat_id, now),
            kind=Kind.OUTBOX_FAILED,
            chat_id=chat_id,
            member_id=member_id,
            payload={"failed": failed},
            due_at=now,
            now=now,
        )
    return added
