"""The real bot killed with SIGKILL while anonymous content waits in its memory, then restarted:
what happens is what the README says ("Anonymous feedback: what we promise", "If the bot is
killed").

- A poll answer held in memory is lost, and its person is asked again: their row said "held by
  this process", the restarted bot sees the process has stopped checking in, sets them back to
  "not answered" and sends the question again with a short apology. They were told so.
- An anonymous message held in memory is lost, and nobody can be told, because nothing leads to
  its sender: the sender was told that when they sent it, and the coordinator gets nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.db import Feedback, PollParticipant, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import poll_asking, poll_rules
from bot.services.access import Actor
from tests.factories import add_member, create_panel
from tests.test_crash_safety import processes  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow

COORDINATOR, ANA, BEN, CAI = 9501, 9502, 9503, 9504
HELD_ANSWER = (
    "Thank you. We got your answer. We save it later with other people's answers. "
    "Then nobody can tell which is yours. If something goes wrong first, we will ask "
    "you again."
)
LOST = "Sorry. The bot stopped before it saved your answer. Please answer again."
MESSAGE_LOST_IF_STOPPED = "If the bot stops first, your message is lost."


def _start_bot(emulator: BotApiEmulator, database_url: str, workdir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN="123456:KILL-test",
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=database_url,
        PANELBOT_DATA_DIR=str(workdir / "data"),
        # The writer looks every second, so a stopped process is noticed after three.
        PANELBOT_ANONYMOUS_FLUSH_SECONDS="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "bot.log", "a"),
        text=True,
    )


async def _state(db: Database, member_id: int) -> str | None:
    async with db.session() as session:
        return await session.scalar(
            select(PollParticipant.state).where(PollParticipant.member_id == member_id)
        )


async def test_a_kill_asks_again_for_held_answers_and_loses_held_messages_as_promised(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    now = Clock().now()
    new = await create_panel(db, Clock(), "Carers Voice")
    coordinator = await add_member(
        db, Clock(), new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    ids = {}
    for telegram_id, name in ((ANA, "Ana"), (BEN, "Ben"), (CAI, "Cai")):
        ids[telegram_id] = (await add_member(db, Clock(), new.panel.id, telegram_id, name)).id
    async with db.session() as session:
        await poll_asking.create(
            session,
            Actor(COORDINATOR, coordinator.id),
            poll_rules.PollDraft(
                panel_id=new.panel.id,
                question="Was the room warm enough?",
                kind="rating",
                anonymous=True,
                closes_at=now + timedelta(days=3),
            ),
            now=now,
        )
    ana, ben = MemberDriver(emulator, ANA, "Ana"), MemberDriver(emulator, BEN, "Ben")
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    first = _start_bot(emulator, database_url, tmp_path)
    processes.append(first)
    question = await ana.reply(timeout=30)
    await ana.tap("4 Good")
    assert (await ana.reply(timeout=10))["text"] == HELD_ANSWER
    assert str(await _state(db, ids[ANA])).startswith("held:")
    await ben.reply(timeout=10)  # his question
    await ben.send("/feedback")
    await ben.reply(timeout=10)
    await ben.tap("Anonymous. No reply needed")
    await ben.reply(timeout=10)
    await ben.send("The heating was off all day.")
    told = (await ben.reply(timeout=10))["text"]
    assert MESSAGE_LOST_IF_STOPPED in told  # told, before anything can be lost

    first.send_signal(signal.SIGKILL)
    first.wait(10)

    second = _start_bot(emulator, database_url, tmp_path)
    processes.append(second)
    again = await ana.reply(timeout=30)
    assert again["text"].startswith(LOST) and "Was the room warm enough?" in again["text"]
    assert again["message_id"] != question["message_id"]
    assert await _state(db, ids[ANA]) == "waiting"
    await ana.tap("4 Good")  # the new question's buttons
    assert (await ana.reply(timeout=10))["text"] == HELD_ANSWER

    # The message is gone, as Ben was told it would be; the coordinator got nothing.
    async with db.session() as session:
        assert (await session.scalars(select(Feedback))).all() == []
    await priya.no_reply(1.0)
    assert "heating" not in (tmp_path / "bot.log").read_text()  # nor is it in the log

    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0
