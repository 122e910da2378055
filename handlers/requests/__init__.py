"""Members' questions and requests to coordinators, answered with Reply: the coordinator's notice
(messages.py), the Reply form (replying.py) and what each kind is about, in words (words.py).

Features ask through the service (bot/services/member_requests.py `ask`); the Reply button's data
lives in handlers/chat/request_buttons.py, so a feature's own notice (a meeting's support note)
can carry it without importing this package."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler

from handlers.chat.request_buttons import REQUESTS
from handlers.requests import replying
from handlers.requests.messages import register

__all__ = ["handlers", "register"]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(replying.on_button, pattern=rf"^{REQUESTS}:")]
