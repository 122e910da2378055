"""Outbox leases after a restart and across machines.

SQLite: rows leased by a process that died are freed as soon as the bot starts again, instead of
waiting out the lease, when no other process is using the database (the kernel says so: a lock
file beside it); a living worker's rows are left alone. PostgreSQL: leases run by the
database's clock, so a worker whose own clock is three minutes ahead does not take rows another
worker is still sending.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.services import outbox

PEOPLE = range(8101, 8109)
ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


async def _queue(db: Database, now: datetime) -> None:
    async with db.session() as session:
        for user_id in PEOPLE:
            await outbox.enqueue(
                session,
                key=f"news:{user_id}",
                kind="message",
                chat_id=user_id,
                payload={"text": f"News for {user_id}"},
                due_at=now,
                now=now,
            )


def _copies(emulator: BotApiEmulator, user_id: int) -> int:
    return sum(1 for m in emulator.messages(user_id) if f"News for {user_id}" in m["text"])


async def _bot(settings: Settings, db: Database, clock: FrozenClock) -> PanelbotApplication:
    application = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await application.initialize()
    return application


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: on PostgreSQL other workers may be alive")
async def test_after_a_restart_on_sqlite_rows_leased_by_the_dead_process_go_at_once(
    settings: Settings, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    for user_id in PEOPLE:
        emulator.add_user(user_id, f"Person {user_id}")
    await _queue(db, clock.now())
    # The process that claimed them died before sending: their two-minute lease is still on.
    async with db.session() as session:
        claimed = await outbox.claim_due(
            session, now=clock.now(), limit=100, lease=timedelta(minutes=2)
        )
    assert len(claimed) == len(PEOPLE)

    restarted = await _bot(settings, db, clock)
    try:
        assert restarted.runtime.delivery is not None
        report = await restarted.runtime.delivery.drain()
    finally:
        await restarted.shutdown()

    assert report.sent == len(PEOPLE)
    assert all(_copies(emulator, user_id) == 1 for user_id in PEOPLE)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: the release at start-up is SQLite's")
async def test_on_sqlite_a_second_worker_leaves_a_living_workers_rows_alone(
    settings: Settings, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    """Two processes can share one SQLite file (tests/test_scale_out.py): one that starts while
    another lives must not free that one's leases, or a copy goes twice."""
    for user_id in PEOPLE:
        emulator.add_user(user_id, f"Person {user_id}")
    first = await _bot(settings, db, clock)
    second = None
    try:
        assert first.runtime.delivery is not None
        await first.runtime.delivery.drain()  # started: it holds its place beside the database
        await _queue(db, clock.now())
        async with db.session() as session:  # the first worker's batch in hand
            claimed = await outbox.claim_due(
                session, now=clock.now(), limit=100, lease=timedelta(minutes=2)
            )
        assert len(claimed) == len(PEOPLE)

        second = await _bot(settings, db, clock)
        assert second.runtime.delivery is not None
        report = await second.runtime.delivery.drain()
    finally:
        await first.shutdown()
        if second is not None:
            await second.shutdown()

    assert report.sent == 0
    assert all(_copies(emulator, user_id) == 0 for user_id in PEOPLE)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: several workers share the rows")
async def test_a_worker_three_minutes_ahead_does_not_take_rows_another_is_sending(
    settings: Settings, db: Database, emulator: BotApiEmulator
) -> None:
    for user_id in PEOPLE:
        emulator.add_user(user_id, f"Person {user_id}")
    now = datetime.now(UTC)
    await _queue(db, now)
    on_time = await _bot(settings, db, FrozenClock(now))
    ahead = await _bot(settings, db, FrozenClock(now + timedelta(minutes=3)))
    try:
        assert on_time.runtime.delivery is not None and ahead.runtime.delivery is not None
        # The first worker claims every row (a two-minute lease) and is slow to send them.
        emulator.hold(["sendMessage"])
        first = asyncio.create_task(on_time.runtime.delivery.drain())
        await emulator.wait_held(1)
        # The second worker's clock says the lease ran out a minute ago; the database's does not.
        second = asyncio.create_task(ahead.runtime.delivery.drain())
        finished, _ = await asyncio.wait([second], timeout=10)
        emulator.release()
        await first
        await second
        assert second in finished  # it found nothing to take, so it did not wait on a send
        assert second.result().claimed == 0
    finally:
        await on_time.shutdown()
        await ahead.shutdown()
    assert all(_copies(emulator, user_id) == 1 for user_id in PEOPLE)
