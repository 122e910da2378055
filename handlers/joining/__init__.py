"""Joining a panel and /settings, both driven by the questions table
(bot/services/questions.py), and /language.

- onboarding.py: the "joining" form: `/start <code>`, then the table's questions in order;
- preferences.py: the "settings" form: the table's settings list, one question again;
- asking.py: the one asking code both use (a row as a message with buttons);
- language.py: /language.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import PanelContext
from bot.services import questions
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired
from handlers.joining import language, onboarding, preferences
from handlers.joining.buttons import QUESTION, JoiningAnswer, SettingsAnswer
from handlers.joining.preferences import show_settings

__all__ = ["handlers", "show_settings"]


async def on_question_button(update: Update, context: PanelContext) -> None:
    """A tap on a question's button: while joining or from /settings."""
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, JoiningAnswer, SettingsAnswer)
    row = questions.question(tapped.step) if tapped else None
    if tapped is None or row is None:
        await answer_expired(query, context)
        return
    if isinstance(tapped, JoiningAnswer):
        await onboarding.on_tap(update, context, row, tapped.value)
    else:
        await preferences.on_tap(update, context, row, tapped.value)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        *onboarding.handlers(),
        CallbackQueryHandler(on_question_button, pattern=rf"^{QUESTION}:"),
        *language.handlers(),
        *preferences.handlers(),
    ]
