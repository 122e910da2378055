"""Meetings end to end: invitations in each language with a calendar file, answers, support,
reminders on a controllable clock, moving and cancelling, and a restart between reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Answer, OutboxMessage, OutboxStatus, Role, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import meeting_changes, meeting_rules
from bot.services.access import Actor
from tests.factories import add_member, create_panel

START = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)  # Tuesday 20 January, 14:00 in London


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


async def _setup(db: Database, clock: FrozenClock) -> tuple[int, int]:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(db, clock, new.panel.id, 801, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, 802, "Agnieszka", language="pl")
    await add_member(db, clock, new.panel.id, 803, "Rhys", language="cy")
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(801, coordinator.id),
            new.panel.id,
            meeting_rules.MeetingDraft(
                title="Planning day",
                starts_at=START,
                address="Town Hall, High Street",
                access=("step_free", "hearing_loop"),
                agenda="1. Bus passes",
                paid=True,
            ),
            now=clock.now(),
        )
    return new.panel.id, meeting.id


def _texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in emulator.messages(chat_id)]


async def test_members_get_the_invitation_in_their_language_with_a_calendar_file(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola, rhys = (
        MemberDriver(emulator, 802, "Agnieszka", "pl"),
        MemberDriver(emulator, 803, "Rhys", "cy"),
    )
    await _drain(app)
    for driver, language in ((ola, "pl"), (rhys, "cy")):
        invitation, calendar_file = await driver.replies(2)
        t = Translator(language)
        assert invitation["text"].startswith(
            t("New meeting: <b>{title}</b>", title="Planning day")
            .replace("<b>", "")
            .replace("</b>", "")
        )
        assert t("Coming") in driver.buttons(invitation)
        assert calendar_file["document"]["file_name"].endswith(".ics")
        ics = emulator.file_bytes(calendar_file["document"]["file_id"]).decode()
        assert "DTSTART;TZID=Europe/London:20260120T140000" in ics
        assert "SUMMARY:Planning day" in ics


async def test_an_answer_with_a_support_need_reaches_the_coordinator(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    _, meeting_id = await _setup(db, clock)
    en = Translator("en")
    priya = MemberDriver(emulator, 801, "Priya")
    rhys = MemberDriver(emulator, 803, "Rhys", "cy")
    await _drain(app)
    await rhys.replies(2)
    cy = Translator("cy")
    await rhys.tap(cy("I need support to come"))
    await rhys.reply()
    await rhys.tap(cy("Help with travel"))
    await rhys.tap(cy("Something else"))
    await rhys.reply()
    await rhys.send("A <quiet> seat near the door")
    assert (await rhys.reply())["text"] == cy("Thank you. We told the coordinator what you need.")
    await _drain(app)
    note = (await priya.reply())["text"]
    assert (
        "Rhys" in note and en("Help with travel") in note and "A <quiet> seat near the door" in note
    )
    async with db.session() as session:
        rsvp = await session.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.answer.is_not(None))
        )
    assert rsvp is not None and rsvp.answer == Answer.SUPPORT and rsvp.support == ["travel"]

    await priya.send("/attendance")
    await priya.reply()
    await priya.tap(next(b for b in priya.buttons(priya.last_message or {}) if "Planning day" in b))
    listing = (await priya.reply())["text"]
    assert (
        "Rhys: Help with travel, A &lt;quiet&gt; seat" in listing
        or "Rhys: Help with travel" in listing
    )


async def test_reminders_arrive_on_time_follow_a_move_and_skip_people_who_cannot_come(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    _, meeting_id = await _setup(db, clock)
    ola, rhys = (
        MemberDriver(emulator, 802, "Agnieszka", "pl"),
        MemberDriver(emulator, 803, "Rhys", "cy"),
    )
    await _drain(app)
    await ola.replies(2)
    invitation, _ = await rhys.replies(2)
    await rhys.tap(Translator("cy")("Can't come"))
    await rhys.wait_edit(invitation["message_id"])  # the invitation shows the answer

    clock.advance(START - timedelta(days=7) - clock.now() - timedelta(minutes=1))
    await _drain(app)
    await ola.no_reply(0.2)
    clock.advance(timedelta(minutes=2))
    await _drain(app)
    week = await ola.reply()
    assert week["text"].startswith(
        Translator("pl")("Reminder: <b>{title}</b> is today at {time}.", title="", time="")[:5]
    )

    # The coordinator moves the meeting a week later; the day-before reminder follows it.
    async with db.session() as session:
        coordinator = Actor(801, await _member_id(db, 801))
        await meeting_changes.reschedule(
            session, coordinator, meeting_id, START + timedelta(days=7), now=clock.now()
        )
    await _drain(app)
    moved, _ = await ola.replies(2)
    assert "Planning day" in moved["text"]

    # The old day-before time passes with nothing sent: that reminder followed the meeting.
    clock.advance(START - timedelta(days=1, minutes=-1) - clock.now())
    await _drain(app)
    await ola.no_reply(0.2)

    # A restart between reminders: a brand-new application on the same database.
    await app.stop()
    second = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await second.initialize()
    try:
        assert second.runtime.delivery is not None
        clock.advance(START + timedelta(minutes=1) - clock.now())  # new week-before time
        await second.runtime.delivery.drain()
        assert "Planning day" in (await ola.reply())["text"]
        clock.advance(START + timedelta(days=6, minutes=1) - clock.now())  # new day-before time
        await second.runtime.delivery.drain()
        await second.runtime.delivery.drain()
        assert "Planning day" in (await ola.reply())["text"]
        await ola.no_reply(0.2)
    finally:
        await second.shutdown()
        await app.start()

    async with db.session() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.key, OutboxMessage.status).where(
                    OutboxMessage.kind == "meeting_reminder",
                    OutboxMessage.status == OutboxStatus.SENT,
                )
            )
        ).all()
    # Rhys said he can't come: no reminder was ever sent to him, only the change notice.
    rhys_member = await _member_id(db, 803)
    assert [key for key, _ in rows if key.split(":")[3] == str(rhys_member)] == []
    assert len([key for key, _ in rows if key.split(":")[3] != str(rhys_member)]) == 3
    assert not any("Reminder" in text for text in _texts(emulator, 803))


async def _member_id(db: Database, telegram_id: int) -> int:
    from bot.db import Member

    async with db.session() as session:
        found = await session.scalar(select(Member.id).where(Member.telegram_id == telegram_id))
    assert found is not None
    return found


async def test_someone_who_joins_later_is_invited_to_meetings_still_to_come(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    async with db.session() as session:
        from bot.db import Invite

        code = await session.scalar(select(Invite.code).where(Invite.panel_id == panel_id))
    nia = MemberDriver(emulator, 804, "Nia", "en")
    await nia.send(f"/start {code}")
    await nia.reply()
    for label in (
        "English",
        "Next",
        "Yes, that is OK",
        "Call me Nia",
        "No, thank you",
        "All reminders",
        "No, any time is fine",
        "Done",
        "Bank transfer",
    ):
        await nia.tap(label)
        await nia.reply()
    await _drain(app)
    invitation, _ = await nia.replies(2)
    assert "Planning day" in invitation["text"]


async def test_a_monthly_meeting_is_made_once_and_keeps_its_weekday_and_time(
    db: Database, clock: FrozenClock
) -> None:
    from zoneinfo import ZoneInfo

    _, meeting_id = await _setup(db, clock)
    async with db.session() as session:
        copies = await meeting_changes.repeat(
            session,
            Actor(801, await _member_id(db, 801)),
            meeting_id,
            every="month",
            times=6,
            now=clock.now(),
        )
    london = ZoneInfo("Europe/London")
    starts = [c.starts_at.astimezone(london) for c in copies]
    # The third Tuesday of each month at 14:00 local time, across the March clock change.
    assert [s.strftime("%a %d %b %H:%M") for s in starts] == [
        "Tue 17 Feb 14:00",
        "Tue 17 Mar 14:00",
        "Tue 21 Apr 14:00",
        "Tue 19 May 14:00",
        "Tue 16 Jun 14:00",
        "Tue 21 Jul 14:00",
    ]
    assert len({c.series_id for c in copies}) == 1


async def test_after_the_meeting_members_are_asked_whether_they_came(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    _, meeting_id = await _setup(db, clock)
    ola = MemberDriver(emulator, 802, "Agnieszka", "pl")
    await _drain(app)
    invitation, _ = await ola.replies(2)
    await ola.tap(Translator("pl")("Coming"))
    await ola.wait_edit(invitation["message_id"])  # the invitation shows the answer
    clock.advance(START + timedelta(minutes=91) - clock.now())
    await _drain(app)
    question = await ola.reply()
    assert "Planning day" in question["text"]
    await ola.tap(Translator("pl")("Yes, I came"))
    await ola.reply()
    async with db.session() as session:
        attended = await session.scalar(
            select(Rsvp.attended).where(
                Rsvp.meeting_id == meeting_id, Rsvp.member_id == await _member_id(db, 802)
            )
        )
    assert attended is True


async def test_no_reminder_is_sent_in_a_members_quiet_hours(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from bot.db import Member

    new = await create_panel(db, clock, "Early Birds")
    coordinator = await add_member(db, clock, new.panel.id, 811, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, 812, "Sam")
    async with db.session() as session:
        sam = await session.scalar(select(Member).where(Member.telegram_id == 812))
        assert sam is not None
        sam.quiet_start, sam.quiet_end = 22 * 60, 8 * 60  # no messages 22:00-08:00
        await meeting_changes.create(
            session,
            Actor(811, coordinator.id),
            new.panel.id,
            meeting_rules.MeetingDraft(title="Breakfast club", starts_at=START.replace(hour=9)),
            now=clock.now(),
        )
    driver = MemberDriver(emulator, 812, "Sam")
    await _drain(app)
    await driver.replies(2)
    clock.advance(START.replace(hour=9) - timedelta(days=1) - clock.now())
    await _drain(app)
    # Only the day-before reminder: the week-before one, due days ago, is out of date now.
    assert "Breakfast club" in (await driver.reply())["text"]
    await driver.no_reply(0.2)
    # The 2-hour reminder would be 07:00, inside quiet hours: nothing at 07:30 ...
    clock.advance(START.replace(hour=7, minute=30) - clock.now())
    await _drain(app)
    await driver.no_reply(0.2)
    # ... and it arrives when quiet hours end at 08:00, before the 09:00 start.
    clock.advance(timedelta(minutes=31))
    await _drain(app)
    assert "Breakfast club" in (await driver.reply())["text"]


async def test_a_member_cannot_see_attendance_or_move_or_cancel_a_meeting(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from bot.db import Meeting, MeetingStatus

    _, meeting_id = await _setup(db, clock)
    ola = MemberDriver(emulator, 802, "Agnieszka", "pl")
    await _drain(app)
    invitation, _ = await ola.replies(2)
    await ola.send("/attendance")
    assert (await ola.reply())["text"] == Translator("pl")(
        "Only coordinators can do this. If you need help, ask your coordinator."
    )
    for action in ("att", "move", "repeat", "cancel", "cancelyes"):
        answer = await ola.tap_data(invitation["message_id"], f"mt:1:{action}:{meeting_id}")
        assert answer["text"] == Translator("pl")(
            "Only coordinators can do this. If you need help, ask your coordinator."
        )
    async with db.session() as session:
        meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None and meeting.status == MeetingStatus.SCHEDULED
    assert meeting.starts_at == START
