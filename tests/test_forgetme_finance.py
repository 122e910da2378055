"""/forgetme keeps finance records, pseudonymised, for the retention the operator sets.

Approved and paid claims are payment records: they stay without the person's name, Telegram id
or typed notes, under one random reference, with their receipts, until the daily chore deletes
them after the retention period. Everything else about the person goes, including audit rows
that named them by Telegram id alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import (
    AuditEvent,
    Base,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    Member,
    Receipt,
    Role,
)
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import audit, claim_export, receipts
from tests.factories import ROOT, add_member, create_panel

ZEB, PRIYA = 987_650_001, 987_650_002
NAME = "Zebedee Quill"
PAID_ON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def _dump(db: Database) -> str:
    """Every row of every table, as text: what someone reading the database would see."""
    lines = []
    async with db.session() as session:
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            for row in (await session.execute(select(table))).all():
                lines.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(lines)


async def _claim(
    db: Database,
    settings: Settings,
    panel_id: int,
    member_id: int,
    status: ClaimStatus,
    unique: str,
    *,
    paid_at: datetime | None = None,
) -> tuple[int, Path]:
    path, mime, size = receipts.store(settings.panelbot_data_dir, member_id, unique, TINY_PNG)
    async with db.session() as session:
        claim = Claim(
            panel_id=panel_id,
            member_id=member_id,
            status=status,
            submitted_at=PAID_ON - timedelta(days=5),
            paid_at=paid_at,
            payment_method="bank" if paid_at else None,
            note=f"Note by {NAME}",
        )
        session.add(claim)
        await session.flush()
        approved = status in (ClaimStatus.APPROVED, ClaimStatus.PAID)
        line = ClaimLine(
            claim_id=claim.id,
            position=1,
            kind="taxi",
            amount=1250,
            spent_on=PAID_ON.date() - timedelta(days=6),
            reason=f"{NAME} uses a wheelchair",
            answer="Yes, it was raining",
            status=LineStatus.APPROVED if approved else LineStatus.SUBMITTED,
        )
        session.add(line)
        await session.flush()
        session.add(
            Receipt(
                line_id=line.id,
                telegram_file_id=unique,
                kind="photo",
                mime_type=mime,
                size=size,
                path=path,
            )
        )
        return claim.id, settings.panelbot_data_dir / path


async def test_forgetme_keeps_paid_and_approved_claims_without_the_person_then_the_chore_ends_them(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    settings.panelbot_finance_retention_years = 6
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    zeb = await add_member(db, clock, new.panel.id, ZEB, NAME, language="pl")
    panel_id = new.panel.id
    paid, paid_file = await _claim(
        db, settings, panel_id, zeb.id, ClaimStatus.PAID, "paid", paid_at=PAID_ON
    )
    approved, approved_file = await _claim(
        db, settings, panel_id, zeb.id, ClaimStatus.APPROVED, "ok"
    )
    _waiting, waiting_file = await _claim(
        db, settings, panel_id, zeb.id, ClaimStatus.SUBMITTED, "w"
    )
    async with db.session() as session:
        # Audit rows written without an actor that still name the person by Telegram id.
        audit.record(session, "refused", at=clock.now(), telegram_id=ZEB, what="/members")
        audit.record(session, "note", at=clock.now(), text=f"asked by {ZEB} ({NAME})")
        # Another person's longer id that merely contains theirs is left alone.
        audit.record(session, "other", at=clock.now(), telegram_id=ZEB * 10 + 9)
    assert str(ZEB) in await _dump(db)

    pl = Translator("pl")
    driver = MemberDriver(emulator, ZEB, "Zebedee", language_code="pl")
    await driver.send("/forgetme")
    question = await driver.reply()
    assert pl("claims that are not approved or paid") in question["text"]
    retention = pl.ngettext(
        "Payment records must be kept for {n} year. Then we delete them.",
        "Payment records must be kept for {n} years. Then we delete them.",
        6,
    )
    assert retention in question["text"]
    await driver.tap(pl("Yes, delete everything"))
    done = (await driver.reply())["text"]
    assert done.startswith(pl("Done. We deleted your data."))
    assert (
        pl.ngettext(
            "We kept {n} approved or paid claim. It does not show your name.",
            "We kept {n} approved or paid claims. They do not show your name.",
            2,
        )
        in done
    )
    assert retention in done

    dump = await _dump(db)
    # Not in any column, nor in any audit detail (as a whole number: see "other" below).
    assert re.search(rf"(?<!\d){ZEB}(?!\d)", dump) is None
    assert NAME not in dump and "Zebedee" not in dump and "wheelchair" not in dump
    async with db.session() as session:
        assert await session.scalar(select(Member).where(Member.telegram_id == ZEB)) is None
        kept = (await session.scalars(select(Claim).order_by(Claim.id))).all()
        assert [c.id for c in kept] == [paid, approved]  # the unpaid claim is gone
        assert all(c.member_id is None and c.note is None for c in kept)
        reference = kept[0].former_member
        assert reference and reference == kept[1].former_member  # one stable pseudonym
        assert re.fullmatch(r"former-[0-9a-f]{12}", reference)  # random, not from their ids
        # Retention runs from the payment (or, not yet paid, from the forgetting).
        assert kept[0].retain_until == PAID_ON.date().replace(year=2032)
        assert kept[1].retain_until == clock.now().date().replace(year=clock.now().year + 6)
        lines = (await session.scalars(select(ClaimLine).order_by(ClaimLine.id))).all()
        assert [(x.amount, x.kind, x.reason, x.answer) for x in lines] == [
            (1250, "taxi", None, None),
            (1250, "taxi", None, None),
        ]
        assert len((await session.scalars(select(Receipt))).all()) == 2
        refused = await session.scalar(select(AuditEvent).where(AuditEvent.action == "refused"))
        assert refused is not None and refused.details["telegram_id"] == "(forgotten)"
        note = await session.scalar(select(AuditEvent).where(AuditEvent.action == "note"))
        assert note is not None and note.details["text"] == "asked by (forgotten) ((forgotten))"
        other = await session.scalar(select(AuditEvent).where(AuditEvent.action == "other"))
        assert other is not None and other.details["telegram_id"] == ZEB * 10 + 9
        # Finance still sees the kept claims, under the pseudonym, in its export.
        export = await claim_export.collect(
            session,
            ROOT,
            panel_id,
            PAID_ON.date().replace(month=1, day=1),
            PAID_ON.date().replace(month=12, day=31),
            now=clock.now(),
            fmt="csv",
        )
        assert [row[2:4] for row in export.rows] == [(reference, "(forgotten)")] * 2
        assert [row[:3] for row in export.totals] == [(reference, "(forgotten)", "GBP")]
    # The kept claims' receipts stay with them; the deleted claim's receipt is gone.
    assert paid_file.read_bytes() == TINY_PNG and approved_file.read_bytes() == TINY_PNG
    assert not waiting_file.exists()

    # The daily chore leaves each while it is kept, and deletes it (with its receipt) the day
    # after its retention ends: the approved one six years after the forgetting...
    from bot.services import chores

    async def chore_on(day: str) -> chores.ChoreReport:
        moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        return await chores.run_daily(db, settings.panelbot_data_dir, moment)

    assert (await chore_on("2032-01-05")).expired_claims == 0
    assert approved_file.exists() and paid_file.exists()
    assert (await chore_on("2032-01-06")).expired_claims == 1
    assert not approved_file.exists() and paid_file.exists()
    # ...the paid one six years after it was paid.
    assert (await chore_on("2032-03-02")).expired_claims == 0
    assert (await chore_on("2032-03-03")).expired_claims == 1
    assert not paid_file.exists()
    async with db.session() as session:
        assert (await session.scalars(select(Claim.id))).all() == []
        assert (await session.scalars(select(Receipt.id))).all() == []
    assert not (settings.panelbot_data_dir / "receipts" / str(zeb.id)).exists()
    del paid, approved


async def test_the_operator_chooses_how_long_finance_records_are_kept(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    settings.panelbot_finance_retention_years = 1
    new = await create_panel(db, clock, "Carers Voice")
    zeb = await add_member(db, clock, new.panel.id, ZEB, NAME)
    await _claim(db, settings, new.panel.id, zeb.id, ClaimStatus.PAID, "p", paid_at=PAID_ON)
    en = Translator("en")
    driver = MemberDriver(emulator, ZEB, "Zebedee")
    await driver.send("/forgetme")
    question = await driver.reply()
    assert (
        en("Payment records must be kept for {n} year. Then we delete them.", n=1)
        in (question["text"])
    )
    await driver.tap(en("Yes, delete everything"))
    assert (
        en("We kept {n} approved or paid claim. It does not show your name.", n=1)
        in ((await driver.reply())["text"])
    )
    async with db.session() as session:
        claim = await session.scalar(select(Claim))
        assert claim is not None and claim.retain_until == PAID_ON.date().replace(year=2027)


async def test_someone_with_no_finance_records_is_not_told_about_them(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, ZEB, NAME)
    en = Translator("en")
    driver = MemberDriver(emulator, ZEB, "Zebedee")
    await driver.send("/forgetme")
    await driver.reply()
    await driver.tap(en("Yes, delete everything"))
    done = (await driver.reply())["text"]
    assert "kept" not in done and done.startswith(en("Done. We deleted your data."))


async def test_a_forgotten_members_approved_claim_can_still_be_marked_paid(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    """Money approved before someone asked to be forgotten is still owed: finance must be able
    to find the claim in /review and mark it paid, and the card names nobody."""
    new = await create_panel(db, clock, "Carers Voice")
    zeb = await add_member(db, clock, new.panel.id, ZEB, NAME)
    await add_member(db, clock, new.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    en = Translator("en")
    zebedee = MemberDriver(emulator, ZEB, "Zebedee")
    # A receipt Telegram really holds, so the review card can show it.
    sent = emulator.user_sends_photo(ZEB, TINY_PNG)
    await zebedee.reply()
    file_id = sent["photo"][-1]["file_id"]
    claim_id, _ = await _claim(db, settings, new.panel.id, zeb.id, ClaimStatus.APPROVED, file_id)
    await zebedee.send("/forgetme")
    await zebedee.reply()
    await zebedee.tap(en("Yes, delete everything"))
    await zebedee.reply()
    told_before = len(emulator.messages(ZEB))

    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/review")
    shown = await priya.replies(2)  # the receipt, then the card
    seen = repr(shown)
    assert NAME not in seen and "Zebedee" not in seen
    card = shown[-1]
    async with db.session() as session:
        kept = await session.get(Claim, claim_id)
        assert kept is not None and kept.former_member
    assert kept.former_member in card["text"]  # the same reference as in the finance export
    assert en("Mark paid") in priya.buttons(card)
    await priya.tap(en("Mark paid"))
    how = await priya.wait_edit(card["message_id"])  # the ways to pay, on the card itself
    await priya.tap(priya.buttons(how)[0])
    await priya.wait_edit(card["message_id"])
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None and claim.status == ClaimStatus.PAID
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    assert len(emulator.messages(ZEB)) == told_before  # nobody to tell: the person is gone
