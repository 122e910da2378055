"""What the outbox sends: a rendered message, and the Bot API calls that send one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.services.outbox import ClaimedMessage


@dataclass
class Outgoing:
    """A message ready to send: what a renderer makes of an outbox row."""

    text: str | None = None
    parse_mode: str | None = "HTML"
    buttons: list[list[dict[str, str]]] | None = None
    photo: str | None = None
    voice: str | None = None  # a voice note's file_id (anonymous feedback passed on)
    document: str | bytes | None = None
    filename: str | None = None
    disable_notification: bool = False
    # A file sent straight after the message (a calendar file with an invitation).
    follow_up: bytes | None = None
    follow_up_name: str | None = None
    follow_up_caption: str | None = None


# A renderer turns a claimed row into a message at send time, in the person's current language.
# Returning None means "no longer needed" (for example the meeting was cancelled).
Renderer = Callable[[AsyncSession, ClaimedMessage], Awaitable[Outgoing | None]]


async def render_prepared(_session: AsyncSession, message: ClaimedMessage) -> Outgoing:
    """The `message` kind: the payload is already the finished message."""
    p = message.payload
    return Outgoing(
        text=p.get("text"),
        parse_mode=p.get("parse_mode", "HTML"),
        buttons=p.get("buttons"),
        photo=p.get("photo"),
        document=p.get("document"),
        filename=p.get("filename"),
        disable_notification=bool(p.get("silent", False)),
    )


def keyboard(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button["text"], callback_data=button.get("callback_data"), url=button.get("url")
                )
                for button in row
            ]
            for row in rows
        ]
    )


async def send_message(bot: Bot, chat_id: int, outgoing: Outgoing) -> Message:
    """The message itself (a follow-up file is sent on its own, after it is recorded)."""
    common: dict[str, Any] = {
        "chat_id": chat_id,
        "reply_markup": keyboard(outgoing.buttons),
        "disable_notification": outgoing.disable_notification,
        "parse_mode": outgoing.parse_mode,
    }
    if outgoing.photo is not None:
        return await bot.send_photo(photo=outgoing.photo, caption=outgoing.text, **common)
    if outgoing.voice is not None:
        return await bot.send_voice(voice=outgoing.voice, caption=outgoing.text, **common)
    if outgoing.document is not None:
        return await bot.send_document(
            document=outgoing.document,
            filename=outgoing.filename,
            caption=outgoing.text,
            **common,
        )
    return await bot.send_message(text=outgoing.text or "", **common)


async def send_follow_up(bot: Bot, chat_id: int, outgoing: Outgoing) -> None:
    assert outgoing.follow_up is not None
    await bot.send_document(
        chat_id=chat_id,
        document=outgoing.follow_up,
        filename=outgoing.follow_up_name,
        caption=outgoing.follow_up_caption,
        disable_notification=True,
    )
