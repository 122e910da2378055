"""An adversarial look at anonymity: what a database administrator could use to link an
anonymous poll answer or an anonymous message to a member, each closed and checked here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Feedback, FeedbackRoute, Member, OutboxMessage, OutboxStatus, PollResponse
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import poll_answers, poll_asking
from tests.polls_world import HELD, MEMBERS, _drivers, _dump, _poll
from tests.polls_world import _setup as _poll_setup
from tests.test_feedback import COORDINATOR, SAM, _send_feedback
from tests.test_feedback import _setup as _feedback_setup


async def _drain(app: PanelbotApplication) -> None:
    """Write held anonymous messages as the daily write would, then send what is queued."""
    assert app.runtime.delivery is not None
    await app.runtime.flush_anonymous(everything=True)
    await app.runtime.delivery.drain()


def _times(dump: dict[str, list[tuple[Any, ...]]]) -> list[tuple[str, str]]:
    """Every stored date or time in the dump, as text, with its table."""
    return [
        (table, str(value).replace(" ", "T"))
        for table, rows in dump.items()
        for row in rows
        for value in row
        if isinstance(value, datetime | date | str)
    ]


async def test_an_answer_given_after_the_reminder_has_no_date_that_points_at_those_reminded(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _poll_setup(db, clock)
    asked_on = clock.now().date()
    poll_id = await _poll(db, clock, actor, panel_id, closes_at=clock.now() + timedelta(days=3))
    people = _drivers(emulator)
    await _drain(app)
    for driver in people.values():
        await driver.reply()
    for telegram_id, label in ((902, "2 "), (903, "3 "), (904, "4 "), (906, "5 ")):
        driver = people[telegram_id]
        t = Translator(MEMBERS[telegram_id][1])
        await driver.tap(
            next(b for b in driver.buttons(driver.last_message or {}) if b.startswith(label))
        )
        assert (await driver.reply())["text"] == t(HELD)
    clock.advance(timedelta(days=2, hours=1))  # the reminder goes to Sam alone
    await _drain(app)
    reminder = await people[905].reply()
    clock.advance(timedelta(hours=5))  # Sam answers on a later day than everyone else
    await people[905].tap_data(
        reminder["message_id"],
        next(
            b["callback_data"]
            for row in reminder["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"].startswith("1 ")
        ),
    )
    await people[905].reply()
    clock.advance(timedelta(days=1))  # the closing writes the five answers as one group
    await _drain(app)

    async with db.session() as session:
        reminded = (
            await session.scalars(
                select(OutboxMessage.member_id).where(
                    OutboxMessage.kind == "poll_reminder",
                    OutboxMessage.status == OutboxStatus.SENT,
                )
            )
        ).all()
        days = (
            await session.scalars(select(PollResponse.day).where(PollResponse.poll_id == poll_id))
        ).all()
    assert len(reminded) == 1  # the dump does show who was reminded (participation) ...
    assert len(days) == 5
    assert set(days) == {asked_on}  # ... but no answer's date sets Sam's apart
    assert clock.now().date() != asked_on


async def test_an_anonymous_message_leaves_no_time_of_day_anywhere_in_the_database(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _feedback_setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    clock.advance(timedelta(hours=5, minutes=37, seconds=12))  # 14:37:12
    sent_at = clock.now()
    await _send_feedback(sam, "Anonymous. I'd like a reply", "The hall is too cold.")
    clock.advance(timedelta(seconds=20))
    await _drain(app)
    notice = await priya.reply()
    await priya.tap("Reply")
    await priya.reply()
    await priya.send("We will ask for the heating on.")
    await priya.reply()
    await sam.reply()
    clock.advance(timedelta(minutes=3))
    answered_at = clock.now()
    await sam.tap("Answer back")
    await sam.reply()
    await sam.send("Thank you.")
    await sam.reply()
    await _drain(app)
    await priya.reply()
    assert notice["text"].startswith("📨 Anonymous message #1")

    dump = await _dump(db)
    # anonymous_holders says when the writer last ran: a moment tied to no member.
    del dump["anonymous_holders"]
    for moment in (sent_at, answered_at, sent_at + timedelta(seconds=20)):
        for table, value in _times(dump):
            assert moment.isoformat()[:16] not in value, (table, value)
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "feedback_notice")
            )
        ).all()
    assert len(rows) == 2 and all(r.status == OutboxStatus.SENT for r in rows)
    for row in rows:  # queued and sent "that day", nothing finer
        for stamp in (row.created_at, row.due_at, row.sent_at):
            assert stamp is not None and (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0)


async def test_two_messages_from_one_person_have_route_hashes_that_do_not_match(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _feedback_setup(db, clock)
    sam = MemberDriver(emulator, SAM, "Sam")
    await _send_feedback(sam, "Anonymous. I'd like a reply", "First thing.")
    await _send_feedback(sam, "Anonymous. I'd like a reply", "Second thing.")
    await app.runtime.flush_anonymous(everything=True)
    async with db.session() as session:
        owners = (await session.scalars(select(FeedbackRoute.owner))).all()
    assert len(owners) == 2 and owners[0] != owners[1]
    await sam.send("/forgetme")
    await sam.reply()
    await sam.tap("Yes, delete everything")
    await sam.reply()
    async with db.session() as session:  # /forgetme still finds both
        assert (await session.scalars(select(FeedbackRoute))).all() == []


async def test_turning_a_named_poll_anonymous_takes_the_names_off_earlier_answers(
    app: PanelbotApplication, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _poll_setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id, anonymous=False)
    async with db.session() as session:
        await poll_answers.answer(session, 902, poll_id, now=clock.now(), rating=2)
        await poll_answers.answer(session, 903, poll_id, now=clock.now(), rating=4)
    async with db.session() as session:
        await poll_asking.set_anonymous(session, actor, poll_id, True)
    clock.advance(timedelta(days=1))
    async with db.session() as session:
        await poll_answers.answer(session, 904, poll_id, now=clock.now(), rating=5)
    async with db.session() as session:
        stored = (
            await session.execute(
                select(PollResponse.member_id, PollResponse.day).where(
                    PollResponse.poll_id == poll_id
                )
            )
        ).all()
    # Otherwise the two named answers, set against who answered, would show whose the third is.
    assert len(stored) == 3 and {m for m, _ in stored} == {None}
    assert len({d for _, d in stored}) == 1


async def test_a_member_answering_back_has_no_message_id_on_their_row(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _feedback_setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    for words in ("First thing.", "Second thing.", "Third thing."):
        await _send_feedback(sam, "Anonymous. I'd like a reply", words)
    await _drain(app)
    await priya.replies(3)
    await priya.tap("Reply")  # the newest: message #3
    await priya.reply()
    await priya.send("Thanks for all three.")
    await priya.reply()
    await sam.reply()
    await sam.tap("Answer back")
    await sam.reply()
    # Sam walks away mid-answer; a dump now must not say which message is his: his row
    # holds nothing about it (the step is in the bot's memory only).
    async with db.session() as session:
        item = await session.scalar(select(Feedback).where(Feedback.number == 3))
        step = await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == SAM)
        )
    assert item is not None and step is None
    await sam.send("It helps, thank you.")
    assert (await sam.reply())["text"].startswith(
        "Thank you. We will pass it on soon, still anonymous."
    )
    await _drain(app)
    back = await priya.reply()
    assert back["text"].startswith("📨 Anonymous message #3") and "It helps" in back["text"]
