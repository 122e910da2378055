"""The real bot, polling the emulator over HTTP, used the way a person would use it."""

from __future__ import annotations

from sqlalchemy import select
from telegram.ext import CommandHandler

from bot.context import PanelbotApplication
from bot.db import Member
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.languages import LAUNCH_LANGUAGES


async def test_polish_speaker_is_welcomed_in_polish_and_can_switch_to_welsh(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database
) -> None:
    agnieszka = MemberDriver(emulator, 501, "Agnieszka", language_code="pl")

    await agnieszka.send("/start")
    welcome = await agnieszka.reply()
    assert welcome["text"].startswith(Translator("pl")("Hello! I am panelbot."))
    assert Translator("pl")("Hello! I am panelbot.") != "Hello! I am panelbot."

    await agnieszka.send("/language")
    question = await agnieszka.reply()
    assert "Cymraeg" in agnieszka.buttons(question)
    await agnieszka.tap("Cymraeg")
    confirmation = await agnieszka.reply()
    assert confirmation["text"] == Translator("cy")(
        "OK. I will write to you in English from now on."
    )
    assert "Gymraeg" in confirmation["text"]  # "in Welsh", in Welsh

    await agnieszka.send("/help")
    help_text = (await agnieszka.reply())["text"]
    welsh = Translator("cy")("Here is what I can do.")
    assert welsh != "Here is what I can do."
    assert help_text.startswith(welsh)

    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 501))
    assert member is not None and member.language == "cy"
    # Nothing personal was stored just for choosing a language.
    assert member.display_name is None


async def test_a_fault_is_explained_in_the_persons_language(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    async def broken(update: object, context: object) -> None:
        raise RuntimeError("the database fell over")

    app.add_handler(CommandHandler("boom", broken), group=-2)
    hamid = MemberDriver(emulator, 502, "Hamid", language_code="ur")
    await hamid.send("/boom")
    apology = await hamid.reply()
    expected = Translator("ur")(
        "Sorry, something went wrong on our side. What you just sent may not have been saved."
    )
    assert apology["text"].startswith(expected)
    assert (
        expected
        != "Sorry, something went wrong on our side. What you just sent may not have been saved."
    )


async def test_forged_and_stale_buttons_get_a_kind_answer(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database
) -> None:
    layla = MemberDriver(emulator, 503, "Layla", language_code="ar")
    await layla.send("/language")
    question = await layla.reply()
    expired = Translator("ar")(
        "This button no longer works. Type /help to see what you can do now."
    )
    forged = await layla.tap_data(question["message_id"], "lang:1:xx")
    assert forged["text"] == expired
    stale = await layla.tap_data(question["message_id"], "meeting:0:rsvp:1")
    assert stale["text"] == expired
    async with db.session() as session:
        assert await session.scalar(select(Member).where(Member.telegram_id == 503)) is None


async def test_text_the_bot_does_not_expect_gets_a_plain_answer(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    rhys = MemberDriver(emulator, 504, "Rhys", language_code="cy")
    await rhys.send("<b>hello?</b> " + "x" * 4000)
    answer = await rhys.reply()
    assert answer["text"] == Translator("cy")(
        "Sorry, I did not understand that. Type /help to see what I can do."
    )
    await rhys.send_sticker()
    assert (await rhys.reply())["text"] == answer["text"]


async def test_the_command_menu_is_published_in_every_language(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    for language in LAUNCH_LANGUAGES:
        commands = emulator.commands(language_code=language)
        names = [c["command"] for c in commands]
        assert names == [
            "start",
            "menu",
            "meetings",
            "claim",
            "expenses",
            "settings",
            "explain",
            "feedback",
            "help",
            "language",
            "mydata",
            "forgetme",
        ]
        described = {c["command"]: c["description"] for c in commands}
        assert described["language"] == Translator(language)("Change the language")
