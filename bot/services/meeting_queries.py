"""Reading meetings: a member's upcoming ones, a panel's, who is coming, and what a renderer
needs to send a notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Meeting, MeetingStatus, Member, Panel, ReminderChoice, Rsvp
from bot.services.access import Actor, refuse, require_coordinator


async def upcoming(
    session: AsyncSession, telegram_id: int, *, now: datetime
) -> list[tuple[Meeting, Rsvp, str]]:
    """The member's meetings that have not started yet, soonest first, with the panel's zone."""
    rows = await session.execute(
        select(Meeting, Rsvp, Panel.timezone)
        .join(Rsvp, Rsvp.meeting_id == Meeting.id)
        .join(Member, Member.id == Rsvp.member_id)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Member.telegram_id == telegram_id,
            Meeting.starts_at > now,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at)
    )
    return [(m, r, z) for m, r, z in rows.all()]


async def one_of_mine(
    session: AsyncSession, telegram_id: int, meeting_id: int
) -> tuple[Meeting, Rsvp, str] | None:
    """One meeting the member is invited to, with their answer and the panel's zone, whatever
    its state (a card shows what is true now)."""
    row = (
        await session.execute(
            select(Meeting, Rsvp, Panel.timezone)
            .join(Rsvp, Rsvp.meeting_id == Meeting.id)
            .join(Member, Member.id == Rsvp.member_id)
            .join(Panel, Panel.id == Meeting.panel_id)
            .where(Member.telegram_id == telegram_id, Meeting.id == meeting_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def attendance(
    session: AsyncSession, actor: Actor, meeting_id: int
) -> tuple[Meeting, list[dict[str, Any]]]:
    """Who is coming and what support they need. Coordinators of the meeting's panel only."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise refuse(session, actor, "no such meeting")
    await require_coordinator(session, actor, meeting.panel_id)
    rows = await session.execute(
        select(Member.display_name, Rsvp)
        .join(Rsvp, Rsvp.member_id == Member.id)
        .where(Rsvp.meeting_id == meeting_id)
        .order_by(Member.display_name)
    )
    return meeting, [
        {
            "name": name,
            "answer": str(rsvp.answer) if rsvp.answer else None,
            "support": list(rsvp.support or []),
            "support_other": rsvp.support_other,
            "interpreter": rsvp.interpreter_language,
        }
        for name, rsvp in rows.all()
    ]


async def reminder_choice(session: AsyncSession, telegram_id: int) -> ReminderChoice | None:
    """Which reminders the person chose (their calendar file's alarm follows it)."""
    return await session.scalar(select(Member.reminders).where(Member.telegram_id == telegram_id))


async def meeting_for_sending(
    session: AsyncSession, meeting_id: int, member_id: int | None
) -> tuple[Meeting, Panel, Rsvp | None, Member | None] | None:
    """Everything a renderer needs for one outbox row about a meeting."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    panel = await session.get(Panel, meeting.panel_id)
    assert panel is not None
    member = await session.get(Member, member_id) if member_id else None
    rsvp = None
    if member is not None:
        rsvp = await session.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.member_id == member.id)
        )
    return meeting, panel, rsvp, member


async def support_request(
    session: AsyncSession, rsvp_id: int
) -> tuple[str | None, list[str], str | None, str | None] | None:
    """(member's name, support codes, other text, interpreter's language) for a coordinator's
    note."""
    row = (
        await session.execute(
            select(Member.display_name, Rsvp.support, Rsvp.support_other, Rsvp.interpreter_language)
            .join(Rsvp, Rsvp.member_id == Member.id)
            .where(Rsvp.id == rsvp_id)
        )
    ).first()
    return (row[0], list(row[1] or []), row[2], row[3]) if row else None


async def upcoming_in_panels(
    session: AsyncSession, panel_ids: list[int], *, now: datetime
) -> list[tuple[Meeting, str]]:
    rows = await session.execute(
        select(Meeting, Panel.timezone)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Meeting.panel_id.in_(panel_ids),
            Meeting.starts_at > now,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at)
    )
    return [(m, z) for m, z in rows.all()]


async def zone_of(session: AsyncSession, meeting_id: int) -> str | None:
    return await session.scalar(
        select(Panel.timezone)
        .join(Meeting, Meeting.panel_id == Panel.id)
        .where(Meeting.id == meeting_id)
    )
