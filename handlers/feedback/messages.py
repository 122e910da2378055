"""What coordinators are sent about feedback, rendered in their language when the outbox sends
it: a member's message (anonymous or named), a voice note, an answer back, with Reply where a
reply can go back."""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Feedback, Member
from bot.delivery import Delivery, Outgoing
from bot.i18n import Translator, translator
from bot.services import feedback
from bot.services.feedback import chunks
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from handlers.feedback.button_records import ReplyToMessage


def _reader(member: Member | None) -> Translator:
    if member is None:
        return translator("en")
    return translator(member.language or "en", member.easy_read)


def feedback_heading(t: Translator, number: int, name: str | None) -> str:
    if name is None:
        return t("📨 Anonymous message #{n}", n=number)
    return t("📨 Message #{n} from {name}", n=number, name=escape(name))


def reply_button(t: Translator, feedback_id: int) -> list[list[dict[str, str]]]:
    return [[{"text": t("Reply"), "callback_data": ReplyToMessage(feedback_id).pack()}]]


async def notice(session: AsyncSession, row: ClaimedMessage) -> Any:
    member = await session.get(Member, row.member_id) if row.member_id else None
    t = _reader(member)
    item = await session.get(Feedback, int(row.payload["feedback_id"]))
    if item is None:
        return None
    name = None
    if item.member_id is not None:
        name = await session.scalar(select(Member.display_name).where(Member.id == item.member_id))
        name = name or "?"
    heading = feedback_heading(t, item.number, name)
    can_reply = await feedback.can_reply(session, item)
    buttons = reply_button(t, item.id) if can_reply else None
    voice = item.voice_file_id
    if "reply_id" in row.payload:
        turn = await feedback.reply_turn(session, int(row.payload["reply_id"]))
        text, voice = (turn.text or "", turn.voice_file_id) if turn else ("", None)
        heading += "\n" + t("They wrote back:")
    else:
        text = item.text or ""
    if voice and not text:
        caption = heading + "\n" + t("They sent a voice note.")
        return Outgoing(text=caption, voice=voice, buttons=buttons)
    if not can_reply:
        heading += "\n" + t("They asked for no reply.")
    parts = chunks(text)
    part = int(row.payload.get("part", 0))
    if not 0 <= part < len(parts):
        return None
    body = escape(parts[part])
    if part == 0:
        body = f"{heading}\n\n{body}"
    if part < len(parts) - 1:
        body += "\n\n" + t("(continued in the next message)")
    return Outgoing(text=body, buttons=buttons if part == len(parts) - 1 else None)


def register(delivery: Delivery) -> None:
    delivery.register(Kind.FEEDBACK_NOTICE, notice)
