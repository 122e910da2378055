"""News from coordinators (broadcasts): writing it on the form engine (compose, questions, taps),
what members get and the coordinator's progress report (copies), and news already sent (sent)."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from handlers.broadcasts import sent, taps
from handlers.broadcasts.buttons import NEWS, CancelNews, WhoWasNotReached
from handlers.broadcasts.compose import FORM, new_broadcast
from handlers.broadcasts.copies import register as register_delivery
from handlers.broadcasts.sent import list_broadcasts, show_latest

__all__ = [
    "FORM",
    "handlers",
    "list_broadcasts",
    "new_broadcast",
    "register_delivery",
    "show_latest",
]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Typed words reach the form through the engine's one message handler (FORM.receive)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("broadcast", new_broadcast, filters=private),
        CommandHandler("broadcasts", list_broadcasts, filters=private),
        CallbackQueryHandler(
            sent.on_button,
            pattern=rf"^{NEWS}:1:({WhoWasNotReached.ACTION}|{CancelNews.ACTION})(:|$)",
        ),
        CallbackQueryHandler(taps.on_button, pattern=rf"^{NEWS}:"),
    ]
