"""Regression tests for outbox faults found in review."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import OutboxMessage, OutboxStatus, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import (
    meeting_changes,
    meeting_queries,
    meeting_rsvp,
    meeting_rules,
    membership,
    outbox,
)
from bot.services.access import Actor
from bot.services.outbox import ClaimedMessage
from tests.factories import add_member, create_panel


async def _pending_reminders(db: Database, member_id: int) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.key).where(
                OutboxMessage.kind == "meeting_reminder",
                OutboxMessage.member_id == member_id,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        return sorted(rows.all())


async def test_reminders_come_back_after_cant_come_then_coming(
    db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    priya = await add_member(db, clock, new.panel.id, 901, "Priya", role=Role.COORDINATOR)
    sam = await add_member(db, clock, new.panel.id, 902, "Sam")
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(901, priya.id),
            new.panel.id,
            meeting_rules.MeetingDraft(
                title="Check-in", starts_at=clock.now() + timedelta(days=10)
            ),
            now=clock.now(),
        )
    first = await _pending_reminders(db, sam.id)
    assert len(first) == 3
    for choice in ("cant", "coming"):
        async with db.session() as session:
            await meeting_rsvp.answer(session, 902, meeting.id, choice, now=clock.now())
    assert await _pending_reminders(db, sam.id) == first


async def test_a_renderer_error_fails_its_row_and_the_next_message_still_goes(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    async def broken(_session: object, _row: ClaimedMessage) -> None:
        raise RuntimeError("bug")

    assert app.runtime.delivery is not None
    app.runtime.delivery.register("broken", broken)
    emulator.add_user(903, "Kim")
    async with db.session() as session:
        for key, kind in (("a", "broken"), ("b", "message")):
            await outbox.enqueue(
                session,
                key=key,
                kind=kind,
                chat_id=903,
                payload={"text": key},
                due_at=clock.now(),
                now=clock.now(),
            )
    report = await app.runtime.delivery.drain()
    assert (report.failed, report.sent) == (1, 1)
    assert [m["text"] for m in emulator.messages(903)] == ["b"]


async def test_someone_who_leaves_gets_no_more_reminders(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    priya = await add_member(db, clock, new.panel.id, 904, "Priya", role=Role.COORDINATOR)
    sam = await add_member(db, clock, new.panel.id, 905, "Sam")
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(904, priya.id),
            new.panel.id,
            meeting_rules.MeetingDraft(
                title="Check-in", starts_at=clock.now() + timedelta(days=10)
            ),
            now=clock.now(),
        )
        await membership.leave_panel(session, 905, new.panel.id, now=clock.now())
    assert await _pending_reminders(db, sam.id) == []
    driver = MemberDriver(emulator, 905, "Sam")
    clock.advance(timedelta(days=10))
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    await driver.no_reply(0.2)
    async with db.session() as session:
        attendance = await meeting_queries.attendance(session, Actor(904, priya.id), meeting.id)
    assert attendance[1] == []


async def test_a_long_flood_wait_does_not_let_another_worker_take_the_row(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database
) -> None:
    import asyncio

    from bot.clock import Clock
    from bot.delivery import Delivery

    real = Clock()
    delivery = Delivery(app.bot, db, real, lease=timedelta(seconds=0.6))
    emulator.add_user(906, "Lee")
    async with db.session() as session:
        await outbox.enqueue(
            session,
            key="slow",
            kind="message",
            chat_id=906,
            payload={"text": "hello"},
            due_at=real.now(),
            now=real.now(),
        )
    emulator.fail_next("sendMessage", 429, retry_after=2)
    sending = asyncio.create_task(delivery.run_once())
    await asyncio.sleep(1.2)  # twice the lease, while Telegram makes us wait
    async with db.session() as session:
        stolen = await outbox.claim_due(session, now=real.now(), limit=5, lease=timedelta(1))
    assert stolen == []
    report = await sending
    assert report.sent == 1
    assert [m["text"] for m in emulator.messages(906)] == ["hello"]
