"""The feedback buttons: "fb:1:m:<mode>" (how to send), "fb:1:p:<mode>:<panel>" (which panel),
"fb:1:r:<id>" (a coordinator replies), "fb:1:b:<id>" (the member answers back)."""

from __future__ import annotations

from telegram import Update

from bot.context import PanelContext
from bot.services import access
from handlers.chat.common import answer_expired, parse_callback
from handlers.feedback import replies, writing
from handlers.feedback.messages import FEEDBACK_VERSION
from handlers.feedback.shared import FEATURE_ID, number


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    args = parse_callback(query.data, FEATURE_ID, FEEDBACK_VERSION)
    if not args or context.member is None:
        if args:  # someone who never joined has no messages or panels: a forged button
            actor = await access.actor_for(
                context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
            )
            access.refuse(context.session, actor, "fb:" + args[0][:20])
        await answer_expired(query, context)
        return
    op, rest = args[0], args[1:]
    if op in ("m", "p") and rest and rest[0] in writing.MODE_LABELS:
        if not await writing.choose(update, context, op, rest):
            await answer_expired(query, context)
        return
    feedback_id = number(rest[0]) if len(rest) == 1 else None
    if op == "r" and feedback_id is not None:
        await replies.open_reply(update, context, feedback_id)
    elif op == "b" and feedback_id is not None:
        await replies.open_answer_back(update, context, feedback_id)
    else:
        await answer_expired(query, context)
