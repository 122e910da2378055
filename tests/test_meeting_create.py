"""A coordinator makes a meeting with /newmeeting, as they would on a phone: tapping mostly,
typing where it is quicker, and the meeting reaching every member with a calendar file."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Draft, Meeting, Member, OutboxMessage, Panel, Role, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.formatting import parse_html
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from handlers.chat.common import EXPIRED_BUTTON
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.chat.text import TAP_PLEASE
from handlers.meetings import planner_rules
from handlers.meetings.planner import FORM
from handlers.meetings.planner_rules import PAST_DAY, PAST_TIME, TEXT_PROBLEMS, Step
from tests.factories import add_member, create_panel

en = Translator("en")
COORDINATOR, ALEX, BEA = 700, 701, 702


async def _panel(
    db: Database, clock: FrozenClock, name: str = "Carers Voice", zone: str = "Europe/London"
) -> int:
    new = await create_panel(db, clock, name)
    async with db.session() as session:
        panel = await session.get(Panel, new.panel.id)
        assert panel is not None
        panel.timezone = zone
    return new.panel.id


async def _panel_with_people(db: Database, clock: FrozenClock) -> tuple[int, list[int]]:
    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    alex = await add_member(db, clock, panel_id, ALEX, "Alex")
    bea = await add_member(db, clock, panel_id, BEA, "Bea")
    return panel_id, [alex.id, bea.id]


async def _meetings(db: Database) -> list[Meeting]:
    async with db.session() as session:
        return list((await session.scalars(select(Meeting))).all())


async def _draft(db: Database) -> Draft | None:
    async with db.session() as session:
        return await session.scalar(select(Draft))


async def _step(db: Database, telegram_id: int) -> str | None:
    async with db.session() as session:
        return await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == telegram_id)
        )


def _plain(html_text: str) -> str:
    """What a person sees of an HTML message: the text without its tags."""
    return parse_html(html_text)[0]


async def test_a_coordinator_taps_through_the_picker_and_every_member_is_invited(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, member_ids = await _panel_with_people(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    alex = MemberDriver(emulator, ALEX, "Alex")
    MemberDriver(emulator, BEA, "Bea")

    await priya.send("/newmeeting")
    ask_title = await priya.reply()
    assert ask_title["text"] == en("What is the meeting called? Type a short title.")
    assert priya.buttons(ask_title) == [en("Stop")]
    await priya.send("Planning the <b>summer</b> day")

    calendar = await priya.reply()
    assert calendar["text"] == en(
        "What day is the meeting? Tap a day, or type a date like 25/12/2026."
    )
    shown = priya.buttons(calendar)
    assert "January 2026" in shown and "Feb ›" in shown
    assert "4" not in shown and "5" in shown  # yesterday cannot be chosen
    await priya.tap("Feb ›")
    february = await priya.wait_edit(calendar["message_id"])
    assert "February 2026" in priya.buttons(february) and "‹ Jan" in priya.buttons(february)
    await priya.tap("‹ Jan")
    await priya.wait_edit(calendar["message_id"])
    for month in ("Feb", "Mar", "Apr", "May", "Jun", "Jul"):
        await priya.tap(f"{month} ›")
        await priya.wait_edit(calendar["message_id"])
    assert "July 2026" in priya.buttons(priya.emulator.message(COORDINATOR, calendar["message_id"]))
    await priya.tap("14")

    ask_time = await priya.reply()
    assert ask_time["text"] == en(
        "What time does it start on {day}? Tap a time, or type one like 14:30 or 2pm.",
        day=en.date(date(2026, 7, 14)),
    )
    await priya.tap("10:30")
    await priya.reply()
    await priya.tap(en("1½ hours"))
    ask_where = await priya.reply()
    assert priya.buttons(ask_where)[:3] == [
        en("In person"),
        en("Online"),
        en("In person and online"),
    ]
    await priya.tap(en("In person"))
    await priya.reply()
    await priya.send("Town Hall, Room 2")
    ask_map = await priya.reply()
    assert en("Skip") in priya.buttons(ask_map)
    await priya.tap(en("Skip"))

    ask_access = await priya.reply()
    await priya.tap("Step-free access")
    ticked = await priya.wait_edit(ask_access["message_id"])
    assert "✓ Step-free access" in priya.buttons(ticked)
    for label in ("Hearing loop", "BSL interpreter", "✓ BSL interpreter"):  # BSL: not after all
        await priya.tap(label)
        ticked = await priya.wait_edit(ask_access["message_id"])
    assert priya.buttons(ticked)[:3] == ["✓ Step-free access", "✓ Hearing loop", "BSL interpreter"]
    await priya.tap(en("Done"))

    await priya.reply()
    await priya.send("Ideas for the summer day.\nWho can help on the day.")
    await priya.reply()
    await priya.send_document(b"%PDF-1.4\n%%EOF\n", "plan.pdf", "application/pdf")
    got = await priya.reply()
    assert got["text"].startswith(en.ngettext("Got it. You have added {n} paper.", "", 1))
    await priya.tap(en("Done"))
    await priya.reply()
    await priya.tap(en("Yes"))

    invitation, check = await priya.replies(2)
    assert "Planning the <b>summer</b> day" in invitation["text"]  # escaped, shown as typed
    assert check["text"].startswith(en("That is the invitation, as members will see it."))
    assert en("Tap Send to invite everyone in {panel}.", panel="Carers Voice") in check["text"]
    assert priya.buttons(check) == [
        en("Send"),
        en("Add a version in another language"),
        en("Start again"),
        en("Back"),
        en("Stop"),
    ]
    await priya.tap(en("Send"))
    sent = await priya.reply()
    async with db.session() as session:
        invited = list((await session.scalars(select(Rsvp.member_id))).all())
    assert set(member_ids) <= set(invited)
    assert sent["text"] == en.ngettext(
        "Sent. {n} member will get the invitation.",
        "Sent. {n} members will get the invitation.",
        len(invited),
    )

    [meeting] = await _meetings(db)
    assert meeting.panel_id == panel_id
    assert meeting.title == "Planning the <b>summer</b> day"
    # 10:30 in London in July is 09:30 UTC (British Summer Time).
    assert meeting.starts_at == datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
    assert meeting.duration_minutes == 90
    assert (meeting.address, meeting.map_url, meeting.online_url) == (
        "Town Hall, Room 2",
        None,
        None,
    )
    assert meeting.access == ["step_free", "hearing_loop"]
    assert meeting.agenda == "Ideas for the summer day.\nWho can help on the day."
    assert [(p["kind"], p["name"]) for p in meeting.papers] == [("document", "plan.pdf")]
    assert meeting.papers[0]["file_id"]
    assert meeting.paid is True
    assert await _draft(db) is None
    assert await _step(db, COORDINATOR) is None
    async with db.session() as session:
        invites = set(
            (
                await session.scalars(
                    select(OutboxMessage.member_id).where(OutboxMessage.kind == "meeting_invite")
                )
            ).all()
        )
    assert set(member_ids) <= invites

    assert app.runtime.delivery is not None
    report = await app.runtime.delivery.drain()
    assert report.failed == 0
    for telegram_id in (ALEX, BEA):
        received = emulator.messages(telegram_id)
        texts = [m.get("text") for m in received]
        assert invitation["text"] in texts  # what Priya previewed is what members get
        files = [m["document"]["file_name"] for m in received if "document" in m]
        # The calendar file comes with the invitation, then the meeting's papers.
        assert files == [f"meeting-{meeting.id}.ics", "plan.pdf"]
    assert en("Coming") in alex.buttons(await alex.reply())


async def test_typed_dates_and_times_work_and_mistakes_are_met_kindly(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel_with_people(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newmeeting")
    await priya.reply()
    await priya.send_photo()
    assert (await priya.reply())["text"] == en(planner_rules.WORDS_PLEASE)
    await priya.send("x" * 3000)
    assert (await priya.reply())["text"] == en(TEXT_PROBLEMS[Step.TITLE])
    await priya.send("Budget chat")
    await priya.reply()

    await priya.send("01/01/2026")
    assert (await priya.reply())["text"] == en(PAST_DAY)
    await priya.send("banana")
    assert (await priya.reply())["text"] == en(TEXT_PROBLEMS[Step.DATE])
    await priya.send("today")
    await priya.reply()
    await priya.send("8am")  # it is 09:00 in London already
    assert (await priya.reply())["text"] == en(PAST_TIME)
    await priya.tap(en("Back"))
    await priya.reply()  # the calendar again; the title is still there
    draft = await _draft(db)
    assert draft is not None and draft.data["title"] == "Budget chat"

    await priya.send("25/12/2026")
    ask_time = await priya.reply()
    assert en.date(date(2026, 12, 25)) in ask_time["text"]
    await priya.send("lunchish")
    assert (await priya.reply())["text"] == en(TEXT_PROBLEMS[Step.TIME])
    await priya.send("2pm")
    await priya.reply()
    await priya.send("2 hours")
    await priya.reply()
    await priya.tap(en("Online"))
    await priya.reply()
    await priya.send("on zoom")
    assert (await priya.reply())["text"] == en(TEXT_PROBLEMS[Step.ONLINE])
    await priya.send("https://meet.example.org/panel")
    await priya.reply()
    await priya.tap(en("Done"))
    await priya.reply()
    await priya.tap(en("Skip"))
    await priya.reply()
    await priya.send("here you go")
    assert (await priya.reply())["text"] == en(planner_rules.FILE_PLEASE)
    await priya.tap(en("No papers"))
    await priya.reply()
    await priya.send("no")
    assert (await priya.reply())["text"] == en(TAP_PLEASE)
    await priya.tap(en("No"))
    await priya.replies(2)
    await priya.tap(en("Send"))
    await priya.reply()

    [meeting] = await _meetings(db)
    assert meeting.starts_at == datetime(2026, 12, 25, 14, 0, tzinfo=UTC)  # GMT in winter
    assert meeting.duration_minutes == 120
    assert (meeting.address, meeting.online_url) == (None, "https://meet.example.org/panel")
    assert (meeting.access, meeting.agenda, meeting.papers, meeting.paid) == ([], None, [], False)


async def test_a_member_who_is_not_a_coordinator_is_refused_kindly(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel_with_people(db, clock)
    alex = MemberDriver(emulator, ALEX, "Alex")
    await alex.send("/newmeeting")
    assert (await alex.reply())["text"] == en(NO_PANEL_ROLE)
    assert await _draft(db) is None
    assert await _step(db, ALEX) is None


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
        assert offer["text"] == en(FORM.carry_on)
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


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("90", 90),
        ("2", 120),
        ("45 minutes", 45),
        ("45 mins", 45),
        ("1.5 hours", 90),
        ("1½ hours", 90),
        ("1 ½ hours", 90),
        ("2h", 120),
        ("1h30", 90),
        ("1 hour 30 minutes", 90),
        ("1:30", 90),
        ("half an hour", 30),
        ("an hour and a half", 90),
        ("5 minutes", None),  # too short
        ("13 hours", None),  # too long
        ("a while", None),
    ],
)
def test_typed_lengths(typed: str, minutes: int | None) -> None:
    assert planner_rules.parse_length(typed) == minutes


@pytest.mark.parametrize(
    ("typed", "link"),
    [
        ("https://meet.example.org/panel", "https://meet.example.org/panel"),
        ("  http://maps.example.com/?q=town+hall ", "http://maps.example.com/?q=town+hall"),
        ("www.example.org/map", "https://www.example.org/map"),
        ("javascript:alert(1)", None),
        ("https://localhost", None),
        ("on zoom", None),
        ("https://example.org/a b", None),
    ],
)
def test_links_must_be_web_links(typed: str, link: str | None) -> None:
    assert planner_rules.clean_link(typed) == link


def test_the_route_skips_questions_that_do_not_apply_and_back_retraces_it() -> None:
    def route(where: str) -> list[Step]:
        answers = {"where": where, "panels": 1}
        steps, step = [Step.TITLE], Step.TITLE
        while step != Step.PREVIEW:
            step = planner_rules.next_step(step, answers)
            steps.append(step)
        back, walked = Step.PREVIEW, [Step.PREVIEW]
        while (before := planner_rules.previous_step(back, answers)) is not None:
            walked.append(before)
            back = before
        assert walked[::-1] == steps
        return steps

    assert Step.ONLINE not in route("in_person")
    assert Step.ADDRESS not in route("online") and Step.MAP not in route("online")
    both = route("both")
    assert both.index(Step.ADDRESS) < both.index(Step.MAP) < both.index(Step.ONLINE)


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


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("2 awr", 120),
        ("1 awr a 30 munud", 90),
        ("90 mionaidean", 90),
        ("1 godz i 30 min", 90),
        ("90 منٹ", 90),
        ("٩٠ دقيقة", 90),
    ],
)
def test_lengths_can_be_typed_with_units_in_every_language(typed: str, minutes: int) -> None:
    assert planner_rules.parse_length(typed) == minutes
