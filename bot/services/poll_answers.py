"""Answering a poll: who may, one answer each, held or written at once (bot.services.poll_storage
says how answers are stored so nobody can tell who gave which)."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member, Membership, Poll, PollParticipant, PollResponse
from bot.services.access import Actor, refuse
from bot.services.anonymous import HeldAnswer, Hold
from bot.services.poll_rules import check_answer, is_open
from bot.services.poll_storage import lock_poll, reshuffle


class Outcome(StrEnum):
    SAVED = "saved"
    HELD = "held"  # anonymous: waits to be written with others' answers
    SKIPPED = "skipped"
    ALREADY = "already"
    CLOSED = "closed"
    NOT_ASKED = "not_asked"
    INVALID = "invalid"


async def _participant(
    session: AsyncSession, poll: Poll, telegram_id: int
) -> tuple[int, str] | None:
    """(member id, state) for someone asked this poll who is still an active member."""
    row = (
        await session.execute(
            select(Member.id, PollParticipant.state)
            .join(PollParticipant, PollParticipant.member_id == Member.id)
            .join(
                Membership,
                (Membership.member_id == Member.id)
                & (Membership.panel_id == poll.panel_id)
                & Membership.active.is_(True),
            )
            .where(Member.telegram_id == telegram_id, PollParticipant.poll_id == poll.id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def is_asked(session: AsyncSession, poll: Poll, telegram_id: int) -> bool:
    """Whether this person was sent the poll (and is still in its panel). An answer button
    from anyone else is forged or from someone who left: audited as a refusal."""
    if await _participant(session, poll, telegram_id) is not None:
        return True
    _refuse_answer(session, poll, telegram_id)
    return False


def _refuse_answer(session: AsyncSession, poll: Poll, telegram_id: int) -> None:
    refuse(session, Actor(telegram_id, None), "answer a question not sent to them", poll.panel_id)


async def answer(
    session: AsyncSession,
    telegram_id: int,
    poll_id: int,
    *,
    now: datetime,
    choices: list[int] | None = None,
    rating: int | None = None,
    text: str | None = None,
    skip: bool = False,
    hold: Hold | None = None,
) -> tuple[Outcome, Poll | None]:
    """Record one person's answer (or skip). Commits. Each person answers at most once.

    With the bot's `hold`, an anonymous answer is not written here: the person's row says
    it is held, and the answer waits in memory to be written with others
    (bot.services.anonymous_writes). Without it (demos, service tests) it is written now."""
    poll = await lock_poll(session, poll_id)
    if poll is None:
        return Outcome.NOT_ASKED, None
    found = await _participant(session, poll, telegram_id)
    if found is None:
        _refuse_answer(session, poll, telegram_id)
        await session.rollback()
        return Outcome.NOT_ASKED, poll
    member_id, state = found
    if state != "waiting":
        await session.rollback()
        return Outcome.ALREADY, poll
    if not is_open(poll, now):
        await session.rollback()
        return Outcome.CLOSED, poll
    if not skip:
        choices = sorted(set(choices)) if choices is not None else None
        if not check_answer(poll, choices=choices, rating=rating, text=text):
            await session.rollback()
            return Outcome.INVALID, poll
    if not skip and poll.anonymous and hold is not None:
        await session.execute(
            update(PollParticipant)
            .where(PollParticipant.poll_id == poll.id, PollParticipant.member_id == member_id)
            .values(state=hold.state)
        )
        await session.commit()
        held = HeldAnswer(poll.id, member_id, tuple(choices or ()), rating, _clean(text))
        hold.add_answer(held)
        return Outcome.HELD, poll
    if not skip:
        session.add(
            PollResponse(
                id=secrets.token_hex(16),
                poll_id=poll.id,
                member_id=None if poll.anonymous else member_id,
                choices=choices or [],
                rating=rating,
                text=_clean(text),
                # Anonymous: the day the question was asked, not the day of answering. An answer
                # dated after the reminder went out would point at the few people reminded.
                day=poll.created_at.date() if poll.anonymous else now.date(),
            )
        )
    participant = await session.get(PollParticipant, (poll.id, member_id))
    assert participant is not None
    participant.state = "skipped" if skip else "answered"
    await session.flush()
    await reshuffle(session, poll.id)
    await session.commit()
    return (Outcome.SKIPPED if skip else Outcome.SAVED), poll


def _clean(text: str | None) -> str | None:
    return text.strip() if text else None


async def for_member(
    session: AsyncSession, poll_id: int, member_id: int | None
) -> tuple[Poll, Member, str, bool] | None:
    """What a renderer needs: the poll, the person, their state, and whether they are still
    an active member of the panel."""
    poll = await session.get(Poll, poll_id)
    member = await session.get(Member, member_id) if member_id else None
    if poll is None or member is None:
        return None
    state = await session.scalar(
        select(PollParticipant.state).where(
            PollParticipant.poll_id == poll_id, PollParticipant.member_id == member_id
        )
    )
    active = await session.scalar(
        select(Membership.active).where(
            Membership.panel_id == poll.panel_id, Membership.member_id == member_id
        )
    )
    return poll, member, state or "", bool(active)
