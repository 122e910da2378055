"""An invite is checked again at every joining step and at the end: one revoked or expired after
it was opened joins nobody. Coordinator links work once and stop by themselves."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import cli_panels
from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Membership, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import panels
from tests.factories import ROOT, create_panel

TURNED_OFF = "This invite link has been turned off"
TOO_OLD = "This invite link is too old"
STEPS_TO_PAYMENT = (
    "English",
    "Next",
    "Yes, that is OK",
    "Call me Priya",
    "No, thank you",
    "All reminders",
    "No, any time is fine",
    "Done",
)


async def _memberships(db: Database) -> list[tuple[int, Role]]:
    async with db.session() as session:
        rows = await session.execute(select(Membership.member_id, Membership.role))
        return [(row[0], row[1]) for row in rows.all()]


async def _up_to_payment(person: MemberDriver, code: str) -> None:
    await person.send(f"/start {code}")
    await person.reply()
    for label in STEPS_TO_PAYMENT:
        await person.tap(label)
        await person.reply()


async def test_a_revoked_coordinator_link_opened_earlier_makes_nobody_a_coordinator_later(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Access Group")
    mallory = MemberDriver(emulator, 9100, "Priya")
    await _up_to_payment(mallory, new.coordinator_invite.code)
    async with db.session() as session:
        await panels.revoke_invite(session, ROOT, new.coordinator_invite.code, now=clock.now())
    clock.advance(timedelta(days=7))
    await mallory.tap("Not sure: please talk to me")
    assert TURNED_OFF in (await mallory.reply())["text"]
    assert await _memberships(db) == []
    # /start no longer resumes joining, and the stop is in the audit log.
    await mallory.send("/start")
    assert "Welcome back. Let us carry on" not in (await mallory.reply())["text"]
    async with db.session() as session:
        stopped = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "joining.stopped")
        )
    assert stopped is not None and (stopped.details or {})["reason"] == "revoked"


async def test_a_coordinator_link_stops_working_after_two_days_even_half_way(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Access Group")
    assert new.coordinator_invite.max_uses == 1
    assert new.coordinator_invite.expires_at == clock.now() + timedelta(days=2)
    assert cli_panels.COORDINATOR_LINK_DAYS == panels.COORDINATOR_LINK_DAYS
    sam = MemberDriver(emulator, 9101, "Sam")
    await sam.send(f"/start {new.coordinator_invite.code}")
    await sam.reply()
    clock.advance(timedelta(days=3))
    await sam.tap("English")
    assert TOO_OLD in (await sam.reply())["text"]
    assert await _memberships(db) == []


async def test_a_coordinator_link_works_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Access Group")
    priya = MemberDriver(emulator, 9102, "Priya")
    await _up_to_payment(priya, new.coordinator_invite.code)
    other = MemberDriver(emulator, 9103, "Owen")
    await other.send(f"/start {new.coordinator_invite.code}")
    assert "used too many times" in (await other.reply())["text"]
    # The first opener's own use was counted when they opened it: they can still finish.
    await priya.tap("Not sure: please talk to me")
    assert "You are now a coordinator" in (await priya.reply())["text"]
    assert [role for _, role in await _memberships(db)] == [Role.COORDINATOR]
    async with db.session() as session:
        try:
            await panels.create_invite(
                session, ROOT, new.panel.id, now=clock.now(), role=Role.COORDINATOR, max_uses=5
            )
        except ValueError as error:
            assert "only once" in str(error)
        else:
            raise AssertionError("a coordinator invite with five uses was made")


async def test_a_member_invite_revoked_while_typing_a_name_joins_nobody(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    sam = MemberDriver(emulator, 9104, "Sam")
    await sam.send(f"/start {new.member_invite.code}")
    await sam.reply()
    for label in ("English", "Next", "Yes, that is OK"):
        await sam.tap(label)
        await sam.reply()
    async with db.session() as session:
        await panels.revoke_invite(session, ROOT, new.member_invite.code, now=clock.now())
    await sam.send("Samira")
    assert TURNED_OFF in (await sam.reply())["text"]
    assert await _memberships(db) == []
    await sam.send("Samira")  # no longer a joining answer
    assert "did not understand" in (await sam.reply())["text"]
