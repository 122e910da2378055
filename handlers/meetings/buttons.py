"""Every meeting button ("mt:1:<action>:<meeting id>[:...]"): which answer it gets, and the kind
words when the meeting is not the person's or can no longer be changed."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import PanelContext
from bot.services.access import NotAllowed
from bot.services.meeting_rules import MeetingError
from handlers.chat.common import answer_expired, parse_callback
from handlers.meetings import coordinating, invited
from handlers.meetings.messages import FEATURE, VERSION

_ACTIONS: dict[str, Any] = {
    "came": invited.came,
    "rsvp": invited.rsvp,
    "sup": invited.toggle,
    "supother": invited.something_else,
    "supdone": invited.support_done,
    "ics": invited.calendar_file,
    "repeat": coordinating.ask_repeat,
    "rep": coordinating.repeat,
    "att": coordinating.attendance,
    "move": coordinating.ask_new_time,
    "cancel": coordinating.confirm_cancel,
    "cancelyes": coordinating.cancel,
    "keep": coordinating.keep,
}
_COORDINATOR = {"att", "move", "cancel", "cancelyes", "repeat", "rep"}


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    if (
        not args
        or len(args) < 2
        or not (args[1].isascii() and args[1].isdigit())
        or len(args[1]) > 12
    ):
        await answer_expired(query, context)
        return
    action, meeting_id, rest = args[0], int(args[1]), args[2:]
    handler = _ACTIONS.get(action)
    if handler is None:
        await answer_expired(query, context)
        return
    try:
        await handler(update, context, meeting_id, rest)
    except NotAllowed:
        await context.session.rollback()
        await query.answer(
            context.t(
                coordinating.ONLY_COORDINATORS if action in _COORDINATOR else invited.NOT_YOURS
            ),
            show_alert=True,
        )
    except MeetingError:
        await context.session.rollback()
        await query.answer(context.t(invited.GONE), show_alert=True)
