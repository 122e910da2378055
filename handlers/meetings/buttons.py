"""Every meeting button ("mt:1:<action>:<meeting id>[:...]"): which answer it gets, and the kind
words when the meeting is not the person's or can no longer be changed."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import PanelContext
from bot.services.access import NotAllowed
from bot.services.meeting_rules import MeetingError
from handlers.chat.button_data import ButtonData, read
from handlers.chat.common import answer_expired, remove_buttons
from handlers.meetings import button_records as b
from handlers.meetings import coordinating, invited

_ACTIONS: dict[type[ButtonData], Any] = {
    b.DidYouCome: invited.came,
    b.AnswerInvitation: invited.rsvp,
    b.AnswerOn: invited.rsvp,
    b.ToggleSupport: invited.toggle,
    b.OtherSupport: invited.something_else,
    b.SupportDone: invited.support_done,
    b.CalendarFile: invited.calendar_file,
    b.AskToRepeat: coordinating.ask_repeat,
    b.RepeatMeeting: coordinating.repeat,
    b.WhoIsComing: coordinating.attendance,
    b.MoveMeeting: coordinating.ask_new_time,
    b.AskToCancel: coordinating.confirm_cancel,
    b.CancelMeeting: coordinating.cancel,
    b.KeepMeeting: coordinating.keep,
}
_COORDINATOR: set[type[ButtonData]] = {
    b.WhoIsComing,
    b.MoveMeeting,
    b.AskToCancel,
    b.CancelMeeting,
    b.AskToRepeat,
    b.RepeatMeeting,
}


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    tapped = read(query.data, *_ACTIONS)
    meeting_id: int | None = getattr(tapped, "meeting", None)
    if tapped is None or meeting_id is None or meeting_id > 10**12:
        await answer_expired(query, context)
        return
    try:
        await _ACTIONS[type(tapped)](update, context, meeting_id, tapped)
    except NotAllowed:
        await context.session.rollback()
        await query.answer(
            context.t(
                coordinating.ONLY_COORDINATORS
                if type(tapped) in _COORDINATOR
                else invited.NOT_YOURS
            ),
            show_alert=True,
        )
    except MeetingError:
        await context.session.rollback()
        await query.answer(context.t(invited.GONE), show_alert=True)
        if isinstance(tapped, b.AnswerOn | b.AnswerInvitation):
            await remove_buttons(query, context)  # nothing left to answer on this card
