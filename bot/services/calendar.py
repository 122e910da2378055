"""Calendar files (.ics) for meetings, made with the icalendar library."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.db import Meeting, MeetingStatus

PRODUCT = "-//panelbot//meetings//EN"


def meeting_ics(
    meeting: Meeting, zone_name: str, *, now: datetime, domain: str = "panelbot"
) -> bytes:
    """One event in the panel's time zone; a change bumps SEQUENCE so calendars update it."""
    zone = ZoneInfo(zone_name)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{domain}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now)
    start = meeting.starts_at.astimezone(zone)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    where = [p for p in (meeting.address, meeting.online_url) if p]
    if where:
        event.add("location", " / ".join(where))
    if meeting.online_url:
        event.add("url", meeting.online_url)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    # Only the years around the meeting: old phones choke on decades of rules.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(start.year + 2, 1, 1)
    )
    return bytes(calendar.to_ical())
