"""A long Telegram outage: rows that gave up are sent when Telegram answers again (unless too
old), and admins are told in the bot, in their language, that messages failed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, OutboxMessage, OutboxStatus
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import outbox
from tests.factories import add_member, create_panel

PEOPLE = range(8201, 8204)
ADMIN = 8299
LATE = 8210


async def _queue(
    db: Database, clock: FrozenClock, key: str, chat_id: int, *, age: timedelta
) -> None:
    async with db.session() as session:
        await outbox.enqueue(
            session,
            key=key,
            kind="message",
            chat_id=chat_id,
            payload={"text": f"Message {key}"},
            due_at=clock.now(),
            now=clock.now() - age,
        )


def _copies(emulator: BotApiEmulator, chat_id: int, key: str) -> int:
    return sum(1 for m in emulator.messages(chat_id) if m.get("text") == f"Message {key}")


async def test_after_a_long_outage_rows_that_gave_up_go_and_admins_are_told(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel = await create_panel(db, clock)
    await add_member(db, clock, panel.panel.id, ADMIN, "Ade", language="cy")
    async with db.session() as session:
        admin = await session.scalar(select(Member).where(Member.telegram_id == ADMIN))
        assert admin is not None
        admin.is_admin = True
    for user_id in [*PEOPLE, ADMIN, LATE]:
        emulator.add_user(user_id, f"Person {user_id}")
    for user_id in PEOPLE:
        await _queue(db, clock, f"news:{user_id}", user_id, age=timedelta())
    await _queue(db, clock, "stale", LATE, age=timedelta(days=3))
    delivery = app.runtime.delivery
    assert delivery is not None

    # Telegram answers 502 to everything for hours: every row tries MAX_ATTEMPTS times, then stops.
    emulator.fail_next("sendMessage", 502, count=100_000)
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        clock.advance(timedelta(minutes=10))
        await delivery.drain()
    async with db.session() as session:
        rows = dict((await session.execute(select(OutboxMessage.key, OutboxMessage.status))).all())
    assert all(rows[f"news:{user_id}"] == OutboxStatus.FAILED for user_id in PEOPLE)
    assert [key for key in rows if key.startswith("outbox_failed:")] != []

    # Telegram works again.
    emulator.clear_faults()
    clock.advance(timedelta(minutes=10))
    await delivery.drain()
    await delivery.drain()

    assert all(_copies(emulator, user_id, f"news:{user_id}") == 1 for user_id in PEOPLE)
    assert _copies(emulator, LATE, "stale") == 0  # three days old: not sent after all
    cy = Translator("cy")
    told = [m["text"] for m in emulator.messages(ADMIN)]
    assert len(told) == 1
    assert told[0].startswith(
        cy.ngettext("{n} message could not be sent.", "{n} messages could not be sent.", 4)
    )
