"""Taking people off a panel: a coordinator in the bot (members of their own panel only), the
operator with `panelbot member remove|role` and `panelbot admin remove`. Each is audited; the
person removed is told in their language; their claims stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Claim, Member, Membership, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import claim_submission
from tests.factories import add_member, create_panel
from tests.test_cli_panels import Panelbot, panelbot

__all__ = ["panelbot"]  # the fixture, used by name

PRIYA, BEA, OWEN, AGNIESZKA = 9200, 9201, 9202, 9203


async def _world(db: Database, clock: FrozenClock) -> tuple[int, int, int]:
    """Carers Voice: Priya and Owen coordinate; Bea (writes in Arabic) has a claim waiting."""
    panel = (await create_panel(db, clock, "Carers Voice")).panel.id
    await add_member(db, clock, panel, PRIYA, "Priya", role=Role.COORDINATOR)
    owen = await add_member(db, clock, panel, OWEN, "Owen", role=Role.COORDINATOR)
    bea = await add_member(db, clock, panel, BEA, "Bea", language="ar")
    await add_member(db, clock, panel, AGNIESZKA, "Agnieszka")
    now = clock.now()
    async with db.session() as session:
        await claim_submission.submit(
            session,
            BEA,
            panel_id=panel,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport", amount=420, spent_on=now.date(), no_receipt_reason="Bus"
                )
            ],
            note=None,
            now=now,
            today=now.date(),
        )
        await session.commit()
    return panel, bea.id, owen.id


async def _active(db: Database, member_id: int) -> bool:
    async with db.session() as session:
        active = await session.scalar(
            select(Membership.active).where(Membership.member_id == member_id)
        )
    return bool(active)


async def _audit(db: Database, action: str) -> list[AuditEvent]:
    async with db.session() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def test_a_coordinator_removes_a_member_who_is_told_in_her_language(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel, bea_id, _ = await _world(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    bea = MemberDriver(emulator, BEA, "Bea", language_code="ar")
    await priya.send("/members")
    roster = await priya.reply()
    assert "Remove someone from the panel" in priya.buttons(roster)
    await priya.tap("Remove someone from the panel")
    names = await priya.reply()
    # Members only: not Priya herself, not Owen (another coordinator).
    assert priya.buttons(names) == ["Agnieszka", "Bea", "No, keep everyone"]
    await priya.tap("Bea")
    question = await priya.reply()
    assert "Remove Bea from Carers Voice?" in question["text"]
    assert "We keep their expense claims" in question["text"]
    assert await _active(db, bea_id)  # nothing happens before the yes
    await priya.tap("Yes, remove Bea")
    assert "Bea is no longer in Carers Voice. We told them." in (await priya.reply())["text"]

    assert not await _active(db, bea_id)
    async with db.session() as session:
        claims = (await session.scalars(select(Claim).where(Claim.member_id == bea_id))).all()
    assert len(claims) == 1  # finance records stay
    (event,) = await _audit(db, "membership.removed")
    async with db.session() as session:
        priya_id = await session.scalar(select(Member.id).where(Member.telegram_id == PRIYA))
    assert (event.actor_id, event.panel_id) == (priya_id, panel)
    assert (event.details or {})["member_id"] == bea_id

    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    notice = (await bea.reply())["text"]
    ar = Translator("ar")
    assert ar("You are no longer in {panel}.", panel="Carers Voice") in notice
    assert ar("We keep your expense claims. Money we owe you will still be paid.") in notice


async def test_no_keeps_everyone(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    _, bea_id, _ = await _world(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/members")
    await priya.reply()
    await priya.tap("Remove someone from the panel")
    await priya.reply()
    await priya.tap("Bea")
    await priya.reply()
    await priya.tap("No, keep them")
    assert "Nobody was removed" in (await priya.reply())["text"]
    assert await _active(db, bea_id)
    assert await _audit(db, "membership.removed") == []


async def test_forged_taps_cannot_remove_a_coordinator_or_anyone_by_a_member(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel, bea_id, owen_id = await _world(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/help")
    anchor = (await priya.reply())["message_id"]
    answer = await priya.tap_data(anchor, f"rm:1:y:{panel}:{owen_id}")
    assert "Only a coordinator of this panel can do that" in answer["text"]
    assert await _active(db, owen_id)
    agnieszka = MemberDriver(emulator, AGNIESZKA, "Agnieszka")
    await agnieszka.send("/help")
    anchor = (await agnieszka.reply())["message_id"]
    answer = await agnieszka.tap_data(anchor, f"rm:1:y:{panel}:{bea_id}")
    assert "Only a coordinator of this panel can do that" in answer["text"]
    assert await _active(db, bea_id)
    assert await _audit(db, "membership.removed") == []
    for _ in range(50):  # a refusal is audited when its update ends, just after the answer
        refused = {(e.details or {}).get("telegram_id") for e in await _audit(db, "refused")}
        if refused >= {PRIYA, AGNIESZKA}:
            break
        await asyncio.sleep(0.05)
    assert refused >= {PRIYA, AGNIESZKA}


async def test_operator_removes_a_member_changes_a_role_and_removes_an_admin(
    panelbot: Panelbot, db: Database, clock: FrozenClock
) -> None:
    panel, bea_id, owen_id = await _world(db, clock)
    removed = await panelbot("member", "remove", str(panel), str(BEA))
    assert removed.returncode == 0, removed.stderr
    assert "is no longer in panel" in removed.stdout
    assert not await _active(db, bea_id)
    again = await panelbot("member", "remove", str(panel), str(BEA))
    assert again.returncode == 2 and "not in this panel" in again.stderr

    demoted = await panelbot("member", "role", str(panel), str(OWEN), "member")
    assert demoted.returncode == 0, demoted.stderr
    async with db.session() as session:
        role = await session.scalar(select(Membership.role).where(Membership.member_id == owen_id))
    assert role == Role.MEMBER
    (changed,) = await _audit(db, "membership.role_set")
    assert (changed.details or {}) == {"member_id": owen_id, "role": "member", "was": "coordinator"}

    assert (await panelbot("admin", "add", "4242")).returncode == 0
    gone = await panelbot("admin", "remove", "4242", PANELBOT_ADMINS="4242")
    assert gone.returncode == 0, gone.stderr
    assert "no longer a panelbot admin" in gone.stdout
    assert "still an admin through PANELBOT_ADMINS" in gone.stdout
    async with db.session() as session:
        is_admin = await session.scalar(select(Member.is_admin).where(Member.telegram_id == 4242))
    assert is_admin is False
    assert len(await _audit(db, "admin.removed")) == 1
    assert len(await _audit(db, "membership.removed")) == 1

    unknown = await panelbot("member", "remove", str(panel), "777")
    assert unknown.returncode == 2 and "never used panelbot" in unknown.stderr


async def test_panel_create_prints_a_single_use_coordinator_link_with_chosen_days(
    panelbot: Panelbot, db: Database
) -> None:
    made = await panelbot(
        "panel", "create", "Carers Voice", "--coordinator-link-days", "5", "--bot-username", "b"
    )
    assert made.returncode == 0, made.stderr
    assert "It works once, until" in made.stdout
    async with db.session() as session:
        from bot.db import Invite

        invite = await session.scalar(select(Invite).where(Invite.role == Role.COORDINATOR))
    assert invite is not None and invite.max_uses == 1 and invite.expires_at is not None
    assert invite.expires_at - invite.created_at == timedelta(days=5)
