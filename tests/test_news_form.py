"""The coordinator's news form on the form engine, as a coordinator meets it: Back keeps what
was chosen and written, Stop asks first once there is a text to lose, and news left for a menu
tap is offered back by "Send news"."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Broadcast, Draft, Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from handlers.chat.common import EXPIRED_BUTTON
from tests.factories import add_member, create_panel

en, cy = Translator("en"), Translator("cy")
PRIYA, ALEX = 850, 851
TEXT = "The meeting room has changed to room 4."
WELSH = "Mae'r ystafell wedi newid i ystafell 4."
REALLY = "Stop writing this news? What you wrote will be deleted."


async def _panels(db: Database, clock: FrozenClock, *names: str, language: str = "en") -> None:
    for name in names:
        panel = (await create_panel(db, clock, name)).panel.id
        await add_member(db, clock, panel, PRIYA, "Priya", role=Role.COORDINATOR, language=language)
        await add_member(db, clock, panel, ALEX, "Alex")


async def _state(db: Database) -> tuple[str | None, int, int]:
    """Priya's open step, how many drafts there are, how many broadcasts."""
    async with db.session() as session:
        step = await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == PRIYA)
        )
        drafts = await session.scalar(select(func.count()).select_from(Draft))
        sent = await session.scalar(select(func.count()).select_from(Broadcast))
        return step, int(drafts or 0), int(sent or 0)


async def _to_the_versions(priya: MemberDriver) -> None:
    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.send(TEXT)
    versions = await priya.reply()
    assert versions["text"].startswith(en("Do you want to add your message in another language?"))


async def test_back_keeps_the_panels_ticked_and_the_versions_written(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panels(db, clock, "Carers Voice", "Youth Panel")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, ALEX, "Alex")

    await priya.send("/broadcast")
    who = await priya.reply()
    assert priya.buttons(who)[-1] == en("Stop") and en("Back") not in priya.buttons(who)
    await priya.tap("Youth Panel")
    await priya.wait_edit(who["message_id"])
    await priya.tap(en("Next"))
    question = await priya.reply()
    assert en("Type your message.") in question["text"]
    assert priya.buttons(question) == [en("Back"), en("Stop")]

    await priya.tap(en("Back"))
    again = await priya.reply()
    assert again["text"].startswith(en("Who should get your message?"))
    assert priya.buttons(again)[:2] == ["Carers Voice", "✓ Youth Panel"]  # kept
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.send(TEXT)
    await priya.reply()
    await priya.tap("Cymraeg")
    welsh = await priya.reply()
    assert welsh["text"] == en("Type your message in {language}.", language="Cymraeg")
    await priya.tap(en("Back"))  # back to the list of languages, not to the message
    assert (await priya.reply())["text"].startswith(
        en("Do you want to add your message in another language?")
    )
    await priya.tap("Cymraeg")
    await priya.reply()
    await priya.send(WELSH)
    await priya.reply()
    await priya.tap(en("Next"))
    important = await priya.reply()
    assert important["text"].startswith(en("Is this message important?"))

    await priya.tap(en("Back"))
    versions = await priya.reply()
    assert "✓ Cymraeg" in priya.buttons(versions)  # the Welsh version is kept
    await priya.tap(en("Back"))  # and before the versions, the message itself
    assert en("Type your message.") in (await priya.reply())["text"]
    async with db.session() as session:
        draft = await session.scalar(select(Draft))
        assert draft is not None and draft.data["text"] == TEXT
        assert draft.data["translations"] == {"cy": WELSH}


async def test_stop_asks_first_once_a_text_is_written_and_not_before(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panels(db, clock, "Carers Voice", language="cy")
    priya = MemberDriver(emulator, PRIYA, "Priya", "cy")
    MemberDriver(emulator, ALEX, "Alex")

    # Nothing written yet: Stop stops at once.
    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(cy("Stop"))
    stopped = await priya.reply()
    assert stopped["text"] == cy("OK. Your news was not sent.")
    assert cy("Send news") in str(stopped.get("reply_keyboard"))
    assert await _state(db) == (None, 0, 0)

    # A text written: Stop asks, "No, carry on" asks the same question again.
    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(cy("Next"))
    await priya.reply()
    await priya.send(TEXT)
    await priya.reply()
    await priya.tap(cy("Stop"))
    sure = await priya.reply()
    assert sure["text"] == cy(REALLY)
    assert priya.buttons(sure) == [cy("Yes, stop"), cy("No, carry on")]
    await priya.tap(cy("No, carry on"))
    asked = await priya.reply()
    assert asked["text"].startswith(cy("Do you want to add your message in another language?"))
    assert await _state(db) == ("bcast:versions", 1, 0)

    # The summary's Stop (it was Cancel) asks too; /cancel as well. Yes: all gone.
    await priya.tap(cy("Next"))
    await priya.reply()
    await priya.tap(cy("No"))
    await priya.reply()
    await priya.tap(cy("Send now"))
    summary = (await priya.replies(3))[-1]
    assert cy("Send") in priya.buttons(summary) and cy("Cancel") not in priya.buttons(summary)
    await priya.send("/cancel")
    assert (await priya.reply())["text"] == cy(REALLY)
    await priya.tap(cy("Yes, stop"))
    assert (await priya.reply())["text"] == cy("OK. Your news was not sent.")
    assert await _state(db) == (None, 0, 0)


async def test_a_menu_tap_mid_news_keeps_it_and_send_news_offers_it_back(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panels(db, clock, "Carers Voice")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, ALEX, "Alex")
    await _to_the_versions(priya)

    await priya.send(en("Meetings"))  # a menu tap: does what it says, the news is kept
    kept, meetings = await priya.replies(2)
    assert kept["text"] == en("Your news is saved. Tap Send news to carry on with it.")
    assert TEXT not in meetings["text"]
    assert await _state(db) == (None, 1, 0)

    await priya.send(en("Send news"))
    offer = await priya.reply()
    assert offer["text"] == en("You have news you did not finish. Do you want to carry on with it?")
    assert priya.buttons(offer) == [en("Carry on"), en("Start again")]
    await priya.tap(en("Carry on"))
    versions = await priya.reply()
    assert versions["text"].startswith(en("Do you want to add your message in another language?"))
    assert await _state(db) == ("bcast:versions", 1, 0)
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    preview = await priya.replies(3)
    assert TEXT in preview[1]["text"]  # the message written before the menu tap
    await priya.tap(en("Send"))
    await priya.wait_edit(preview[2]["message_id"])
    assert await _state(db) == (None, 0, 1)

    # Left again, then /broadcast and Start again: a fresh form, nothing of the old one.
    await _to_the_versions(priya)
    await priya.send("/help")
    await priya.replies(2)
    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(en("Start again"))
    who = await priya.reply()
    assert who["text"].startswith(en("Who should get your message?"))
    async with db.session() as session:
        draft = await session.scalar(select(Draft))
        assert draft is not None and draft.step == "who" and "text" not in draft.data


async def test_the_forms_old_cancel_and_edit_buttons_left_in_a_chat_just_expire(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panels(db, clock, "Carers Voice")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await _to_the_versions(priya)
    message_id = priya.last_message["message_id"]  # type: ignore[index]
    for data in ("bc:1:stop", "bc:1:edit"):
        answer = await priya.tap_data(message_id, data)
        assert answer["text"] == en(EXPIRED_BUTTON), data
    async with db.session() as session:
        refused = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "refused")
        )
    assert refused == 0
    assert await _state(db) == ("bcast:versions", 1, 0)  # the news is still there
