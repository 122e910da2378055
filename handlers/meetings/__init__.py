"""Meetings, one feature: a coordinator plans one with /newmeeting (planner*.py), members answer
the invitation and say what would help them come (invited.py), coordinators see who is coming and
move, cancel or repeat it (coordinating.py); messages.py renders what the outbox sends."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from handlers.meetings import planner
from handlers.meetings.buttons import on_button
from handlers.meetings.coordinating import attendance_command
from handlers.meetings.invited import meetings_command
from handlers.meetings.messages import register

__all__ = ["handlers", "meetings_command", "register"]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """/newmeeting, /meetings, /attendance and every meeting button. Typed answers reach the
    forms through the form engine's one message handler (handlers/forms)."""
    return [
        *planner.handlers(),
        CommandHandler("meetings", meetings_command),
        CommandHandler("attendance", attendance_command),
        CallbackQueryHandler(on_button, pattern=r"^mt:"),
    ]
