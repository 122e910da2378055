"""Text helpers every feature shares: tidying what a person typed, and cutting long text into
messages Telegram accepts. Generic only: nothing here knows about one feature."""

from __future__ import annotations

import unicodedata

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_
from handlers.chat.common import reply

# Telegram's limit is 4096 characters per message; keep a margin for a header.
MESSAGE_LIMIT = 4000

# Said by more than one feature's questions.
TAP_PLEASE = N_("Please tap one of the buttons.")
NOT_UNDERSTOOD = N_("Sorry, I did not understand that. Type /help to see what I can do.")


def printable(text: str) -> str:
    """Control characters removed (new lines kept), spaces tidied, ends trimmed."""
    kept = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    lines = [" ".join(line.split()) for line in kept.splitlines()]
    return "\n".join(line for line in lines if line)


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units, so an emoji counts as two."""
    return len(text.encode("utf-16-le")) // 2


def pack(header: str, blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into as few messages as fit, never splitting one block across two."""
    messages: list[str] = []
    current = header
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if current and telegram_length(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def split_lines(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Whole lines into as few messages as fit Telegram's limit (a claim of ten items with long
    reasons, or a long list of meetings, can be longer than one message)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if current and telegram_length(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    return [*parts, current]


async def send_long(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Send `text` in as many messages as it needs; the buttons go under the last one."""
    parts = split_lines(text)
    for part in parts[:-1]:
        await reply(update, part)
    await reply(update, parts[-1], reply_markup=markup)
