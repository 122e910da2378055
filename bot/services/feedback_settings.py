"""A panel's feedback settings: its own urgent help lines, and how many answers a poll needs
before anything is shown (the small-numbers rule, bot.services.small_numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import FeedbackSettings
from bot.services.access import Actor, require_coordinator
from bot.services.feedback import FeedbackError
from bot.services.small_numbers import MIN_ANSWERS, min_answers_for

MAX_HELPLINES = 6


@dataclass(frozen=True)
class Helpline:
    name: str
    number: str


async def helplines(session: AsyncSession, panel_id: int | None) -> list[Helpline] | None:
    """The panel's own urgent help lines, or None for the built-in UK ones."""
    if panel_id is None:
        return None
    stored = await session.scalar(
        select(FeedbackSettings.helplines).where(FeedbackSettings.panel_id == panel_id)
    )
    if not stored:
        return None
    return [Helpline(str(h["name"]), str(h["number"])) for h in stored]


def parse_helplines(text: str) -> list[Helpline]:
    """Lines like "Samaritans: 116 123"."""
    found = []
    for line in text.splitlines():
        name, sep, number = line.partition(":")
        if not line.strip():
            continue
        if not sep or not name.strip() or not number.strip():
            raise FeedbackError("helpline")
        if len(name) > 80 or len(number) > 40:
            raise FeedbackError("helpline")
        found.append(Helpline(name.strip(), number.strip()))
    if not found or len(found) > MAX_HELPLINES:
        raise FeedbackError("helpline")
    return found


async def _settings(session: AsyncSession, panel_id: int) -> FeedbackSettings:
    row = await session.get(FeedbackSettings, panel_id)
    if row is None:
        row = FeedbackSettings(panel_id=panel_id, min_answers=MIN_ANSWERS)
        session.add(row)
    return row


async def set_helplines(
    session: AsyncSession, actor: Actor, panel_id: int, lines: list[Helpline] | None
) -> None:
    """Set the panel's help lines; None goes back to the built-in UK ones. Commits."""
    await require_coordinator(session, actor, panel_id)
    row = await _settings(session, panel_id)
    row.helplines = [{"name": h.name, "number": h.number} for h in lines] if lines else None
    await session.commit()


async def set_min_answers(session: AsyncSession, actor: Actor, panel_id: int, n: int) -> None:
    """How many answers a poll needs before anything is shown: never fewer than 3. Commits."""
    await require_coordinator(session, actor, panel_id)
    if n < MIN_ANSWERS or n > 1000:
        raise FeedbackError("min_answers")
    row = await _settings(session, panel_id)
    row.min_answers = n
    await session.commit()


async def coordinator_settings(
    session: AsyncSession, actor: Actor, panel_id: int
) -> tuple[list[Helpline] | None, int]:
    """A panel's help lines and answers needed, for one of its coordinators only."""
    await require_coordinator(session, actor, panel_id)
    return await helplines(session, panel_id), await min_answers_for(session, panel_id)
