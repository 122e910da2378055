"""One person floods the bot: how long does everyone else wait?

The real bot (`python -m bot run`, its own process) on a fresh database, the emulator in this
process. First, 10 other members each send `/explain agenda` at the same moment with nobody
flooding (the baseline). Then one member sends 1,400 messages at once and, right behind them,
the 10 others send theirs again (more than 10 at once would measure Telegram's 30 messages a
second, not the flood). Reply time is from the message entering the emulator to the bot's
answer in that member's chat. Also printed: how many of the flood were answered, and how many
"too many at once" notices the flooder got.

Run: .venv/bin/python bench/flood.py [--flood 1400] [--samples 10] [--rounds 6]
     [--database-url URL]
Target: another member's p95 under 1 s while one person floods 1,400 messages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.clock import Clock
from bot.db import Consent, Member, Membership, Panel, Role, migrate
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator

TOKEN = "123456:FLOOD"
FLOODER, OTHERS = 700_000, 700_001
NOTICE = "many messages at once"


async def _populate(db: Database, people: list[int]) -> None:
    now = Clock().now()
    async with db.session() as session:
        panel = Panel(name="Bench Panel", created_at=now)
        session.add(panel)
        await session.flush()
        for telegram_id in people:
            member = Member(
                telegram_id=telegram_id,
                display_name=f"Member {telegram_id}",
                language="en",
                created_at=now,
                consent=Consent.GIVEN,
                consent_at=now,
            )
            session.add(member)
            await session.flush()
            session.add(
                Membership(panel_id=panel.id, member_id=member.id, role=Role.MEMBER, joined_at=now)
            )
        await session.commit()


async def _at_once(emulator: BotApiEmulator, others: list[int]) -> list[float]:
    """Each of `others` sends one message at the same moment; each one's time to an answer."""
    before = {user: emulator.delivered_count(user) for user in others}
    started = time.perf_counter()
    for user in others:
        emulator.user_sends_text(user, "/explain agenda")
    done: dict[int, float] = {}

    def all_answered() -> bool:
        now = time.perf_counter()
        for user in others:
            if user not in done and emulator.delivered_count(user) > before[user]:
                done[user] = now - started
        return len(done) == len(others)

    if not await emulator.wait_for(all_answered, 120):
        raise SystemExit(f"only {len(done)} of {len(others)} members answered within 120 s")
    return list(done.values())


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)] * 1000


async def main(flood: int, samples: int, rounds: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-flood-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    others = [OTHERS + n for n in range(samples)]
    async with BotApiEmulator() as emulator:
        for user in [FLOODER, *others]:
            emulator.add_user(user, f"Member {user}", language_code="en")
        db = Database.from_url(url)
        if database_url:
            await migrate.downgrade(db.engine, "base")
        await migrate.upgrade(db.engine)
        await _populate(db, [FLOODER, *others])
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "DATABASE_URL": url,
            "PANELBOT_DATA_DIR": str(workdir / "data"),
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await _at_once(emulator, others)  # the bot is up, imports paid for
            quiet, flooded = [], []
            for _ in range(rounds):
                # Rounds a second apart: back to back, three rounds' answers would fall in one
                # second and meet Telegram's 30 a second, which is not what this bench measures.
                await asyncio.sleep(1)
                quiet += await _at_once(emulator, others)
            for _ in range(rounds):
                for _ in range(flood):
                    emulator.user_sends_text(FLOODER, "/explain agenda")
                flooded += await _at_once(emulator, others)  # queued behind the whole flood
                await asyncio.sleep(3)  # the flood's own answers finish before the next round
            answered = emulator.delivered_count(FLOODER)
            notices = sum(NOTICE in (m.get("text") or "") for m in emulator.messages(FLOODER))
        finally:
            bot.terminate()
            await asyncio.wait_for(bot.wait(), 60)
        if database_url:
            await migrate.downgrade(db.engine, "base")
        await db.dispose()

    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{engine}: {rounds} rounds; in each, one person sends {flood:,} messages and at once "
        f"{samples} other members send one each"
    )
    print("| while | other member's reply p50 | p95 | max |")
    print("| --- | --- | --- | --- |")
    for label, times in (("nobody floods", quiet), (f"one person floods {flood:,}", flooded)):
        print(
            f"| {label} | {statistics.median(times) * 1000:.0f} ms | {_p(times, 0.95):.0f} ms "
            f"| {max(times) * 1000:.0f} ms |"
        )
    print(f"flooder: {answered} of {flood * rounds:,} answered, {notices} notice(s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=1400)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.flood, args.samples, args.rounds, args.database_url))
