"""Outbox delivery against the emulator with Telegram's limits enforced: how fast, how fair.

Run: .venv/bin/python bench/outbox_delivery.py [--members 250] [--database-url URL]
Prints messages per second, 429 answers received, the busiest second, and enqueue/claim costs.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import load_settings
from bot.db import migrate
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.services import outbox


async def main(members: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    clock = FrozenClock()
    async with BotApiEmulator(strict_limits=True) as emulator:
        settings = load_settings(
            telegram_bot_token="123456:BENCH",
            telegram_api_base_url=emulator.base_url,
            telegram_file_base_url=emulator.base_file_url,
            database_url=url,
            panelbot_data_dir=workdir,
        )
        db = Database.from_url(url)
        await migrate.upgrade(db.engine)
        app = build_application(settings, clock=clock, db=db, tick_seconds=None)
        await app.initialize()
        delivery = app.runtime.delivery
        assert delivery is not None

        started = time.perf_counter()
        async with db.session() as session:
            for n in range(members):
                user_id = 100_000 + n
                emulator.add_user(user_id, f"Member {n}")
                await outbox.enqueue(
                    session,
                    key=f"bench:{user_id}",
                    kind="message",
                    chat_id=user_id,
                    payload={"text": f"Panel news for member {n}"},
                    due_at=clock.now(),
                    now=clock.now(),
                )
        enqueue_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report = await delivery.drain()
        seconds = time.perf_counter() - started
        clock.advance(timedelta(minutes=5))

        sends = [c for c in emulator.calls("sendMessage")]
        ok = [c for c in sends if c.ok]
        refused = [c for c in sends if c.status == 429]
        per_second = Counter(int(c.time - ok[0].time) for c in ok) if ok else Counter()
        latencies = sorted(c.duration for c in ok if c.duration is not None)
        await app.shutdown()
        if database_url:  # leave a shared database as we found it
            await migrate.downgrade(db.engine)
        await db.dispose()

    print(
        f"machine: {platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, database: {url.split(':')[0]}"
    )
    print(f"members: {members}, sent: {report.sent}, failed: {report.failed}")
    print(f"enqueue: {members / enqueue_seconds:,.0f} rows/s")
    print(
        f"delivery: {seconds:.1f} s, {report.sent / seconds:.1f} messages/s "
        f"(target about 25/s, Telegram allows 30/s)"
    )
    print(f"429 answers from the emulator's strict limits: {len(refused)}")
    print(f"busiest second: {max(per_second.values(), default=0)} messages")
    if latencies:
        print(
            f"emulator time per sendMessage: median {statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=250)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.database_url))
