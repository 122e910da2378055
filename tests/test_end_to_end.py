"""The real bot, polling the emulator over HTTP, used the way a person would use it."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import PanelbotApplication
from bot.db import Member
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator


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
