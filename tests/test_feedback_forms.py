"""The one-step forms of feedback and the glossary, as a member meets them on the form engine:
every question has a Stop button that ends it with nothing sent (as /cancel does), and a menu
tap while writing feedback does what was tapped and leaves nothing stored, nor held to be
written later.

Proof these can fail: on the code before the move, the questions had no Stop button ("To stop,
type /cancel." only), so `tap(Stop)` found no button."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Draft, Feedback, FeedbackReply, FeedbackRoute, Member, MissingWord, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import anonymous, glossary
from tests.factories import add_member, create_panel
from tests.test_feedback import COORDINATOR, OLA, SAM, _drain, _send_feedback, _setup

en, pl = Translator("en"), Translator("pl")
NOT_UNDERSTOOD = "Sorry, I did not understand that. Type /help to see what I can do."
NO_MEETINGS = "You have no meetings coming up. We will tell you when there is one."


async def _stop(driver: MemberDriver, t: Translator) -> None:
    """Tap Stop under the question just asked: nothing was sent, and the menu is back."""
    await driver.tap(t("Stop"))
    stopped = await driver.reply()
    assert stopped["text"] == t("OK. Nothing was sent.")
    assert t("Give feedback") in str(stopped.get("reply_keyboard"))


async def _nothing_open(db: Database, telegram_id: int) -> None:
    assert anonymous.step(telegram_id) == ""
    async with db.session() as session:
        step = await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == telegram_id)
        )
        assert step is None
        assert await session.scalar(select(func.count()).select_from(Draft)) == 0


async def _count(db: Database, table: type) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_stop_ends_writing_feedback_and_nothing_is_sent(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await ola.send(pl("Give feedback"))
    await ola.reply()
    await ola.tap(pl("Anonymous. I'd like a reply"))
    question = await ola.reply()
    assert ola.buttons(question) == [pl("Stop")]
    await _stop(ola, pl)
    await _nothing_open(db, OLA)

    await ola.send("The heating was off all day.")  # no longer feedback
    assert (await ola.reply())["text"] == pl(NOT_UNDERSTOOD)
    assert app.runtime.hold.is_empty()
    await _drain(app)
    assert await _count(db, Feedback) == 0


async def test_stop_ends_a_coordinators_reply_and_the_members_answer_back(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await _send_feedback(ola, pl("Anonymous. I'd like a reply"), "The lift is broken again.")
    await _drain(app)
    await priya.reply()

    await priya.tap("Reply")
    assert priya.buttons(await priya.reply()) == ["Stop"]
    await _stop(priya, en)
    await _nothing_open(db, COORDINATOR)
    await priya.send("Thank you, we will fix it.")  # no longer a reply
    assert (await priya.reply())["text"] == NOT_UNDERSTOOD
    await ola.no_reply(0.2)
    assert await _count(db, FeedbackReply) == 0

    await priya.tap("Reply")
    await priya.reply()
    await priya.send("Thank you, we will fix it.")
    assert (await priya.reply())["text"].startswith("Sent.")
    await ola.reply()
    await ola.tap(pl("Answer back"))
    assert ola.buttons(await ola.reply()) == [pl("Stop")]
    await _stop(ola, pl)
    await _nothing_open(db, OLA)
    await ola.send("It is still broken.")  # no longer an answer back
    assert (await ola.reply())["text"] == pl(NOT_UNDERSTOOD)
    assert app.runtime.hold.is_empty()
    await _drain(app)
    await priya.no_reply(0.2)
    assert await _count(db, FeedbackReply) == 1  # the reply only


async def test_stop_ends_explain_a_word_and_a_question_about_a_word(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, SAM, "Sam")
    sam = MemberDriver(emulator, SAM, "Sam")
    priya = MemberDriver(emulator, COORDINATOR, "Priya")

    await sam.send(en("Explain a word"))
    assert sam.buttons(await sam.reply()) == ["Stop"]
    await _stop(sam, en)
    await _nothing_open(db, SAM)
    await sam.send("zzqxv")  # not a word asked about: never a missing word
    assert (await sam.reply())["text"] == NOT_UNDERSTOOD
    await app.runtime.flush_anonymous(everything=True)
    assert await _count(db, MissingWord) == 0

    await sam.send("/explain quorum")
    await sam.reply()
    await sam.tap("I still don't understand")
    assert sam.buttons(await sam.reply()) == ["Stop"]
    await _stop(sam, en)
    await _nothing_open(db, SAM)
    await sam.send("Does everyone have to vote?")  # no longer a question
    assert (await sam.reply())["text"] == NOT_UNDERSTOOD
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    await priya.no_reply(0.2)


async def test_a_photo_after_explain_a_word_asks_again_and_the_word_is_then_explained(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, SAM, "Sam")
    sam = MemberDriver(emulator, SAM, "Sam")
    await sam.send(en("Explain a word"))
    await sam.reply()
    await sam.send_photo()
    again = await sam.reply()
    assert again["text"] == en("Which word would you like me to explain? Type it.")
    await sam.send("agenda")
    assert glossary.load().entries["agenda"].definition in (await sam.reply())["text"]
    await _nothing_open(db, SAM)


async def test_a_menu_tap_while_writing_feedback_leaves_nothing_stored(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    sam = MemberDriver(emulator, SAM, "Sam")
    for how in ("Anonymous. I'd like a reply", "With my name"):
        await sam.send("/feedback")
        await sam.reply()
        await sam.tap(how)
        await sam.reply()
        await sam.send(en("Meetings"))  # does what it says: not sent as feedback
        assert (await sam.reply())["text"] == en(NO_MEETINGS)
        await _nothing_open(db, SAM)
        await sam.send("The room was too cold.")  # the form was left: this is not feedback
        assert (await sam.reply())["text"] == NOT_UNDERSTOOD
    assert app.runtime.hold.is_empty()
    await _drain(app)
    for table in (Feedback, FeedbackRoute, FeedbackReply):
        assert await _count(db, table) == 0
