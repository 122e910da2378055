"""The date and time picker: the month calendar of buttons and the readers for typed dates and
times, as people in the UK write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from babel import Locale

from bot.services import typed_times
from handlers.chat import picker
from handlers.chat.button_data import read
from handlers.meetings.button_records import PlannerAnswer, PlannerCalendar, calendar_data

TODAY = date(2026, 1, 5)  # a Monday
LONDON = ZoneInfo("Europe/London")


def _data(*args: str) -> str:
    return calendar_data(*args)


def _labels(rows: list[list[object]]) -> list[list[str]]:
    return [[b.text for b in row] for row in rows]  # type: ignore[attr-defined]


def _args(data: str) -> list[str]:
    tapped = read(data, PlannerCalendar, PlannerAnswer)
    if isinstance(tapped, PlannerCalendar):
        return [tapped.what, tapped.value]
    assert tapped is not None and tapped.step == "date"  # a blank or a label
    return [tapped.value]


def test_the_calendar_shows_the_month_with_monday_first_and_no_days_before_today() -> None:
    rows = picker.month_rows(TODAY, 2026, 1, "en_GB", _data)
    labels = _labels(rows)
    assert labels[0] == [picker.BLANK, "January 2026", "Feb ›"]
    assert labels[1] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    days = [label for row in labels[2:] for label in row if label != picker.BLANK]
    assert days == [str(d) for d in range(5, 32)]
    # 1 January 2026 is a Thursday: the first week starts with three blanks.
    assert labels[2][:3] == [picker.BLANK] * 3
    five = next(b for row in rows for b in row if b.text == "5")
    assert _args(str(five.callback_data)) == ["d", "2026-01-05"]


def test_later_months_offer_every_day_and_a_way_back() -> None:
    rows = picker.month_rows(TODAY, 2026, 2, "en_GB", _data)
    labels = _labels(rows)
    assert labels[0] == ["‹ Jan", "February 2026", "Mar ›"]
    assert _args(str(rows[0][0].callback_data)) == ["m", "2026-01"]
    assert _args(str(rows[0][2].callback_data)) == ["m", "2026-03"]
    days = [label for row in labels[2:] for label in row if label != picker.BLANK]
    assert days == [str(d) for d in range(1, 29)]


def test_the_calendar_never_goes_before_this_month_or_too_far_ahead() -> None:
    assert picker.clamp_month(date(2025, 6, 1), TODAY) == date(2026, 1, 1)
    assert picker.clamp_month(date(2040, 6, 9), TODAY) == date(2028, 1, 1)
    furthest = picker.month_rows(TODAY, 2040, 6, "en_GB", _data)
    assert _labels(furthest)[0] == ["‹ Dec", "January 2028", picker.BLANK]


def test_every_button_fits_telegrams_limits_and_blanks_do_nothing() -> None:
    rows = picker.month_rows(TODAY, 2026, 3, "en_GB", _data)
    buttons = [b for row in rows for b in row]
    assert len(buttons) <= 100
    for b in buttons:
        assert b.text and len(str(b.callback_data).encode()) <= 64
        if b.text == picker.BLANK or b.text in ("March 2026", "Mon"):
            assert picker.read_pick(_args(str(b.callback_data))) == ("noop", None)


def test_the_calendar_speaks_the_persons_language() -> None:
    labels = _labels(picker.month_rows(TODAY, 2026, 2, Locale.parse("cy_GB"), _data))
    assert labels[0][1] == "Chwefror 2026"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["x"], ("noop", None)),
        (["m", "2026-03"], ("month", date(2026, 3, 1))),
        (["d", "2026-03-14"], ("day", date(2026, 3, 14))),
        (["d", "2026-02-30"], None),
        (["m", "2026-13"], None),
        (["d", "tomorrow"], None),
        (["z", "2026-03-14"], None),
        ([], None),
    ],
)
def test_tapped_calendar_data_is_read_back_and_forgeries_are_refused(
    args: list[str], expected: tuple[str, date | None] | None
) -> None:
    assert picker.read_pick(args) == expected


def test_time_buttons_are_in_the_local_style_and_carry_hours_and_minutes() -> None:
    rows = picker.time_rows("en_GB", lambda value: f"nm:1:time:{value}")
    assert _labels(rows) == [["10:00", "10:30", "11:00"], ["13:00", "14:00", "18:00"]]
    assert rows[0][1].callback_data == "nm:1:time:1030"
    assert picker.read_time_pick("1030") == time(10, 30)
    assert picker.read_time_pick("2460") is None
    assert picker.read_time_pick("10:30") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("25/12/2026", date(2026, 12, 25)),
        ("25/12/26", date(2026, 12, 25)),
        ("25.12.2026", date(2026, 12, 25)),
        ("25-12-2026", date(2026, 12, 25)),
        ("2026-12-25", date(2026, 12, 25)),
        ("25/12", date(2026, 12, 25)),
        ("3/1", date(2027, 1, 3)),  # 3 January has gone this year: next year's
        ("5/1", date(2026, 1, 5)),  # today still counts
        ("25 December", date(2026, 12, 25)),
        ("25 Dec 2026", date(2026, 12, 25)),
        ("25th of December", date(2026, 12, 25)),
        ("December 25, 2026", date(2026, 12, 25)),
        ("Friday 25 December", date(2026, 12, 25)),
        ("  1 sept ", date(2026, 9, 1)),
        ("today", TODAY),
        ("Tomorrow", date(2026, 1, 6)),
        ("next Tuesday", date(2026, 1, 6)),
        ("Monday", date(2026, 1, 12)),  # the next one, not today
        ("29/02", date(2028, 2, 29)),
        ("1/1/2020", date(2020, 1, 1)),  # in the past: the caller says so
        ("31/02/2026", None),
        ("13/13/2026", None),
        ("banana", None),
        ("", None),
        ("14:30", None),
    ],
)
def test_typed_dates_in_uk_formats(typed: str, expected: date | None) -> None:
    assert picker.parse_date(typed, TODAY) == expected


def test_typed_dates_may_use_month_names_in_the_persons_language() -> None:
    assert picker.parse_date("25 grudnia", TODAY, "pl_PL") == date(2026, 12, 25)
    assert picker.parse_date("25 Rhagfyr 2026", TODAY, "cy_GB") == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", time(14, 30)),
        ("14.30", time(14, 30)),
        ("1430", time(14, 30)),
        ("9:05", time(9, 5)),
        ("2pm", time(14)),
        ("2 PM", time(14)),
        ("2.30pm", time(14, 30)),
        ("2:30 p.m.", time(14, 30)),
        ("10am", time(10)),
        ("12pm", time(12)),
        ("12am", time(0)),
        ("noon", time(12)),
        ("Midday", time(12)),
        ("14", time(14)),
        ("8", time(8)),
        ("2", None),  # 2am or 2pm? Asked again.
        ("13pm", None),
        ("25:00", None),
        ("14:75", None),
        ("lunchtime", None),
        ("", None),
    ],
)
def test_typed_times(typed: str, expected: time | None) -> None:
    assert typed_times.read_time(typed) == expected


def test_a_local_time_becomes_utc_with_summer_time_respected() -> None:
    assert picker.to_utc(date(2026, 1, 20), time(14), LONDON) == datetime(
        2026, 1, 20, 14, tzinfo=UTC
    )
    assert picker.to_utc(date(2026, 7, 14), time(10, 30), LONDON) == datetime(
        2026, 7, 14, 9, 30, tzinfo=UTC
    )
    # The clocks go forward at 01:00 on 29 March 2026: 01:30 does not happen that day.
    assert picker.to_utc(date(2026, 3, 29), time(1, 30), LONDON) is None
    # They go back at 02:00 on 25 October 2026: 01:30 happens twice, the first is used.
    assert picker.to_utc(date(2026, 10, 25), time(1, 30), LONDON) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_today_is_the_panels_today_not_utcs() -> None:
    late_evening_utc = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert picker.local_today(late_evening_utc, LONDON) == date(2026, 1, 5)
    assert picker.local_today(late_evening_utc, ZoneInfo("Europe/Warsaw")) == date(2026, 1, 6)
