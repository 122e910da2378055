"""The /newmeeting draft holds: forged buttons get the expired answer and change nothing, a restart
loses nothing (carry on or start again), and a start time that passes during the preview is caught
when sending."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date, timedelta

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from handlers.chat.common import EXPIRED_BUTTON
from handlers.meetings import planner_rules
from handlers.meetings.planner import FORM
from handlers.meetings.planner_rules import PAST_DAY, Step
from tests.factories import add_member
from tests.meeting_create_world import (
    COORDINATOR,
    _draft,
    _meetings,
    _panel,
    _panel_with_people,
    _step,
    en,
)


async def test_forged_buttons_get_the_expired_answer_and_change_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    first = await _panel(db, clock, "Carers Voice")
    second = await _panel(db, clock, "Young Minds")
    other = await _panel(db, clock, "Not Hers")
    await add_member(db, clock, first, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, second, COORDINATOR, "Priya", role=Role.COORDINATOR)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")

    await priya.send("/newmeeting")
    which = await priya.reply()
    assert which["text"] == en("Which panel is the meeting for? Tap one.")
    assert priya.buttons(which) == ["Carers Voice", "Young Minds", en("Stop")]
    expired = {"text": en(EXPIRED_BUTTON), "show_alert": True}
    for forged in (
        f"nm:1:panel:{other}",  # a panel she does not coordinate
        "nm:1:panel:abc",
        "nm:1:panel:back",  # nothing to go back to
        "nm:1:launch:1",
        "nm:1",
        "nm:2:panel:1",
        "nm:1:resume:maybe",
    ):
        answer = await priya.tap_data(which["message_id"], forged)
        assert {k: answer.get(k) for k in expired} == expired, forged
    draft = await _draft(db)
    assert draft is not None and draft.step == "panel" and "panel_id" not in draft.data

    await priya.tap("Young Minds")
    ask_title = await priya.reply()
    assert priya.buttons(ask_title) == [en("Back"), en("Stop")]
    answer = await priya.tap_data(ask_title["message_id"], "nm:1:title:rocket")
    assert answer.get("text") == en(EXPIRED_BUTTON)
    # A button of another question (as from an old message) asks the current question again.
    answer = await priya.tap_data(ask_title["message_id"], "nm:1:access:bsl")
    assert answer.get("text") is None
    assert (await priya.reply())["text"] == en(planner_rules.QUESTIONS[Step.TITLE])
    await priya.send("Winter plans")
    calendar = await priya.reply()
    for forged in ("nm:1:date:d:2026-02-30", "nm:1:date:d:2025-12-25x", "nm:1:date:q"):
        answer = await priya.tap_data(calendar["message_id"], forged)
        assert answer.get("text") == en(EXPIRED_BUTTON), forged
    # A day in the past, forged or from an old calendar, is refused and nothing moves on.
    answer = await priya.tap_data(calendar["message_id"], "nm:1:date:d:2026-01-04")
    assert answer.get("text") == en(PAST_DAY)
    draft = await _draft(db)
    assert draft is not None and draft.step == "date" and draft.data["panel_id"] == second

    await priya.tap(en("Stop"))  # nothing worth keeping yet: no question first
    cancelled = await priya.reply()
    assert cancelled["text"] == en(FORM.stopped)
    assert await _draft(db) is None and await _step(db, COORDINATOR) is None
    answer = await priya.tap_data(calendar["message_id"], "nm:1:date:d:2026-01-20")
    assert answer.get("text") == en(EXPIRED_BUTTON)
    assert await _meetings(db) == []


@contextlib.asynccontextmanager
async def _running_bot(
    settings: Settings, db: Database, clock: FrozenClock
) -> AsyncIterator[PanelbotApplication]:
    application = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_after_a_restart_newmeeting_offers_to_carry_on_with_nothing_lost(
    settings: Settings, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel_with_people(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    async with _running_bot(settings, db, clock):
        await priya.send("/newmeeting")
        await priya.reply()
        await priya.send("Winter <get-together>")
        await priya.reply()  # the calendar; then the bot stops

    async with _running_bot(settings, db, clock):
        await priya.send("/newmeeting")
        offer = await priya.reply()
        assert FORM.carry_on is not None
        # which meeting is meant, its title escaped (an unescaped "<" would break the message)
        assert offer["text"] == en(FORM.carry_on) + "\nWinter <get-together>"
        assert priya.buttons(offer) == [en("Carry on"), en("Start again")]
        await priya.tap(en("Carry on"))
        again = await priya.reply()
        assert again["text"] == en(planner_rules.QUESTIONS[Step.DATE])
        await priya.send("tomorrow")
        ask_time = await priya.reply()
        assert en.date(date(2026, 1, 6)) in ask_time["text"]
        draft = await _draft(db)
        assert draft is not None
        assert (draft.step, draft.data["title"]) == ("time", "Winter <get-together>")

        await priya.send("/newmeeting")
        await priya.reply()
        await priya.tap(en("Start again"))
        fresh = await priya.reply()
        assert fresh["text"] == en(planner_rules.QUESTIONS[Step.TITLE])
        draft = await _draft(db)
        assert draft is not None and "title" not in draft.data


async def test_a_start_time_that_passes_during_the_preview_is_caught_when_sending(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel_with_people(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newmeeting")
    await priya.reply()
    for typed in ("Quick catch-up", "today", "10:00", "1 hour"):
        await priya.send(typed)
        await priya.reply()
    await priya.tap(en("Online"))
    await priya.reply()
    await priya.send("https://meet.example.org/x")
    await priya.reply()
    await priya.tap(en("Done"))
    await priya.reply()
    await priya.tap(en("Skip"))
    await priya.reply()
    await priya.tap(en("No papers"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.replies(2)

    clock.advance(timedelta(hours=2))  # Priya was called away; it is now 11:00
    await priya.tap(en("Send"))
    sorry, again = await priya.replies(2)
    assert sorry["text"] == en("The start time has already gone. Please choose a new day.")
    assert again["text"] == en(planner_rules.QUESTIONS[Step.DATE])
    assert await _meetings(db) == []
    draft = await _draft(db)
    assert draft is not None and draft.data["title"] == "Quick catch-up"
