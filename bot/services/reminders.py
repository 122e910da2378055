"""When meeting reminders are due: panel defaults, the member's choice and their quiet hours.

Day-based reminders keep local clock time ("a day before at 10:00" stays 10:00 across a clock
change); hour-based ones are real elapsed time. A reminder that would land in quiet hours moves to
the end of them, or to just before they start if the meeting would begin first.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from bot.db import ReminderChoice

# label -> (days, hours) before the start
OFFSETS: dict[str, tuple[int, int]] = {"7d": (7, 0), "1d": (1, 0), "2h": (0, 2)}
BY_CHOICE: dict[ReminderChoice, tuple[str, ...]] = {
    ReminderChoice.ALL: ("7d", "1d", "2h"),
    ReminderChoice.DAY_BEFORE: ("1d",),
    ReminderChoice.NONE: (),
}


def nearest(choice: ReminderChoice) -> timedelta | None:
    """How long before the start the member's last reminder comes: the calendar file's alarm."""
    labels = BY_CHOICE[choice]
    if not labels:
        return None
    days, hours = OFFSETS[labels[-1]]
    return timedelta(days=days, hours=hours)


def _local_minus_days(start: datetime, zone: tzinfo, days: int) -> datetime:
    local = start.astimezone(zone)
    wall = (local.replace(tzinfo=None) - timedelta(days=days)).replace(tzinfo=zone)
    return wall.astimezone(start.tzinfo)


def in_quiet_hours(moment: datetime, zone: tzinfo, quiet: tuple[int, int] | None) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    local = moment.astimezone(zone)
    minute = local.hour * 60 + local.minute
    return start <= minute < end if start < end else minute >= start or minute < end


def _at_minute(day: datetime, minute: int, zone: tzinfo) -> datetime:
    wall = datetime.combine(day.date(), time(minute // 60, minute % 60))
    return wall.replace(tzinfo=zone)


def _quiet_end(due: datetime, zone: tzinfo, end: int) -> datetime:
    local = due.astimezone(zone)
    end_at = _at_minute(local, end, zone)
    if end_at <= local:
        end_at = _at_minute(local + timedelta(days=1), end, zone)
    return end_at.astimezone(due.tzinfo)


def after_quiet_hours(now: datetime, zone: tzinfo, quiet: tuple[int, int] | None) -> datetime:
    """When a notice that can wait should go: now, or when the person's quiet hours end."""
    if quiet is None or not in_quiet_hours(now, zone, quiet):
        return now
    return _quiet_end(now, zone, quiet[1])


def _out_of_quiet(
    due: datetime, zone: tzinfo, quiet: tuple[int, int], starts: datetime
) -> datetime:
    start, end = quiet
    local = due.astimezone(zone)
    moved = _quiet_end(due, zone, end)
    if moved < starts:
        return moved
    # The meeting would start before quiet hours end: send just before they began instead.
    began = _at_minute(local, start, zone)
    if began > local:
        began = _at_minute(local - timedelta(days=1), start, zone)
    # A minute earlier in real time: local arithmetic could land in a clock-change gap.
    return began.astimezone(due.tzinfo) - timedelta(minutes=1)


def reminder_times(
    starts_at: datetime,
    zone: tzinfo,
    choice: ReminderChoice,
    quiet: tuple[int, int] | None,
    *,
    now: datetime,
) -> list[tuple[str, datetime]]:
    """(label, due time in UTC) for each reminder still worth sending, earliest first."""
    times: list[tuple[str, datetime]] = []
    for label in BY_CHOICE[choice]:
        days, hours = OFFSETS[label]
        due = (
            _local_minus_days(starts_at, zone, days) if days else starts_at - timedelta(hours=hours)
        )
        if in_quiet_hours(due, zone, quiet):
            assert quiet is not None
            due = _out_of_quiet(due, zone, quiet, starts_at)
        # Long quiet hours can push two reminders to the same moment: one is enough.
        if now <= due < starts_at and all(due != other for _, other in times):
            times.append((label, due))
    return sorted(times, key=lambda pair: pair[1])
