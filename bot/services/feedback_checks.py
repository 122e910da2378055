"""The checks an anonymous message or answer back passes before it is held in memory
(bot.services.anonymous): the same rules `feedback.submit` and `feedback.answer_back` apply,
without writing anything."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Feedback
from bot.services import feedback
from bot.services.access import NotAllowed
from bot.services.anonymous import HeldMessage
from bot.services.feedback import MAX_TEXT, FeedbackError


def anonymous_message(
    panels: list[tuple[int, str]],
    telegram_id: int,
    panel_id: int,
    text: str | None,
    voice_file_id: str | None,
    *,
    reply: bool,
) -> HeldMessage:
    """`panels`: the sender's active panels (feedback.active_panels)."""
    if panel_id not in {p for p, _ in panels}:
        raise NotAllowed("not a member of this panel")
    if not (text and text.strip()) and not voice_file_id:
        raise FeedbackError("empty")
    if (text and len(text) > MAX_TEXT) or (voice_file_id and len(voice_file_id) > 200):
        raise FeedbackError("long")
    return HeldMessage(
        panel_id=panel_id,
        sender=telegram_id,
        text=text.strip() if text and text.strip() else None,
        voice_file_id=voice_file_id,
        route_to=telegram_id if reply else None,
    )


async def answer_back(
    session: AsyncSession,
    telegram_id: int,
    item: Feedback,
    text: str | None,
    voice_file_id: str | None,
) -> HeldMessage:
    """Only the person the message's route leads to may answer back."""
    if not await feedback.owns(session, telegram_id, item.id):
        raise NotAllowed("not this person's message")
    words = text.strip() if text else None
    if not words and not voice_file_id:
        raise FeedbackError("empty")
    if (words and len(words) > MAX_TEXT) or (voice_file_id and len(voice_file_id) > 200):
        raise FeedbackError("long")
    return HeldMessage(
        panel_id=item.panel_id,
        sender=telegram_id,
        text=words,
        voice_file_id=voice_file_id,
        back_on=item.id,
    )
