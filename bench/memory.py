"""Peak memory (RSS) of the real bot process with a big database.

Fills a database with 10,000 members, 1,000 meetings (with an invitation each for 10 members) and
50,000 pending outbox rows due tomorrow, then starts `python -m bot run` against the emulator, has
200 members look up a word, open their meetings and tap an answer, and reads the process's peak
resident set size (VmHWM) from /proc.

Run: .venv/bin/python bench/memory.py [--members 10000] [--meetings 1000] [--outbox 50000]
     [--database-url URL]
Target: under 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bot.clock import Clock
from bot.db import (
    Consent,
    Meeting,
    Member,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Panel,
    Role,
    Rsvp,
    migrate,
)
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator

FIRST_ID = 700_000
CHUNK = 2_000


def _start_bot(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as stderr:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


async def _fill(db: Database, members: int, meetings: int, rows: int) -> None:
    now = Clock().now()
    async with db.session() as session:
        panels = [Panel(name=f"Panel {n}", created_at=now) for n in range(10)]
        session.add_all(panels)
        await session.flush()
        panel_ids = [p.id for p in panels]
        for start in range(0, members, CHUNK):
            await session.execute(
                insert(Member),
                [
                    {
                        "telegram_id": FIRST_ID + n,
                        "display_name": f"Member {n}",
                        "language": "en",
                        "created_at": now,
                        "consent": Consent.GIVEN,
                        "consent_at": now,
                    }
                    for n in range(start, min(members, start + CHUNK))
                ],
            )
        ids = list((await session.scalars(select(Member.id).order_by(Member.telegram_id))).all())
        for start in range(0, len(ids), CHUNK):
            await session.execute(
                insert(Membership),
                [
                    {
                        "panel_id": panel_ids[i % len(panel_ids)],
                        "member_id": member_id,
                        "role": Role.COORDINATOR if i < 10 else Role.MEMBER,
                        "active": True,
                        "joined_at": now,
                    }
                    for i, member_id in enumerate(ids[start : start + CHUNK], start)
                ],
            )
        await session.execute(
            insert(Meeting),
            [
                {
                    "panel_id": panel_ids[n % len(panel_ids)],
                    "title": f"Meeting {n}",
                    "starts_at": now + timedelta(days=2 + n % 300, hours=n % 8),
                    "duration_minutes": 90,
                    "access": [],
                    "papers": [],
                    "paid": False,
                    "sequence": 0,
                    "created_at": now,
                }
                for n in range(meetings)
            ],
        )
        meeting_ids = list((await session.scalars(select(Meeting.id))).all())
        # Each meeting invites 10 members of its panel (members i with i % 10 == its panel index).
        await session.execute(
            insert(Rsvp),
            [
                {"meeting_id": meeting_id, "member_id": ids[(m % 10) + 10 * k]}
                for m, meeting_id in enumerate(meeting_ids)
                for k in range(min(10, len(ids) // 10))
            ],
        )
        for start in range(0, rows, CHUNK):
            await session.execute(
                insert(OutboxMessage),
                [
                    {
                        "key": f"bench:{n}",
                        "kind": "message",
                        "chat_id": FIRST_ID + n % members,
                        "payload": {"text": f"Hello {n}"},
                        "due_at": now + timedelta(days=1),
                        "status": OutboxStatus.PENDING,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for n in range(start, min(rows, start + CHUNK))
                ],
            )


async def main(members: int, meetings: int, rows: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    db = Database.from_url(url)
    if database_url:
        await migrate.downgrade(db.engine, "base")
    await migrate.upgrade(db.engine)
    started = time.perf_counter()
    await _fill(db, members, meetings, rows)
    print(f"filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    async with BotApiEmulator() as emulator:
        people = [FIRST_ID + n for n in range(min(200, members))]
        for user in people:
            emulator.add_user(user, f"Member {user}", language_code="en")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
        env.update(
            TELEGRAM_BOT_TOKEN="123456:MEMORY",
            TELEGRAM_API_BASE_URL=emulator.base_url,
            DATABASE_URL=url,
            PANELBOT_DATA_DIR=str(workdir / "data"),
        )
        bot = _start_bot(env, workdir / "bot.log")
        try:
            after_start = 0.0
            for round_ in ("/explain agenda", "/meetings", "/settings"):
                counts = {p: len(emulator.messages(p)) for p in people}
                for person in people:
                    emulator.user_sends_text(person, round_)
                answered = await emulator.wait_for(
                    lambda c=counts: all(len(emulator.messages(p)) > c[p] for p in people), 120
                )
                if not answered:
                    raise SystemExit((workdir / "bot.log").read_text()[-3000:])
                after_start = after_start or _peak_mb(bot.pid)
            taps = 0
            for person in people:
                buttons = [
                    m for m in emulator.messages(person) if "Your answer" in (m.get("text") or "")
                ]
                if buttons:
                    data = buttons[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                    emulator.user_taps(person, buttons[0]["message_id"], data)
                    taps += 1
            await asyncio.sleep(5)
            peak = _peak_mb(bot.pid)
        finally:
            bot.terminate()
            bot.wait(30)
    if database_url:
        await migrate.downgrade(db.engine, "base")
    await db.dispose()
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"| {engine} | {members:,} | {meetings:,} | {rows:,} | {peak:.0f} MB | < 250 MB |")
    print(f"(after the first 200 lookups: {after_start:.0f} MB; {taps} answer taps)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=1_000)
    parser.add_argument("--outbox", type=int, default=50_000)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.meetings, args.outbox, args.database_url))
