"""Polls: a coordinator asks the panel a question (/newpoll), members answer it (a tap, typed
words, or Skip), the coordinator sees the results (/results) and shares them with
"You said, we did". What members are sent is rendered in messages.py.

Modules: newpoll (the form) with newpoll_preview and newpoll_versions; answers; asked and
results; changes (a new closing time, reminders); we_did; messages."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.polls import answers, changes, newpoll, results, we_did
from handlers.polls.messages import register

__all__ = ["handlers", "register"]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        *newpoll.handlers(),
        *answers.handlers(),
        *results.handlers(),
        *changes.handlers(),
        *we_did.handlers(),
    ]
