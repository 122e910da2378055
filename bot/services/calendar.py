"""Calendar files (.ics) for meetings, made with the icalendar library.

A file is named after the meeting ("planning-day-2026-01-20.ics"), carries an alarm at the time of
the member's own nearest reminder, and for a meeting online the join link where calendar apps look
for it: the event's URL, its location, its description and RFC 7986's CONFERENCE."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.db import Meeting, MeetingStatus

PRODUCT = "-//panelbot//meetings//EN"
_NAME_LENGTH = 40  # of the title part: whole on a phone's file list, with the date after it
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Words:
    """The few words in a file a person reads in their calendar app, in their language."""

    join: str = "Join online:"  # before the join link in the description


def file_name(meeting: Meeting, zone_name: str) -> str:
    """A safe name from the title and the local date: letters and digits of any script, joined
    by '-'; nothing that a file system, a path or a direction mark could trip on."""
    title = unicodedata.normalize("NFKC", meeting.title).casefold()
    slug = _NOT_WORD.sub("-", title).strip("-")[:_NAME_LENGTH].rstrip("-") or "meeting"
    day = meeting.starts_at.astimezone(ZoneInfo(zone_name)).date().isoformat()
    return f"{slug}-{day}.ics"


def _description(meeting: Meeting, words: Words) -> str:
    parts = [meeting.agenda] if meeting.agenda else []
    if meeting.online_url:
        # The link alone on its line, so apps that turn links into buttons find it whole.
        parts.append(f"{words.join}\n{meeting.online_url}")
    return "\n\n".join(parts)


def meeting_ics(
    meeting: Meeting,
    zone_name: str,
    *,
    now: datetime,
    domain: str = "panelbot",
    alarm_before: timedelta | None = None,
    words: Words | None = None,
) -> bytes:
    """One event in the panel's time zone; a change bumps SEQUENCE so calendars update it."""
    words = words or Words()
    zone = ZoneInfo(zone_name)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    cancelled = meeting.status == MeetingStatus.CANCELLED
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
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
        event.add(
            "conference",
            meeting.online_url,
            parameters={"VALUE": "URI", "FEATURE": "AUDIO,VIDEO"},
        )
    description = _description(meeting, words)
    if description:
        event.add("description", description)
    if cancelled:
        event.add("status", "CANCELLED")
    elif alarm_before is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", meeting.title)
        alarm.add("trigger", -alarm_before)
        event.add_component(alarm)
    calendar.add_component(event)
    # Only the years around the meeting: old phones choke on decades of rules.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(start.year + 2, 1, 1)
    )
    return bytes(calendar.to_ical())
