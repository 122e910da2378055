"""Give feedback at any time (/feedback or the menu button): anonymous or named, text or a voice
note (writing.py); coordinators reply through the bot and the member can answer back, still
anonymous (replies.py); the buttons (buttons.py); a panel's /helplines and /minanswers
(settings.py); what coordinators are sent about it (messages.py)."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from handlers.feedback import buttons, settings
from handlers.feedback.button_records import FEEDBACK
from handlers.feedback.messages import register
from handlers.feedback.shared import helpline_lines
from handlers.feedback.writing import start

__all__ = ["handlers", "helpline_lines", "register", "start"]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("feedback", start, filters=private),
        CallbackQueryHandler(buttons.on_button, pattern=rf"^{FEEDBACK}:"),
        *settings.handlers(),
    ]
