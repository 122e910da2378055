"""/helplines and /minanswers for a coordinator of several panels: they tap which panel, only
that panel changes, and a forged button for someone else's panel changes nothing."""

from __future__ import annotations

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import feedback_settings, small_numbers
from tests.factories import add_member, create_panel

PRIYA, SAM = 1101, 1102


async def _two_panels(db: Database, clock: FrozenClock) -> tuple[int, int, int]:
    carers = await create_panel(db, clock, "Carers Voice")
    young = await create_panel(db, clock, "Young Voices")
    other = await create_panel(db, clock, "Someone Else's Panel")
    for panel in (carers, young):
        await add_member(db, clock, panel.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, carers.panel.id, SAM, "Sam")
    return carers.panel.id, young.panel.id, other.panel.id


async def _min_answers(db: Database, panel_id: int) -> int:
    async with db.session() as session:
        return await small_numbers.min_answers_for(session, panel_id)


async def _helplines(db: Database, panel_id: int) -> list[feedback_settings.Helpline] | None:
    async with db.session() as session:
        return await feedback_settings.helplines(session, panel_id)


async def test_a_coordinator_of_two_panels_taps_which_panel_needs_more_answers(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    carers, young, _ = await _two_panels(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/minanswers 5")
    asked = await priya.reply()
    assert asked["text"] == "Which panel? Tap one."
    assert priya.buttons(asked) == ["Carers Voice", "Young Voices"]
    assert await _min_answers(db, young) == 3  # nothing changes before the tap
    await priya.tap("Young Voices")
    assert "show from 5 answers" in (await priya.reply())["text"]
    assert await _min_answers(db, young) == 5
    assert await _min_answers(db, carers) == 3
    assert priya.buttons(await priya.wait_edit(asked["message_id"])) == []

    await priya.send("/minanswers 2")  # refused before any panel is asked
    assert "It cannot be below 3." in (await priya.reply())["text"]
    await priya.send("/minanswers")
    await priya.reply()
    await priya.tap("Carers Voice")
    assert "show from 3 answers" in (await priya.reply())["text"]
    assert await _min_answers(db, young) == 5


async def test_a_coordinator_of_two_panels_sets_help_lines_for_the_one_they_tap(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    carers, young, _ = await _two_panels(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/helplines\nCarers Direct: 0300 123 1053")
    assert (await priya.reply())["text"] == "Which panel? Tap one."
    await priya.tap("Carers Voice")
    shown = (await priya.reply())["text"]
    assert "Carers Direct: 0300 123 1053" in shown
    assert await _helplines(db, carers) == [
        feedback_settings.Helpline("Carers Direct", "0300 123 1053")
    ]
    assert await _helplines(db, young) is None

    await priya.send("/helplines")
    await priya.reply()
    await priya.tap("Young Voices")
    assert "116 123" in (await priya.reply())["text"]  # the UK defaults, untouched

    await priya.send("/helplines\nno colon here")
    assert "one help line on each line" in (await priya.reply())["text"]


async def test_a_forged_panel_button_changes_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    carers, _, other = await _two_panels(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    await priya.send("/minanswers 7")
    asked = await priya.reply()
    answer = await priya.tap_data(asked["message_id"], f"ps:1:m:{other}")
    assert "coordinator" in answer["text"].lower()
    assert await _min_answers(db, other) == 3
    await sam.send("/start")
    await sam.reply()
    message = sam.last_message
    assert message is not None
    answer = await sam.tap_data(message["message_id"], f"ps:1:m:{carers}")
    assert "coordinator" in answer["text"].lower()
    answer = await sam.tap_data(message["message_id"], "ps:1:z:99999999999999999999")
    assert "no longer works" in answer["text"]
    assert await _min_answers(db, carers) == 3
