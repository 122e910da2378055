"""The meeting forms on the form engine, as a coordinator or member meets them: Back keeps the
answers already given, Stop asks first once an agenda was written, a menu tap mid-/newmeeting
keeps the meeting and /newmeeting offers it back, and the support and new-time questions have
Stop under them.

Proof these can fail: before the move, the planner's own "Cancel" threw a typed agenda away
without asking, a menu tap mid-meeting left no "saved" note, and the support and new-time
questions had no button to stop them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Draft, Meeting, Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import meeting_changes, meeting_rules
from bot.services.access import Actor
from handlers.forms.engine import NO_CARRY_ON, YES_STOP
from handlers.meetings.coordinating import NEW_TIME_FORM
from handlers.meetings.invited import SUPPORT_FORM, TYPE_WHAT_YOU_NEED
from handlers.meetings.planner import FORM
from handlers.meetings.planner_rules import QUESTIONS, Step
from tests.factories import add_member, create_panel

en = Translator("en")
COORDINATOR, SAM = 710, 711
START = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)


async def _panel(db: Database, clock: FrozenClock) -> int:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(
        db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    await add_member(db, clock, new.panel.id, SAM, "Sam")
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(COORDINATOR, coordinator.id),
            new.panel.id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=START, address="Town Hall"),
            now=clock.now(),
        )
    return meeting.id


async def _draft(db: Database) -> Draft | None:
    async with db.session() as session:
        return await session.scalar(select(Draft).where(Draft.kind == FORM.name))


async def _step(db: Database, telegram_id: int) -> str | None:
    async with db.session() as session:
        return await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == telegram_id)
        )


async def _to_the_where_question(priya: MemberDriver) -> None:
    await priya.send("/newmeeting")
    await priya.reply()
    for typed in ("Budget chat", "25/12/2026", "2pm", "2 hours"):
        await priya.send(typed)
        await priya.reply()


async def test_back_asks_the_question_before_with_every_answer_kept(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await _to_the_where_question(priya)
    await priya.tap(en("Online"))
    ask_link = await priya.reply()
    assert priya.buttons(ask_link) == [en("Back"), en("Stop")]

    await priya.tap(en("Back"))
    assert (await priya.reply())["text"] == en(QUESTIONS[Step.WHERE])
    await priya.tap(en("Back"))
    ask_length = await priya.reply()
    assert ask_length["text"] == en(QUESTIONS[Step.LENGTH])
    draft = await _draft(db)
    assert draft is not None and draft.step == "length"
    assert (draft.data["title"], draft.data["date"], draft.data["duration"]) == (
        "Budget chat",
        "2026-12-25",
        120,
    )
    await priya.tap(en("1 hour"))
    await priya.reply()
    await priya.tap(en("In person"))  # a different way this time: the route follows it
    assert (await priya.reply())["text"] == en(QUESTIONS[Step.ADDRESS])
    draft = await _draft(db)
    assert draft is not None
    assert (draft.data["title"], draft.data["duration"], draft.data["where"]) == (
        "Budget chat",
        60,
        "in_person",
    )


async def test_stop_asks_first_once_an_agenda_would_be_thrown_away(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await _to_the_where_question(priya)
    await priya.tap(en("Online"))
    await priya.reply()
    await priya.send("https://meet.example.org/panel")
    await priya.reply()
    await priya.tap(en("Done"))
    await priya.reply()
    await priya.send("1. Bus passes\n2. The summer day")
    ask_papers = await priya.reply()
    assert priya.buttons(ask_papers)[-2:] == [en("Back"), en("Stop")]

    await priya.tap(en("Stop"))
    sure = await priya.reply()
    assert FORM.really_stop is not None and sure["text"] == en(FORM.really_stop)
    assert priya.buttons(sure) == [en(YES_STOP), en(NO_CARRY_ON)]
    await priya.tap(en(NO_CARRY_ON))
    assert (await priya.reply())["text"] == en(QUESTIONS[Step.PAPERS])
    draft = await _draft(db)
    assert draft is not None and draft.data["agenda"] == "1. Bus passes\n2. The summer day"

    await priya.send("/cancel")  # the same question, whichever way she stops
    assert (await priya.reply())["text"] == en(FORM.really_stop)
    await priya.tap(en(YES_STOP))
    assert (await priya.reply())["text"] == en(FORM.stopped)
    assert await _draft(db) is None and await _step(db, COORDINATOR) is None
    async with db.session() as session:
        assert len((await session.scalars(select(Meeting))).all()) == 1  # only the set-up one


async def test_a_menu_tap_mid_meeting_keeps_it_and_newmeeting_offers_it_back(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newmeeting")
    await priya.reply()
    await priya.send("Winter plans")
    await priya.reply()  # the calendar

    await priya.send(en("Meetings"))
    kept, listing = await priya.replies(2)
    assert FORM.kept is not None and kept["text"] == en(FORM.kept)
    assert "Winter plans" not in listing["text"]  # the tap did what it says, not a date
    assert await _step(db, COORDINATOR) is None
    draft = await _draft(db)
    assert draft is not None and draft.step == "date"

    await priya.send("/newmeeting")
    offer = await priya.reply()
    assert FORM.carry_on is not None
    assert offer["text"] == en(FORM.carry_on) + "\nWinter plans"  # which meeting is meant
    await priya.tap(en("Carry on"))
    assert (await priya.reply())["text"] == en(QUESTIONS[Step.DATE])
    await priya.send("tomorrow")
    await priya.reply()
    draft = await _draft(db)
    assert draft is not None
    assert (draft.step, draft.data["title"]) == ("time", "Winter plans")


async def test_the_support_and_new_time_questions_can_be_stopped(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    meeting_id = await _panel(db, clock)
    sam, priya = MemberDriver(emulator, SAM, "Sam"), MemberDriver(emulator, COORDINATOR, "Priya")
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    await sam.replies(2)  # the invitation and its calendar file
    await sam.tap(en("I need support to come"))
    await sam.reply()
    await sam.tap(en("Something else"))
    ask_need = await sam.reply()
    assert ask_need["text"] == en(TYPE_WHAT_YOU_NEED)
    assert sam.buttons(ask_need) == [en("Stop")]
    assert await _step(db, SAM) == f"{SUPPORT_FORM.prefix}{meeting_id}"
    await sam.tap(en("Stop"))
    assert (await sam.reply())["text"] == en(SUPPORT_FORM.stopped)
    assert await _step(db, SAM) is None

    await priya.send("/attendance")
    await priya.tap(next(b for b in priya.buttons(await priya.reply()) if "Planning day" in b))
    await priya.reply()
    await priya.tap(en("Move this meeting"))
    ask_time = await priya.reply()
    assert priya.buttons(ask_time) == [en("Stop")]
    await priya.send("/cancel")
    assert (await priya.reply())["text"] == en(NEW_TIME_FORM.stopped)
    assert await _step(db, COORDINATOR) is None
    async with db.session() as session:
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.starts_at == START
