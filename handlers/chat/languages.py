"""The launch languages as buttons, each written in its own language (shared by /start, /language
and the language question)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from handlers.chat.common import button
from handlers.chat.shared_buttons import ChooseLanguage


def language_rows(data: dict[str, str]) -> list[list[InlineKeyboardButton]]:
    """Two a row: big enough to tap, short enough to see all six without scrolling.
    `data` maps each language code to its button's callback data."""
    buttons = [button(LANGUAGE_NAMES[code], data[code]) for code in LAUNCH_LANGUAGES]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def language_keyboard() -> InlineKeyboardMarkup:
    """/language's list: a tap sets the language the bot writes in."""
    return InlineKeyboardMarkup(
        language_rows({code: ChooseLanguage(code).pack() for code in LAUNCH_LANGUAGES})
    )
