"""Small helpers shared by handlers: replying in the person's language and versioned buttons."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, Update

from bot.context import PanelContext
from bot.i18n import N_

# Callback data is "feature:version:args". A version bump makes old buttons kindly expire.
SEPARATOR = ":"

EXPIRED_BUTTON = N_("This button no longer works. Type /help to see what you can do now.")


def callback_data(feature: str, version: int, *args: str | int) -> str:
    data = SEPARATOR.join([feature, str(version), *map(str, args)])
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over Telegram's 64 bytes: {data!r}")
    return data


def parse_callback(data: str | None, feature: str, version: int) -> list[str] | None:
    """The arguments of a button of this feature and version, or None if forged or stale."""
    if not data:
        return None
    parts = data.split(SEPARATOR)
    if len(parts) < 2 or parts[0] != feature or parts[1] != str(version):
        return None
    return parts[2:]


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


async def answer_expired(query: CallbackQuery, context: PanelContext) -> None:
    await query.answer(context.t(EXPIRED_BUTTON), show_alert=True)


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Reply in the chat the update came from, as HTML (callers escape people's text)."""
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(text, parse_mode="HTML", **kwargs)  # type: ignore[arg-type]
