"""Meetings: invitations, answers, support needs, reminders, changes and attendance.

Everything a member will be sent about a meeting is an outbox row. Reminder rows have keys made
from the meeting, the member, the reminder and its due time, so recomputing them is idempotent:
the same inputs give the same keys, and only rows whose time changed are replaced.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Answer,
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
from bot.services import audit, outbox, text_versions
from bot.services.access import Actor, NotAllowed, refuse, require_coordinator
from bot.services.reminders import reminder_times

ACCESS_OPTIONS = ("step_free", "hearing_loop", "bsl", "parking", "quiet_room")
SUPPORT_OPTIONS = ("travel", "interpreter", "large_print", "companion")
MAX_TITLE = 200


class MeetingError(ValueError):
    """A meeting detail that cannot be used (in the past, too long ...)."""


@dataclass(frozen=True)
class MeetingDraft:
    title: str
    starts_at: datetime
    duration_minutes: int = 90
    address: str | None = None
    map_url: str | None = None
    online_url: str | None = None
    access: tuple[str, ...] = ()
    agenda: str | None = None
    papers: tuple[dict[str, str], ...] = ()
    paid: bool = False


def _validate(draft: MeetingDraft, now: datetime) -> None:
    if not draft.title.strip() or len(draft.title) > MAX_TITLE:
        raise MeetingError("title")
    if draft.starts_at <= now:
        raise MeetingError("past")
    if draft.starts_at > now + timedelta(days=3 * 366):
        raise MeetingError("far")
    if not 15 <= draft.duration_minutes <= 12 * 60:
        raise MeetingError("length")
    if any(a not in ACCESS_OPTIONS for a in draft.access):
        raise MeetingError("access")


def from_draft(draft: MeetingDraft) -> Meeting:
    """An unsaved meeting from a draft: what `create` saves and what the preview shows."""
    return Meeting(
        title=" ".join(draft.title.split()),
        starts_at=draft.starts_at,
        duration_minutes=draft.duration_minutes,
        address=draft.address,
        map_url=draft.map_url,
        online_url=draft.online_url,
        access=list(draft.access),
        agenda=draft.agenda,
        papers=list(draft.papers),
        paid=draft.paid,
        status=MeetingStatus.SCHEDULED,
        sequence=0,
    )


def key_prefix(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:"


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
    _validate(draft, now)
    meeting = from_draft(draft)
    meeting.panel_id, meeting.created_by, meeting.created_at = panel_id, actor.member_id, now
    session.add(meeting)
    await session.flush()
    panel = await session.get(Panel, panel_id)
    assert panel is not None
    for member in await _invitees(session, panel_id):
        if member.id == actor.member_id:
            continue  # the coordinator who made it has seen the preview
        rsvp = Rsvp(meeting_id=meeting.id, member_id=member.id, support=[])
        session.add(rsvp)
        await _notify(session, meeting, member, "invite", now=now)
        await _send_papers(session, meeting, member, now=now)
        await _schedule_reminders(session, meeting, member, None, panel.timezone, now=now)
    audit.record(
        session,
        "meeting.created",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel_id,
        meeting_id=meeting.id,
    )
    return meeting


async def _notify(
    session: AsyncSession, meeting: Meeting, member: Member, what: str, *, now: datetime
) -> None:
    """An invitation, change or cancellation notice, rendered in the member's language when sent."""
    await outbox.enqueue(
        session,
        key=f"{key_prefix(meeting.id)}{what}:v{meeting.sequence}:{member.id}",
        kind=f"meeting_{what}",
        chat_id=member.telegram_id,
        member_id=member.id,
        payload={"meeting_id": meeting.id, "sequence": meeting.sequence},
        due_at=now,
        now=now,
    )


async def _send_papers(
    session: AsyncSession, meeting: Meeting, member: Member, *, now: datetime
) -> None:
    """The meeting's papers follow the invitation, one message each, in order."""
    for index, _ in enumerate(meeting.papers or []):
        await outbox.enqueue(
            session,
            key=f"{key_prefix(meeting.id)}paper:{index}:{member.id}",
            kind="meeting_paper",
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"meeting_id": meeting.id, "index": index},
            due_at=now,
            now=now,
        )


_EARLIEST = datetime.min.replace(tzinfo=UTC)


async def _schedule_reminders(
    session: AsyncSession,
    meeting: Meeting,
    member: Member,
    answer: Answer | None,
    zone_name: str,
    *,
    now: datetime,
) -> None:
    prefix = f"{key_prefix(meeting.id)}reminder:{member.id}:"
    pending = await session.scalars(_PENDING_KEYS, {"pattern": _starting_with(prefix)})
    queued = set(pending.all())
    wanted: dict[str, datetime] = {}
    if meeting.status == MeetingStatus.SCHEDULED and answer != Answer.CANT:
        quiet = (
            (member.quiet_start, member.quiet_end)
            if member.quiet_start is not None and member.quiet_end is not None
            else None
        )
        # Every reminder the member's choices give, overdue ones too: one that fell due while
        # the bot was down and still waits in the outbox is still wanted (it goes late, if the
        # meeting has not started). Overdue ones that were never queued are not added.
        for label, due in reminder_times(
            meeting.starts_at, ZoneInfo(zone_name), member.reminders, quiet, now=_EARLIEST
        ):
            key = f"{prefix}{label}:{int(due.timestamp())}"
            if due >= now or (key in queued and meeting.starts_at > now):
                wanted[key] = due
    if meeting.status == MeetingStatus.SCHEDULED and answer in (
        Answer.COMING,
        Answer.MAYBE,
        Answer.SUPPORT,
    ):
        # After it ends, ask whether they came. Keyed by the end time, so a move replaces it.
        end = ends_at(meeting)
        wanted[f"{key_prefix(meeting.id)}reminder:{member.id}:after:{int(end.timestamp())}"] = end
    stale = [key for key in queued if key not in wanted]
    if stale:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key.in_(stale), OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.CANCELLED, last_error="reminder no longer wanted")
            .execution_options(synchronize_session=False)
        )
    for key, due in wanted.items():
        if key in queued:  # already waiting: enqueue would leave it as it is
            continue
        await outbox.enqueue(
            session,
            key=key,
            kind="meeting_followup" if ":after:" in key else "meeting_reminder",
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"meeting_id": meeting.id},
            due_at=due,
            now=now,
        )


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
        rsvp.support, rsvp.support_other = [], None
    await _schedule_reminders(session, meeting, member, new, panel.timezone, now=now)
    return meeting, rsvp


# Built once, as the next one: every RSVP tap runs them.
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
_PENDING_KEYS = select(OutboxMessage.key).where(
    OutboxMessage.status == OutboxStatus.PENDING,
    OutboxMessage.key.like(bindparam("pattern"), escape="/"),
)


def _starting_with(prefix: str) -> str:
    """A LIKE pattern for keys that start with `prefix`, taken literally."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


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
        json.dumps([sorted(rsvp.support or []), rsvp.support_other]).encode()
    ).hexdigest()[:12]
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
            key=f"{key_prefix(meeting.id)}support:{member.id}:{coordinator.id}:{asked}",
            kind="meeting_support",
            chat_id=coordinator.telegram_id,
            member_id=coordinator.id,
            payload={"meeting_id": meeting.id, "rsvp_id": rsvp.id},
            due_at=now,
            now=now,
        )
        told += 1
    return told


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
        if await _invitation_waiting(session, meeting, member):
            # The invitation is rendered when sent, so it will carry the new details; after a
            # cancellation it is dropped by its renderer. Either way no notice is needed.
            await _schedule_reminders(
                session, meeting, member, member_answer, panel.timezone, now=now
            )
            continue
        await _notify(session, meeting, member, what, now=now)
        await _schedule_reminders(session, meeting, member, member_answer, panel.timezone, now=now)


async def _invitation_waiting(session: AsyncSession, meeting: Meeting, member: Member) -> bool:
    return (
        await session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.key.startswith(f"{key_prefix(meeting.id)}invite:", autoescape=True),
                OutboxMessage.member_id == member.id,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
    ) is not None


async def refresh_member(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """The member changed their reminder choice or quiet hours: redo their upcoming reminders."""
    rows = await session.execute(
        select(Meeting, Rsvp.answer, Panel.timezone)
        .join(Rsvp, Rsvp.meeting_id == Meeting.id)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Rsvp.member_id == member.id,
            Meeting.starts_at > now,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
    )
    for meeting, member_answer, zone in rows.all():
        await _schedule_reminders(session, meeting, member, member_answer, zone, now=now)


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
        }
        for name, rsvp in rows.all()
    ]


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


def reminder_still_wanted(meeting: Meeting, rsvp: Rsvp | None, now: datetime) -> bool:
    """Checked at send time: a late reminder goes only if the meeting has not started."""
    return (
        meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at > now
        and (rsvp is None or rsvp.answer != Answer.CANT)
    )


def ends_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


async def support_request(
    session: AsyncSession, rsvp_id: int
) -> tuple[str | None, list[str], str | None] | None:
    """(member's name, support codes, other text) for a coordinator's note."""
    row = (
        await session.execute(
            select(Member.display_name, Rsvp.support, Rsvp.support_other)
            .join(Rsvp, Rsvp.member_id == Member.id)
            .where(Rsvp.id == rsvp_id)
        )
    ).first()
    return (row[0], list(row[1] or []), row[2]) if row else None


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
        session.add(Rsvp(meeting_id=meeting.id, member_id=member.id, support=[]))
        await _notify(session, meeting, member, "invite", now=now)
        await _send_papers(session, meeting, member, now=now)
        await _schedule_reminders(session, meeting, member, None, panel.timezone, now=now)
        count += 1
    return count


def _same_weekday_next_month(local: datetime) -> datetime:
    """The same weekday in the same week of the next month ('the first Tuesday')."""
    week = (local.day - 1) // 7
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    first = local.replace(year=year, month=month, day=1)
    offset = (local.weekday() - first.weekday()) % 7
    day = 1 + offset + 7 * min(week, 3)  # a "5th Tuesday" becomes the 4th, which always exists
    return first.replace(day=day)


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
        local = local + timedelta(days=7) if every == "week" else _same_weekday_next_month(local)
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


async def record_attendance(
    session: AsyncSession, telegram_id: int, meeting_id: int, came: bool, *, now: datetime
) -> Rsvp:
    """After the meeting: the member says whether they came (for pay and expenses)."""
    meeting, rsvp, _, _ = await _invitation(session, telegram_id, meeting_id)
    if meeting.starts_at > now:
        raise MeetingError("not yet")
    rsvp.attended = came
    return rsvp


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
                OutboxMessage.key.startswith(key_prefix(meeting_id), autoescape=True),
            )
            .values(status=OutboxStatus.CANCELLED, last_error="left the panel")
            .execution_options(synchronize_session=False)
        )
    if meeting_ids:
        await session.execute(
            delete(Rsvp).where(Rsvp.member_id == member_id, Rsvp.meeting_id.in_(meeting_ids))
        )
