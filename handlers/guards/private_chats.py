"""One rule before every feature: personal things happen only in a private chat with the bot.

Rosters, access needs, payment choices, claims and answers must never be posted to a group, so
no feature handler ever sees an update from a group or channel: a command there gets one short
reply with a button to the private chat, a tap on a button there gets the same words in a
pop-up, anything else is ignored. An edited message is never taken as a new command or answer
(the person is told to send it again). Inline queries pass: they only look words up in the
glossary, which holds nothing about anyone.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import PanelContext
from bot.i18n import N_
from handlers.chat.common import reply

GROUP_REPLY = N_("Please write to me in a private chat. What you tell me stays between us.")
OPEN_PRIVATE_CHAT = N_("Open a private chat")
EDITED = N_(
    "I do not read changes to a message. Please send it again as a new message, if you need to."
)


def _is_addressed_to_bot(update: Update, username: str | None) -> bool:
    """A command, a mention of the bot or a reply to it: someone in the group meant the bot."""
    message = update.message
    if message is None:
        return False
    text = message.text or message.caption or ""
    if text.startswith("/"):
        return True
    if username and f"@{username}".lower() in text.lower():
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.is_bot)


async def keep_personal_things_private(update: object, context: PanelContext) -> None:
    if not isinstance(update, Update):
        return
    if update.edited_message is not None or update.edited_channel_post is not None:
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            await reply(update, context.t(EDITED))
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return  # private chats, inline queries and taps on inline-mode messages go on
    t = context.t
    if update.callback_query is not None:
        await update.callback_query.answer(t(GROUP_REPLY), show_alert=True)
    elif _is_addressed_to_bot(update, context.bot.username):
        link = f"https://t.me/{context.bot.username}"
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(t(OPEN_PRIVATE_CHAT), url=link)]])
        await reply(update, t(GROUP_REPLY), reply_markup=keyboard)
    raise ApplicationHandlerStop
