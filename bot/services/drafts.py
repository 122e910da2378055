"""Half-finished forms, kept in the database: one per member and kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Draft

# Built once: every step of every form reads its draft.
_DRAFT = select(Draft).where(
    Draft.member_id == bindparam("member_id"), Draft.kind == bindparam("kind")
)


async def get(session: AsyncSession, member_id: int, kind: str) -> Draft | None:
    # A form step reads its draft and then saves it: the second look comes from the session,
    # saving a statement on every step (the target is at most 5 per update).
    for loaded in session.identity_map.values():
        if not isinstance(loaded, Draft):
            continue
        state = inspect(loaded)  # after a rollback attributes are expired: never load them here
        if state.unloaded or state.deleted or state.was_deleted:
            continue
        if (loaded.member_id, loaded.kind) == (member_id, kind):
            return loaded
    return await session.scalar(_DRAFT, {"member_id": member_id, "kind": kind})


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
