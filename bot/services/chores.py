"""Daily housekeeping: finance records past their retention, and receipt files nobody needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.db.engine import Database
from bot.services import forgetting, receipt_files


@dataclass(frozen=True)
class ChoreReport:
    expired_claims: int
    orphan_files: int


async def run_daily(db: Database, data_dir: Path, now: datetime) -> ChoreReport:
    async with db.session() as session:
        expired = await forgetting.purge_expired(session, now.date())
    # After the commit, so the expired claims' receipts are orphans now.
    async with db.session() as session:
        orphans = await receipt_files.collect_orphans(session, data_dir, now=now)
    return ChoreReport(expired, orphans)
