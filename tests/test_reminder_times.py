"""Reminder times: defaults, choices, quiet hours and the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.db import ReminderChoice
from bot.services.reminders import reminder_times

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def as_local(times: list[tuple[str, datetime]]) -> list[tuple[str, str]]:
    return [(label, due.astimezone(LONDON).strftime("%a %d %b %H:%M")) for label, due in times]


def test_the_panel_defaults_are_a_week_a_day_and_two_hours_before() -> None:
    start = local(2026, 9, 15, 14, 0)
    assert as_local(reminder_times(start, LONDON, ReminderChoice.ALL, None, now=NOW)) == [
        ("7d", "Tue 08 Sep 14:00"),
        ("1d", "Mon 14 Sep 14:00"),
        ("2h", "Tue 15 Sep 12:00"),
    ]


def test_a_member_can_choose_only_the_day_before_or_none() -> None:
    start = local(2026, 9, 15, 14, 0)
    assert [
        label
        for label, _ in reminder_times(start, LONDON, ReminderChoice.DAY_BEFORE, None, now=NOW)
    ] == ["1d"]
    assert reminder_times(start, LONDON, ReminderChoice.NONE, None, now=NOW) == []


def test_reminders_across_the_october_clock_change_keep_local_time() -> None:
    # Clocks go back at 02:00 on Sunday 25 October 2026. The meeting is 10:00 on Tuesday 27th.
    start = local(2026, 10, 27, 10, 0)
    times = dict(as_local(reminder_times(start, LONDON, ReminderChoice.ALL, None, now=NOW)))
    assert times == {"7d": "Tue 20 Oct 10:00", "1d": "Mon 26 Oct 10:00", "2h": "Tue 27 Oct 08:00"}
    assert start.astimezone(LONDON).hour == 10


def test_a_reminder_due_in_quiet_hours_waits_for_them_to_end() -> None:
    start = local(2026, 9, 15, 9, 0)
    quiet = (22 * 60, 8 * 60)  # 22:00 to 08:00
    times = dict(as_local(reminder_times(start, LONDON, ReminderChoice.ALL, quiet, now=NOW)))
    assert times["1d"] == "Mon 14 Sep 09:00"
    assert times["2h"] == "Tue 15 Sep 08:00"  # due at 07:00, in quiet hours: waits until 08:00


def test_a_reminder_goes_earlier_when_quiet_hours_end_after_the_meeting_starts() -> None:
    start = local(2026, 9, 15, 9, 0)
    quiet = (21 * 60, 9 * 60 + 30)  # 21:00 to 09:30
    times = dict(as_local(reminder_times(start, LONDON, ReminderChoice.ALL, quiet, now=NOW)))
    assert times["2h"] == "Mon 14 Sep 20:59"


def test_reminders_already_past_are_not_scheduled() -> None:
    start = local(2026, 9, 4, 14, 0)
    assert [
        label for label, _ in reminder_times(start, LONDON, ReminderChoice.ALL, None, now=NOW)
    ] == [
        "1d",
        "2h",
    ]


def test_on_the_spring_clock_change_an_earlier_reminder_stays_out_of_quiet_hours() -> None:
    # Clocks go forward at 01:00 on Sunday 29 March 2026 (01:00-02:00 does not exist).
    start = local(2026, 3, 29, 19, 0)
    quiet = (2 * 60, 19 * 60 + 30)  # 02:00 to 19:30
    march = datetime(2026, 3, 1, tzinfo=UTC)
    times = dict(reminder_times(start, LONDON, ReminderChoice.ALL, quiet, now=march))
    two_hours = times["2h"].astimezone(LONDON)
    assert two_hours.strftime("%d %b %H:%M") == "29 Mar 00:59"
