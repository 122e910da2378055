"""A coordinator broadcast to N members against the emulator with Telegram's limits enforced.

The real bot runs as its own process (`python -m bot run`, as in production) while other members
keep using it: one of them sends /help about once a second and we time the answer. The emulator
runs here, so its clock is not the bot's event loop. Prints the rate achieved against the
30 messages a second Telegram allows (from the moment the broadcast is confirmed to the last
delivery), duplicates and losses, 429 answers, and the other members' answer times.

With --burst N, N other members each send /help at the moment of Send (a burst of live
answers, like a busy onboarding morning): live answers may take only a share of the budget, so
the first copy should still go within about a second.

Run: .venv/bin/python bench/broadcast.py [--members 5000] [--burst 3000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.clock import Clock
from bot.config import load_settings
from bot.db import Broadcast, BroadcastStatus, Consent, Member, Membership, Panel, Role, migrate
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.limits import FloodLimits
from bot.emulator.server import BotApiEmulator

ALLOWED = 30.0
TEXT = "Panel news: the summer meeting is on 3 July."
# The buttons the coordinator taps on the way to the preview's Send, whichever the bot asks.
WALK_TO_SEND = ("Send anyway", "Yes, it is important", "Send now", "Next")
FIRST = 2_000_000
OTHERS = list(range(3_000_000, 3_000_020))
BURST_FIRST = 4_000_000
COORDINATOR = 1_999_999


async def _people(
    db: Database, emulator: BotApiEmulator, members: int, burst: int
) -> tuple[int, int]:
    """The broadcast's panel with `members` people, and another panel whose members chat."""
    now = Clock().now()
    async with db.session() as session:
        ours = Panel(name="Bench panel", timezone="Europe/London", created_at=now)
        other = Panel(name="Other panel", timezone="Europe/London", created_at=now)
        session.add_all([ours, other])
        await session.flush()
        chatting = [*OTHERS, *range(BURST_FIRST, BURST_FIRST + burst)]
        ids = [*range(FIRST, FIRST + members), COORDINATOR, *chatting]
        await session.execute(
            insert(Member),
            [
                dict(
                    telegram_id=i,
                    language="en",
                    display_name=f"Member {i}",
                    consent=Consent.GIVEN,
                    created_at=now,
                )
                for i in ids
            ],
        )
        rows = (await session.execute(select(Member.id, Member.telegram_id))).all()
        await session.execute(
            insert(Membership),
            [
                dict(
                    panel_id=other.id if telegram_id >= OTHERS[0] else ours.id,
                    member_id=member_id,
                    role=Role.COORDINATOR if telegram_id == COORDINATOR else Role.MEMBER,
                    joined_at=now,
                    active=True,
                )
                for member_id, telegram_id in rows
            ],
        )
        coordinator = next(m for m, t in rows if t == COORDINATOR)
        panel_id = ours.id
    for i in ids:
        emulator.add_user(i, f"Member {i}")
    return panel_id, coordinator


def _start_bot(emulator: BotApiEmulator, url: str, workdir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN="123456:BENCH",
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=url,
        PANELBOT_DATA_DIR=str(workdir / "data"),
    )
    log = open(workdir / "bot.log", "ab")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stderr=log)


async def _chatter(emulator: BotApiEmulator, stop: asyncio.Event, latencies: list[float]) -> None:
    """Other members use the bot while the broadcast runs; time each answer."""
    n = 0
    while not stop.is_set():
        user = OTHERS[n % len(OTHERS)]
        n += 1
        before = emulator.delivered_count(user)
        sent = time.perf_counter()
        emulator.user_sends_text(user, "/help")
        answered = await emulator.wait_for(
            lambda u=user, b=before: emulator.delivered_count(u) > b,  # type: ignore[misc]
            30,
        )
        latencies.append(time.perf_counter() - sent if answered else 30.0)
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - sent)))


async def main(members: int, burst: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    # Telegram's own limits: 30 a second in all, one a second per chat, edits counted too.
    async with BotApiEmulator(strict_limits=FloodLimits.telegram()) as emulator:
        settings = load_settings(
            telegram_bot_token="123456:BENCH",
            telegram_api_base_url=emulator.base_url,
            telegram_file_base_url=emulator.base_file_url,
            database_url=url,
            panelbot_data_dir=workdir,
        )
        db = Database.from_url(url)
        await migrate.upgrade(db.engine)
        await _people(db, emulator, members, burst)
        del settings
        bot = _start_bot(emulator, url, workdir)
        await emulator.wait_for(lambda: bool(emulator.calls("getUpdates")), 30)

        stop, latencies = asyncio.Event(), list[float]()
        chatter = asyncio.create_task(_chatter(emulator, stop, latencies))
        await asyncio.sleep(3)  # answers before the broadcast, for comparison
        quiet_latencies = list(latencies)
        # The coordinator writes the news in the bot and taps Send, as in production: the tap
        # wakes the outbox at once (a row written from outside would wait for its next tick).
        coordinator_chat = MemberDriver(emulator, COORDINATOR, "Coordinator")
        await coordinator_chat.send("/broadcast")
        await coordinator_chat.reply()
        await coordinator_chat.tap("Next")
        await coordinator_chat.reply()
        await coordinator_chat.send(TEXT)
        await coordinator_chat.reply()
        for _ in range(10):
            newest = coordinator_chat.last_message or {}
            labels = coordinator_chat.buttons(newest)
            if "Send" in labels:
                break
            tap = next((label for label in WALK_TO_SEND if label in labels), None)
            if tap is not None:
                await coordinator_chat.tap(tap)
            await coordinator_chat.reply()  # a preview comes in two messages
        else:
            raise SystemExit("did not reach Send:\n" + coordinator_chat.transcript())
        started_wall = time.monotonic()
        await coordinator_chat.tap("Send")
        broadcast_id = None
        for _ in range(200):  # the bot answers the tap, then writes the broadcast
            async with db.session() as session:
                broadcast_id = await session.scalar(select(func.max(Broadcast.id)))
            if broadcast_id is not None:
                break
            await asyncio.sleep(0.05)
        else:
            raise SystemExit("no broadcast after Send:\n" + coordinator_chat.transcript())
        for user in range(BURST_FIRST, BURST_FIRST + burst):
            emulator.user_sends_text(user, "/help")
        while True:
            await asyncio.sleep(1)
            async with db.session() as session:
                status = await session.scalar(
                    select(Broadcast.status).where(Broadcast.id == broadcast_id)
                )
            if status == BroadcastStatus.DONE:
                break
        # Let the burst's answers finish (at Telegram's 30 a second they take a while) before
        # the bot is stopped.
        await emulator.wait_for(
            lambda: all(
                emulator.delivered_count(u) for u in range(BURST_FIRST, BURST_FIRST + burst)
            ),
            600,
        )
        stop.set()
        await chatter
        during = latencies[len(quiet_latencies) :]
        bot.send_signal(signal.SIGTERM)
        bot.wait(30)
        if database_url:  # leave a shared database as we found it
            await migrate.downgrade(db.engine)
        await db.dispose()

        audience = list(range(FIRST, FIRST + members))  # the coordinator asked for no copy
        # The coordinator's preview shows the words too: a copy is one sent after Send.
        own_copies = sum(
            1
            for c in emulator.calls("sendMessage")
            if c.ok
            and c.time >= started_wall
            and c.params.get("chat_id") == COORDINATOR
            and TEXT in str(c.params.get("text", ""))
        )
        burst_answered = sum(
            1 for u in range(BURST_FIRST, BURST_FIRST + burst) if emulator.delivered_count(u)
        )
        copies = Counter(
            {
                u: sum(1 for m in emulator.messages(u) if TEXT in (m.get("text") or ""))
                for u in audience
            }
        )
        sends = [
            c
            for c in emulator.calls("sendMessage")
            if c.ok
            and TEXT in str(c.params.get("text", ""))
            and c.params.get("chat_id") != COORDINATOR
        ]
        # From Send on: the coordinator's own quick taps through the form before it do not count.
        refused = [
            c for c in emulator.calls("sendMessage") if c.status == 429 and c.time >= started_wall
        ]
        refused_live = sum(1 for c in refused if TEXT not in str(c.params.get("text", "")))
        arrivals = sorted(c.time for c in emulator.calls("sendMessage") if c.ok)
        busiest, low = 0, 0
        for high, moment in enumerate(arrivals):
            while moment - arrivals[low] >= 1.0:
                low += 1
            busiest = max(busiest, high - low + 1)
        edits = emulator.calls("editMessageText")
        refused_edits = sum(1 for c in edits if c.status == 429 and c.time >= started_wall)
        async with Database.from_url(url).session() as session:
            report_message_id = await session.scalar(
                select(Broadcast.report_message_id).where(Broadcast.id == broadcast_id)
            )
        report = emulator.message(COORDINATOR, report_message_id or 0) or {}
        last = max(c.time for c in sends)
        first = min(c.time for c in sends)
        everything = sum(
            1 for c in emulator.calls("sendMessage") if c.ok and started_wall <= c.time <= last
        )
        times = sorted(c.time for c in sends)
        gaps = sorted((b - a, a - started_wall) for a, b in itertools.pairwise(times))

    total = len(sends)
    rate = total / (last - started_wall)
    print(
        f"machine: {platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, database: {url.split(':')[0]}"
    )
    print(f"members: {len(audience)}, copies delivered: {total}")
    print(
        f"rate from confirm to last delivery: {rate:.1f}/s of {ALLOWED:.0f}/s allowed "
        f"({100 * rate / ALLOWED:.1f}%); first delivery after {first - started_wall:.2f} s; "
        f"{last - started_wall:.1f} s in all"
    )
    print(
        f"rate from first to last delivery: {total / (last - first):.1f}/s "
        f"({100 * total / (last - first) / ALLOWED:.1f}%); all messages the bot sent meanwhile "
        f"(copies and live answers): {everything / (last - started_wall):.1f}/s "
        f"({100 * everything / (last - started_wall) / ALLOWED:.0f}%)"
    )
    print(
        f"duplicates: {sum(1 for n in copies.values() if n > 1)}, "
        f"losses: {sum(1 for n in copies.values() if n == 0)}, 429 answers: {len(refused)} "
        f"({refused_live} to other members' answers)"
    )
    print(f"most messages accepted in any one second: {busiest} (Telegram's limit: 30)")
    print(
        f"progress edits of the coordinator's message: {len(edits)} ({refused_edits} refused); "
        f"final report shown: {'finished sending' in (report.get('text') or '')}; "
        f"coordinator's own copies: {own_copies}"
    )
    if burst:
        print(f"burst of live answers at Send: {burst_answered} of {burst} answered")
    print(
        "longest pauses between copies: "
        + ", ".join(f"{gap * 1000:.0f} ms at {at:.1f} s" for gap, at in reversed(gaps[-5:]))
    )
    during.sort()
    if during:
        print(
            f"other members' answers during the broadcast ({len(during)}): median "
            f"{statistics.median(during) * 1000:.0f} ms, p95 "
            f"{during[max(0, int(len(during) * 0.95) - 1)] * 1000:.0f} ms, "
            f"max {during[-1] * 1000:.0f} ms (before it: median "
            f"{statistics.median(quiet_latencies or [0]) * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--burst", type=int, default=0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.burst, args.database_url))
