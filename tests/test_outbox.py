"""The outbox service: idempotent enqueueing, atomic claiming with leases, retry bookkeeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import OutboxMessage, OutboxStatus
from bot.db.engine import Database
from bot.services import outbox
from bot.services.outbox_keys import Kind

LEASE = timedelta(minutes=2)


async def _enqueue(db: Database, clock: FrozenClock, key: str, *, due_in: float = 0) -> bool:
    async with db.session() as session:
        return await outbox.enqueue(
            session,
            key=key,
            kind="message",
            chat_id=1000,
            payload={"text": key},
            due_at=clock.now() + timedelta(seconds=due_in),
            now=clock.now(),
        )


async def test_the_same_key_is_enqueued_once(db: Database, clock: FrozenClock) -> None:
    assert await _enqueue(db, clock, "reminder:1:42") is True
    assert await _enqueue(db, clock, "reminder:1:42") is False
    async with db.session() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [row.key for row in rows] == ["reminder:1:42"]


async def test_only_due_rows_are_claimed_in_due_order(db: Database, clock: FrozenClock) -> None:
    await _enqueue(db, clock, "later", due_in=60)
    await _enqueue(db, clock, "second", due_in=-5)
    await _enqueue(db, clock, "first", due_in=-10)
    async with db.session() as session:
        claimed = await outbox.claim_due(session, now=clock.now(), limit=10, lease=LEASE)
    assert [c.key for c in claimed] == ["first", "second"]


async def test_a_leased_row_is_not_claimed_again_until_the_lease_runs_out(
    db: Database, clock: FrozenClock
) -> None:
    await _enqueue(db, clock, "only")
    async with db.session() as session:
        assert len(await outbox.claim_due(session, now=clock.now(), limit=10, lease=LEASE)) == 1
    async with db.session() as session:
        assert await outbox.claim_due(session, now=clock.now(), limit=10, lease=LEASE) == []
    # The worker that leased it died: after the lease, someone else picks it up.
    clock.advance(LEASE + timedelta(seconds=1))
    async with db.session() as session:
        again = await outbox.claim_due(session, now=clock.now(), limit=10, lease=LEASE)
    if db.engine.dialect.name == "postgresql":
        # Leases run by the database's clock there, not the worker's (tests/test_leases.py).
        assert again == []
        return
    assert [c.key for c in again] == ["only"]


async def test_on_postgresql_a_lease_runs_out_by_the_databases_clock(
    db: Database, clock: FrozenClock
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite leases run by the worker's clock (one process only)")
    await _enqueue(db, clock, "only")
    short = timedelta(seconds=1)
    async with db.session() as session:
        assert len(await outbox.claim_due(session, now=clock.now(), limit=10, lease=short)) == 1
    await asyncio.sleep(1.2)  # the database's clock moves on; the worker's frozen one does not
    async with db.session() as session:
        again = await outbox.claim_due(session, now=clock.now(), limit=10, lease=short)
    assert [c.key for c in again] == ["only"]


async def test_concurrent_workers_never_claim_the_same_row(
    db: Database, clock: FrozenClock
) -> None:
    for n in range(60):
        await _enqueue(db, clock, f"row:{n}")

    async def worker() -> list[str]:
        keys: list[str] = []
        while True:
            async with db.session() as session:
                claimed = await outbox.claim_due(session, now=clock.now(), limit=7, lease=LEASE)
            if not claimed:
                return keys
            keys += [c.key for c in claimed]

    results = await asyncio.gather(*(worker() for _ in range(4)))
    every = [key for keys in results for key in keys]
    assert sorted(every) == sorted(f"row:{n}" for n in range(60))
    assert len(every) == len(set(every))


async def test_retries_back_off_and_then_fail(db: Database, clock: FrozenClock) -> None:
    await _enqueue(db, clock, "flaky")
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        clock.advance(timedelta(minutes=10))
        async with db.session() as session:
            [claimed] = await outbox.claim_due(session, now=clock.now(), limit=1, lease=LEASE)
            assert claimed.attempts == attempt - 1
            will_retry = await outbox.retry_later(
                session, claimed, now=clock.now(), error="Bad Gateway"
            )
        assert will_retry is (attempt < outbox.MAX_ATTEMPTS)
    async with db.session() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == "flaky"))
    assert row is not None
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS
    # Marked as having given up, so it is tried again once Telegram answers.
    assert row.last_error == outbox.GAVE_UP + "Bad Gateway"


async def test_cancelling_by_key_prefix_leaves_other_rows(db: Database, clock: FrozenClock) -> None:
    for key in ("meeting:7:reminder:1", "meeting:7:reminder:2", "meeting:70:reminder:1"):
        await _enqueue(db, clock, key, due_in=3600)
    async with db.session() as session:
        assert (
            await outbox.cancel_pending(session, key_prefix="meeting:7:", reason="cancelled") == 2
        )
    async with db.session() as session:
        statuses = dict(
            (await session.execute(select(OutboxMessage.key, OutboxMessage.status))).all()
        )
    assert statuses["meeting:70:reminder:1"] == OutboxStatus.PENDING
    assert statuses["meeting:7:reminder:2"] == OutboxStatus.CANCELLED


async def test_one_claim_takes_no_more_than_its_limit(db: Database, clock: FrozenClock) -> None:
    """On PostgreSQL an `IN (subquery ... SKIP LOCKED)` claim took every due row, so a second
    worker had nothing to send (found by tests/test_scale_out.py)."""
    for n in range(30):
        await _enqueue(db, clock, f"many:{n}")
    async with db.session() as session:
        first = await outbox.claim_due(session, now=clock.now(), limit=10, lease=LEASE)
    async with db.session() as session:
        second = await outbox.claim_due(session, now=clock.now(), limit=10, lease=LEASE)
    assert len(first) == len(second) == 10
    assert not {m.key for m in first} & {m.key for m in second}


async def test_every_outbox_kind_has_a_renderer_or_a_task(app: PanelbotApplication) -> None:
    """Kinds come from one enum (bot/services/outbox_keys.py): a kind a service can queue but
    nothing renders would stop at "no renderer", and a renderer for an unknown kind is dead."""
    delivery = app.runtime.delivery
    assert delivery is not None
    handled = set(delivery.renderers) | set(delivery.tasks)
    assert handled == set(Kind)
