"""The small-numbers rule: nothing about answers is shown, and no anonymous content is written,
with fewer than k people behind it. k is the panel's choice, never below MIN_ANSWERS."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import FeedbackSettings

MIN_ANSWERS = 3  # the floor: results are never shown with fewer answers than this


async def min_answers_for(session: AsyncSession, panel_id: int) -> int:
    chosen = await session.scalar(
        select(FeedbackSettings.min_answers).where(FeedbackSettings.panel_id == panel_id)
    )
    return max(MIN_ANSWERS, chosen or MIN_ANSWERS)
