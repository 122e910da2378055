"""One live card per thing: the message a button was tapped on is edited in place to show what is
true now, instead of a new message under it that leaves the old buttons live.

Telegram refuses an edit that changes nothing ("message is not modified"), so the card is compared
with the message first; the refusal is still taken calmly, as another process may have edited it
a moment before."""

from __future__ import annotations

import re
from html import unescape

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from handlers.chat.text import MESSAGE_LIMIT, telegram_length

_TAG = re.compile(r"<[^>]*>")


def plain(text: str) -> str:
    """What a reader sees of our HTML: the tags gone, the entities read."""
    return unescape(_TAG.sub("", text)).strip()


def fits(text: str) -> bool:
    """Whether `text` fits one message, so the card can be edited rather than sent again."""
    return telegram_length(plain(text)) <= MESSAGE_LIMIT


def unchanged(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    shown = (
        message.reply_markup
        if message.reply_markup and message.reply_markup.inline_keyboard
        else None
    )
    wanted = markup if markup and markup.inline_keyboard else None
    return (message.text or "").strip() == plain(text) and shown == wanted


async def edit_card(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show `text` (HTML, people's words escaped) and `markup` on the tapped message."""
    message = query.message
    if isinstance(message, Message) and unchanged(message, text, markup):
        return
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
