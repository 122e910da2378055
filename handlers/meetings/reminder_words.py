"""A reminder says when in the words a person would use: "today at 14:00", "tomorrow at 14:00
(Tuesday, 20 January 2026)", "in 2 hours, at 14:00", "in 1 week, on Tuesday, 20 January 2026 at
14:00". Worked out when the reminder is sent, in the panel's time zone and the member's language.

Each case is a whole sentence in the catalogues, so every language can order it its own way; the
length of time ("in 2 hours", "ymhen 2 awr", "خلال ساعتين") comes from CLDR through Babel, with
the plural forms each language has."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from bot.i18n import Translator

# Closer than this, the time left says it best ("in 2 hours"); further, the day does.
SOON = timedelta(hours=6)


def time_left(t: Translator, span: timedelta) -> str:
    """'in 2 hours', 'in 1 week': CLDR's words and plurals for the person's language."""
    return format_timedelta(span, add_direction=True, locale=t.locale)


def reminder_heading(
    t: Translator, title: str, starts_at: datetime, zone: str, now: datetime
) -> str:
    """The first line of a reminder: what, and when in relative words with the exact time."""
    tz = ZoneInfo(zone)
    start, today = starts_at.astimezone(tz), now.astimezone(tz)
    left = starts_at - now
    title = escape(title)
    time = t.time(starts_at, tz)
    if timedelta(minutes=1) <= left < SOON:
        return t(
            "Reminder: <b>{title}</b> starts {time_left}, at {time}.",
            title=title,
            time_left=time_left(t, left),
            time=time,
        )
    days = (start.date() - today.date()).days
    if days <= 0:
        return t("Reminder: <b>{title}</b> is today at {time}.", title=title, time=time)
    if days == 1:
        return t(
            "Reminder: <b>{title}</b> is tomorrow at {time} ({day}).",
            title=title,
            time=time,
            day=t.date(start),
        )
    return t(
        "Reminder: <b>{title}</b> is {time_left}, on {day} at {time}.",
        title=title,
        time_left=time_left(t, timedelta(days=days)),  # by the calendar: Monday is "in 2 days"
        day=t.date(start),
        time=time,
    )
