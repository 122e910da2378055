"""Making a claim: who may claim, for which meetings, and saving a checked claim."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Panel,
    PaymentChoice,
    Receipt,
)
from bot.services.access import NotAllowed
from bot.services.claim_notices import tell_coordinators
from bot.services.claim_rules import (
    CLAIMABLE_MEETING_DAYS,
    MAX_LINES,
    ClaimProblem,
    check_amount,
    check_date,
    may_claim_time,
    policy,
    tax_year_start,
    week_start,
)
from bot.services.vocabularies import expense_kinds
from bot.services.vocabularies.expense_kinds import ReceiptRule


@dataclass(frozen=True)
class Claimant:
    member_id: int
    payment: PaymentChoice | None
    panels: list[tuple[int, str]]


async def claimant(session: AsyncSession, telegram_id: int) -> Claimant | None:
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        return None
    rows = await session.execute(
        select(Membership.panel_id, Panel.name)
        .join(Panel, Panel.id == Membership.panel_id)
        .where(Membership.member_id == member.id, Membership.active.is_(True))
        .order_by(Membership.joined_at)
    )
    return Claimant(member.id, member.payment, [(r[0], r[1]) for r in rows.all()])


async def claimable_meetings(
    session: AsyncSession, member_id: int, now: datetime, limit: int = 6
) -> list[Meeting]:
    """Recent meetings of the member's panels, newest first: the ones people claim for."""
    rows = await session.scalars(
        select(Meeting)
        .join(Membership, Membership.panel_id == Meeting.panel_id)
        .where(
            Membership.member_id == member_id,
            Membership.active.is_(True),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at <= now + timedelta(days=1),
            Meeting.starts_at >= now - timedelta(days=CLAIMABLE_MEETING_DAYS),
        )
        .order_by(Meeting.starts_at.desc())
        .limit(limit)
    )
    return list(rows)


async def meeting_for_claim(session: AsyncSession, member_id: int, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise ClaimProblem("meeting")
    member_of = await session.scalar(
        select(Membership.id).where(
            Membership.member_id == member_id,
            Membership.panel_id == meeting.panel_id,
            Membership.active.is_(True),
        )
    )
    if member_of is None:
        raise ClaimProblem("meeting")
    return meeting


async def meeting_day(session: AsyncSession, meeting: Meeting) -> date:
    """The day the meeting was on, in its panel's time zone: the day of a claim made for it."""
    panel = await session.get(Panel, meeting.panel_id)
    zone = ZoneInfo(panel.timezone if panel else "Europe/London")
    return meeting.starts_at.astimezone(zone).date()


TIME, COSTS = "time", "costs"  # what someone who came to a meeting is offered to claim


async def offer_after_meeting(
    session: AsyncSession, telegram_id: int, meeting_id: int
) -> str | None:
    """After "Yes, I came": paid time (and costs) for a paid meeting, costs only for an unpaid
    one or for someone who chose not to be paid, nothing if the meeting is not theirs to claim."""
    person = await claimant(session, telegram_id)
    if person is None:
        return None
    try:
        meeting = await meeting_for_claim(session, person.member_id, meeting_id)
    except ClaimProblem:
        return None
    return TIME if may_claim_time(person.payment, meeting) else COSTS


@dataclass
class NewLine:
    kind: str
    amount: int
    spent_on: date
    quantity: str | None = None
    reason: str | None = None
    no_receipt_reason: str | None = None
    receipts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Submitted:
    claim: Claim
    duplicates: list[int]  # positions of lines that look like ones sent before


async def submit(
    session: AsyncSession,
    telegram_id: int,
    *,
    panel_id: int,
    meeting_id: int | None,
    lines: list[NewLine],
    note: str | None,
    now: datetime,
    today: date,
) -> Submitted:
    """Check every rule again (a draft may be days old) and save the claim."""
    person = await claimant(session, telegram_id)
    if person is None or panel_id not in {p for p, _ in person.panels}:
        raise NotAllowed("not a member of this panel")
    if not lines or len(lines) > MAX_LINES:
        raise ClaimProblem("lines")
    meeting = None
    if meeting_id is not None:
        meeting = await meeting_for_claim(session, person.member_id, meeting_id)
        if meeting.panel_id != panel_id:
            raise ClaimProblem("meeting")
    rules = await policy(session, panel_id)
    for line in lines:
        kind = expense_kinds.BY_CODE.get(line.kind)
        if kind is None:
            raise ClaimProblem("kind")
        if kind.paid_time and not may_claim_time(person.payment, meeting):
            raise ClaimProblem("time")
        check_amount(rules, line.amount)
        check_date(rules, line.spent_on, today)
        needs_receipt = kind.receipt is ReceiptRule.PHOTO and not line.receipts
        if needs_receipt and (not line.no_receipt_reason or line.amount > rules.no_receipt_limit):
            raise ClaimProblem("receipt")
    duplicates, made = [], []
    for position, new in enumerate(lines, start=1):
        earlier = await _earlier_same(session, person.member_id, new)
        if earlier is not None:
            duplicates.append(position)
        made.append(
            ClaimLine(
                position=position,
                kind=new.kind,
                quantity=new.quantity,
                amount=new.amount,
                spent_on=new.spent_on,
                reason=new.reason,
                no_receipt_reason=new.no_receipt_reason,
                status=LineStatus.SUBMITTED,
                duplicate_of=earlier,
                receipts=[
                    Receipt(
                        telegram_file_id=r["file_id"],
                        kind=r["kind"],
                        mime_type=r["mime"],
                        size=int(r["size"]),
                        path=r["path"],
                    )
                    for r in new.receipts
                ],
            )
        )
    claim = Claim(
        panel_id=panel_id,
        member_id=person.member_id,
        meeting_id=meeting_id,
        status=ClaimStatus.SUBMITTED,
        currency=rules.currency,
        note=note,
        payment_preference=person.payment.value if person.payment else None,
        submitted_at=now,
        version=0,
        lines=made,
    )
    session.add(claim)
    await session.flush()
    await tell_coordinators(session, claim, "new", now)
    return Submitted(claim, duplicates)


async def _earlier_same(session: AsyncSession, member_id: int, new: NewLine) -> int | None:
    """A line already claimed by this member with the same kind, amount and date."""
    return await session.scalar(
        select(ClaimLine.id)
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .where(
            Claim.member_id == member_id,
            Claim.status != ClaimStatus.WITHDRAWN,
            ClaimLine.status != LineStatus.REJECTED,
            ClaimLine.kind == new.kind,
            ClaimLine.amount == new.amount,
            ClaimLine.spent_on == new.spent_on,
        )
        .order_by(ClaimLine.id)
        .limit(1)
    )


@dataclass(frozen=True)
class Totals:
    week: int
    tax_year: int
    week_from: date
    tax_year_from: date


async def paid_time_totals(
    session: AsyncSession, member_id: int, panel_id: int, day: date
) -> Totals:
    """Paid time claimed (not rejected or withdrawn) in the week and tax year of `day`."""
    week_from, year_from = week_start(day), tax_year_start(day)

    async def total(start: date, end: date) -> int:
        value = await session.scalar(
            select(func.coalesce(func.sum(ClaimLine.amount), 0))
            .join(Claim, Claim.id == ClaimLine.claim_id)
            .where(
                Claim.member_id == member_id,
                Claim.panel_id == panel_id,
                Claim.status != ClaimStatus.WITHDRAWN,
                ClaimLine.status != LineStatus.REJECTED,
                ClaimLine.kind.in_(expense_kinds.PAID_TIME),
                ClaimLine.spent_on >= start,
                ClaimLine.spent_on < end,
            )
        )
        return int(value or 0)

    next_year = date(year_from.year + 1, 4, 6)
    return Totals(
        await total(week_from, week_from + timedelta(days=7)),
        await total(year_from, next_year),
        week_from,
        year_from,
    )
