"""Two quick taps on one message are two updates: the second must not be refused by Telegram
("message is not modified") nor answered with "Sorry, something went wrong"."""

from __future__ import annotations

from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator

AMINA = 611


async def test_two_quick_taps_on_a_language_list_change_it_once_and_nothing_is_refused(
    app: object, emulator: BotApiEmulator
) -> None:
    amina = MemberDriver(emulator, AMINA, "Amina", language_code="en")
    await amina.send("/language")
    choices = await amina.reply()
    welsh = next(
        button["callback_data"]
        for row in choices["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].endswith(":cy")
    )
    calls_before = len(emulator.calls())
    # Both taps reach the bot before it has handled the first: the buttons are on both.
    emulator.user_taps(AMINA, choices["message_id"], welsh)
    second = emulator.user_taps(AMINA, choices["message_id"], welsh)
    assert await emulator.wait_for(lambda: emulator.answer_for(second), 5.0) is not None
    replies = await amina.replies(2)

    refused = [
        f"{call.method}: {call.description}"
        for call in emulator.calls()[calls_before:]
        if call.outcome == "error"
    ]
    assert not refused
    saved = Translator("cy")("OK. I will write to you in English from now on.")
    assert [r["text"] for r in replies] == [saved, saved]
    assert "reply_markup" not in (emulator.message(AMINA, choices["message_id"]) or {})
