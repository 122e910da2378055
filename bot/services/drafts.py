"""Half-finished forms, kept in the database: one per member and kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Draft

# Plain statements on the table, built once: every step of every form reads its draft and saves
# it, and loading and flushing an ORM object cost more CPU than the statements themselves.
_TABLE = cast(Table, Draft.__table__)
_WHERE = (_TABLE.c.member_id == bindparam("of_member")) & (_TABLE.c.kind == bindparam("of_kind"))
_READ = select(_TABLE.c.step, _TABLE.c.data).where(_WHERE)
_CHANGES = {
    "step": bindparam("new_step", type_=_TABLE.c.step.type),
    "data": bindparam("new_data", type_=_TABLE.c.data.type),
    "updated_at": bindparam("now", type_=_TABLE.c.updated_at.type),
}
_UPDATE = update(_TABLE).where(_WHERE).values(**_CHANGES)
_INSERT = insert(_TABLE).values(
    member_id=bindparam("new_member", type_=_TABLE.c.member_id.type),
    kind=bindparam("new_kind", type_=_TABLE.c.kind.type),
    **_CHANGES,
)
_SEEN = "drafts"  # session.info: drafts this transaction has read or written


@dataclass(frozen=True)
class DraftView:
    step: str
    data: dict[str, Any]


def _seen(session: AsyncSession) -> dict[tuple[int, str], DraftView | None]:
    """What this transaction already knows, so a step's read-then-save reads once (the target
    is at most 5 statements per update). Tied to the transaction: a rollback or commit forgets."""
    transaction = session.sync_session.get_transaction()
    cache = session.info.get(_SEEN)
    if cache is None or cache[0] is not transaction:
        cache = (transaction, {})
        session.info[_SEEN] = cache
    seen: dict[tuple[int, str], DraftView | None] = cache[1]
    return seen


async def get(session: AsyncSession, member_id: int, kind: str) -> DraftView | None:
    key = (member_id, kind)
    seen = _seen(session)
    if key not in seen:
        row = (await session.execute(_READ, {"of_member": member_id, "of_kind": kind})).first()
        # The read began the transaction: remember it under that transaction.
        seen = _seen(session)
        seen[key] = DraftView(row.step, dict(row.data or {})) if row else None
    return seen[key]


async def save(
    session: AsyncSession,
    member_id: int,
    kind: str,
    *,
    step: str,
    now: datetime,
    **data: Any,
) -> DraftView:
    """Start or continue a draft: merge `data` into what is there and move to `step`."""
    draft = await get(session, member_id, kind)
    merged = {**(draft.data if draft else {}), **data}
    changes = {"new_step": step, "new_data": merged, "now": now}
    if draft:
        await session.execute(_UPDATE, {"of_member": member_id, "of_kind": kind, **changes})
    else:
        await session.execute(_INSERT, {"new_member": member_id, "new_kind": kind, **changes})
    saved = DraftView(step, merged)
    _seen(session)[(member_id, kind)] = saved
    return saved


async def discard(session: AsyncSession, member_id: int, kind: str) -> None:
    await session.execute(delete(Draft).where(Draft.member_id == member_id, Draft.kind == kind))
    _seen(session)[(member_id, kind)] = None
