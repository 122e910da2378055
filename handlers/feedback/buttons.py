"""The feedback buttons (handlers/feedback/button_records.py): how to send, which panel, a
coordinator replies, the member answers back."""

from __future__ import annotations

from telegram import Update

from bot.context import PanelContext
from bot.services import access
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired
from handlers.feedback import replies, writing
from handlers.feedback.button_records import (
    FEEDBACK_BUTTONS,
    AnswerBack,
    HowToSend,
    ReplyToMessage,
    SendToPanel,
)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    tapped = read(query.data, *FEEDBACK_BUTTONS)
    if tapped is None or context.member is None:
        if tapped:  # someone who never joined has no messages or panels: a forged button
            actor = await access.actor_for(
                context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
            )
            access.refuse(context.session, actor, "fb:" + tapped.ACTION)
        await answer_expired(query, context)
        return
    if isinstance(tapped, HowToSend | SendToPanel) and tapped.mode in writing.MODE_LABELS:
        if not await writing.choose(update, context, tapped):
            await answer_expired(query, context)
    elif isinstance(tapped, ReplyToMessage) and tapped.feedback < 10**18:
        await replies.open_reply(update, context, tapped.feedback)
    elif isinstance(tapped, AnswerBack) and tapped.feedback < 10**18:
        await replies.open_answer_back(update, context, tapped.feedback)
    else:
        await answer_expired(query, context)
