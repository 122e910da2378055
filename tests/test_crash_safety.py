"""The real bot process killed with SIGKILL half-way through the outbox, then restarted.

Nothing may be lost and nothing may arrive twice. The bot runs as `python -m bot run` in a
subprocess against the emulator and a real database, exactly as it would in production.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.db import OutboxMessage, OutboxStatus
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.services import outbox

pytestmark = pytest.mark.slow

PEOPLE = list(range(9001, 9041))


def _start_bot(emulator: BotApiEmulator, database_url: str, workdir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN="123456:CRASH-test",
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=database_url,
        PANELBOT_DATA_DIR=str(workdir / "data"),
        # A short lease so the restarted bot takes over the dead one's rows quickly.
        PANELBOT_OUTBOX_LEASE_SECONDS="2",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "bot.log", "a"),
        text=True,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def _statuses(db: Database) -> list[OutboxStatus]:
    async with db.session() as session:
        return list((await session.scalars(select(OutboxMessage.status))).all())


async def test_killed_mid_batch_then_restarted_loses_nothing_and_doubles_nothing(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],
) -> None:
    now = Clock().now()
    async with db.session() as session:
        for user_id in PEOPLE:
            emulator.add_user(user_id, f"Member {user_id}")
            await outbox.enqueue(
                session,
                key=f"notice:{user_id}",
                kind="message",
                chat_id=user_id,
                payload={"text": f"Meeting moved, {user_id}"},
                due_at=now,
                now=now,
            )

    first = _start_bot(emulator, database_url, tmp_path)
    processes.append(first)
    assert await emulator.wait_for(lambda: emulator.delivered_count() >= 10, 30), (
        tmp_path / "bot.log"
    ).read_text()
    # Freeze Telegram mid-batch: requests in flight now never arrive. Then pull the plug.
    emulator.hold()
    await emulator.wait_held(1, timeout=10)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    emulator.release(drop=True)
    delivered_before_restart = emulator.delivered_count()
    assert 10 <= delivered_before_restart < len(PEOPLE)

    second = _start_bot(emulator, database_url, tmp_path)
    processes.append(second)
    assert await emulator.wait_for(lambda: emulator.delivered_count() >= len(PEOPLE), 60), (
        tmp_path / "bot.log"
    ).read_text()
    for _ in range(100):
        if set(await _statuses(db)) == {OutboxStatus.SENT}:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # time for any stray duplicate to show up

    for user_id in PEOPLE:
        texts = [m["text"] for m in emulator.messages(user_id)]
        assert texts == [f"Meeting moved, {user_id}"], (user_id, texts)
    assert set(await _statuses(db)) == {OutboxStatus.SENT}

    # A polite stop: SIGTERM ends the bot cleanly.
    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0
