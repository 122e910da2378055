"""Telegram tells the bot when someone blocks it or starts it again (my_chat_member updates).

Blocking marks them unreachable at once, without waiting for a message to bounce; unblocking
(or writing to the bot again, bot/context.py) makes them reachable.
"""

from __future__ import annotations

from typing import Any

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.context import PanelContext
from bot.services import members

GONE = (ChatMember.BANNED, ChatMember.LEFT)


async def on_my_chat_member(update: Update, context: PanelContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    person = change.chat.id
    if change.new_chat_member.status in GONE:
        await members.mark_unreachable(context.session, person, now=context.runtime.clock.now())
    else:
        await members.mark_reachable(context.session, person)
    await context.session.commit()


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)]
