"""Polls: asking, answering, closing on time, results and "You said, we did".

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
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Answer,
    FeedbackSettings,
    Meeting,
    Member,
    Membership,
    Poll,
    PollParticipant,
    PollResponse,
    Role,
    Rsvp,
)
from bot.services import outbox
from bot.services.access import Actor, NotAllowed, refuse, require_coordinator
from bot.services.anonymous import HELD_PREFIX, HeldAnswer, Hold

KINDS = ("one", "many", "rating", "text")
MIN_ANSWERS = 3  # the floor: results are never shown with fewer answers than this
MAX_QUESTION = 300
MAX_OPTIONS = 8
MAX_OPTION = 60
MAX_TEXT_ANSWER = 10_000
RATINGS = (1, 2, 3, 4, 5)
REMINDER_BEFORE = timedelta(hours=24)
_random = random.SystemRandom()


class PollError(Exception):
    """Something about the poll a coordinator asked for is not possible; `code` says what."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AnonymityLocked(PollError):
    def __init__(self) -> None:
        super().__init__("anonymity_locked")


class Outcome(StrEnum):
    SAVED = "saved"
    HELD = "held"  # anonymous: waits to be written with others' answers
    SKIPPED = "skipped"
    ALREADY = "already"
    CLOSED = "closed"
    NOT_ASKED = "not_asked"
    INVALID = "invalid"


@dataclass(frozen=True)
class PollDraft:
    panel_id: int
    question: str
    kind: str
    options: tuple[str, ...] = ()
    anonymous: bool = True
    closes_at: datetime | None = None
    meeting_id: int | None = None


def key_prefix(poll_id: int) -> str:
    return f"poll:{poll_id}:"


def validate(draft: PollDraft, now: datetime) -> None:
    if not draft.question.strip() or len(draft.question) > MAX_QUESTION:
        raise PollError("question")
    if draft.kind not in KINDS:
        raise PollError("kind")
    if draft.kind in ("one", "many"):
        if not 2 <= len(draft.options) <= MAX_OPTIONS:
            raise PollError("options")
        if any(not o.strip() or len(o) > MAX_OPTION for o in draft.options):
            raise PollError("options")
    if draft.closes_at is None or draft.closes_at <= now + timedelta(minutes=30):
        raise PollError("closes_at")


def parse_options(text: str) -> tuple[str, ...]:
    """One choice per line (or separated by ";"), blanks and repeats dropped."""
    parts = [p.strip(" \t-•*") for p in text.replace(";", "\n").splitlines()]
    return tuple(dict.fromkeys(p for p in parts if p))


async def min_answers_for(session: AsyncSession, panel_id: int) -> int:
    chosen = await session.scalar(
        select(FeedbackSettings.min_answers).where(FeedbackSettings.panel_id == panel_id)
    )
    return max(MIN_ANSWERS, chosen or MIN_ANSWERS)


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
    prefix = key_prefix(poll.id)
    for member_id, chat_id in people:
        for kind, key, due in (("poll_ask", "ask", now), ("poll_reminder", "remind", remind_at)):
            await outbox.enqueue(
                session,
                key=f"{prefix}{key}:{member_id}",
                kind=kind,
                chat_id=chat_id,
                member_id=member_id,
                payload={"poll_id": poll.id},
                due_at=due,
                now=now,
            )
    await outbox.enqueue(
        session,
        key=f"{prefix}close",
        kind="poll_close",
        chat_id=actor.telegram_id,
        member_id=actor.member_id,
        payload={"poll_id": poll.id},
        due_at=draft.closes_at,
        now=now,
    )
    await session.commit()
    return poll, len(people)


def is_open(poll: Poll, now: datetime) -> bool:
    return not poll.closed and poll.closes_at > now


async def _lock_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    # One writer per poll at a time, so two answers never rewrite the tables over each other.
    return await session.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


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


def check_answer(
    poll: Poll, *, choices: list[int] | None, rating: int | None, text: str | None
) -> bool:
    if poll.kind == "one":
        return choices is not None and len(choices) == 1 and 0 <= choices[0] < len(poll.options)
    if poll.kind == "many":
        return bool(choices) and all(0 <= c < len(poll.options) for c in choices or [])
    if poll.kind == "rating":
        return rating in RATINGS
    return text is not None and bool(text.strip()) and len(text) <= MAX_TEXT_ANSWER


async def _reshuffle(session: AsyncSession, poll_id: int) -> None:
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
    poll = await _lock_poll(session, poll_id)
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
    await _reshuffle(session, poll.id)
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


async def close(session: AsyncSession, poll_id: int) -> Poll | None:
    """Close a poll (the closing row in the outbox does this on time). Returns it, or None if it
    was already closed."""
    poll = await _lock_poll(session, poll_id)
    if poll is None or poll.closed:
        return None
    poll.closed = True
    await outbox.cancel_pending(
        session, key_prefix=f"{key_prefix(poll_id)}remind:", reason="closed"
    )
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
        await _reshuffle(session, poll_id)
    poll.anonymous = anonymous
    await session.commit()
    return poll


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


@dataclass
class Results:
    poll: Poll
    asked: int
    answered: int  # responses kept (skips are not answers)
    hidden: bool
    so_far: int = 0  # people who answered, with those whose answers wait to be written
    counts: list[int] = field(default_factory=list)  # per option, or per rating 1..5
    average: float | None = None
    texts: list[str] = field(default_factory=list)  # random order

    @property
    def shareable(self) -> bool:
        """Whether members may see the results: more than k answers (so each member sees at
        least k besides their own), and not all the same (which would show each answer)."""
        if self.hidden or self.answered < max(MIN_ANSWERS, self.poll.min_answers) + 1:
            return False
        if self.poll.kind == "text":
            return len(set(self.texts)) > 1
        return any(0 < count < self.answered for count in self.counts)

    def percent(self, count: int) -> int:
        return round(100 * count / self.answered) if self.answered else 0


async def _answered_by(session: AsyncSession, poll: Poll, member_id: int | None) -> bool:
    if member_id is None:
        return False
    state = await session.scalar(
        select(PollParticipant.state).where(
            PollParticipant.poll_id == poll.id, PollParticipant.member_id == member_id
        )
    )
    return state == "answered"


async def _results(session: AsyncSession, poll: Poll, viewer: int | None = None) -> Results:
    """The results as `viewer` (a member id) may see them: their own answer is not counted
    towards the threshold, since they know it."""
    asked = int(
        await session.scalar(
            select(func.count())
            .select_from(PollParticipant)
            .where(PollParticipant.poll_id == poll.id)
        )
        or 0
    )
    rows = (
        await session.execute(
            select(PollResponse.choices, PollResponse.rating, PollResponse.text).where(
                PollResponse.poll_id == poll.id
            )
        )
    ).all()
    others = len(rows) - (1 if await _answered_by(session, poll, viewer) else 0)
    result = Results(poll, asked, len(rows), hidden=others < max(MIN_ANSWERS, poll.min_answers))
    result.so_far = max(len(rows), await answer_count(session, poll.id))
    if result.hidden:
        return result  # nothing at all about the answers until there are enough
    if poll.kind in ("one", "many"):
        chosen = Counter(c for r in rows for c in (r[0] or []))
        result.counts = [chosen.get(i, 0) for i in range(len(poll.options))]
    elif poll.kind == "rating":
        ratings = [int(r[1] or 0) for r in rows]
        rated = Counter(ratings)
        result.counts = [rated.get(v, 0) for v in RATINGS]
        result.average = round(sum(ratings) / len(ratings), 1)
    else:
        result.texts = [r[2] for r in rows if r[2]]
        _random.shuffle(result.texts)
    return result


async def results(session: AsyncSession, actor: Actor, poll_id: int) -> Results:
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise PollError("missing")
    await require_coordinator(session, actor, poll.panel_id)
    return await _results(session, poll, actor.member_id)


async def shared_results(
    session: AsyncSession, poll_id: int, viewer: int | None = None
) -> Results | None:
    """For the message members get once a coordinator has shared the results: None when
    they may not be shown to members (see `Results.shareable`)."""
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.we_did is None:
        return None
    result = await _results(session, poll, viewer)
    return result if result.shareable else None


async def recent(session: AsyncSession, actor: Actor, panel_ids: list[int]) -> list[Poll]:
    if not panel_ids:
        return []
    for panel_id in panel_ids:
        await require_coordinator(session, actor, panel_id)
    found = await session.scalars(
        select(Poll).where(Poll.panel_id.in_(panel_ids)).order_by(Poll.id.desc()).limit(10)
    )
    return list(found)


async def share(
    session: AsyncSession, actor: Actor, poll_id: int, we_did: str, *, now: datetime
) -> int:
    """Send the results and "You said, we did" to everyone who was asked. Returns how many."""
    result = await results(session, actor, poll_id)
    if result.hidden:
        raise PollError("hidden")
    if not result.shareable:
        raise PollError("not_shareable")
    we_did = we_did.strip()
    if not we_did or len(we_did) > 2000:
        raise PollError("we_did")
    poll = result.poll
    poll.we_did = we_did
    people = (
        await session.execute(
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
    ).all()
    version = secrets.token_hex(4)  # a second share (a correction) is a new message
    for member_id, chat_id in people:
        await outbox.enqueue(
            session,
            key=f"{key_prefix(poll.id)}shared:{version}:{member_id}",
            kind="poll_shared",
            chat_id=chat_id,
            member_id=member_id,
            payload={"poll_id": poll.id},
            due_at=now,
            now=now,
        )
    await session.commit()
    return len(people)


async def export_answers(session: AsyncSession, actor: Actor, poll_id: int) -> list[list[str]]:
    """A spreadsheet of the answers: one row per answer, random order, never who gave it."""
    result = await results(session, actor, poll_id)
    if result.hidden:
        raise PollError("hidden")
    poll = result.poll
    rows = (
        await session.execute(
            select(PollResponse.choices, PollResponse.rating, PollResponse.text).where(
                PollResponse.poll_id == poll.id
            )
        )
    ).all()
    out = []
    for choices, rating, text in rows:
        if poll.kind in ("one", "many"):
            out.append(["; ".join(poll.options[c] for c in choices if c < len(poll.options))])
        elif poll.kind == "rating":
            out.append([str(rating)])
        else:
            out.append([text or ""])
    _random.shuffle(out)
    return out
