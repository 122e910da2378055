"""Writing held anonymous content (bot.services.anonymous) in groups, and what a killed process
costs.

A group is written in one transaction, in a random order, with random or fresh ids:
- poll answers: when at least 2k wait, all but k of them, chosen at random (the k kept back
  make sure the last group, at closing, also has at least k). At closing, all of them; if fewer
  than k people answered in all, the answers are never stored (results below k are never shown
  anyway) and those people are only marked as having answered. The same transaction marks the
  group's people "answered", so the rows it touches name at least k people, never fewer.
- messages and answers back: when they come from at least k different people, or at the daily
  write. Sending one writes nothing at all, so the daily group's possible senders are everyone
  in the panel.
- missing words: when at least k different people asked, or at the daily write.
On SQLite the write-ahead log is then emptied (`wal_checkpoint(TRUNCATE)`), with secure_delete
on (bot.db.engine), so old frames and freed pages keep no earlier state.

A killed process loses what it holds. Poll answers: each person's row says "held:<process>";
when that process stops checking in (`anonymous_holders`), another process (or the same bot
restarted) sets them back to waiting and asks them again. Messages and missing words: lost, and
nobody can be told, because nothing leads to the sender; people are told this when they send.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    AnonymousHolder,
    Feedback,
    FeedbackReply,
    FeedbackRoute,
    Member,
    Panel,
    Poll,
    PollParticipant,
    PollResponse,
)
from bot.db.engine import Database
from bot.services import jargon, outbox, outbox_keys
from bot.services.anonymous import HELD_PREFIX, HeldAnswer, HeldMessage, Hold, different
from bot.services.feedback import notify_coordinators, route_owner, seal_route
from bot.services.outbox_keys import Kind
from bot.services.small_numbers import MIN_ANSWERS, min_answers_for

log = logging.getLogger(__name__)
_random = random.SystemRandom()
STALE_TICKS = 3  # a holder silent for this many flush intervals has died


async def flush(
    hold: Hold,
    db: Database,
    now: datetime,
    *,
    interval: timedelta,
    daily_hour: int,
    stopping: bool = False,
) -> int:
    """One run of the periodic writer. Returns how many pieces of content were written."""
    async with hold.lock:
        await _check_in(hold, db, now, interval)
        everything = hold.daily_due(now, daily_hour) or stopping
        written = 0
        for poll_id in list(hold.answers):
            written += await _flush_poll(hold, db, poll_id, now)
        for panel_id in list(hold.messages):
            written += await _flush_messages(hold, db, panel_id, now, everything=everything)
        written += await _flush_words(hold, db, now, everything=everything)
        if written:
            await _empty_sqlite_log(db)
        return written


async def _threshold(session: AsyncSession, panel_ids: list[int]) -> int:
    found = [await min_answers_for(session, p) for p in panel_ids]
    return max([MIN_ANSWERS, *found])


async def _flush_poll(hold: Hold, db: Database, poll_id: int, now: datetime) -> int:
    held = hold.answers[poll_id]
    async with db.session() as session:
        poll = await session.get(Poll, poll_id)
        if poll is None:
            del hold.answers[poll_id]
            return 0
        k = max(MIN_ANSWERS, poll.min_answers)
        closing = poll.closed or poll.closes_at <= now
        if closing:
            chosen, kept = list(held), []
        elif len(held) >= 2 * k:
            chosen = _random.sample(held, len(held) - k)
            kept = [a for a in held if a not in chosen]
        else:
            return 0
        store = len(chosen) >= k  # never a group from fewer than k people
        if store:
            _random.shuffle(chosen)
            rows = [_response_row(poll, a) for a in chosen]
            await session.execute(insert(PollResponse), rows)
        await session.execute(
            update(PollParticipant)
            .where(
                PollParticipant.poll_id == poll_id,
                PollParticipant.member_id.in_([a.member_id for a in chosen]),
                PollParticipant.state == hold.state,
            )
            .values(state="answered")
        )
    if kept:
        hold.answers[poll_id] = kept
    else:
        del hold.answers[poll_id]
    return len(chosen) if store else 0


def _response_row(poll: Poll, answer: HeldAnswer) -> dict[str, object]:
    return {
        "id": secrets.token_hex(16),
        "poll_id": poll.id,
        "member_id": None,
        "choices": list(answer.choices),
        "rating": answer.rating,
        "text": answer.text,
        # The day the question was asked: a later day would point at those reminded.
        "day": poll.created_at.date(),
    }


async def _flush_messages(
    hold: Hold, db: Database, panel_id: int, now: datetime, *, everything: bool
) -> int:
    held = hold.messages[panel_id]
    async with db.session() as session:
        k = await _threshold(session, [panel_id])
        if not everything and different([m.sender for m in held]) < k:
            return 0
        chosen = list(held)
        _random.shuffle(chosen)
        # Numbered per panel; the panel row is locked so two writes never share a number.
        await session.scalar(select(Panel.id).where(Panel.id == panel_id).with_for_update())
        number = await session.scalar(
            select(func.max(Feedback.number)).where(Feedback.panel_id == panel_id)
        )
        number = number or 0
        for message in chosen:
            if message.back_on is None:
                number += 1
                await _write_message(session, panel_id, number, message, now)
            else:
                await _write_answer_back(session, message, now)
    del hold.messages[panel_id]
    return len(chosen)


async def _write_message(
    session: AsyncSession, panel_id: int, number: int, message: HeldMessage, now: datetime
) -> None:
    item = Feedback(
        panel_id=panel_id,
        number=number,
        member_id=None,
        text=message.text,
        voice_file_id=message.voice_file_id,
        wants_reply=message.route_to is not None,
        day=now.date(),
    )
    session.add(item)
    await session.flush()
    if message.route_to is not None:
        session.add(
            FeedbackRoute(
                feedback_id=item.id,
                sealed=seal_route(message.route_to),
                owner=route_owner(message.route_to, item.id),
            )
        )
    key = outbox_keys.feedback_new(item.id)
    await notify_coordinators(session, panel_id, key, {"feedback_id": item.id}, now, item.text)


async def _write_answer_back(session: AsyncSession, message: HeldMessage, now: datetime) -> None:
    item = await session.get(Feedback, message.back_on)
    if item is None:  # the message was removed meanwhile
        return
    turn = FeedbackReply(
        feedback_id=item.id,
        from_member=True,
        text=message.text,
        voice_file_id=message.voice_file_id,
        day=now.date(),
    )
    session.add(turn)
    await session.flush()
    key = outbox_keys.feedback_back(item.id, turn.id)
    payload = {"feedback_id": item.id, "reply_id": turn.id}
    await notify_coordinators(session, item.panel_id, key, payload, now, message.text)


async def _flush_words(hold: Hold, db: Database, now: datetime, *, everything: bool) -> int:
    if not hold.words:
        return 0
    held = list(hold.words)
    async with db.session() as session:
        panels = sorted({p for w in held for p in w.panel_ids})
        k = await _threshold(session, panels)
        if not everything and different([w.asker for w in held]) < k:
            return 0
        _random.shuffle(held)
        for word in held:
            await jargon.count_missing(session, word.word, list(word.panel_ids), now=now)
    hold.words = [w for w in hold.words if w not in held]
    return len(held)


async def _empty_sqlite_log(db: Database) -> None:
    """SQLite keeps every commit since the last checkpoint in the -wal file: fold it into the
    database and cut the file to nothing, so no earlier commit can be replayed from it."""
    if db.engine.dialect.name != "sqlite":
        return
    async with db.engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# ------------------------------------------------------------------------ dead processes


async def _check_in(hold: Hold, db: Database, now: datetime, interval: timedelta) -> None:
    """Say this process is alive; give back to their people the answers dead processes held."""
    async with db.session() as session:
        found = await session.get(AnonymousHolder, hold.token)
        if found is None:
            session.add(AnonymousHolder(token=hold.token, seen_at=now))
        else:
            found.seen_at = now
        stale = now - interval * STALE_TICKS
        live = set(
            (
                await session.scalars(
                    select(AnonymousHolder.token).where(AnonymousHolder.seen_at >= stale)
                )
            ).all()
        ) | {hold.token}
        await session.execute(delete(AnonymousHolder).where(AnonymousHolder.token.notin_(live)))
        held = (
            await session.execute(
                select(PollParticipant.poll_id, PollParticipant.member_id, PollParticipant.state)
                .where(PollParticipant.state.like(f"{HELD_PREFIX}%"))
                .order_by(PollParticipant.poll_id, PollParticipant.member_id)
            )
        ).all()
        lost = [(p, m) for p, m, state in held if state.removeprefix(HELD_PREFIX) not in live]
        await _ask_again(session, lost, now)


async def _ask_again(session: AsyncSession, lost: list[tuple[int, int]], now: datetime) -> None:
    by_poll: dict[int, list[int]] = defaultdict(list)
    for poll_id, member_id in lost:
        by_poll[poll_id].append(member_id)
    for poll_id, members in by_poll.items():
        await session.execute(
            update(PollParticipant)
            .where(PollParticipant.poll_id == poll_id, PollParticipant.member_id.in_(members))
            .values(state="waiting")
        )
        chats = await session.execute(
            select(Member.id, Member.telegram_id).where(Member.id.in_(members))
        )
        for member_id, chat_id in chats.all():
            await outbox.enqueue(
                session,
                key=outbox_keys.poll_again(poll_id, member_id, secrets.token_hex(4)),
                kind=Kind.POLL_AGAIN,
                chat_id=chat_id,
                member_id=member_id,
                payload={"poll_id": poll_id},
                due_at=now,
                now=now,
            )
    if lost:
        log.warning("A stopped process held %s poll answers: asked again", len(lost))
