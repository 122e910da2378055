"""SQLite reads on the event loop's thread (bot/db/sqlite_driver.py): what they save, and the
longest they can hold the loop.

With 10,000 members in a new SQLite file it measures, through the real engine and driver:
- CPU per read of a person by key (the read every update starts with), tried on the loop's
  thread as the bot does, and sent to the connection's thread as before;
- a read too long for the loop's thread (a search through every member's name, one number
  back): the longest the loop stood still, from a 1 ms heartbeat, with reads tried on the
  loop's thread (they give up after READ_HERE_STEPS and go to the connection's thread) and
  without. The heartbeat's own gap with nothing else to do is printed alongside.

Run: .venv/bin/python bench/sqlite_reads.py [--members 10000] [--reads 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.db import Member, migrate, sqlite_driver
from bot.db.engine import Database
from bot.services import members


async def _cpu_per_read(db: Database, reads: int, first_id: int, count: int) -> float:
    async with db.sessions() as session:
        for n in range(200):  # warm: compiled statement, connection
            await session.execute(members._PERSON, {"telegram_id": first_id + n % count})
        started = time.process_time()  # every thread of the process, the driver's included
        for n in range(reads):
            rows = await session.execute(members._PERSON, {"telegram_id": first_id + n % count})
            rows.all()
        return (time.process_time() - started) * 1e6 / reads


_SEARCH = select(func.count()).where(Member.display_name.like("%9%"), Member.language.is_(None))


async def _longest_stall(db: Database, searches: int = 5) -> tuple[float, float, float, int]:
    """(longest gap between 1 ms heartbeats with nothing to do, longest gap while searching,
    median time of a search, members matched) for a read that SQLite spends long on and that
    hands back one number (so building rows adds nothing). One search first, not counted:
    SQLAlchemy compiles the statement the first time, on the loop, whichever thread reads."""
    gaps: list[float] = []

    async def heartbeat() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    async with db.sessions() as session:
        await session.scalar(_SEARCH)
        await asyncio.sleep(0.2)
        idle = max(gaps) * 1000
        gaps.clear()
        took: list[float] = []
        for _ in range(searches):
            started = time.perf_counter()
            matched = await session.scalar(_SEARCH)
            took.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)
    beating.cancel()
    return idle, max(gaps) * 1000, statistics.median(took) * 1000, int(matched or 0)


async def main(count: int, reads: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-bench-"))
    db = Database.from_url(f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}")
    await migrate.upgrade(db.engine)
    first_id, now = 700_000, datetime.now(UTC)
    async with db.session() as session:
        await session.execute(
            insert(Member),
            [
                {"telegram_id": first_id + n, "display_name": f"Member {n}", "created_at": now}
                for n in range(count)
            ],
        )

    here = await _cpu_per_read(db, reads, first_id, count)
    idle, stall_here, took_here, matched = await _longest_stall(db)
    always_a_read = sqlite_driver.is_a_read
    sqlite_driver.is_a_read = lambda sql: False
    there = await _cpu_per_read(db, reads, first_id, count)
    _, stall_there, took_there, _ = await _longest_stall(db)
    sqlite_driver.is_a_read = always_a_read
    await db.dispose()

    print(f"SQLite, {count:,} members, {reads:,} reads of a person by key")
    print("| measure | reads tried on the loop's thread | all on the connection's thread |")
    print("| --- | --- | --- |")
    print(f"| CPU per read of a person | {here:.0f} us | {there:.0f} us |")
    print(
        f"| 5 searches of {count:,} names ({matched:,} match): longest gap between 1 ms "
        f"heartbeats (idle: {idle:.1f} ms) | {stall_here:.1f} ms (search {took_here:.1f} ms) | "
        f"{stall_there:.1f} ms (search {took_there:.1f} ms) |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=3_000)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.reads))
