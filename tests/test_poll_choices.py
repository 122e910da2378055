"""Issue 20, polls: choices typed on one line with commas (or one per line), each mistake
explained, a preview that shows the answer buttons, and a closing time on a whole hour in the
panel's own clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import (
    Poll,
    Role,
)
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.factories import add_member, create_panel
from tests.polls_world import (
    COORDINATOR,
    MEMBERS,
    _drain,
    _drivers,
    _setup,
)

TOO_FEW = "Results show when 3 people have answered."


async def test_choices_on_one_line_each_mistake_explained_and_the_preview_shows_the_buttons(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = _drivers(emulator)[905]
    await priya.send("/newpoll")
    await priya.reply()
    await priya.send("Which time of day suits you?")
    await priya.reply()
    await priya.tap("One choice")
    assert "with a comma between them" in (await priya.reply())["text"]

    mistakes: list[tuple[str, str]] = [
        ("Morning", "Please type at least 2 choices"),
        (", ,", "Please type at least 2 choices"),
        (", ".join(f"Day {n}" for n in range(11)), "You typed 11 choices. You can have up to 10."),
        ("Yes, No, yes", 'You typed "yes" twice. Please type each choice only once.'),
        ("Yes, " + "x" * 61, "This choice is too long"),
        ("<b>, <b>", 'You typed "<b>" twice.'),  # shown as typed, not read as HTML
    ]
    for typed, told in mistakes:
        await priya.send(typed)
        reply = await priya.reply()
        assert told in reply["text"], (typed, reply["text"])

    # Semicolons and the Arabic comma separate too; then the plain comma, as a phone sends it.
    for typed in ("صباحا، مساء", "Morning; Evening"):
        await priya.send(typed)
        assert "anonymous" in (await priya.reply())["text"]
        await priya.tap("Back")
        await priya.reply()
    await priya.send(" Morning ,Afternoon,  Evening ")
    assert "anonymous" in (await priya.reply())["text"]
    await priya.tap("Anonymous")
    await priya.reply()
    clock.advance(timedelta(minutes=42))  # Monday 5 January, 09:42
    await priya.tap("In 3 days")
    await priya.reply()
    await priya.tap("The whole panel")
    preview = (await priya.reply())["text"]
    lines = preview.splitlines()
    assert "Please answer by Thursday, 8 January 2026 at 10:00." in lines
    start = lines.index("The answer buttons:")
    assert lines[start + 1 : start + 6] == [
        "• Morning",
        "• Afternoon",
        "• Evening",
        "• Type my answer",
        "• Skip this question",
    ]
    await priya.tap("Send")
    sent = (await priya.reply())["text"]
    assert "It closes on Thursday, 8 January 2026 at 10:00." in sent
    async with db.session() as session:
        poll = await session.scalar(select(Poll))
    assert poll is not None and poll.options == ["Morning", "Afternoon", "Evening"]
    assert poll.closes_at == datetime(2026, 1, 8, 10, 0, tzinfo=UTC)
    await _drain(app)
    asked = await sam.reply()
    assert sam.buttons(asked)[:3] == ["Morning", "Afternoon", "Evening"]


async def test_typed_days_close_on_a_whole_hour_and_a_welsh_coordinator_reads_welsh_dates(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 911, "Rhian", role=Role.COORDINATOR, language="cy")
    for telegram_id, (name, language) in MEMBERS.items():
        await add_member(db, clock, new.panel.id, telegram_id, name, language=language)
    cy = Translator("cy")
    rhian = MemberDriver(emulator, 911, "Rhian", "cy")
    await rhian.send("/newpoll")
    await rhian.reply()
    await rhian.send("Beth sy'n gweithio?")
    await rhian.reply()
    await rhian.tap(cy("A rating from 1 to 5"))
    await rhian.reply()
    await rhian.tap(cy("Anonymous"))
    await rhian.reply()
    clock.advance(timedelta(minutes=5, seconds=3))
    await rhian.send("2")
    await rhian.reply()
    await rhian.tap(cy("The whole panel"))
    preview = (await rhian.reply())["text"]
    closes = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
    ten = cy.time(closes, ZoneInfo("Europe/London"))
    when = cy("{day} at {time}", day=cy.date(closes), time=ten)
    assert cy("Please answer by {when}.", when=when) in preview
    assert cy("The answer buttons:") in preview and f"• 5 {cy('Very good')}" in preview
    await rhian.tap(cy("Send"))
    await rhian.reply()
    await _drain(app)

    await rhian.send("/results")
    await rhian.reply()
    await rhian.tap("Beth sy'n gweithio?")
    card = await rhian.reply()
    await rhian.tap(cy("Keep it open longer"))
    offer = await rhian.reply()
    assert offer["text"] == cy("When should the question close? Tap a time.")
    first = closes + timedelta(days=1)
    assert rhian.buttons(offer)[0] == cy("{day} at {time}", day=cy.date(first), time=ten)
    assert TOO_FEW not in card["text"]  # it is in Welsh


def test_whole_hours_follow_the_panel_s_clock_even_half_an_hour_off_utc() -> None:
    """Kolkata is UTC+05:30: its whole hours are half past in UTC."""
    from bot.services.poll_rules import next_whole_hour  # imported here: new in issue 20

    moment = datetime(2026, 1, 5, 9, 10, tzinfo=UTC)  # 14:40 in Kolkata
    assert next_whole_hour(moment, "Asia/Kolkata") == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert next_whole_hour(moment, "Europe/London") == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    on_the_hour = datetime(2026, 7, 5, 8, 0, tzinfo=UTC)  # 09:00 in London in summer
    assert next_whole_hour(on_the_hour, "Europe/London") == on_the_hour
