"""Polls end to end: a coordinator asks through /newpoll, members answer by buttons or typing,
results stay hidden below three answers, a chart arrives, polls close themselves (after a restart
too), one reminder goes only to those who have not answered, and a dump of the whole database
links no answer to anyone: no ids, no precise times, no matching row order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import (
    Base,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Poll,
    PollParticipant,
    PollResponse,
    Role,
)
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import feedback, feedback_settings, poll_answers, poll_asking, poll_results
from bot.services.access import Actor, NotAllowed
from bot.services.poll_answers import Outcome
from bot.services.poll_rules import AnonymityLocked, PollDraft
from tests.factories import add_member, create_panel

COORDINATOR = 901
MEMBERS = {902: ("Ola", "pl"), 903: ("Rhys", "cy"), 904: ("Amina", "ur"), 905: ("Sam", "en")}
MEMBERS[906] = ("Jo", "en")


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


# An anonymous answer waits in memory and is written with others (bot.services.anonymous).
HELD = (
    "Thank you. We got your answer. We save it later with other people's answers. "
    "Then nobody can tell which is yours. If something goes wrong first, we will ask "
    "you again."
)


async def _close(app: PanelbotApplication, clock: FrozenClock) -> None:
    """Time passes to the closing; the outbox closes the poll and the writer writes its answers."""
    clock.advance(timedelta(days=4))
    await _drain(app)
    await app.runtime.flush_anonymous()


async def _setup(db: Database, clock: FrozenClock, extra: int = 0) -> tuple[int, Actor]:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(
        db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    for telegram_id, (name, language) in MEMBERS.items():
        await add_member(db, clock, new.panel.id, telegram_id, name, language=language)
    for n in range(extra):
        await add_member(db, clock, new.panel.id, 950 + n, f"Extra {n}")
    return new.panel.id, Actor(COORDINATOR, coordinator.id)


async def _poll(
    db: Database, clock: FrozenClock, actor: Actor, panel_id: int, **changes: Any
) -> int:
    values: dict[str, Any] = dict(
        panel_id=panel_id,
        question="How easy was the bus to the hall?",
        kind="rating",
        anonymous=True,
        closes_at=clock.now() + timedelta(days=3),
    )
    values.update(changes)
    async with db.session() as session:
        poll, _ = await poll_asking.create(session, actor, PollDraft(**values), now=clock.now())
    return poll.id


def _drivers(emulator: BotApiEmulator) -> dict[int, MemberDriver]:
    return {tid: MemberDriver(emulator, tid, name, lang) for tid, (name, lang) in MEMBERS.items()}


async def _results(coordinator: MemberDriver, question: str) -> list[dict[str, Any]]:
    await coordinator.send("/results")
    await coordinator.reply()
    await coordinator.tap(question[:60])
    messages = [await coordinator.reply()]
    try:
        while True:
            messages.append(await coordinator.reply(timeout=1.0))
    except AssertionError:
        return messages


async def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table, every row, in the order the engine stores them (no ORDER BY): what a
    database administrator or a stolen backup would see."""
    async with db.session() as session:
        return {
            table.name: [
                tuple(r) for r in (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            ]
            for table in Base.metadata.tables.values()
        }


async def test_a_coordinator_asks_an_anonymous_rating_and_results_show_only_from_three_answers(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    members = _drivers(emulator)

    await priya.send("/newpoll")
    assert "What do you want to ask?" in (await priya.reply())["text"]
    await priya.send("How easy was the bus to the hall?")
    assert "How should people answer?" in (await priya.reply())["text"]
    await priya.tap("A rating from 1 to 5")
    assert "anonymous" in (await priya.reply())["text"]
    await priya.tap("Anonymous")
    await priya.reply()
    await priya.tap("In 3 days")
    await priya.reply()
    await priya.tap("The whole panel")
    preview = (await priya.reply())["text"]
    assert "How easy was the bus to the hall?" in preview
    assert "Nobody can see who said what." in preview
    assert "5 people will get it." in preview
    assert "This reads well" in preview or "Some things may be hard" in preview
    await priya.tap("Send")
    assert "Sent. 5 people will get the question." in (await priya.reply())["text"]

    await _drain(app)
    questions = {}
    for telegram_id, driver in members.items():
        question = questions[telegram_id] = await driver.reply()
        t = Translator(MEMBERS[telegram_id][1])
        assert "How easy was the bus to the hall?" in question["text"]
        assert f"5 {t('Very good')}" in driver.buttons(question)
        assert t("Skip this question") in driver.buttons(question)

    # Two answers: nothing about them is shown, not even the numbers.
    await members[903].tap(f"4 {Translator('cy')('Good')}")
    assert (await members[903].reply())["text"] == Translator("cy")(HELD)
    await members[905].tap("2 Poor")
    await members[905].reply()
    shown = await _results(priya, "How easy was the bus to the hall?")
    assert len(shown) == 1
    assert "Results show when 3 people have answered." in shown[0]["text"]
    assert "Poor" not in shown[0]["text"] and "photo" not in shown[0]

    # A typed answer is the third; five answers wait (fewer than twice the threshold, so
    # none is written before the closing, which writes them all as one group).
    await members[902].tap(Translator("pl")("Type my answer"))
    await members[902].reply()
    await members[902].send("5")
    await members[902].reply()
    await app.runtime.flush_anonymous()
    shown = await _results(priya, "How easy was the bus to the hall?")
    assert "Results show when 3 people have answered." in shown[0]["text"]
    await members[904].tap(f"1 {Translator('ur')('Very poor')}")
    await members[904].reply()
    await members[906].tap("3 OK")
    await members[906].reply()
    await _close(app, clock)
    await priya.reply()  # "The question ... has closed."
    text_message, chart = await _results(priya, "How easy was the bus to the hall?")
    assert "5 answers so far." in text_message["text"]
    assert "4 Good: 1 (20%)" in text_message["text"]
    assert "2 Poor: 1 (20%)" in text_message["text"]
    assert "Average: 3 out of 5" in text_message["text"]
    assert "Share with the panel" in priya.buttons(text_message)
    assert "numbers are in the message above" in chart["caption"]
    image = emulator.file_bytes(chart["photo"][-1]["file_id"])
    assert image is not None and image.startswith(b"\x89PNG")
    assert chart["photo"][-1]["width"] >= 600  # large enough to read on a phone

    # A second answer from the same person is refused, and nothing changes.
    poll_data = questions[903]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await members[903].tap_data(questions[903]["message_id"], poll_data)
    assert (await members[903].reply())["text"] == Translator("cy")(
        "You have already answered this question. Thank you."
    )
    async with db.session() as session:
        count = len((await session.scalars(select(PollResponse))).all())
    assert count == 5

    # The dump of the answers names nobody.
    dump = await _dump(db)
    names = [c.name for c in PollResponse.__table__.columns]
    assert len(dump["poll_responses"]) == 5
    for row in dump["poll_responses"]:
        record = dict(zip(names, row, strict=True))
        assert record["member_id"] is None and len(str(record["id"])) == 32
        assert ":" not in str(record["day"])
    assert sorted(r[names.index("rating")] for r in dump["poll_responses"]) == [1, 2, 3, 4, 5]


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


async def test_a_database_dump_links_no_answer_to_any_member(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock, extra=3)
    poll_id = await _poll(db, clock, actor, panel_id, kind="text", question="What should change?")
    people = {tid: MemberDriver(emulator, tid, "x") for tid in [*MEMBERS, 950, 951, 952]}
    await _drain(app)
    async with db.session() as session:
        member_ids = set((await session.scalars(select(Membership.member_id))).all())
    # Eight people answer in an order unlike their ids, each at a different minute.
    order = [952, 904, 906, 902, 950, 905, 903, 951]
    moments = []
    for index, telegram_id in enumerate(order):
        driver = people[telegram_id]
        await driver.reply()
        clock.advance(timedelta(minutes=7))
        moments.append(clock.now())
        t = Translator(MEMBERS.get(telegram_id, ("", "en"))[1])
        await driver.tap(t("Write my answer"))
        await driver.reply()
        await driver.send(f"answer number {index}")
        assert (await driver.reply())["text"] == t(HELD)
    await app.runtime.flush_anonymous()  # eight wait: five are written, three kept back
    await _close(app, clock)  # the closing writes the last three

    dump = await _dump(db)
    columns = {c.name for c in PollResponse.__table__.columns}
    assert "member_id" in columns  # only ever filled for named polls
    responses = dump["poll_responses"]
    assert len(responses) == 8
    for row in responses:
        record = dict(zip([c.name for c in PollResponse.__table__.columns], row, strict=False))
        assert record["member_id"] is None
        assert len(str(record["id"])) == 32 and not str(record["id"]).isdecimal()
        # Only the day: a plain date, never a time of day.
        assert str(record["day"]) in {str(m.date()) for m in moments}
        assert ":" not in str(record["day"])
    # The order rows are stored in is not the order people answered in: not for what was said,
    # and not for who took part.
    said = [
        row[[c.name for c in PollResponse.__table__.columns].index("text")] for row in responses
    ]
    assert said != [f"answer number {i}" for i in range(8)]
    participants = [r for r in dump["poll_participants"] if r[0] == poll_id]
    async with db.session() as session:
        by_telegram = dict(
            (await session.execute(text("SELECT telegram_id, id FROM members"))).all()
        )
    answered_order = [by_telegram[t] for t in order]
    assert [r[1] for r in participants if r[2] == "answered"] != answered_order
    # No stored time anywhere in the database is one of the moments an answer was given.
    for table, rows in dump.items():
        for row in rows:
            for value in row:
                if isinstance(value, datetime | str):
                    for moment in moments:
                        assert moment.isoformat()[:16] not in str(value).replace(" ", "T"), table
    # Nothing about an answer went into the outbox or the audit log.
    for table in ("outbox", "audit_log"):
        for row in dump[table]:
            assert "answer number" not in repr(row)
    assert {r[1] for r in participants} <= member_ids


async def test_each_answer_rewrites_the_answers_with_new_random_ids(
    db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        await poll_answers.answer(session, 902, poll_id, now=clock.now(), rating=2)
        await poll_answers.answer(session, 903, poll_id, now=clock.now(), rating=4)
    async with db.session() as session:
        before = set((await session.scalars(select(PollResponse.id))).all())
        await poll_answers.answer(session, 904, poll_id, now=clock.now(), rating=5)
    async with db.session() as session:
        after = set((await session.scalars(select(PollResponse.id))).all())
    assert len(before) == 2 and len(after) == 3
    assert not before & after  # an id seen earlier never points at the same answer again


async def test_anonymity_stays_on_once_there_are_answers_and_the_threshold_is_never_below_three(
    db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        poll = await poll_asking.set_anonymous(session, actor, poll_id, False)
        assert poll.anonymous is False  # no answers yet: still allowed
        await poll_asking.set_anonymous(session, actor, poll_id, True)
        await poll_answers.answer(session, 902, poll_id, now=clock.now(), rating=3)
    async with db.session() as session:
        with pytest.raises(AnonymityLocked):
            await poll_asking.set_anonymous(session, actor, poll_id, False)
        with pytest.raises(NotAllowed):
            await poll_asking.set_anonymous(session, Actor(902, None), poll_id, True)
    async with db.session() as session:
        assert (await session.get(Poll, poll_id)).anonymous is True  # type: ignore[union-attr]
        with pytest.raises(feedback.FeedbackError):
            await feedback_settings.set_min_answers(session, actor, panel_id, 2)
        await feedback_settings.set_min_answers(session, actor, panel_id, 4)
    second = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        for telegram_id, rating in ((902, 1), (903, 2), (904, 3)):
            await poll_answers.answer(session, telegram_id, second, now=clock.now(), rating=rating)
        result = await poll_results.results(session, actor, second)
        assert result.hidden and result.counts == []  # 3 answers, the panel asked for 4
        await poll_answers.answer(session, 905, second, now=clock.now(), rating=4)
        assert not (await poll_results.results(session, actor, second)).hidden
    # The database refuses a threshold below 3 even if code tried.
    async with db.sessions() as session:
        poll = await session.get(Poll, second)
        assert poll is not None
        poll.min_answers = 2
        with pytest.raises(IntegrityError):
            await session.commit()


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


async def test_several_choices_by_buttons_or_typing_and_results_shared_as_you_said_we_did(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    await _poll(
        db,
        clock,
        actor,
        panel_id,
        kind="many",
        question="Which days suit you?",
        options=("Monday", "Wednesday", "Friday"),
    )
    members = _drivers(emulator)
    await _drain(app)
    for driver in members.values():
        await driver.reply()
    sam = members[905]
    await sam.tap("Done")
    await sam.tap("Monday")
    edited = await sam.wait_edit(sam.last_message["message_id"])  # type: ignore[index]
    assert "✓ Monday" in sam.buttons(edited)
    await sam.tap("Friday")
    await sam.tap("Done")
    assert (await sam.reply())["text"] == HELD
    jo = members[906]
    await jo.tap("Type my answer")
    assert "numbers of your answers" in (await jo.reply())["text"]
    await jo.send("banana")
    assert "numbers of your answers" in (await jo.reply())["text"]  # still waiting for it
    await jo.send("1, 2")
    assert (await jo.reply())["text"] == HELD
    await members[902].tap("Monday")
    await members[902].tap(Translator("pl")("Done"))
    await members[902].reply()
    # A fourth: results go to members only when more than k (3) answered.
    await members[904].tap("Wednesday")
    await members[904].tap(Translator("ur")("Done"))
    await members[904].reply()

    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await _close(app, clock)
    await priya.reply()  # the closing notice
    text_message, _chart = await _results(priya, "Which days suit you?")
    assert "Monday: 3 (75%)" in text_message["text"]
    assert "Friday: 1 (25%)" in text_message["text"]
    await priya.tap("Download the answers")
    sheet = await priya.reply()
    assert "Nothing says who gave them." in sheet["caption"]
    data = emulator.file_bytes(sheet["document"]["file_id"])
    assert data is not None
    rows = data.decode("utf-8-sig").splitlines()
    assert rows[0] == "Answer"
    assert sorted(rows[1:]) == ["Monday", "Monday; Friday", "Monday; Wednesday", "Wednesday"]
    for clue in ("Sam", "Jo", "Ola", "905", "906", "902"):
        assert clue not in data.decode("utf-8-sig")
    await priya.tap("Share with the panel")
    assert "You said, we did" in (await priya.reply())["text"]
    await priya.send("We will meet on Mondays from March. <Thank you>")
    preview = await priya.reply()
    assert "We will meet on Mondays from March. <Thank you>" in preview["text"]
    assert "This reads well" in preview["text"]
    await priya.tap("Send")
    assert "Sent. 5 people will get the results." in (await priya.reply())["text"]
    await _drain(app)
    rhys = members[903]
    shared = (await rhys.reply())["text"]
    t = Translator("cy")
    assert t("<b>You said, we did:</b>").replace("<b>", "").replace("</b>", "") in shared
    assert "We will meet on Mondays from March. <Thank you>" in shared
    assert "Monday: 3 (75%)" in shared and "Friday: 1 (25%)" in shared
    assert t("Thank you for taking part.") in shared


async def test_a_poll_for_the_people_at_a_meeting_goes_only_to_them(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from bot.db import Answer, Rsvp
    from bot.services import meeting_changes, meeting_rules

    panel_id, actor = await _setup(db, clock)
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            actor,
            panel_id,
            meeting_rules.MeetingDraft(
                title="Planning day", starts_at=clock.now() + timedelta(days=2)
            ),
            now=clock.now(),
        )
        for rsvp in (
            await session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))
        ).all():
            member_tid = rsvp.member_id
            rsvp.answer = Answer.COMING if member_tid % 2 else Answer.CANT
    await _drain(app)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newpoll")
    await priya.reply()
    await priya.send("Was the room OK?")
    await priya.reply()
    await priya.tap("One choice")
    await priya.reply()
    await priya.send("Yes\nNo\nNot sure")
    await priya.reply()
    await priya.tap("With names")
    await priya.reply()
    await priya.send("2")
    await priya.reply()
    await priya.tap("The people at a meeting")
    await priya.reply()
    await priya.tap(next(b for b in priya.buttons(priya.last_message) if "Planning day" in b))  # type: ignore[arg-type]
    preview = (await priya.reply())["text"]
    assert "Your name will be kept with your answer." in preview
    await priya.tap("Send")
    sent = (await priya.reply())["text"]
    async with db.session() as session:
        coming = (
            await session.scalars(
                select(Rsvp.member_id).where(
                    Rsvp.meeting_id == meeting.id, Rsvp.answer == Answer.COMING
                )
            )
        ).all()
        asked = (await session.scalars(select(PollParticipant.member_id))).all()
    assert sorted(asked) == sorted(coming)
    assert f"Sent. {len(coming)} " in sent


async def test_newpoll_is_for_coordinators_and_bad_input_keeps_the_step(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    sam = MemberDriver(emulator, 905, "Sam")
    await sam.send("/newpoll")
    assert "coordinator" in (await sam.reply())["text"].lower()
    await sam.send("/results")
    assert "coordinator" in (await sam.reply())["text"].lower()
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newpoll")
    await priya.reply()
    await priya.send("x" * 301)
    assert "up to 300 letters" in (await priya.reply())["text"]
    await priya.send_photo()
    assert "up to 300 letters" in (await priya.reply())["text"]
    await priya.send("Is the new form clear?")
    await priya.reply()
    await priya.tap("One choice")
    await priya.reply()
    await priya.send("Only one")
    assert "2 to 8 choices" in (await priya.reply())["text"]
    # Forged buttons (huge or non-ASCII numbers, other steps) never crash; the step stays.
    message_id = priya.last_message["message_id"]  # type: ignore[index]
    for forged in ("np:1:options:" + "9" * 40, "np:1:meeting:١", "np:1:kind:evil", "np:2:x:y"):
        await priya.tap_data(message_id, forged)
    for asked_again in await priya.replies(2):  # an older step's button asks the current one
        assert asked_again["text"].startswith("Type the choices, one on each line.")
    await priya.no_reply(0.2)
    await priya.send("Yes\nNo")
    assert "anonymous" in (await priya.reply())["text"]
    await priya.tap("Stop")  # the engine's Stop, under every question (was the form's Cancel)
    assert (await priya.reply())["text"] == "OK. The question was not sent."


def test_the_chart_draws_labels_with_dollar_signs_as_words() -> None:
    from bot.services.poll_results import Results
    from handlers.polls.messages import chart

    poll = Poll(
        id=1,
        question="Pay $x^^2$?",
        kind="one",
        options=["$10 or $20", "$x^^2$ each"],
        min_answers=3,
    )
    image = chart(Translator("en"), Results(poll, 5, 4, hidden=False, counts=[3, 1]))
    assert image is not None and image.startswith(b"\x89PNG")
    assert chart(Translator("en"), Results(poll, 5, 2, hidden=True)) is None


async def test_a_coordinator_sets_the_answers_needed_but_never_below_three(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/minanswers")
    assert "show from 3 answers" in (await priya.reply())["text"]
    for bad in ("2", "0", "-4", "three", "99999"):
        await priya.send(f"/minanswers {bad}")
        assert "It cannot be below 3." in (await priya.reply())["text"]
    await priya.send("/minanswers 5")
    assert "show from 5 answers" in (await priya.reply())["text"]
    poll_id = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        assert (await session.get(Poll, poll_id)).min_answers == 5  # type: ignore[union-attr]
    sam = MemberDriver(emulator, 905, "Sam")
    await sam.send("/minanswers 3")
    assert "coordinator" in (await sam.reply())["text"].lower()
