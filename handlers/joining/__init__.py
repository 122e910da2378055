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
from handlers.chat.common import answer_expired, parse_callback
from handlers.joining import asking, language, onboarding, preferences
from handlers.joining.preferences import show_settings

__all__ = ["handlers", "show_settings"]


async def on_question_button(update: Update, context: PanelContext) -> None:
    """A tap on a question's button, "ob:1:<mode>:<step>:<value>": joining or /settings."""
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, asking.FEATURE, asking.VERSION)
    row = questions.question(args[1]) if args and len(args) == 3 else None
    if args is None or row is None or args[0] not in (asking.JOINING, asking.SETTINGS):
        await answer_expired(query, context)
        return
    if args[0] == asking.JOINING:
        await onboarding.on_tap(update, context, row, args[2])
    else:
        await preferences.on_tap(update, context, row, args[2])


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        *onboarding.handlers(),
        CallbackQueryHandler(on_question_button, pattern=rf"^{asking.FEATURE}:"),
        *language.handlers(),
        *preferences.handlers(),
    ]
