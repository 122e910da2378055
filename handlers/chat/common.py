"""Small helpers shared by handlers: replying in the person's language, buttons, and the kind note
for a button that no longer works (what a button carries: handlers/chat/button_data.py)."""

from __future__ import annotations

import warnings
from collections import OrderedDict

from telegram import CallbackQuery, InlineKeyboardButton, Update
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

from bot.context import PanelContext
from bot.i18n import N_

SEND_MESSAGE = "sendMessage"
# do_api_request suggests send_message when a method has one; reply() uses it on purpose.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)

EXPIRED_BUTTON = N_("This button no longer works. Type /help to see what you can do now.")


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


async def answer_expired(query: CallbackQuery, context: PanelContext) -> None:
    await query.answer(context.t(EXPIRED_BUTTON), show_alert=True)


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Reply in the chat the update came from, as HTML (callers escape people's text).

    `kwargs` are sendMessage's own parameters (reply_markup=...). Sent through PTB's public
    do_api_request, which skips building a Message from Telegram's answer: no handler reads it,
    and for a message with buttons that was a tenth of an update's CPU (bench/updates.py). The
    rate limiter, errors and retries are the same as send_message's."""
    chat = update.effective_chat
    if chat is None:
        return
    parameters = {"chat_id": chat.id, "text": text, "parse_mode": "HTML", **kwargs}
    await update.get_bot().do_api_request(SEND_MESSAGE, api_kwargs=parameters)


# How many messages whose buttons were taken off are remembered (in the application's bot_data).
REMEMBERED = 10_000
BUTTONS_REMOVED = "buttons_removed"


async def remove_buttons(query: CallbackQuery, context: PanelContext) -> None:
    """Take the buttons off the message that was tapped, once. Two quick taps on one message are
    two updates carrying the same buttons; one person's updates run in order, so the second sees
    the first's note and does not ask Telegram again (it would refuse: "message is not
    modified")."""
    removed: OrderedDict[tuple[int, int], None] = context.bot_data.setdefault(
        BUTTONS_REMOVED, OrderedDict()
    )
    message = query.message
    key = (message.chat.id, message.message_id) if message else None
    if key is not None and key in removed:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        # Another process took them off already: nothing left to do.
        if "not modified" not in error.message.lower():
            raise
    if key is not None:
        removed[key] = None
        if len(removed) > REMEMBERED:
            removed.popitem(last=False)
