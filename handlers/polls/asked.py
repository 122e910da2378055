"""/results' first answer: the questions this coordinator asked, one button each. Also who is
asking (their actor), which every coordinator step of polls needs."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.services import access, poll_asking
from handlers.chat.common import button, reply
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.polls.buttons import ResultsTap


async def actor_of(context: PanelContext, update: Update) -> access.Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


def results_data(op: str, poll_id: int) -> str:
    return ResultsTap(op, poll_id).pack()


async def results_command(update: Update, context: PanelContext) -> None:
    t = context.t
    actor = await actor_of(context, update)
    panels = await access.coordinated_panels(context.session, actor)
    if not panels:
        access.refuse(context.session, actor, "/results")
        await reply(update, t(NO_PANEL_ROLE))
        return
    found = await poll_asking.recent(context.session, actor, [p for p, _ in panels])
    if not found:
        await reply(update, t("You have not asked any questions yet. Type /newpoll to ask one."))
        return
    rows = [[button(p.question[:60], results_data("v", p.id))] for p in found]
    await reply(update, t("Which question?"), reply_markup=InlineKeyboardMarkup(rows))
