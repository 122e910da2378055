"""Making and changing meetings: create, move, cancel and repeat, and who is invited.

Only a coordinator of the meeting's panel may do any of it; the role is checked here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Consent,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Panel,
    Rsvp,
)
from bot.services import audit, outbox_keys, text_versions
from bot.services.access import Actor, refuse, require_coordinator
from bot.services.meeting_notices import invitation_waiting, invite, notify, schedule_reminders
from bot.services.meeting_rules import (
    MeetingDraft,
    MeetingError,
    from_draft,
    same_weekday_next_month,
    validate,
)


async def _invitees(session: AsyncSession, panel_id: int) -> list[Member]:
    rows = await session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.panel_id == panel_id,
            Membership.active.is_(True),
            Member.consent == Consent.GIVEN,
        )
    )
    return list(rows.all())


async def create(
    session: AsyncSession, actor: Actor, panel_id: int, draft: MeetingDraft, *, now: datetime
) -> Meeting:
    """Save the meeting and queue an invitation (with calendar file) for every member."""
    await require_coordinator(session, actor, panel_id)
    validate(draft, now)
    meeting = from_draft(draft)
    meeting.panel_id, meeting.created_by, meeting.created_at = panel_id, actor.member_id, now
    session.add(meeting)
    await session.flush()
    panel = await session.get(Panel, panel_id)
    assert panel is not None
    for member in await _invitees(session, panel_id):
        if member.id == actor.member_id:
            continue  # the coordinator who made it has seen the preview
        await invite(session, meeting, member, panel.timezone, now=now)
    audit.record(
        session,
        "meeting.created",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel_id,
        meeting_id=meeting.id,
    )
    return meeting


async def reschedule(
    session: AsyncSession, actor: Actor, meeting_id: int, starts_at: datetime, *, now: datetime
) -> Meeting:
    meeting = await managed(session, actor, meeting_id, now=now)
    if not now < starts_at <= now + timedelta(days=3 * 366):
        raise MeetingError("past")
    meeting.starts_at = starts_at
    meeting.sequence += 1
    await _after_change(session, meeting, "changed", now=now)
    audit.record(
        session,
        "meeting.rescheduled",
        at=now,
        actor_id=actor.member_id,
        panel_id=meeting.panel_id,
        meeting_id=meeting.id,
    )
    return meeting


async def cancel(session: AsyncSession, actor: Actor, meeting_id: int, *, now: datetime) -> Meeting:
    meeting = await managed(session, actor, meeting_id, now=now)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    await _after_change(session, meeting, "cancelled", now=now)
    audit.record(
        session,
        "meeting.cancelled",
        at=now,
        actor_id=actor.member_id,
        panel_id=meeting.panel_id,
        meeting_id=meeting.id,
    )
    return meeting


async def managed(
    session: AsyncSession, actor: Actor, meeting_id: int, *, now: datetime
) -> Meeting:  # also the check a handler makes before offering to move, repeat or cancel
    """A meeting this coordinator may change: theirs, still on, and not started yet."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise refuse(session, actor, "no such meeting")
    await require_coordinator(session, actor, meeting.panel_id)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        raise MeetingError("closed")
    return meeting


async def _after_change(
    session: AsyncSession, meeting: Meeting, what: str, *, now: datetime
) -> None:
    panel = await session.get(Panel, meeting.panel_id)
    assert panel is not None
    rows = await session.execute(
        select(Member, Rsvp.answer)
        .join(Rsvp, Rsvp.member_id == Member.id)
        .where(Rsvp.meeting_id == meeting.id)
    )
    for member, member_answer in rows.all():
        if await invitation_waiting(session, meeting, member):
            # The invitation is rendered when sent, so it will carry the new details; after a
            # cancellation it is dropped by its renderer. Either way no notice is needed.
            await schedule_reminders(
                session, meeting, member, member_answer, panel.timezone, now=now
            )
            continue
        await notify(session, meeting, member, what, now=now)
        await schedule_reminders(session, meeting, member, member_answer, panel.timezone, now=now)


async def invite_new_member(
    session: AsyncSession, member: Member, panel_id: int, *, now: datetime
) -> int:
    """Someone just joined: invite them to the panel's meetings still to come."""
    panel = await session.get(Panel, panel_id)
    assert panel is not None
    upcoming_meetings = await session.scalars(
        select(Meeting).where(
            Meeting.panel_id == panel_id,
            Meeting.starts_at > now,
            Meeting.status == MeetingStatus.SCHEDULED,
            ~Meeting.id.in_(select(Rsvp.meeting_id).where(Rsvp.member_id == member.id)),
        )
    )
    count = 0
    for meeting in upcoming_meetings.all():
        await invite(session, meeting, member, panel.timezone, now=now)
        count += 1
    return count


async def repeat(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    every: str,
    times: int,
    now: datetime,
) -> list[Meeting]:
    """Copies of a meeting every week or every month on the same weekday, local time kept."""
    if every not in ("week", "month") or not 1 <= times <= 24:
        raise MeetingError("repeat")
    meeting = await managed(session, actor, meeting_id, now=now)
    if meeting.series_id is not None:
        raise MeetingError("repeated")  # a second tap must not double the series
    panel = await session.get(Panel, meeting.panel_id)
    assert panel is not None
    zone = ZoneInfo(panel.timezone)
    meeting.series_id = f"series-{meeting.id}"
    local = meeting.starts_at.astimezone(zone).replace(tzinfo=None)
    created = []
    for _ in range(times):
        local = local + timedelta(days=7) if every == "week" else same_weekday_next_month(local)
        draft = MeetingDraft(
            title=meeting.title,
            starts_at=local.replace(tzinfo=zone).astimezone(meeting.starts_at.tzinfo),
            duration_minutes=meeting.duration_minutes,
            address=meeting.address,
            map_url=meeting.map_url,
            online_url=meeting.online_url,
            access=tuple(meeting.access or []),
            agenda=meeting.agenda,
            papers=tuple(meeting.papers or []),
            paid=meeting.paid,
        )
        copy = await create(session, actor, meeting.panel_id, draft, now=now)
        copy.series_id = meeting.series_id
        await text_versions.copy(session, text_versions.MEETING, meeting.id, copy.id)
        created.append(copy)
    return created


async def member_left(
    session: AsyncSession, member_id: int, panel_id: int, *, now: datetime
) -> None:
    """They left the panel: no more invitations, reminders or notices for its meetings."""
    upcoming_ids = select(Meeting.id).where(Meeting.panel_id == panel_id, Meeting.starts_at > now)
    meeting_ids = list((await session.scalars(upcoming_ids)).all())
    for meeting_id in meeting_ids:
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.member_id == member_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.key.startswith(
                    outbox_keys.meeting_prefix(meeting_id), autoescape=True
                ),
            )
            .values(status=OutboxStatus.CANCELLED, last_error="left the panel")
            .execution_options(synchronize_session=False)
        )
    if meeting_ids:
        await session.execute(
            delete(Rsvp).where(Rsvp.member_id == member_id, Rsvp.meeting_id.in_(meeting_ids))
        )
