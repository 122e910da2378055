"""One live card per thing: the message a button was tapped on is edited in place to show what is
true now, instead of a new message under it that leaves the old buttons live.

Telegram refuses an edit that changes nothing ("message is not modified"), so the card is compared
with the message first; the refusal is still taken calmly, as another process may have edited it
a moment before."""

from __future__ import annotations

import contextlib
import re
from html import unescape

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message
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


async def edit_card(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Show `text` (HTML, people's words escaped) and `markup` on the tapped message. False when
    Telegram would not edit it (gone, or not text): the caller sends the card anew."""
    message = query.message
    if isinstance(message, Message) and unchanged(message, text, markup):
        return True
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as error:
        return _not_modified(error)
    return True


async def edit_by_id(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> bool:
    """The same for a card that was not tapped (after words typed in answer to it)."""
    try:
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode="HTML", reply_markup=markup
        )
    except BadRequest as error:
        return _not_modified(error)
    return True


async def take_buttons_off(bot: Bot, chat_id: int, message_id: int) -> None:
    """An old card's buttons go when a new card takes its place."""
    with contextlib.suppress(BadRequest):  # none left, or gone: nothing is live there either way
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in error.message.lower()
