"""Delivery of outbox rows to the emulator: limits, floods, blocked people, faults, order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, OutboxMessage, OutboxStatus
from bot.db.engine import Database
from bot.delivery import Delivery, Outgoing
from bot.emulator.server import BotApiEmulator
from bot.services import members, outbox
from bot.services.outbox import ClaimedMessage


def _delivery(app: PanelbotApplication) -> Delivery:
    assert app.runtime.delivery is not None
    return app.runtime.delivery


async def _queue(
    db: Database, clock: FrozenClock, chat_id: int, key: str, **payload: object
) -> None:
    async with db.session() as session:
        await outbox.enqueue(
            session,
            key=key,
            kind=str(payload.pop("kind", "message")),
            chat_id=chat_id,
            payload={"text": f"Hello {key}", **payload},
            due_at=clock.now(),
            now=clock.now(),
        )


async def _statuses(db: Database) -> dict[str, OutboxStatus]:
    async with db.session() as session:
        return dict((await session.execute(select(OutboxMessage.key, OutboxMessage.status))).all())


async def test_many_people_each_get_their_message_once_within_telegrams_limits(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.strict_limits = True
    people = range(7001, 7041)
    for user_id in people:
        emulator.add_user(user_id, f"Person {user_id}")
        await _queue(db, clock, user_id, f"news:{user_id}")

    report = await _delivery(app).drain()

    assert report.sent == 40
    for user_id in people:
        texts = [m["text"] for m in emulator.messages(user_id)]
        assert texts == [f"Hello news:{user_id}"]
    refused = [c for c in emulator.calls("sendMessage") if c.get("status") == 429]
    assert refused == [], "delivery went over Telegram's limits"
    assert set((await _statuses(db)).values()) == {OutboxStatus.SENT}


async def test_one_persons_messages_arrive_in_order(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.add_user(7100, "Sam")
    for n in range(3):
        await _queue(db, clock, 7100, f"step:{n}")
    await _delivery(app).drain()
    assert [m["text"] for m in emulator.messages(7100)] == [f"Hello step:{n}" for n in range(3)]


async def test_flood_control_is_waited_out_and_nothing_is_lost(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.add_user(7200, "Kim")
    await _queue(db, clock, 7200, "flood")
    emulator.fail_next("sendMessage", 429, retry_after=1)

    report = await _delivery(app).drain()

    assert report.sent == 1
    assert [m["text"] for m in emulator.messages(7200)] == ["Hello flood"]
    async with db.session() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == "flood"))
    assert row is not None and row.status == OutboxStatus.SENT


async def test_someone_who_blocked_the_bot_is_marked_unreachable(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.add_user(7300, "Lee")
    async with db.session() as session:
        await members.get_or_create(session, 7300, now=clock.now())
    emulator.block(7300)
    await _queue(db, clock, 7300, "first")
    await _queue(db, clock, 7300, "second")

    report = await _delivery(app).drain()

    assert report.unreachable == 2
    assert emulator.messages(7300) == []
    assert set((await _statuses(db)).values()) == {OutboxStatus.UNREACHABLE}
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 7300))
    assert member is not None and member.unreachable_since == clock.now()


async def test_server_errors_are_retried_with_back_off(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.add_user(7400, "Mo")
    await _queue(db, clock, 7400, "retry")
    emulator.fail_next("sendMessage", 502, count=2)

    first = await _delivery(app).drain()
    assert first.retrying == 1 and emulator.messages(7400) == []
    # Not due yet: back-off means no immediate hammering.
    assert (await _delivery(app).drain()).claimed == 0
    clock.advance(timedelta(seconds=3))
    assert (await _delivery(app).drain()).retrying == 1
    clock.advance(timedelta(seconds=5))
    assert (await _delivery(app).drain()).sent == 1
    assert [m["text"] for m in emulator.messages(7400)] == ["Hello retry"]
    async with db.session() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == "retry"))
    assert row is not None and row.attempts == 3 and row.status == OutboxStatus.SENT


async def test_a_message_telegram_refuses_is_recorded_not_retried_forever(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.add_user(7500, "Ash")
    await _queue(db, clock, 7500, "broken", text="<b>unclosed")
    report = await _delivery(app).drain()
    assert report.failed == 1
    async with db.session() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == "broken"))
    assert row is not None and row.status == OutboxStatus.FAILED
    assert row.last_error and "parse entities" in row.last_error


async def test_rows_are_rendered_at_send_time_and_can_be_dropped(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    async def greet(_session: object, message: ClaimedMessage) -> Outgoing | None:
        if message.payload.get("cancelled"):
            return None
        return Outgoing(
            text=f"Rendered for {message.chat_id}",
            buttons=[[{"text": "Open", "callback_data": "start:1:help"}]],
        )

    delivery = _delivery(app)
    delivery.register("greeting", greet)
    emulator.add_user(7600, "Jo")
    await _queue(db, clock, 7600, "keep", kind="greeting")
    await _queue(db, clock, 7600, "drop", kind="greeting", cancelled=True)
    report = await delivery.drain()
    assert (report.sent, report.cancelled) == (1, 1)
    [message] = emulator.messages(7600)
    assert message["text"] == "Rendered for 7600"
    assert (await _statuses(db))["drop"] == OutboxStatus.CANCELLED


async def _unreachable_since(db: Database, telegram_id: int) -> object:
    async with db.session() as session:
        return await session.scalar(
            select(Member.unreachable_since).where(Member.telegram_id == telegram_id)
        )


async def test_blocking_the_bot_marks_them_unreachable_and_unblocking_undoes_it(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    """Telegram's notice of a block is not the person writing to us: it must not count as
    "reachable again", whichever comes first, the notice or a bounced message."""
    emulator.add_user(7310, "Kit")
    async with db.session() as session:
        await members.get_or_create(session, 7310, now=clock.now())

    emulator.block(7310)
    for _ in range(100):
        if await _unreachable_since(db, 7310) is not None:
            break
        await asyncio.sleep(0.05)
    assert await _unreachable_since(db, 7310) == clock.now()
    await _queue(db, clock, 7310, "after-block")
    assert (await _delivery(app).drain()).unreachable == 1
    assert await _unreachable_since(db, 7310) == clock.now()

    emulator.unblock(7310)
    for _ in range(100):
        if await _unreachable_since(db, 7310) is None:
            break
        await asyncio.sleep(0.05)
    assert await _unreachable_since(db, 7310) is None
