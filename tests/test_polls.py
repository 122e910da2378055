"""Polls end to end: a coordinator asks through /newpoll (only coordinators, bad input keeping
the step), members answer by buttons or typing, results stay hidden below three answers, a chart
arrives and results are shared with the panel; a poll can go to the people at a meeting only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Poll, PollParticipant, PollResponse
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.polls_world import (
    COORDINATOR,
    HELD,
    MEMBERS,
    _close,
    _drain,
    _drivers,
    _dump,
    _poll,
    _results,
    _setup,
)


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
    assert "at least 2 choices" in (await priya.reply())["text"]
    # Forged buttons (huge or non-ASCII numbers, other steps) never crash; the step stays.
    message_id = priya.last_message["message_id"]  # type: ignore[index]
    for forged in ("np:1:options:" + "9" * 40, "np:1:meeting:١", "np:1:kind:evil", "np:2:x:y"):
        await priya.tap_data(message_id, forged)
    for asked_again in await priya.replies(2):  # an older step's button asks the current one
        assert asked_again["text"].startswith("Type the choices with a comma between them")
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
