"""Reminders say when in the words a person uses ("tomorrow at 14:00", "in 2 hours"), in their own
language with its plural forms, right to left in Arabic; calendar files are named after the
meeting, carry an alarm at the member's nearest reminder and, online, the join link."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from bot.bidi import FSI, PDI
from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, ReminderChoice, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import meeting_changes, meeting_rules
from bot.services.access import Actor
from handlers.meetings.reminder_words import reminder_heading
from tests.factories import add_member, create_panel
from tests.test_meetings import START  # Tuesday 20 January 2026, 14:00 in London

PRIYA = 831
PEOPLE = {832: ("Sam", "en"), 833: ("Rhys", "cy"), 834: ("Amina", "ar"), 835: ("Ola", "pl")}
PEOPLE |= {836: ("Morag", "gd"), 837: ("Bilal", "ur")}
LINK = "https://meet.example.org/carers-panel"


def _plain(text: str) -> str:
    return re.sub(r"</?b>", "", text)


async def _meeting(
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    title: str = "Planning day",
    *,
    online_url: str | None = None,
    choices: dict[int, ReminderChoice] | None = None,
) -> dict[int, MemberDriver]:
    panel = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(db, clock, panel.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    drivers = {}
    for telegram_id, (name, language) in PEOPLE.items():
        await add_member(db, clock, panel.panel.id, telegram_id, name, language=language)
        drivers[telegram_id] = MemberDriver(emulator, telegram_id, name, language)
    async with db.session() as session:
        for telegram_id, choice in (choices or {}).items():
            member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
            assert member is not None
            member.reminders = choice
        await meeting_changes.create(
            session,
            Actor(PRIYA, coordinator.id),
            panel.panel.id,
            meeting_rules.MeetingDraft(
                title=title, starts_at=START, address="Town Hall", online_url=online_url
            ),
            now=clock.now(),
        )
    return drivers


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


async def test_reminders_say_a_week_tomorrow_and_in_2_hours_in_each_language(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    drivers = await _meeting(emulator, db, clock)
    await _drain(app)
    for driver in drivers.values():
        await driver.replies(2)  # the invitation and its calendar file

    clock.advance(START - timedelta(days=7) - clock.now())
    await _drain(app)
    week = {telegram_id: (await d.reply())["text"] for telegram_id, d in drivers.items()}
    assert week[832].startswith(
        "Reminder: Planning day is in 1 week, on Tuesday, 20 January 2026 at 14:00."
    )
    assert "ymhen wythnos: Dydd Mawrth, 20 Ionawr 2026 am 14:00" in week[833]
    assert "za 1 tydzień: wtorek, 20 stycznia 2026 o 14:00" in week[835]

    clock.advance(START - timedelta(days=1) - clock.now())
    await _drain(app)
    day = {telegram_id: (await d.reply())["text"] for telegram_id, d in drivers.items()}
    assert day[832].startswith(
        "Reminder: Planning day is tomorrow at 14:00 (Tuesday, 20 January 2026)."
    )
    assert day[833].startswith(
        "Nodyn atgoffa: mae Planning day yfory am 14:00 (Dydd Mawrth, 20 Ionawr 2026)."
    )
    assert "jutro o 14:00 (wtorek, 20 stycznia 2026)" in day[835]
    assert "a-màireach aig 14:00" in day[836]

    clock.advance(START - timedelta(hours=2) - clock.now())
    await _drain(app)
    soon = {telegram_id: (await d.reply())["text"] for telegram_id, d in drivers.items()}
    assert soon[832].startswith("Reminder: Planning day starts in 2 hours, at 14:00.")
    assert "yn dechrau ymhen 2 awr, am 14:00" in soon[833]  # Welsh: "2 awr", not "2 oriau"
    assert "początek za 2 godziny, o 14:00" in soon[835]  # Polish: 2-4 "godziny"
    assert "an ceann 2 uair a thìde" in soon[836]  # Gaelic: 2 takes "uair", 3 "uairean"
    # Arabic: the dual ("in two hours"), and the English title and the time kept whole as
    # islands in a line that reads right to left from its first word.
    first_line = soon[834].split("\n")[0]
    assert first_line.startswith("تذكير:") and f"{FSI}خلال ساعتين{PDI}" in first_line
    assert f"{FSI}Planning day{PDI}" in first_line
    assert "2 گھنٹے میں" in soon[837]
    for telegram_id, (_, language) in PEOPLE.items():
        expected = reminder_heading(
            Translator(language), "Planning day", START, "Europe/London", clock.now()
        )
        assert soon[telegram_id].startswith(_plain(expected))


async def test_a_late_reminder_on_the_day_says_today(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    drivers = await _meeting(emulator, db, clock, choices={832: ReminderChoice.DAY_BEFORE})
    await _drain(app)
    sam = drivers[832]
    await sam.replies(2)
    # The bot was down from before the day-before reminder until 08:00 on the day.
    clock.advance(START.replace(hour=8) - clock.now())
    await _drain(app)
    assert (await sam.reply())["text"].startswith("Reminder: Planning day is today at 14:00.")
    await sam.no_reply(0.2)


def test_the_time_left_follows_each_languages_plural_forms() -> None:
    def heading(language: str, hours: int) -> str:
        before = START - timedelta(hours=hours)
        return reminder_heading(Translator(language), "X", START, "Europe/London", before)

    assert "za 2 godziny" in heading("pl", 2) and "za 5 godzin" in heading("pl", 5)
    assert "خلال 3 ساعات" in heading("ar", 3) and "خلال ساعة واحدة" in heading("ar", 1)
    assert "ymhen awr" in heading("cy", 1) and "ymhen 3 awr" in heading("cy", 3)
    assert "an ceann 3 uairean a thìde" in heading("gd", 3)


def _event(emulator: BotApiEmulator, message: dict[str, object]) -> Calendar:
    document = message["document"]
    assert isinstance(document, dict)
    calendar = Calendar.from_ical(emulator.file_bytes(document["file_id"]))
    (event,) = calendar.walk("VEVENT")
    return event


async def test_a_calendar_file_is_named_after_the_meeting_with_an_alarm_and_the_join_link(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    drivers = await _meeting(
        emulator,
        db,
        clock,
        "Carers' panel: plans / money",
        online_url=LINK,
        choices={833: ReminderChoice.DAY_BEFORE, 835: ReminderChoice.NONE},
    )
    await _drain(app)
    files = {telegram_id: (await d.replies(2))[1] for telegram_id, d in drivers.items()}
    for message in files.values():
        assert message["document"]["file_name"] == "carers-panel-plans-money-2026-01-20.ics"

    sam = _event(emulator, files[832])
    (alarm,) = sam.walk("VALARM")
    assert alarm["action"] == "DISPLAY" and alarm.decoded("trigger") == -timedelta(hours=2)
    assert str(sam["url"]) == LINK and str(sam["conference"]) == LINK
    assert LINK in str(sam["location"]) and "Town Hall" in str(sam["location"])
    assert f"Join the meeting online:\n{LINK}" in str(sam["description"])
    # Rhys chose only the day-before reminder: his calendar reminds him a day before, in Welsh.
    rhys = _event(emulator, files[833])
    assert [a.decoded("trigger") for a in rhys.walk("VALARM")] == [-timedelta(days=1)]
    assert f"Ymunwch â'r cyfarfod ar-lein:\n{LINK}" in str(rhys["description"])
    # Ola chose no reminders: no alarm either.
    assert _event(emulator, files[835]).walk("VALARM") == []
    # The link in an Arabic description has no direction marks in it.
    assert f"\n{LINK}" in str(_event(emulator, files[834])["description"])


async def test_the_calendar_button_gives_the_same_named_file(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    drivers = await _meeting(emulator, db, clock, online_url=LINK)
    await _drain(app)
    sam = drivers[832]
    await sam.replies(2)
    await sam.send("/meetings")
    await sam.replies(2)  # how many meetings, and the meeting's card
    await sam.tap("Calendar file")
    sent = await sam.reply()
    assert sent["document"]["file_name"] == "planning-day-2026-01-20.ics"
    (alarm,) = _event(emulator, sent).walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(hours=2)
