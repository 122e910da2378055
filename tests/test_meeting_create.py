"""A coordinator makes a meeting with /newmeeting, as they would on a phone: tapping mostly,
typing where it is quicker (mistakes met kindly), and the meeting reaching every member with a
calendar file; a member who is not a coordinator is refused kindly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import OutboxMessage, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.chat.text import TAP_PLEASE
from handlers.meetings import planner_rules
from handlers.meetings.planner_rules import PAST_DAY, PAST_TIME, TEXT_PROBLEMS, Step
from tests.meeting_create_world import (
    ALEX,
    BEA,
    COORDINATOR,
    _draft,
    _meetings,
    _panel_with_people,
    _step,
    en,
)


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
        # Named after the meeting and its day (in London), the tags of its title left as words.
        assert files == ["planning-the-b-summer-b-day-2026-07-14.ics", "plan.pdf"]
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
