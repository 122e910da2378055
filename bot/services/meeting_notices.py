"""What a member is sent about a meeting: invitation, papers, change notices and reminders.

Everything is an outbox row. Reminder rows have keys made from the meeting, the member, the
reminder and its due time, so recomputing them is idempotent: the same inputs give the same
keys, and only rows whose time changed are replaced.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Answer,
    Meeting,
    MeetingStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
    Panel,
    Rsvp,
)
from bot.services import outbox, outbox_keys
from bot.services.meeting_rules import ends_at
from bot.services.outbox_keys import Kind
from bot.services.reminders import reminder_times

_PENDING_KEYS = select(OutboxMessage.key).where(
    OutboxMessage.status == OutboxStatus.PENDING,
    OutboxMessage.key.like(bindparam("pattern"), escape="/"),
)


def _starting_with(prefix: str) -> str:
    """A LIKE pattern for keys that start with `prefix`, taken literally."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


async def invite(
    session: AsyncSession, meeting: Meeting, member: Member, zone_name: str, *, now: datetime
) -> None:
    """Invite one member: their answer row, the invitation, the papers and the reminders."""
    session.add(Rsvp(meeting_id=meeting.id, member_id=member.id, support=[]))
    await notify(session, meeting, member, "invite", now=now)
    await send_papers(session, meeting, member, now=now)
    await schedule_reminders(session, meeting, member, None, zone_name, now=now)


async def notify(
    session: AsyncSession, meeting: Meeting, member: Member, what: str, *, now: datetime
) -> None:
    """An invitation, change or cancellation notice, rendered in the member's language when sent."""
    await outbox.enqueue(
        session,
        key=outbox_keys.meeting_notice(meeting.id, what, meeting.sequence, member.id),
        kind=Kind(f"meeting_{what}"),
        chat_id=member.telegram_id,
        member_id=member.id,
        payload={"meeting_id": meeting.id, "sequence": meeting.sequence},
        due_at=now,
        now=now,
    )


async def send_papers(
    session: AsyncSession, meeting: Meeting, member: Member, *, now: datetime
) -> None:
    """The meeting's papers follow the invitation, one message each, in order."""
    for index, _ in enumerate(meeting.papers or []):
        await outbox.enqueue(
            session,
            key=outbox_keys.meeting_paper(meeting.id, index, member.id),
            kind=Kind.MEETING_PAPER,
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"meeting_id": meeting.id, "index": index},
            due_at=now,
            now=now,
        )


_EARLIEST = datetime.min.replace(tzinfo=UTC)


async def schedule_reminders(
    session: AsyncSession,
    meeting: Meeting,
    member: Member,
    answer: Answer | None,
    zone_name: str,
    *,
    now: datetime,
) -> None:
    prefix = outbox_keys.meeting_reminders(meeting.id, member.id)
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
        wanted[f"{prefix}after:{int(end.timestamp())}"] = end
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
            kind=Kind.MEETING_FOLLOWUP if ":after:" in key else Kind.MEETING_REMINDER,
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"meeting_id": meeting.id},
            due_at=due,
            now=now,
        )


async def invitation_waiting(session: AsyncSession, meeting: Meeting, member: Member) -> bool:
    return (
        await session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.key.startswith(
                    f"{outbox_keys.meeting_prefix(meeting.id)}invite:", autoescape=True
                ),
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
        await schedule_reminders(session, meeting, member, member_answer, zone, now=now)
