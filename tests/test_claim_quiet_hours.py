"""New-claim notices keep a coordinator's quiet hours: money can wait until morning, so the
notice goes when their quiet hours end; a coordinator without quiet hours hears at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import OutboxMessage, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import profile
from tests.claims_world import NOW, PRIYA, _drain, _quick_claim, _setup
from tests.factories import add_member

SAM = 811


async def test_a_new_claim_at_night_waits_for_the_end_of_a_coordinators_quiet_hours(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    await add_member(db, clock, panel_id, SAM, "Sam", role=Role.COORDINATOR)
    async with db.session() as session:
        await profile.set_quiet_hours(session, PRIYA, (22 * 60, 7 * 60))
        await session.commit()
    priya = MemberDriver(emulator, PRIYA, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")

    clock.advance(timedelta(hours=7, minutes=30))  # 23:30 in London (GMT in January)
    claim_id, _ = await _quick_claim(db, clock, panel_id)
    await _drain(app)
    assert (await sam.reply())["text"].startswith(f"New claim {claim_id} from Agnieszka")
    await priya.no_reply()
    async with db.session() as session:
        waiting = await session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "claim_review")
            .where(OutboxMessage.chat_id == PRIYA)
        )
    assert waiting is not None
    assert waiting.due_at.replace(tzinfo=UTC) == datetime(2026, 1, 6, 7, 0, tzinfo=UTC)

    clock.advance(timedelta(hours=7, minutes=29))  # 06:59: still quiet
    await _drain(app)
    await priya.no_reply()
    clock.advance(timedelta(minutes=1))
    await _drain(app)
    assert (await priya.reply())["text"].startswith(f"New claim {claim_id} from Agnieszka")
    await sam.no_reply()  # nobody hears twice


async def test_a_claim_in_the_afternoon_reaches_a_coordinator_with_quiet_hours_at_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    assert clock.now() == NOW  # 16:00, outside 22:00-07:00
    async with db.session() as session:
        await profile.set_quiet_hours(session, PRIYA, (22 * 60, 7 * 60))
        await session.commit()
    priya = MemberDriver(emulator, PRIYA, "Priya")
    claim_id, _ = await _quick_claim(db, clock, panel_id)
    await _drain(app)
    assert (await priya.reply())["text"].startswith(f"New claim {claim_id}")
