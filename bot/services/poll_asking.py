"""Asking a poll: who is asked, saving it with its questions, reminders and closing in the
outbox, changing its anonymity, and closing it on time."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Answer,
    Meeting,
    Member,
    Membership,
    Poll,
    PollParticipant,
    PollResponse,
    Role,
    Rsvp,
)
from bot.services import outbox, outbox_keys
from bot.services.access import Actor, NotAllowed, require_coordinator
from bot.services.outbox_keys import Kind
from bot.services.poll_rules import AnonymityLocked, PollDraft, PollError, validate
from bot.services.poll_storage import answer_count, lock_poll, reshuffle
from bot.services.small_numbers import min_answers_for

REMINDER_BEFORE = timedelta(hours=24)
_random = random.SystemRandom()


async def recipients(
    session: AsyncSession, panel_id: int, meeting_id: int | None
) -> list[tuple[int, int]]:
    """(member id, telegram id) of everyone the poll goes to: active members of the panel, or
    those of them who said they were coming to (or came to) the meeting."""
    query = (
        select(Member.id, Member.telegram_id)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.panel_id == panel_id,
            Membership.active.is_(True),
            Membership.role == Role.MEMBER,
            Member.consent == "given",
        )
    )
    if meeting_id is not None:
        query = query.join(Rsvp, (Rsvp.member_id == Member.id) & (Rsvp.meeting_id == meeting_id))
        query = query.where(
            or_(Rsvp.answer.in_([Answer.COMING, Answer.SUPPORT]), Rsvp.attended.is_(True))
        )
    rows = (await session.execute(query.order_by(Member.id))).all()
    return [(r[0], r[1]) for r in rows]


async def meetings_for_audience(
    session: AsyncSession, actor: Actor, panel_id: int, now: datetime
) -> list[tuple[int, str, datetime]]:
    """Meetings from the last 30 days and the next 30, to ask the people at one."""
    await require_coordinator(session, actor, panel_id)
    rows = await session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at)
        .where(
            Meeting.panel_id == panel_id,
            Meeting.starts_at >= now - timedelta(days=30),
            Meeting.starts_at <= now + timedelta(days=30),
        )
        .order_by(Meeting.starts_at)
        .limit(10)
    )
    return [(r[0], r[1], r[2]) for r in rows.all()]


async def create(
    session: AsyncSession, actor: Actor, draft: PollDraft, *, now: datetime
) -> tuple[Poll, int]:
    """Save the poll, note who is asked, and queue the questions, reminders and the closing."""
    await require_coordinator(session, actor, draft.panel_id)
    validate(draft, now)
    assert draft.closes_at is not None
    if draft.meeting_id is not None:
        meeting_panel = await session.scalar(
            select(Meeting.panel_id).where(Meeting.id == draft.meeting_id)
        )
        if meeting_panel != draft.panel_id:
            raise NotAllowed("meeting of another panel")
    people = await recipients(session, draft.panel_id, draft.meeting_id)
    if not people:
        raise PollError("nobody")
    if draft.anonymous and len(people) < await min_answers_for(session, draft.panel_id):
        raise PollError("audience")  # too few people for anyone's answer to stay hidden
    poll = Poll(
        panel_id=draft.panel_id,
        meeting_id=draft.meeting_id,
        question=draft.question.strip(),
        kind=draft.kind,
        options=list(draft.options) if draft.kind in ("one", "many") else [],
        anonymous=draft.anonymous,
        min_answers=await min_answers_for(session, draft.panel_id),
        closes_at=draft.closes_at,
        created_by=actor.member_id,
        created_at=now,
    )
    session.add(poll)
    await session.flush()
    shuffled = list(people)
    _random.shuffle(shuffled)
    await session.execute(
        insert(PollParticipant),
        [{"poll_id": poll.id, "member_id": m, "state": "waiting"} for m, _ in shuffled],
    )
    remind_at = draft.closes_at - min(REMINDER_BEFORE, (draft.closes_at - now) / 2)
    for member_id, chat_id in people:
        for kind, key, due in (
            (Kind.POLL_ASK, outbox_keys.poll_ask(poll.id, member_id), now),
            (Kind.POLL_REMINDER, outbox_keys.poll_reminder(poll.id, member_id), remind_at),
        ):
            await outbox.enqueue(
                session,
                key=key,
                kind=kind,
                chat_id=chat_id,
                member_id=member_id,
                payload={"poll_id": poll.id},
                due_at=due,
                now=now,
            )
    await outbox.enqueue(
        session,
        key=outbox_keys.poll_close(poll.id),
        kind=Kind.POLL_CLOSE,
        chat_id=actor.telegram_id,
        member_id=actor.member_id,
        payload={"poll_id": poll.id},
        due_at=draft.closes_at,
        now=now,
    )
    await session.commit()
    return poll, len(people)


async def close(session: AsyncSession, poll_id: int, now: datetime | None = None) -> Poll | None:
    """Close a poll (the closing row in the outbox does this on time). Returns it, or None if it
    was already closed, or (given `now`) its closing time was moved later meanwhile."""
    poll = await lock_poll(session, poll_id)
    if poll is None or poll.closed or (now is not None and poll.closes_at > now):
        return None
    poll.closed = True
    for prefix in (outbox_keys.poll_reminders(poll_id), outbox_keys.poll_nudges(poll_id)):
        await outbox.cancel_pending(session, key_prefix=prefix, reason="closed")
    await session.flush()
    return poll


async def set_anonymous(session: AsyncSession, actor: Actor, poll_id: int, anonymous: bool) -> Poll:
    """Anonymity can be turned on at any time, but never off once anyone has answered."""
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise PollError("missing")
    await require_coordinator(session, actor, poll.panel_id)
    if poll.anonymous and not anonymous and await answer_count(session, poll_id) > 0:
        raise AnonymityLocked()
    if anonymous and not poll.anonymous:
        # Answers given with names lose them too: otherwise the named ones, taken away from
        # who answered, would show whose the nameless ones are.
        await session.execute(
            update(PollResponse)
            .where(PollResponse.poll_id == poll_id)
            .values(member_id=None, day=poll.created_at.date())
        )
        await reshuffle(session, poll_id)
    poll.anonymous = anonymous
    await session.commit()
    return poll


async def recent(session: AsyncSession, actor: Actor, panel_ids: list[int]) -> list[Poll]:
    if not panel_ids:
        return []
    for panel_id in panel_ids:
        await require_coordinator(session, actor, panel_id)
    found = await session.scalars(
        select(Poll).where(Poll.panel_id.in_(panel_ids)).order_by(Poll.id.desc()).limit(10)
    )
    return list(found)
