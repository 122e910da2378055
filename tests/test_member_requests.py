"""Every question or request a member sends coordinators arrives with Reply, and the answer
reaches the member in the bot, in their language: a word not understood, a support need (an
interpreter names the language), "Not sure" about payment (joining and /settings, once), and a
question about a claim. Only the panel's coordinators may answer; a second coordinator is told
who answered first and may follow up.

Proof it can fail: on main the question about a word reached the coordinator with no button, the
support note said "An interpreter" with no language, "Not sure" sent nothing and a claim had no
"Ask a question" (each test below stops at that point)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import MemberRequest, OutboxMessage, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import (
    claim_submission,
    forgetting,
    glossary,
    meeting_changes,
    meeting_rules,
    my_data,
)
from bot.services.access import Actor
from tests.factories import add_member, create_panel

PRIYA, OWEN, OLA, BEA, STRANGER_COORDINATOR = 8801, 8802, 8803, 8804, 8805
START = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)
en, pl = Translator("en"), Translator("pl")
SENT = "Thank you. We sent your question to your coordinator. They will get back to you."
REPLY_TEXT = "Yes, <b>everyone</b> can vote. I will call you."


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


async def _world(db: Database, clock: FrozenClock, emulator: BotApiEmulator) -> dict[str, Any]:
    """Priya and Owen coordinate Carers Voice; Agnieszka (Polish) and Bea are members; Sam
    coordinates another panel. Each has a chat with the bot."""
    for who, name in (
        (PRIYA, "Priya"),
        (OWEN, "Owen"),
        (BEA, "Bea"),
        (STRANGER_COORDINATOR, "Sam"),
    ):
        MemberDriver(emulator, who, name)
    MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    clock.advance(START - timedelta(days=3) - clock.now())
    new = await create_panel(db, clock, "Carers Voice")
    other = await create_panel(db, clock, "Youth Panel")
    priya = await add_member(db, clock, new.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, OWEN, "Owen", role=Role.COORDINATOR)
    ola = await add_member(db, clock, new.panel.id, OLA, "Agnieszka", language="pl")
    await add_member(db, clock, new.panel.id, BEA, "Bea")
    await add_member(db, clock, other.panel.id, STRANGER_COORDINATOR, "Sam", role=Role.COORDINATOR)
    return {
        "panel": new.panel.id,
        "priya": priya.id,
        "ola": ola.id,
        "code": new.member_invite.code,
    }


def _newest(emulator: BotApiEmulator, chat_id: int, containing: str) -> dict[str, Any]:
    found = [m for m in emulator.messages(chat_id) if containing in (m.get("text") or "")]
    assert found, f"no message with {containing!r} in chat {chat_id}: " + repr(
        [m.get("text") for m in emulator.messages(chat_id)]
    )
    return found[-1]


async def _notices(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "member_request")
            )
            or 0
        )


async def _answer(
    app: PanelbotApplication, emulator: BotApiEmulator, coordinator: MemberDriver, notice: str
) -> None:
    """The coordinator taps Reply under the notice and types the answer."""
    message = _newest(emulator, coordinator.user_id, notice)
    assert coordinator.buttons(message) == ["Reply"], message
    [[reply]] = message["reply_markup"]["inline_keyboard"]
    answer = await coordinator.tap_data(message["message_id"], reply["callback_data"])
    assert not answer.get("text")
    prompt = await _wait_for(emulator, coordinator.user_id, "Type your answer to Agnieszka")
    assert "The bot sends it to them." in prompt["text"]
    await coordinator.send(REPLY_TEXT)
    await _wait_for(emulator, coordinator.user_id, "Sent. Agnieszka gets your answer in the bot.")
    await _drain(app)


async def _wait_for(emulator: BotApiEmulator, chat_id: int, text: str) -> dict[str, Any]:
    found = await emulator.wait_for(
        lambda: next(
            (m for m in emulator.messages(chat_id) if text in (m.get("text") or "")), None
        ),
        5.0,
    )
    assert found is not None, f"{text!r} never came: " + repr(
        [m.get("text") for m in emulator.messages(chat_id)]
    )
    return found


async def test_a_question_about_a_word_is_answered_in_the_members_language(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ids = await _world(db, clock, emulator)
    ola = MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    priya, owen = MemberDriver(emulator, PRIYA, "Priya"), MemberDriver(emulator, OWEN, "Owen")
    await ola.send("/explain quorum")
    await ola.reply()
    await ola.tap(pl("I still don't understand"))
    await ola.reply()
    await ola.send("Does <everyone> have to vote?")
    assert (await ola.reply())["text"] == pl(SENT)
    await _drain(app)
    heading = en("{name} asked about the word “{term}”:", name="Agnieszka", term="quorum")
    for coordinator in (PRIYA, OWEN):
        notice = _newest(emulator, coordinator, heading)
        assert "Does <everyone> have to vote?" in notice["text"]

    await _answer(app, emulator, priya, heading)
    term = glossary.load().get("quorum", "pl")
    assert term is not None
    answer = await _wait_for(emulator, OLA, REPLY_TEXT)
    assert answer["text"] == (
        pl("💬 Your coordinator answered your question about “{term}”:", term=term[0].term)
        + "\n\n"
        + REPLY_TEXT
    )
    async with db.session() as session:
        request = await session.scalar(select(MemberRequest))
    assert request is not None and request.kind == "word" and request.answered_by == ids["priya"]

    # Owen, a moment later: told kindly that Priya answered, and he may still follow up.
    await _reply_tap(emulator, owen, heading)
    told = await _wait_for(emulator, OWEN, "already answered this")
    assert told["text"].startswith(
        en(
            "{name} already answered this. You can still send a follow-up.",
            name="Priya",
        )
    )
    await owen.send("The papers come on Monday.")
    await _wait_for(emulator, OWEN, "Sent. Agnieszka gets your answer in the bot.")
    await _drain(app)
    assert await _wait_for(emulator, OLA, "The papers come on Monday.")


async def _reply_tap(emulator: BotApiEmulator, person: MemberDriver, notice: str) -> dict[str, Any]:
    message = _newest(emulator, person.user_id, notice)
    [[reply]] = message["reply_markup"]["inline_keyboard"]
    return await person.tap_data(message["message_id"], reply["callback_data"])


async def test_only_the_panels_coordinators_may_reply(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _world(db, clock, emulator)
    ola = MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    await ola.send("/explain quorum")
    await ola.reply()
    await ola.tap(pl("I still don't understand"))
    await ola.reply()
    await ola.send("What is a quorum?")
    await ola.reply()
    await _drain(app)
    notice = _newest(emulator, PRIYA, "asked about the word")
    data = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for who, name in ((BEA, "Bea"), (STRANGER_COORDINATOR, "Sam")):
        forger = MemberDriver(emulator, who, name)
        await forger.send("/help")
        anchor = (await forger.reply())["message_id"]
        refusal = await forger.tap_data(anchor, data)
        assert refusal["text"] == en(
            "Only coordinators can do this. If you need help, ask your coordinator."
        )
        await forger.send("I answer instead")  # no form was opened: nothing goes to Agnieszka
        await forger.reply()
    await _drain(app)
    assert not [m for m in emulator.messages(OLA) if "I answer instead" in (m.get("text") or "")]
    async with db.session() as session:
        request = await session.scalar(select(MemberRequest))
    assert request is not None and request.answered_at is None


async def test_an_interpreter_names_the_language_and_the_support_note_has_reply(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ids = await _world(db, clock, emulator)
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(PRIYA, ids["priya"]),
            ids["panel"],
            meeting_rules.MeetingDraft(title="Planning day", starts_at=START),
            now=clock.now(),
        )
    ola = MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await _drain(app)
    await ola.replies(2)  # the invitation and its calendar file
    await ola.tap(pl("I need support to come"))
    await ola.reply()
    await ola.tap(pl("An interpreter"))
    asked = await ola.reply()
    assert asked["text"] == pl(
        "Which language do you need an interpreter for? "
        "Type it, like Arabic, Polish or British Sign Language."
    )
    await ola.send("Arabic <Syrian>")
    noted = await ola.reply()
    assert (
        pl("Thank you. We noted: an interpreter for {language}.", language="Arabic <Syrian>")
        in (noted["text"])
    )
    await ola.tap(pl("Done"))
    assert (await ola.reply())["text"] == pl("Thank you. We told the coordinator what you need.")
    await _drain(app)
    need = en("An interpreter for {language}", language="Arabic <Syrian>")
    note = _newest(emulator, PRIYA, "needs support to come")
    assert need in note["text"] and "Agnieszka" in note["text"]

    await _answer(app, emulator, priya, "needs support to come")
    answer = await _wait_for(emulator, OLA, REPLY_TEXT)
    heading = pl(
        "💬 Your coordinator answered about the support you need for <b>{title}</b>:",
        title="Planning day",
    )
    assert answer["text"].startswith(heading.replace("<b>", "").replace("</b>", ""))

    await priya.send("/attendance")
    listing = await _wait_for(emulator, PRIYA, "Which meeting?")
    await priya.tap_data(listing["message_id"], f"mt:1:att:{meeting.id}")
    assert "Agnieszka: " + need in (await _wait_for(emulator, PRIYA, "Agnieszka: "))["text"]


async def test_not_sure_about_payment_in_settings_tells_the_coordinators_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _world(db, clock, emulator)
    ola = MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    for told_now in (True, False):  # chosen, then chosen again unchanged
        await ola.send("/settings")
        await ola.reply()
        await ola.tap(pl("How I am paid"))
        await ola.reply()
        await ola.tap(pl("Not sure: please talk to me"))
        await ola.replies(2 if told_now else 1)  # (we told your coordinator), saved
        await _drain(app)
        assert await _notices(db) == 2  # one for Priya, one for Owen; never again
    told = pl(
        "We told your coordinator you are not sure how to be paid. They will talk to you about it."
    )
    assert [m["text"] for m in emulator.messages(OLA)].count(told) == 1
    heading = en(
        "{name} is not sure how to be paid. They would like to talk to you about it.",
        name="Agnieszka",
    )
    await _answer(app, emulator, priya, heading)
    answer = await _wait_for(emulator, OLA, REPLY_TEXT)
    assert answer["text"].startswith(pl("💬 Your coordinator answered about how you are paid:"))


async def test_not_sure_about_payment_when_joining_tells_the_coordinators(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    code = (await _world(db, clock, emulator))["code"]
    kit = MemberDriver(emulator, 8810, "Kit", language_code="en")
    await kit.send(f"/start {code}")
    await kit.reply()
    for label in (
        "English",
        "Next",
        "Yes, that is OK",
        "Call me Kit",
        "No, thank you",
        "All reminders",
        "No, any time is fine",
        "Done",
        "Not sure: please talk to me",
    ):
        await kit.tap(label)
        await kit.reply()
    await _wait_for(emulator, 8810, "We told your coordinator you are not sure how to be paid.")
    await _drain(app)
    notice = _newest(emulator, PRIYA, "Kit is not sure how to be paid.")
    assert MemberDriver.buttons(notice) == ["Reply"]


async def test_a_question_about_a_claim_reaches_the_coordinator_and_is_answered(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ids = await _world(db, clock, emulator)
    now = clock.now()
    async with db.session() as session:
        sent = await claim_submission.submit(
            session,
            OLA,
            panel_id=ids["panel"],
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport", amount=420, spent_on=now.date(), no_receipt_reason="Bus"
                )
            ],
            note=None,
            now=now,
            today=now.date(),
        )
        await session.commit()
    await _drain(app)
    claim = sent.claim.id
    ola = MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await ola.send("/expenses")
    await ola.replies(2)
    await ola.tap(pl("Ask a question"))
    await ola.reply()
    await ola.send("When will I be <paid>?")
    assert (await ola.reply())["text"] == pl(SENT)
    await _drain(app)
    heading = en("{name} asked about their claim {n}:", name="Agnieszka", n=claim)
    notice = _newest(emulator, PRIYA, heading)
    assert "When will I be <paid>?" in notice["text"]
    await _answer(app, emulator, priya, heading)
    answer = await _wait_for(emulator, OLA, REPLY_TEXT)
    assert answer["text"].startswith(
        pl("💬 Your coordinator answered your question about claim {n}:", n=claim)
    )


async def test_mydata_shows_requests_and_forgetme_removes_them(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ids = await _world(db, clock, emulator)
    ola = MemberDriver(emulator, OLA, "Agnieszka", language_code="pl")
    await ola.send("/explain quorum")
    await ola.reply()
    await ola.tap(pl("I still don't understand"))
    await ola.reply()
    await ola.send("Who counts?")
    await ola.reply()
    async with db.session() as session:
        export = await my_data.export_member(session, OLA)
        assert export is not None
        [asked] = export["questions_to_coordinators"]
        assert asked["kind"] == "word" and asked["your_words"] == "Who counts?"
        await forgetting.forget_member(session, OLA, now=clock.now(), retention_years=6)
        await session.commit()
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(MemberRequest)) == 0
        keys = (await session.scalars(select(OutboxMessage.key))).all()
    assert not [k for k in keys if k.startswith(f"request:{ids['ola']}:")]
