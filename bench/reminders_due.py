"""Meeting reminders all due in the same minute: how late does each go out?

Real members, a real meeting and real reminder rows on SQLite (or --database-url), delivered by
the bot's own dispatcher tick (once a second) to the emulator, which enforces Telegram's limits.
Prints the delay from due time to send: median, 95th percentile and maximum, plus throughput.

Run: .venv/bin/python bench/reminders_due.py [--members 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.app import build_application
from bot.clock import Clock
from bot.config import load_settings
from bot.db import (
    Consent,
    Meeting,
    Member,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Panel,
    Role,
    migrate,
)
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.services import outbox, outbox_keys
from bot.services.outbox_keys import Kind


async def main(members: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    clock = Clock()
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
        now = clock.now()
        # Placeholder due times; the real ones are set once the bot is running (below), so the
        # time spent creating 10,000 members does not count as delay.
        first_due = now + timedelta(days=1)
        async with db.session() as session:
            panel = Panel(
                name="Bench panel", timezone="Europe/London", default_language="en", created_at=now
            )
            session.add(panel)
            await session.flush()
            meeting = Meeting(
                panel_id=panel.id,
                title="Monthly meeting",
                starts_at=now + timedelta(days=1),
                duration_minutes=90,
                access=[],
                papers=[],
                created_at=now,
            )
            session.add(meeting)
            await session.flush()
            for n in range(members):
                telegram_id = 1_000_000 + n
                emulator.add_user(telegram_id, f"Member {n}")
                member = Member(
                    telegram_id=telegram_id,
                    created_at=now,
                    language="en",
                    display_name=f"Member {n}",
                    consent=Consent.GIVEN,
                )
                session.add(member)
                await session.flush()
                session.add(
                    Membership(
                        panel_id=panel.id, member_id=member.id, role=Role.MEMBER, joined_at=now
                    )
                )
                # All due within one minute, as when many people chose the same reminder.
                await outbox.enqueue(
                    session,
                    key=f"{outbox_keys.meeting_reminders(meeting.id, member.id)}1d:0",
                    kind=Kind.MEETING_REMINDER,
                    chat_id=telegram_id,
                    member_id=member.id,
                    payload={"meeting_id": meeting.id},
                    due_at=first_due + timedelta(seconds=60 * n / members),
                    now=now,
                )
        app = build_application(settings, clock=clock, db=db, tick_seconds=1.0)
        await app.initialize()
        await app.start()
        due_from = clock.now() + timedelta(seconds=5)
        async with db.session() as session:
            ids = (await session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id))).all()
            await session.execute(
                update(OutboxMessage),
                [
                    {"id": row_id, "due_at": due_from + timedelta(seconds=60 * n / len(ids))}
                    for n, row_id in enumerate(ids)
                ],
            )
        started = time.perf_counter()
        while True:
            await asyncio.sleep(2)
            async with db.session() as session:
                pending = await session.scalar(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                    .limit(1)
                )
            if pending is None:
                break
        elapsed = time.perf_counter() - started
        await app.stop()
        await app.shutdown()
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(OutboxMessage.due_at, OutboxMessage.sent_at, OutboxMessage.status)
                )
            ).all()
        await db.dispose()
        refused = [c for c in emulator.calls("sendMessage") if c.status == 429]

    delays = sorted((sent - due).total_seconds() for due, sent, status in rows if sent)
    print(
        f"database: {url.split(':')[0]}, reminders: {members}, sent: {len(delays)}, "
        f"not sent: {sum(1 for *_, s in rows if s != OutboxStatus.SENT)}"
    )
    print(
        f"delay from due time to send (s): first {min(delays):.2f}, median "
        f"{statistics.median(delays):.1f}, p95 {delays[int(len(delays) * 0.95) - 1]:.1f}, "
        f"max {delays[-1]:.1f}"
    )
    print(
        f"throughput: {len(delays) / (elapsed - 20):.1f} messages/s while due; "
        f"429 answers: {len(refused)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.database_url))
