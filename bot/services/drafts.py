"""Half-finished forms, kept in the database: one per member and kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Draft


async def get(session: AsyncSession, member_id: int, kind: str) -> Draft | None:
    return await session.scalar(
        select(Draft).where(Draft.member_id == member_id, Draft.kind == kind)
    )


async def save(
    session: AsyncSession,
    member_id: int,
    kind: str,
    *,
    step: str,
    now: datetime,
    **data: Any,
) -> Draft:
    """Start or continue a draft: merge `data` into what is there and move to `step`."""
    draft = await get(session, member_id, kind)
    if draft is None:
        draft = Draft(member_id=member_id, kind=kind, step=step, data={}, updated_at=now)
        session.add(draft)
    # A new dict, so SQLAlchemy notices the change to the JSON column.
    draft.data = {**(draft.data or {}), **data}
    draft.step, draft.updated_at = step, now
    await session.flush()
    return draft


async def discard(session: AsyncSession, member_id: int, kind: str) -> None:
    await session.execute(delete(Draft).where(Draft.member_id == member_id, Draft.kind == kind))
