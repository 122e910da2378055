"""A meeting's details and the rules they must keep: plain functions, no database.

Shared by making and changing meetings, answers (RSVP), notices and what handlers show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import Answer, Meeting, MeetingStatus, Rsvp

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


def validate(draft: MeetingDraft, now: datetime) -> None:
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


def reminder_still_wanted(meeting: Meeting, rsvp: Rsvp | None, now: datetime) -> bool:
    """Checked at send time: a late reminder goes only if the meeting has not started."""
    return (
        meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at > now
        and (rsvp is None or rsvp.answer != Answer.CANT)
    )


def ends_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def same_weekday_next_month(local: datetime) -> datetime:
    """The same weekday in the same week of the next month ('the first Tuesday')."""
    week = (local.day - 1) // 7
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    first = local.replace(year=year, month=month, day=1)
    offset = (local.weekday() - first.weekday()) % 7
    day = 1 + offset + 7 * min(week, 3)  # a "5th Tuesday" becomes the 4th, which always exists
    return first.replace(day=day)
