"""How a poll's answers are stored so nobody can tell who gave which.

Anonymity (DESIGN.md, README "Anonymous feedback: what we promise"): who took part
(`poll_participants`) and what was said (`poll_responses`) are stored apart. A response of an
anonymous poll has no member id, only the day, and a random id. Storing without ids is not
enough: SQLite keeps rows in rowid order and PostgreSQL in heap order, so a plain dump would list
both tables in the order people answered. So every answer rewrites both of the poll's tables in
a fresh random order with fresh random ids, under a lock on the poll row (one writer at a time).
Nothing about an answer goes to the outbox, the audit log or the logs.
"""

from __future__ import annotations

import random
import secrets

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member, Membership, Poll, PollParticipant, PollResponse
from bot.services.anonymous import HELD_PREFIX

_random = random.SystemRandom()


async def lock_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    """The poll, locked: one writer per poll at a time, so two answers never rewrite the
    tables over each other."""
    return await session.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def reshuffle(session: AsyncSession, poll_id: int) -> None:
    """Rewrite both tables of this poll in a random order with new random response ids, so
    neither the physical order of rows nor the ids follow the order of answering."""
    responses = (
        await session.execute(
            select(
                PollResponse.member_id,
                PollResponse.choices,
                PollResponse.rating,
                PollResponse.text,
                PollResponse.day,
            ).where(PollResponse.poll_id == poll_id)
        )
    ).all()
    participants = (
        await session.execute(
            select(PollParticipant.member_id, PollParticipant.state).where(
                PollParticipant.poll_id == poll_id
            )
        )
    ).all()
    await session.execute(delete(PollResponse).where(PollResponse.poll_id == poll_id))
    await session.execute(delete(PollParticipant).where(PollParticipant.poll_id == poll_id))
    response_rows = [
        {
            "id": secrets.token_hex(16),
            "poll_id": poll_id,
            "member_id": r[0],
            "choices": r[1],
            "rating": r[2],
            "text": r[3],
            "day": r[4],
        }
        for r in responses
    ]
    participant_rows = [
        {"poll_id": poll_id, "member_id": p[0], "state": p[1]} for p in participants
    ]
    _random.shuffle(response_rows)
    _random.shuffle(participant_rows)
    if response_rows:
        await session.execute(insert(PollResponse), response_rows)
    if participant_rows:
        await session.execute(insert(PollParticipant), participant_rows)


async def answer_count(session: AsyncSession, poll_id: int) -> int:
    """How many people answered, counting answers still held to be written with others."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(PollParticipant)
            .where(
                PollParticipant.poll_id == poll_id,
                or_(
                    PollParticipant.state == "answered",
                    PollParticipant.state.like(f"{HELD_PREFIX}%"),
                ),
            )
        )
        or 0
    )


async def asked_in_panel(
    session: AsyncSession, poll: Poll, state: str | None = None
) -> list[tuple[int, int]]:
    """(member id, telegram id) of the people asked who are still in the panel, optionally only
    those in `state` ("waiting" or "answered")."""
    query = (
        select(Member.id, Member.telegram_id)
        .join(PollParticipant, PollParticipant.member_id == Member.id)
        .join(
            Membership,
            (Membership.member_id == Member.id)
            & (Membership.panel_id == poll.panel_id)
            & Membership.active.is_(True),
        )
        .where(PollParticipant.poll_id == poll.id)
        .order_by(Member.id)
    )
    if state is not None:
        query = query.where(PollParticipant.state == state)
    return [(r[0], r[1]) for r in (await session.execute(query)).all()]
