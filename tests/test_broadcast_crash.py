"""The real bot process killed with SIGKILL half-way through a 1,000-member broadcast, then
restarted: every member ends with exactly one copy, and the coordinator gets the final report."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.clock import Clock
from bot.db import Broadcast, BroadcastStatus, Consent, Member, Membership, Role
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.services import broadcasts
from bot.services.access import Actor
from bot.services.broadcast_audience import Audience
from tests.factories import add_member, create_panel
from tests.test_crash_safety import _start_bot, processes  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow

COORDINATOR = 7000
PEOPLE = list(range(10_001, 11_001))
TEXT = "Our summer meeting is on 3 July."


def _copies(emulator: BotApiEmulator, user_id: int) -> int:
    return sum(1 for m in emulator.messages(user_id) if TEXT in (m.get("text") or ""))


def _delivered(emulator: BotApiEmulator) -> int:
    return sum(_copies(emulator, user_id) for user_id in PEOPLE)


async def test_a_broadcast_killed_half_way_reaches_every_member_exactly_once_after_restart(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    clock = Clock()
    panel_id = (await create_panel(db, clock)).panel.id
    coordinator = await add_member(db, clock, panel_id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    emulator.add_user(COORDINATOR, "Priya")
    now = clock.now()
    async with db.session() as session:
        await session.execute(
            insert(Member),
            [
                dict(
                    telegram_id=user_id,
                    language="en",
                    display_name=f"Member {user_id}",
                    consent=Consent.GIVEN,
                    created_at=now,
                )
                for user_id in PEOPLE
            ],
        )
        ids = (
            await session.scalars(select(Member.id).where(Member.telegram_id >= PEOPLE[0]))
        ).all()
        await session.execute(
            insert(Membership),
            [
                dict(panel_id=panel_id, member_id=i, role=Role.MEMBER, joined_at=now, active=True)
                for i in ids
            ],
        )
    for user_id in PEOPLE:
        emulator.add_user(user_id, f"Member {user_id}")
    confirmation = await _send_confirmation(emulator)
    async with db.session() as session:
        broadcast = await broadcasts.create(
            session,
            Actor(COORDINATOR, coordinator.id),
            audience=Audience(panel_ids=(panel_id,)),
            text=TEXT,
            translations={},
            media_kind=None,
            media_file_id=None,
            important=True,
            send_at=now,
            now=now,
            report_chat_id=COORDINATOR,
            report_message_id=confirmation,
        )
        broadcast_id = broadcast.id

    first = _start_bot(emulator, database_url, tmp_path)
    processes.append(first)
    assert await emulator.wait_for(lambda: _delivered(emulator) >= 300, 90), (
        tmp_path / "bot.log"
    ).read_text()
    emulator.hold()
    await emulator.wait_held(1, timeout=10)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    emulator.release(drop=True)
    before = _delivered(emulator)
    assert 300 <= before < len(PEOPLE)

    second = _start_bot(emulator, database_url, tmp_path)
    processes.append(second)
    assert await emulator.wait_for(lambda: _delivered(emulator) >= len(PEOPLE), 120), (
        tmp_path / "bot.log"
    ).read_text()
    for _ in range(100):
        async with db.session() as session:
            status = (await session.get(Broadcast, broadcast_id)).status  # type: ignore[union-attr]
        if status == BroadcastStatus.DONE:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # time for any stray duplicate to show up

    doubled = [u for u in PEOPLE if _copies(emulator, u) != 1]
    assert doubled == [], doubled[:10]
    assert status == BroadcastStatus.DONE
    final = emulator.message(COORDINATOR, confirmation)
    # 1,000 members; the coordinator asked for no copy of her own news.
    assert final is not None and "Delivered: 1000" in final["text"], final
    assert _copies(emulator, COORDINATOR) == 0
    # On the way, the same message showed progress, edited every few seconds.
    progress = [v.get("text", "") for v in final["edit_history"]]
    middle = [text for text in progress if "Sending:" in text and "▓" in text]
    assert middle and "Sending: 0 of" not in middle[-1], progress
    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0


async def _send_confirmation(emulator: BotApiEmulator) -> int:
    """The coordinator's confirmation message, as the Send tap would have left it."""
    from telegram import Bot

    async with Bot("123456:CRASH-test", base_url=emulator.base_url) as bot:
        message = await bot.send_message(COORDINATOR, "Sending: 0 of 1000")
    return message.message_id
