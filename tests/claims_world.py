"""What the claim tests share: a panel with coordinator Priya, member Ola (Polish, paid by bank)
and this morning's meeting, the outbox drained, and claims made straight through the service
(the forms themselves are walked in tests/test_claims.py and tests/test_claim_*.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, ClaimLine, Meeting, Member, PaymentChoice, Role
from bot.db.engine import Database
from bot.i18n import Translator
from bot.services import claim_submission
from tests.factories import add_member, create_panel

pl, en = Translator("pl"), Translator("en")
PRIYA, OLA = 801, 802
NOW = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)  # Monday; the meeting was this morning


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


async def _setup(db: Database, clock: FrozenClock, *, paid: bool = True) -> tuple[int, int]:
    clock.advance(NOW - clock.now())
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    ola = await add_member(db, clock, new.panel.id, OLA, "Agnieszka", language="pl")
    async with db.session() as session:
        member = await session.get(Member, ola.id)
        assert member is not None
        member.payment = PaymentChoice.BANK
        meeting = Meeting(
            panel_id=new.panel.id,
            title="Planning day",
            starts_at=NOW - timedelta(hours=6),
            paid=paid,
            created_at=NOW - timedelta(days=10),
        )
        session.add(meeting)
        await session.flush()
        meeting_id = meeting.id
    return new.panel.id, meeting_id


async def _quick_claim(
    db: Database, clock: FrozenClock, panel_id: int, telegram_id: int = OLA, amount: int = 250
) -> tuple[int, int]:
    """A claim made through the service (the form itself is tested in test_claims.py)."""
    async with db.session() as session:
        sent = await claim_submission.submit(
            session,
            telegram_id,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport",
                    amount=amount,
                    spent_on=date(2026, 1, 5),
                    no_receipt_reason="The driver gave none",
                )
            ],
            note=None,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
        return sent.claim.id, sent.claim.lines[0].id


async def _line(db: Database, line_id: int) -> ClaimLine:
    async with db.session() as session:
        line = await session.get(ClaimLine, line_id)
        assert line is not None
        return line


async def _refusals(db: Database) -> list[AuditEvent]:
    async with db.session() as session:
        return list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "claim.refused"))
        )
