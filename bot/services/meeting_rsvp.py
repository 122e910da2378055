"""A member's answer to a meeting (RSVP): coming or not, the support they need, and afterwards
whether they came. Invitees only: every call finds the member's own invitation first."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Answer, Meeting, MeetingStatus, Member, Membership, Panel, Rsvp
from bot.services import member_requests, outbox, outbox_keys
from bot.services.access import NotAllowed
from bot.services.meeting_notices import schedule_reminders
from bot.services.meeting_rules import SUPPORT_OPTIONS, MeetingError
from bot.services.outbox_keys import Kind

INTERPRETER = "interpreter"
MAX_LANGUAGE = 100


async def answer(
    session: AsyncSession,
    telegram_id: int,
    meeting_id: int,
    choice: str,
    *,
    now: datetime,
) -> tuple[Meeting, Rsvp]:
    """A member's Coming / Maybe / Can't come / need support. Invitees only, before it starts."""
    try:
        new = Answer(choice)
    except ValueError:
        raise MeetingError("answer") from None
    meeting, rsvp, member, panel = await _invitation(session, telegram_id, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        raise MeetingError("closed")
    rsvp.answer, rsvp.answered_at = new, now
    if new != Answer.SUPPORT:
        rsvp.support, rsvp.support_other, rsvp.interpreter_language = [], None, None
    await schedule_reminders(session, meeting, member, new, panel.timezone, now=now)
    return meeting, rsvp


# Built once: every RSVP tap runs it.
_INVITATION = (
    select(Meeting, Rsvp, Member, Panel)
    .join(Rsvp, Rsvp.meeting_id == Meeting.id)
    .join(Member, Member.id == Rsvp.member_id)
    .join(Panel, Panel.id == Meeting.panel_id)
    .join(
        Membership,
        (Membership.member_id == Member.id)
        & (Membership.panel_id == Meeting.panel_id)
        & Membership.active.is_(True),
    )
    .where(Meeting.id == bindparam("meeting_id"), Member.telegram_id == bindparam("telegram_id"))
)


async def _invitation(
    session: AsyncSession, telegram_id: int, meeting_id: int
) -> tuple[Meeting, Rsvp, Member, Panel]:
    values = {"meeting_id": meeting_id, "telegram_id": telegram_id}
    row = (await session.execute(_INVITATION, values)).first()
    if row is None:
        raise NotAllowed("not invited")
    return row[0], row[1], row[2], row[3]


async def toggle_support(
    session: AsyncSession, telegram_id: int, meeting_id: int, need: str
) -> Rsvp:
    if need not in SUPPORT_OPTIONS:
        raise MeetingError("support")
    _, rsvp, _, _ = await _invitation(session, telegram_id, meeting_id)
    chosen = set(rsvp.support or [])
    chosen.symmetric_difference_update({need})
    rsvp.support = [n for n in SUPPORT_OPTIONS if n in chosen]
    if INTERPRETER not in chosen:
        rsvp.interpreter_language = None
    return rsvp


async def set_interpreter_language(
    session: AsyncSession, telegram_id: int, meeting_id: int, text: str
) -> Rsvp:
    """Which language the interpreter is for, in the member's own words ("Arabic", "BSL")."""
    text = " ".join(text.split())
    if not text or len(text) > MAX_LANGUAGE:
        raise MeetingError("interpreter_language")
    _, rsvp, _, _ = await _invitation(session, telegram_id, meeting_id)
    if INTERPRETER not in (rsvp.support or []):
        raise MeetingError("no interpreter asked")
    rsvp.interpreter_language = text
    return rsvp


async def set_support_other(
    session: AsyncSession, telegram_id: int, meeting_id: int, text: str
) -> Rsvp:
    text = " ".join(text.split())
    if not text or len(text) > 500:
        raise MeetingError("support_other")
    _, rsvp, _, _ = await _invitation(session, telegram_id, meeting_id)
    rsvp.support_other = text
    return rsvp


async def tell_coordinators_about_support(
    session: AsyncSession, telegram_id: int, meeting_id: int, *, now: datetime
) -> int:
    """Queue a note to the panel's coordinators; returns how many were told."""
    meeting, rsvp, member, _ = await _invitation(session, telegram_id, meeting_id)
    if (
        rsvp.answer != Answer.SUPPORT
        or meeting.status != MeetingStatus.SCHEDULED
        or meeting.starts_at <= now
    ):
        raise MeetingError("no support asked")
    # The same needs told twice make one note: the key is made from what was asked.
    asked = hashlib.sha256(
        json.dumps(
            [sorted(rsvp.support or []), rsvp.support_other, rsvp.interpreter_language]
        ).encode()
    ).hexdigest()[:12]
    # One request a meeting while unanswered, so a coordinator's Reply reaches the member.
    request = await member_requests.record(
        session,
        member_id=member.id,
        panel_id=meeting.panel_id,
        kind=member_requests.SUPPORT,
        about=str(meeting.id),
        text=None,
        now=now,
    )
    coordinators = await session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.panel_id == meeting.panel_id,
            Membership.active.is_(True),
            Membership.role.in_(["coordinator", "admin"]),
            Member.id != member.id,
        )
    )
    told = 0
    for coordinator in coordinators.all():
        await outbox.enqueue(
            session,
            key=outbox_keys.meeting_support(meeting.id, member.id, coordinator.id, asked),
            kind=Kind.MEETING_SUPPORT,
            chat_id=coordinator.telegram_id,
            member_id=coordinator.id,
            payload={"meeting_id": meeting.id, "rsvp_id": rsvp.id, "request_id": request.id},
            due_at=now,
            now=now,
        )
        told += 1
    return told


async def record_attendance(
    session: AsyncSession, telegram_id: int, meeting_id: int, came: bool, *, now: datetime
) -> Rsvp:
    """After the meeting: the member says whether they came (for pay and expenses)."""
    meeting, rsvp, _, _ = await _invitation(session, telegram_id, meeting_id)
    if meeting.starts_at > now:
        raise MeetingError("not yet")
    rsvp.attended = came
    return rsvp
