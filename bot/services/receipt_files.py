"""Receipt files on disk that no claim needs any more: collected, so none outlive their claim.

A file is needed while a receipt row names it, or a half-finished claim (a draft) holds it.
Everything else under `receipts/` is an orphan: a claim cancelled before it was sent, taken
back, or deleted by /forgetme or at the end of its retention. Files younger than `grace` are
left alone by the daily sweep, as a receipt is written a moment before its draft is saved.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import ClaimLine, Draft, Receipt


def _paths_in(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _paths_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _paths_in(item, found)
    elif isinstance(value, str) and value.startswith("receipts/"):
        found.add(value)


async def needed_paths(session: AsyncSession) -> set[str]:
    paths = set((await session.scalars(select(Receipt.path))).all())
    for data in (await session.scalars(select(Draft.data))).all():
        _paths_in(data, paths)
    return paths


async def collect_orphans(
    session: AsyncSession,
    data_dir: Path,
    *,
    member_id: int | None = None,
    now: datetime | None = None,
    grace: timedelta = timedelta(hours=1),
) -> int:
    """Delete receipt files nothing needs: one member's (right after they cancel or take back a
    claim) or everyone's (the daily sweep, sparing files younger than `grace`). Returns how
    many files went."""
    root = data_dir / "receipts"
    folder = root / str(member_id) if member_id is not None else root
    if not folder.is_dir():
        return 0
    needed = await needed_paths(session)
    oldest = (now - grace).timestamp() if now is not None and member_id is None else None
    removed = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.relative_to(data_dir).as_posix() in needed:
            continue
        if oldest is not None and path.stat().st_mtime > oldest:
            continue
        path.unlink()
        removed += 1
    for empty in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(empty.iterdir()):
            empty.rmdir()
    if member_id is not None and not any(folder.iterdir()):
        folder.rmdir()
    return removed


async def drop_receipts_of_claim(session: AsyncSession, claim_id: int) -> None:
    """A claim taken back keeps its record for the member, but not its receipts."""
    lines = select(ClaimLine.id).where(ClaimLine.claim_id == claim_id)
    for receipt in (await session.scalars(select(Receipt).where(Receipt.line_id.in_(lines)))).all():
        await session.delete(receipt)
