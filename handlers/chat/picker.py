"""A reusable date and time picker: a month calendar of buttons, and readers for typed dates and
times in the ways people in the UK write them.

The keyboards take a `data` function that turns picker arguments into the caller's callback data
(packed by the caller's own button records, handlers/chat/button_data.py), so any feature can put
a calendar under its own versioned prefix:

    month_rows(today, year, month, locale, calendar_data)  # handlers/meetings/button_records.py

Picker arguments are "m", "YYYY-MM" (show that month), "d", "YYYY-MM-DD" (a day was tapped) and
"x" (a blank or a label: nothing to do). `read_pick` reads them back, refusing anything forged.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from telegram import InlineKeyboardButton

from handlers.chat.common import button

MONTHS_AHEAD = 24  # how far forward the calendar goes
BLANK = " "  # Telegram needs some text on every button
COMMON_TIMES = (time(10), time(10, 30), time(11), time(13), time(14), time(18))

PickData = Callable[..., str]

# ------------------------------------------------------------------------------ calendar


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def clamp_month(wanted: date, today: date, months_ahead: int = MONTHS_AHEAD) -> date:
    """The first of the month to show: never before this month, never too far ahead."""
    first = wanted.replace(day=1)
    earliest = today.replace(day=1)
    latest = _add_months(earliest, months_ahead)
    return min(max(first, earliest), latest)


def last_offered_day(today: date) -> date:
    """The last day the calendar offers; later dates are refused when typed too."""
    return _add_months(today.replace(day=1), MONTHS_AHEAD + 1) - timedelta(days=1)


def month_rows(
    today: date,
    year: int,
    month: int,
    locale: Locale | str,
    data: PickData,
    *,
    months_ahead: int = MONTHS_AHEAD,
) -> list[list[InlineKeyboardButton]]:
    """‹ month ›, the weekday names (Monday first, as in the UK), then one row per week.
    Days before `today` are blank, so they cannot be picked."""
    locale = Locale.parse(locale) if isinstance(locale, str) else locale
    first = clamp_month(date(year, month, 1), today, months_ahead)
    earliest = today.replace(day=1)
    latest = _add_months(earliest, months_ahead)
    noop = data("x")
    previous, following = _add_months(first, -1), _add_months(first, 1)
    rows = [
        [
            button("‹ " + format_date(previous, "LLL", locale=locale), data("m", _ym(previous)))
            if first > earliest
            else button(BLANK, noop),
            button(format_date(first, "LLLL y", locale=locale), noop),
            button(format_date(following, "LLL", locale=locale) + " ›", data("m", _ym(following)))
            if first < latest
            else button(BLANK, noop),
        ],
        [button(name, noop) for name in weekday_names(locale)],
    ]
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(first.year, first.month):
        row = []
        for day in week:
            when = date(first.year, first.month, day) if day else None
            if when is None or when < today:
                row.append(button(BLANK, noop))
            else:
                row.append(button(str(day), data("d", when.isoformat())))
        rows.append(row)
    return rows


def weekday_names(locale: Locale) -> list[str]:
    names = locale.days["stand-alone"]["abbreviated"]
    return [str(names[i]) for i in range(7)]


def _ym(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def read_pick(args: list[str]) -> tuple[str, date | None] | None:
    """("month", first day) / ("day", date) / ("noop", None), or None if the data is not ours."""
    try:
        if args == ["x"]:
            return "noop", None
        if len(args) == 2 and args[0] == "m" and re.fullmatch(r"\d{4}-\d{2}", args[1]):
            year, month = map(int, args[1].split("-"))
            return "month", date(year, month, 1)
        if len(args) == 2 and args[0] == "d" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", args[1]):
            return "day", date.fromisoformat(args[1])
    except ValueError:
        return None
    return None


def time_rows(
    locale: Locale | str,
    data: Callable[[str], str],
    times: Iterable[time] = COMMON_TIMES,
    *,
    per_row: int = 3,
) -> list[list[InlineKeyboardButton]]:
    """Big buttons for common start times; the callback argument is "HHMM"."""
    buttons = [
        button(time_label(at, locale), data(f"{at.hour:02d}{at.minute:02d}")) for at in times
    ]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def time_label(at: time, locale: Locale | str) -> str:
    return format_time(at, "short", locale=locale)


def read_time_pick(value: str) -> time | None:
    match = re.fullmatch(r"(\d{2})(\d{2})", value)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    return time(hour, minute) if hour < 24 and minute < 60 else None


# ------------------------------------------------------------------------------ typed dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_NUMERIC = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH = re.compile(r"(\d{1,2})\s*(?:of\s+)?([^\W\d]+)(?:\s+(\d{4}))?")
_MONTH_DAY = re.compile(r"([^\W\d]+)\s+(\d{1,2})(?:\s+(\d{4}))?")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b")


def _names(locale: Locale | None, kind: str, english: dict[str, int]) -> dict[str, int]:
    """English names plus the person's own language's, lower case and without full stops."""
    names = dict(english)
    if locale is not None:
        table = locale.months if kind == "months" else locale.days
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for key, name in table[context][width].items():
                    names.setdefault(str(name).lower().rstrip("."), int(key))
    return names


def _build(year: int | None, month: int, day: int, today: date) -> date | None:
    """The date; with no year, the next time that day comes round (today counts)."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        for candidate_year in range(today.year, today.year + 5):
            try:
                found = date(candidate_year, month, day)
            except ValueError:  # 29 February
                continue
            if found >= today:
                return found
    except ValueError:
        return None
    return None


def parse_date(text: str, today: date, locale: Locale | str | None = None) -> date | None:
    """A date typed as "25/12/2026", "25/12", "25.12.26", "2026-12-25", "25 December",
    "25th Dec 2026", "December 25", "today", "tomorrow", "Tuesday" or "next Tuesday".

    Day first, as in the UK. Without a year, the next time that day comes round. A weekday means
    the next one after today. The result may be in the past ("1/1/2020"): the caller says so.
    """
    parsed_locale = Locale.parse(locale) if isinstance(locale, str) else locale
    cleaned = _ORDINAL.sub(r"\1", " ".join(text.lower().replace(",", " ").split())).strip(" .")
    if not cleaned:
        return None
    if cleaned == "today":
        return today
    if cleaned == "tomorrow":
        return today + timedelta(days=1)
    weekdays = _names(parsed_locale, "days", _WEEKDAYS)
    months = _names(parsed_locale, "months", _MONTHS)
    words = cleaned.split()
    if words[0] in ("next", "this", "on") and len(words) == 2:
        words = words[1:]
    if len(words) == 1 and words[0] in weekdays:
        ahead = (weekdays[words[0]] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if words[0] in weekdays and len(words) > 1:  # "Friday 25 December"
        cleaned = " ".join(words[1:])
    if match := _ISO.fullmatch(cleaned):
        return _build(int(match[1]), int(match[2]), int(match[3]), today)
    if match := _NUMERIC.fullmatch(cleaned):
        year = int(match[3]) if match[3] else None
        return _build(year, int(match[2]), int(match[1]), today)
    if (match := _DAY_MONTH.fullmatch(cleaned)) and match[2] in months:
        year = int(match[3]) if match[3] else None
        return _build(year, months[match[2]], int(match[1]), today)
    if (match := _MONTH_DAY.fullmatch(cleaned)) and match[1] in months:
        year = int(match[3]) if match[3] else None
        return _build(year, months[match[1]], int(match[2]), today)
    return None


# ------------------------------------------------------------------------------ time zones


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The moment `day` at `at` on the clocks of `zone`, in UTC. None for a time the clocks skip
    when they go forward (such as 01:30 on the last Sunday of March in the UK). When the clocks
    go back, the first of the two moments is used."""
    local = datetime.combine(day, at, tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return moment
