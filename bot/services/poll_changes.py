"""A coordinator's changes to a question already sent: a new closing time (keeping it open
longer, or opening it again once closed) and a reminder to the people who have not answered.

Only coordinators of the question's panel (and admins) may; the role is checked here. Each change
is audited. Nothing here reads or writes what anyone answered: who has answered is known from
`poll_participants` alone (DESIGN.md, anonymity model).

Answers kept back at closing. An anonymous question writes answers in groups of at least k
(bot.services.anonymous_writes); if it closes with fewer than k answers, they are never stored and
those people are only marked as having answered. So when such a question is opened again, its
answers so far are none: those people are set back to waiting and asked to answer again (a
POLL_AGAIN row saying why). Otherwise the few who answered could never count, and a small panel
could never reach the threshold. Answers held in memory when it is opened again simply go on
waiting for their group.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    OutboxMessage,
    OutboxStatus,
    Panel,
    Poll,
    PollParticipant,
    PollResponse,
)
from bot.services import audit, outbox, outbox_keys
from bot.services.access import Actor, refuse, require_coordinator
from bot.services.outbox_keys import Kind
from bot.services.poll_asking import REMINDER_BEFORE
from bot.services.poll_rules import PollError, is_open, next_whole_hour
from bot.services.poll_storage import asked_in_panel, lock_poll, reshuffle

# The closing times offered: a day, three days and a week after now (or after the current
# closing, for a question still open), on the panel's whole hours.
OFFERS = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
SOONEST = timedelta(minutes=30)  # as for a new question (poll_rules.validate)
LATEST = timedelta(days=60)  # as the days a coordinator may type in /newpoll
REMINDER_GAP = timedelta(hours=1)


@dataclass(frozen=True)
class Reopened:
    poll: Poll
    was_open: bool
    asked_again: int  # people whose answers were not kept at closing, asked to answer again


async def zone_of(session: AsyncSession, poll: Poll) -> str:
    zone = await session.scalar(select(Panel.timezone).where(Panel.id == poll.panel_id))
    return zone or "Europe/London"


async def managed(session: AsyncSession, actor: Actor, poll_id: int) -> Poll:
    """A question this person may change: one of their panel's (or any, for an admin)."""
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise refuse(session, actor, "change a question that does not exist")
    await require_coordinator(session, actor, poll.panel_id)
    return poll


def offers(poll: Poll, zone: str, now: datetime) -> list[datetime]:
    """Three closing times to offer, each on a whole hour of the panel's clock."""
    start = max(now, poll.closes_at) if is_open(poll, now) else now
    found = [next_whole_hour(start + after, zone) for after in OFFERS]
    return [at for at in found if acceptable(poll, zone, now, at)]


def acceptable(poll: Poll, zone: str, now: datetime, closes_at: datetime) -> bool:
    """A closing time a button may carry: on a whole hour, soon enough and not too soon, and
    later than now's closing for a question still open (it is kept open *longer*)."""
    if next_whole_hour(closes_at, zone) != closes_at:
        return False
    if not now + SOONEST < closes_at <= next_whole_hour(now + LATEST, zone):
        return False
    return not (is_open(poll, now) and closes_at <= poll.closes_at)


async def set_closing(
    session: AsyncSession, actor: Actor, poll_id: int, closes_at: datetime, *, now: datetime
) -> Reopened:
    """Close the question at `closes_at` instead: open again if it had closed, the closing and
    the reminders planned again in the outbox. Commits."""
    await managed(session, actor, poll_id)
    poll = await lock_poll(session, poll_id)
    assert poll is not None
    if not acceptable(poll, await zone_of(session, poll), now, closes_at):
        raise PollError("closes_at")
    was_open = is_open(poll, now)
    poll.closes_at, poll.closed = closes_at, False
    await outbox.cancel_pending(
        session, key_prefix=outbox_keys.poll_close(poll.id), reason="new closing time"
    )
    await outbox.enqueue(
        session,
        key=outbox_keys.poll_close_at(poll.id, closes_at),
        kind=Kind.POLL_CLOSE,
        chat_id=actor.telegram_id,
        member_id=actor.member_id,
        payload={"poll_id": poll.id},
        due_at=closes_at,
        now=now,
    )
    await _plan_reminders(session, poll, now)
    asked_again = await _ask_again_unkept(session, poll, now)
    audit.record(
        session,
        "poll.extended" if was_open else "poll.reopened",
        at=now,
        actor_id=actor.member_id,
        panel_id=poll.panel_id,
        poll=poll.id,
        closes_at=closes_at.isoformat(),
    )
    await session.commit()
    return Reopened(poll, was_open, asked_again)


async def _plan_reminders(session: AsyncSession, poll: Poll, now: datetime) -> None:
    """The day-before reminder moves with the closing; one cancelled at closing comes back.
    One already sent is not sent again (the Remind button is there for that)."""
    remind_at = poll.closes_at - min(REMINDER_BEFORE, (poll.closes_at - now) / 2)
    for member_id, chat_id in await asked_in_panel(session, poll):
        await outbox.enqueue(
            session,
            key=outbox_keys.poll_reminder(poll.id, member_id),
            kind=Kind.POLL_REMINDER,
            chat_id=chat_id,
            member_id=member_id,
            payload={"poll_id": poll.id},
            due_at=remind_at,
            now=now,
        )
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.key.startswith(outbox_keys.poll_reminders(poll.id), autoescape=True),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(due_at=remind_at)
        .execution_options(synchronize_session=False)
    )


async def _ask_again_unkept(session: AsyncSession, poll: Poll, now: datetime) -> int:
    """An anonymous question with no answer stored but people marked as answered closed with
    fewer than k answers, which were never stored (see the module's docstring)."""
    if not poll.anonymous:
        return 0
    stored = await session.scalar(
        select(func.count()).select_from(PollResponse).where(PollResponse.poll_id == poll.id)
    )
    if stored:
        return 0
    people = await asked_in_panel(session, poll, "answered")
    if not people:
        return 0
    await session.execute(
        update(PollParticipant)
        .where(
            PollParticipant.poll_id == poll.id,
            PollParticipant.member_id.in_([m for m, _ in people]),
            PollParticipant.state == "answered",
        )
        .values(state="waiting")
    )
    await reshuffle(session, poll.id)  # no trace of which rows changed, in their order
    for member_id, chat_id in people:
        await outbox.enqueue(
            session,
            key=outbox_keys.poll_again(poll.id, member_id, secrets.token_hex(4)),
            kind=Kind.POLL_AGAIN,
            chat_id=chat_id,
            member_id=member_id,
            payload={"poll_id": poll.id, "reopened": True},
            due_at=now,
            now=now,
        )
    return len(people)


async def remind(session: AsyncSession, actor: Actor, poll_id: int, *, now: datetime) -> int:
    """Remind everyone asked; each reminder is checked when it is sent, so it reaches only
    those who still have not answered then. Returns how many have not answered now. Commits.
    PollError: "closed", "nobody" (everyone has answered) or "too_soon" (a reminder went
    less than an hour ago)."""
    poll = await managed(session, actor, poll_id)
    if not is_open(poll, now):
        raise PollError("closed")
    waiting = await asked_in_panel(session, poll, "waiting")
    if not waiting:
        raise PollError("nobody")
    if await _reminded_lately(session, poll, now):
        raise PollError("too_soon")
    stamp = now.strftime("%Y%m%d%H%M%S")
    for member_id, chat_id in await asked_in_panel(session, poll):
        await outbox.enqueue(
            session,
            key=outbox_keys.poll_nudge(poll.id, stamp, member_id),
            kind=Kind.POLL_REMINDER,  # its renderer skips whoever has answered by then
            chat_id=chat_id,
            member_id=member_id,
            payload={"poll_id": poll.id},
            due_at=now,
            now=now,
        )
    audit.record(
        session,
        "poll.reminded",
        at=now,
        actor_id=actor.member_id,
        panel_id=poll.panel_id,
        poll=poll.id,
    )
    await session.commit()
    return len(waiting)


async def _reminded_lately(session: AsyncSession, poll: Poll, now: datetime) -> bool:
    """A coordinator's reminder asked for, or the day-before reminder sent, within the hour."""
    since = now - REMINDER_GAP
    return bool(
        await session.scalar(
            select(
                exists().where(
                    or_(
                        and_(
                            OutboxMessage.key.startswith(
                                outbox_keys.poll_nudges(poll.id), autoescape=True
                            ),
                            OutboxMessage.created_at > since,
                        ),
                        and_(
                            OutboxMessage.key.startswith(
                                outbox_keys.poll_reminders(poll.id), autoescape=True
                            ),
                            OutboxMessage.status == OutboxStatus.SENT,
                            OutboxMessage.sent_at > since,
                        ),
                    )
                )
            )
        )
    )
