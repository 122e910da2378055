"""How a broadcast's copies stand: the one set of counts the coordinator's progress report,
the final report and /broadcasts all show.

A copy for someone in their quiet hours is queued for when they end, marked `QUIET` in its
payload. Until then it is `waiting`, counted apart from the copies still going (`sending`), so
the coordinator sees "5 delivered, 2 waiting for their quiet hours to end" rather than a
progress count that seems stuck.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import OutboxMessage, OutboxStatus
from bot.services import outbox_keys

QUIET = "quiet"  # in a copy's payload: it waits for the member's quiet hours to end


@dataclass
class Figures:
    total: int = 0
    delivered: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0  # turned news off, or no longer a member
    sending: int = 0  # due now, or tried again soon
    waiting: int = 0  # waiting for the member's quiet hours to end
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.delivered + self.unreachable + self.failed + self.skipped

    @property
    def going_now(self) -> int:
        """The copies that go now: all but those waiting for quiet hours."""
        return self.total - self.waiting

    @property
    def settled(self) -> bool:
        """Nothing is still going: only copies waiting for quiet hours are left, if any."""
        return not self.sending


async def figures(session: AsyncSession, broadcast_id: int, *, now: datetime) -> Figures:
    """How a broadcast's copies stand at `now`: the one count both the coordinator's progress
    report and /broadcasts show. A copy waiting for quiet hours that are not over yet is
    `waiting`; any other copy not yet gone (due now, or to be tried again) is `sending`."""
    row = OutboxMessage
    quiet = and_(
        row.status == OutboxStatus.PENDING,
        row.payload[QUIET].as_boolean(),
        row.attempts == 0,  # a copy tried again after quiet hours is still going
        row.due_at > now,
    )
    rows = await session.execute(
        select(row.status, func.count(), func.sum(case((quiet, 1), else_=0)))
        .where(row.key.startswith(outbox_keys.broadcast_copies(broadcast_id), autoescape=True))
        .group_by(row.status)
    )
    counts: dict[str, int] = {}
    waiting = 0
    for status, n, asleep in rows.all():
        counts[str(status)] = int(n)
        waiting += int(asleep or 0)
    return Figures(
        total=sum(counts.values()),
        delivered=counts.get(OutboxStatus.SENT, 0),
        unreachable=counts.get(OutboxStatus.UNREACHABLE, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
        skipped=counts.get(OutboxStatus.CANCELLED, 0),
        sending=counts.get(OutboxStatus.PENDING, 0) - waiting,
        waiting=waiting,
        by_status=counts,
    )
