"""Updates under load: throughput, latency and database statements per update, next to an echo bot.

N members act at the same moment, for four kinds of update: an /explain lookup, an RSVP tap on a
meeting invitation, a conversation step (typing a new name in /settings) and a claim step (typing
the amount of a bus fare in /claim). The real bot
(`python -m bot run`, its own process) handles them through the emulator (this process); then a
minimal python-telegram-bot echo bot (bench/echo_bot.py, its own process, no database) handles the
same traffic on the same emulator. Latency is from the update entering the emulator to the bot's
reply. Statements per update are counted with SQLAlchemy events in a second pass with the bot in
this process (`--in-process` measures everything that way). CPU per update is each bot process's
own CPU time (all threads, from /proc) over the updates it handled: it shows where the
difference in throughput comes from. Each kind starts with one round that is not counted, for
both bots alike.

Run: .venv/bin/python bench/updates.py [--members 200] [--rounds 3] [--database-url URL]
     [--in-process]
Targets: panelbot at least 50% of the echo bot's throughput; at most 5 statements per update.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, update
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.app import build_application
from bot.clock import Clock
from bot.config import load_settings
from bot.db import Consent, Meeting, Member, Membership, Panel, Role, migrate
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.services import drafts, meeting_changes, meeting_rules
from bot.services.access import Actor

FIRST_ID = 500_000
TOKEN, ECHO = "123456:BENCH", "654321:ECHO"
HERE = Path(__file__).resolve().parent
KINDS = ("explain", "rsvp", "step", "claim")
# A claim waiting for its first item's amount (what handlers/claims/ keeps after "Bus or train").
CLAIM_DRAFT = {
    "meeting_id": None,
    "lines": [],
    "cur": {"kind": "transport"},
    "edit": None,
    "note": None,
    "note_asked": False,
    "options": [],
}


class Statements:
    """Counts SQL statements the bot's engine runs."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


async def _populate(db: Database, clock: Clock, members: int) -> int:
    now = clock.now()
    async with db.session() as session:
        panel = Panel(name="Bench Panel", created_at=now)
        session.add(panel)
        await session.flush()
        for n in range(members + 1):
            member = Member(
                telegram_id=FIRST_ID + n,
                display_name=f"Member {n}",
                language="en",
                created_at=now,
                consent=Consent.GIVEN,
                consent_at=now,
            )
            session.add(member)
            await session.flush()
            role = Role.COORDINATOR if n == 0 else Role.MEMBER
            session.add(
                Membership(panel_id=panel.id, member_id=member.id, role=role, joined_at=now)
            )
        await session.flush()
        meeting = await meeting_changes.create(
            session,
            Actor(FIRST_ID, 1),
            panel.id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=now + timedelta(days=10)),
            now=now,
        )
        return meeting.id


def _update_for(
    kind: str, emulator: BotApiEmulator, user: int, meeting_id: int, anchor: int
) -> Any:
    if kind == "explain":
        return emulator.user_sends_text(user, "/explain agenda")
    if kind == "rsvp":
        choice = ("coming", "maybe")[user % 2]
        return emulator.user_taps(user, anchor, f"mt:1:rsvp:{meeting_id}:{choice}")
    if kind == "claim":
        return emulator.user_sends_text(user, f"{user % 20 + 1}.50")
    return emulator.user_sends_text(user, f"Sam {user}")


async def _round(
    emulator: BotApiEmulator,
    kind: str,
    people: list[int],
    meeting_id: int,
    anchors: dict[int, int],
    before: Callable[[], Any] | None = None,
) -> tuple[float, list[float]]:
    """Everyone acts at once; (seconds until all were answered, each person's latency)."""
    counts = {p: emulator.delivered_count(p) for p in people}
    started: dict[int, float] = {}
    done: dict[int, float] = {}
    t0 = time.perf_counter()
    for person in people:
        started[person] = time.perf_counter()
        _update_for(kind, emulator, person, meeting_id, anchors[person])

    waiting = set(people)

    def all_answered() -> bool:
        # Cheap on purpose: it runs after every API call, in the same process as the bots.
        now = time.perf_counter()
        for person in list(waiting):
            if emulator.delivered_count(person) > counts[person]:
                done[person] = now
                waiting.discard(person)
        return not waiting

    if not await emulator.wait_for(all_answered, 120):
        raise SystemExit(f"{kind}: only {len(done)} of {len(people)} answered in 120 s")
    return time.perf_counter() - t0, [done[p] - started[p] for p in people]


async def _echo_text(update: Update, context: Any) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await update.effective_chat.send_message(update.effective_message.text or "?")


async def _echo_tap(update: Update, context: Any) -> None:
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    await update.effective_chat.send_message("ok")


def _figures(seconds: list[float], latencies: list[float], updates: int) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "throughput": updates / sum(seconds),
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
    }


async def _measure(
    emulator: BotApiEmulator,
    people: list[int],
    meeting_id: int,
    anchors: dict[int, int],
    rounds: int,
    reset: Callable[[str], Any],
    statements: Statements | None,
    cpu: Callable[[], float] | None = None,
) -> dict[str, dict[str, float]]:
    results = {}
    for kind in KINDS:
        # One round first, not counted, for each bot alike: the first of each kind of update
        # pays for imports, compiled statements and catalogues that every later one reuses.
        await reset(kind)
        await _round(emulator, kind, people, meeting_id, anchors)
        seconds: list[float] = []
        latencies: list[float] = []
        counted = 0
        cpu_used = 0.0
        for _ in range(rounds):
            await reset(kind)
            before = statements.count if statements else 0
            cpu_before = cpu() if cpu else 0.0
            took, each = await _round(emulator, kind, people, meeting_id, anchors)
            cpu_used += (cpu() - cpu_before) if cpu else 0.0
            counted += (statements.count - before) if statements else 0
            seconds.append(took)
            latencies += each
        figures = _figures(seconds, latencies, len(people) * rounds)
        if statements:
            figures["statements"] = counted / (len(people) * rounds)
        if cpu:
            figures["cpu_ms"] = cpu_used * 1000 / (len(people) * rounds)
        results[kind] = figures
    return results


def _cpu_seconds(pid: int) -> Callable[[], float]:
    """CPU time (user + system, all threads) a process has used so far, from Linux's /proc."""
    ticks = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return used


def _spawn(command: list[str], **env: str) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    return subprocess.Popen(
        command, env={**clean, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def _measure_process(
    process: subprocess.Popen[bytes],
    emulator: BotApiEmulator,
    people: list[int],
    meeting_id: int,
    anchors: dict[int, int],
    rounds: int,
    reset: Callable[[str], Any],
) -> dict[str, dict[str, float]]:
    """Wait until the bot in `process` polls, measure it, stop it."""
    calls = len(emulator.calls("getUpdates"))
    try:
        if not await emulator.wait_for(lambda: len(emulator.calls("getUpdates")) > calls, 60):
            raise SystemExit("the bot did not start polling within 60 s")
        cpu = _cpu_seconds(process.pid)
        return await _measure(emulator, people, meeting_id, anchors, rounds, reset, None, cpu)
    finally:
        process.terminate()
        process.wait(30)
        await asyncio.sleep(1.5)  # its last long poll (1 s) ends before the next bot polls


async def _echo_in_process(
    emulator: BotApiEmulator,
    people: list[int],
    meeting_id: int,
    anchors: dict[int, int],
    rounds: int,
    reset: Callable[[str], Any],
) -> dict[str, dict[str, float]]:
    echo = Application.builder().token(ECHO).base_url(emulator.base_url).build()
    echo.add_handler(MessageHandler(filters.ALL, _echo_text))
    echo.add_handler(CallbackQueryHandler(_echo_tap))
    async with echo:
        await echo.start()
        assert echo.updater is not None
        await echo.updater.start_polling(poll_interval=0, timeout=1)
        floor = await _measure(emulator, people, meeting_id, anchors, rounds, reset, None)
        await echo.updater.stop()
        await echo.stop()
    return floor


async def main(members: int, rounds: int, database_url: str | None, in_process: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="panelbot-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    clock = Clock()
    people = [FIRST_ID + n for n in range(1, members + 1)]
    async with BotApiEmulator() as emulator:
        for user in [FIRST_ID, *people]:
            emulator.add_user(user, f"Member {user}", language_code="en")
        db = Database.from_url(url)
        if database_url:
            await migrate.downgrade(db.engine, "base")
        await migrate.upgrade(db.engine)
        meeting_id = await _populate(db, clock, members)
        settings = load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=emulator.base_url,
            telegram_file_base_url=emulator.base_file_url,
            database_url=url,
            panelbot_data_dir=workdir,
        )
        app = build_application(settings, clock=clock, db=db, tick_seconds=None)
        await app.initialize()
        assert app.runtime.delivery is not None
        await app.runtime.delivery.drain()  # the invitations: something to tap on
        anchors = {
            p: next(m for m in emulator.messages(p) if "reply_markup" in m)["message_id"]
            for p in people
        }

        async def reset(kind: str) -> None:
            if kind == "step":  # everyone back at "type your new name"
                async with db.session() as session:
                    await session.execute(
                        update(Member)
                        .where(Member.telegram_id.in_(people))
                        .values(conversation_step="settings:name")
                    )
            if kind == "claim":  # everyone back at "how much was it?"
                async with db.session() as session:
                    members = await session.execute(
                        select(Member.id).where(Member.telegram_id.in_(people))
                    )
                    panel_id = await session.scalar(
                        select(Meeting.panel_id).where(Meeting.id == meeting_id)
                    )
                    for member_id in members.scalars():
                        await drafts.save(
                            session,
                            member_id,
                            "claim",
                            step="amount",
                            now=clock.now(),
                            panel_id=panel_id,
                            **CLAIM_DRAFT,
                        )
                    await session.execute(
                        update(Member)
                        .where(Member.telegram_id.in_(people))
                        .values(conversation_step="claim:amount")
                    )

        # The echo bot first, on the same emulator (one poller at a time, as on Telegram).
        if in_process:
            floor = await _echo_in_process(emulator, people, meeting_id, anchors, rounds, reset)
        else:
            echo = _spawn([sys.executable, str(HERE / "echo_bot.py"), ECHO, emulator.base_url])
            floor = await _measure_process(
                echo, emulator, people, meeting_id, anchors, rounds, reset
            )
            bot = _spawn(
                [sys.executable, "-m", "bot", "run"],
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=emulator.base_url,
                DATABASE_URL=url,
                PANELBOT_DATA_DIR=str(workdir / "data"),
            )
            ours = await _measure_process(bot, emulator, people, meeting_id, anchors, rounds, reset)

        # Statements per update (and, with --in-process, everything) with the bot in this process.
        statements = Statements(db)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        counted = await _measure(
            emulator, people, meeting_id, anchors, rounds if in_process else 1, reset, statements
        )
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if in_process:
            ours = counted
        for kind in KINDS:
            ours[kind]["statements"] = counted[kind]["statements"]
        if database_url:
            await migrate.downgrade(db.engine, "base")
        await db.dispose()

    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    where = "all in one process" if in_process else "each bot in its own process"
    print(f"{engine}, {members} members at once, {rounds} rounds each, {where}")
    print(
        "| update | panelbot/s | echo/s | ratio | median | p95 | echo median | echo p95 |"
        " statements/update | CPU/update | echo CPU/update |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind in KINDS:
        a, b = ours[kind], floor[kind]
        cpu = f"{a['cpu_ms']:.1f} ms | {b['cpu_ms']:.1f} ms" if "cpu_ms" in b else "- | -"
        print(
            f"| {kind} | {a['throughput']:.0f} | {b['throughput']:.0f} | "
            f"{a['throughput'] / b['throughput']:.0%} | {a['median_ms']:.0f} ms | "
            f"{a['p95_ms']:.0f} ms | {b['median_ms']:.0f} ms | {b['p95_ms']:.0f} ms | "
            f"{a['statements']:.1f} | {cpu} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    parser.add_argument(
        "--in-process", action="store_true", help="run both bots in this process, with the emulator"
    )
    args = parser.parse_args()
    asyncio.run(main(args.members, args.rounds, args.database_url, args.in_process))
