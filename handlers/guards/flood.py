"""The one notice a person gets when they send more at once than the bot keeps waiting.

bot/update_order.py drops one person's updates beyond a small number waiting, so a flood cannot
hold up everyone else. The first dropped update of a flood comes here instead of to a feature:
the person is told once, in their language, that some of what they sent was not read.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import PanelContext
from bot.i18n import N_
from bot.update_order import PerPersonUpdateProcessor
from handlers.chat.common import reply

TOO_MANY = N_(
    "You sent many messages at once, so I could not read them all. "
    "Please wait for my answers. Then send again anything I missed."
)


async def tell_once(update: object, context: PanelContext) -> None:
    processor = context.application.update_processor
    if not (isinstance(processor, PerPersonUpdateProcessor) and processor.is_notice(update)):
        return
    assert isinstance(update, Update)
    chat = update.effective_chat
    if update.callback_query is not None:
        await update.callback_query.answer(context.t(TOO_MANY), show_alert=True)
    elif chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, context.t(TOO_MANY))
    raise ApplicationHandlerStop
