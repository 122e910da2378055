"""Scale-out: two bot processes (each with its own token on the emulator) share one database and
split the outbox between them; nobody gets anything twice. Production runs this on PostgreSQL
(see README, "Several workers"); the test runs on whichever engine CI gives it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
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

# More than two of the bot's 200-row batches, so both workers must take part.
MESSAGES = int(os.environ.get("SCALE_OUT_MESSAGES", "450"))
TOKENS = {111111: "111111:WORKER-one", 222222: "222222:WORKER-two"}


def _start(
    emulator: BotApiEmulator, database_url: str, workdir: Path, token: str
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=database_url,
        PANELBOT_DATA_DIR=str(workdir / "data"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"bot-{token.split(':')[0]}.log", "a"),
        text=True,
    )


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def test_two_bots_on_one_database_split_the_outbox_and_send_nothing_twice(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    workers: list[subprocess.Popen[str]],
) -> None:
    people = list(range(40_001, 40_001 + MESSAGES))
    now = Clock().now()
    async with db.session() as session:
        for user_id in people:
            emulator.add_user(user_id, f"Member {user_id}")
            await outbox.enqueue(
                session,
                key=f"notice:{user_id}",
                kind="message",
                chat_id=user_id,
                payload={"text": f"Your meeting is on Tuesday, {user_id}"},
                due_at=now,
                now=now,
            )

    for token in TOKENS.values():
        workers.append(_start(emulator, database_url, tmp_path, token))
    logs = lambda: "\n".join(p.read_text() for p in tmp_path.glob("bot-*.log"))  # noqa: E731
    assert await emulator.wait_for(lambda: emulator.delivered_count() >= len(people), 120), logs()
    async with db.session() as session:
        for _ in range(100):
            statuses = set((await session.scalars(select(OutboxMessage.status))).all())
            if statuses == {OutboxStatus.SENT}:
                break
            await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # time for any stray duplicate to show up

    for user_id in people:
        texts = [m["text"] for m in emulator.messages(user_id)]
        assert texts == [f"Your meeting is on Tuesday, {user_id}"], (user_id, texts)
    assert statuses == {OutboxStatus.SENT}
    sent_by = Counter(c.bot_id for c in emulator.calls("sendMessage") if c.ok)
    assert set(sent_by) == set(TOKENS), sent_by  # both workers took a share
    assert sum(sent_by.values()) == len(people)

    for process in workers:
        process.send_signal(signal.SIGTERM)
    for process in workers:
        assert process.wait(20) == 0
