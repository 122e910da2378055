"""Answering a poll: one answer each (buttons, typing or forged buttons), long free text with
markup stored and shown safely, one reminder only to those who have not answered, and a poll that
closes itself after a restart and refuses late answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Membership, OutboxMessage, OutboxStatus, Poll, PollResponse
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import poll_answers
from bot.services.poll_answers import Outcome
from tests.polls_world import COORDINATOR, HELD, _drain, _drivers, _poll, _results, _setup


async def test_a_member_cannot_answer_twice_by_button_or_by_typing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    sam = MemberDriver(emulator, 905, "Sam")
    await _drain(app)
    question = await sam.reply()
    await sam.tap("3 OK")
    assert (await sam.reply())["text"] == HELD
    # The buttons are gone; a copy of the old button (or a forged one) is refused kindly.
    await sam.tap_data(question["message_id"], f"pa:1:r:{poll_id}:5")
    assert (await sam.reply())["text"] == "You have already answered this question. Thank you."
    await sam.tap_data(question["message_id"], f"pa:1:w:{poll_id}:0")
    await sam.reply()
    await sam.send("1")
    assert (await sam.reply())["text"] == "You have already answered this question. Thank you."
    # One answer waits to be written with others, and only one.
    assert [a.rating for a in app.runtime.hold.answers[poll_id]] == [3]
    # Forged buttons: unknown actions, other polls, huge or non-ASCII numbers.
    for forged in ("pa:1:r:99999:5", "pa:1:z:1:1", "pa:1:r:١:5", f"pa:1:r:{'9' * 40}:1"):
        answer = await sam.tap_data(question["message_id"], forged)
        assert answer.get("text") or "not for you" in (await sam.reply())["text"]


async def test_free_text_with_script_and_5000_characters_is_stored_and_shown_safely(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id, kind="text", question="Anything else?")
    long = "<script>alert('x')</script> & <b>bold</b> " + "é" * 4960
    assert len(long) > 5000
    async with db.session() as session:
        outcome, _ = await poll_answers.answer(session, 902, poll_id, now=clock.now(), text=long)
        assert outcome == Outcome.SAVED
        for telegram_id in (903, 904):
            await poll_answers.answer(
                session, telegram_id, poll_id, now=clock.now(), text="Short one"
            )
    async with db.session() as session:
        stored = await session.scalar(
            select(PollResponse.text).where(PollResponse.text.startswith("<script>"))
        )
    assert stored == long.strip()
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    shown = await _results(priya, "Anything else?")
    assert len(shown) >= 2  # too long for one message: split, never cut off
    for message in shown:
        assert len(message["text"]) <= 4096
    together = "".join(m["text"] for m in shown)
    assert "<script>alert('x')</script> & <b>bold</b>" in together  # shown as typed, not run
    assert together.count("é") == 4960
    assert together.count("Short one") == 2


async def test_one_reminder_goes_only_to_members_who_have_not_answered(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    await _poll(db, clock, actor, panel_id, closes_at=clock.now() + timedelta(days=3))
    members = _drivers(emulator)
    await _drain(app)
    for driver in members.values():
        await driver.reply()
    await members[902].tap("1 " + Translator("pl")("Very poor"))
    await members[902].reply()
    await members[903].tap(Translator("cy")("Skip this question"))
    assert (await members[903].reply())["text"] == Translator("cy")(
        "OK. You skipped this question."
    )
    async with db.session() as session:  # Amina has left the panel
        membership = await session.scalar(
            select(Membership).join(Membership.member).where(Membership.member.has(telegram_id=904))
        )
        assert membership is not None
        membership.active = False

    clock.advance(timedelta(days=2, hours=1))  # the day before it closes
    await _drain(app)
    for telegram_id in (905, 906):
        reminder = await members[telegram_id].reply()
        assert reminder["text"].startswith("Reminder: please answer this question.")
        assert "3 OK" in members[telegram_id].buttons(reminder)
    for telegram_id in (902, 903, 904):
        await members[telegram_id].no_reply(0.2)
    clock.advance(timedelta(hours=12))
    await _drain(app)
    await members[905].no_reply(0.2)  # one reminder only
    async with db.session() as session:
        sent = (
            await session.scalars(
                select(OutboxMessage.key).where(
                    OutboxMessage.kind == "poll_reminder", OutboxMessage.status == OutboxStatus.SENT
                )
            )
        ).all()
    assert len(sent) == 2


async def test_a_poll_closes_itself_after_a_restart_and_late_answers_are_refused(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id, closes_at=clock.now() + timedelta(days=1))
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    jo = MemberDriver(emulator, 906, "Jo")
    await _drain(app)
    question = await jo.reply()

    await app.stop()
    second = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await second.initialize()
    try:
        assert second.runtime.delivery is not None
        clock.advance(timedelta(days=1, minutes=1))
        await second.runtime.delivery.drain()
    finally:
        await second.shutdown()
        await app.start()
    closed = await priya.reply()
    assert "has closed" in closed["text"] and "/results" in closed["text"]
    async with db.session() as session:
        assert (await session.get(Poll, poll_id)).closed  # type: ignore[union-attr]
    await jo.tap_data(question["message_id"], f"pa:1:r:{poll_id}:4")
    assert (await jo.reply())["text"] == "Sorry, this question has closed."
    await _drain(app)
    await priya.no_reply(0.2)  # closed once only
