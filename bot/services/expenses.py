"""Expense and paid-time claims: the rules for claiming, reviewing and paying.

Every coordinator action checks the role here (callback data can be forged). A refused attempt
is written to the audit log too, so a forged button leaves a trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import (
    Claim,
    ClaimLine,
    ClaimStatus,
    ExpensePolicy,
    LineStatus,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Panel,
    PaymentChoice,
    Receipt,
    Role,
)
from bot.services import audit, outbox, receipt_files
from bot.services.access import Actor, NotAllowed, refuse, require_coordinator
from bot.services.reminders import after_quiet_hours

# Kinds of spending, in the order the buttons show them.
EXPENSE_KINDS = (
    "transport",
    "mileage",
    "taxi",
    "parking",
    "care",
    "childcare",
    "food",
    "phone",
    "other",
)
TIME_KINDS = ("hours", "sessions")  # paid time, at the panel's rate
RATED_KINDS = ("mileage", *TIME_KINDS)  # amount = quantity x rate
NO_RECEIPT_KINDS = RATED_KINDS  # nothing to photograph
PAYMENT_METHODS = ("bank", "voucher", "cash", "other")
MAX_TEXT = 500
MAX_LINES = 10
CLAIMABLE_MEETING_DAYS = 90

DEFAULT_POLICY: dict[str, Any] = {
    "currency": "GBP",
    "mileage_rate": 45,  # HMRC's approved rate for a car, per mile
    "hourly_rate": 2000,
    "session_rate": 5000,
    "max_amount": 50000,
    "no_receipt_limit": 1000,
    "max_age_days": 90,
    "weekly_paid_limit": None,
}


# On the table, not the ORM class: every claim step reads the rules, and the ORM's execution
# path costs more CPU than the query.
_POLICIES = cast(Table, ExpensePolicy.__table__)
_POLICY = select(*(_POLICIES.c[name] for name in DEFAULT_POLICY)).where(
    _POLICIES.c.panel_id == bindparam("panel_id")
)


class ClaimProblem(Exception):
    """A claim that breaks a rule; `code` says which, for a plain message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Policy:
    currency: str
    mileage_rate: int
    hourly_rate: int
    session_rate: int
    max_amount: int
    no_receipt_limit: int
    max_age_days: int
    weekly_paid_limit: int | None

    def rate(self, kind: str) -> int:
        return {
            "mileage": self.mileage_rate,
            "hours": self.hourly_rate,
            "sessions": self.session_rate,
        }[kind]


async def policy(session: AsyncSession, panel_id: int) -> Policy:
    # Plain columns, not an ORM object: every claim step reads the rules.
    row = (await session.execute(_POLICY, {"panel_id": panel_id})).first()
    if row is None:
        return Policy(**DEFAULT_POLICY)
    return Policy(**row._asdict())


async def set_policy(
    session: AsyncSession, actor: Actor, panel_id: int, *, now: datetime, **changes: Any
) -> Policy:
    await require_coordinator(session, actor, panel_id)
    unknown = set(changes) - set(DEFAULT_POLICY)
    if unknown:
        raise ValueError(f"unknown setting {sorted(unknown)[0]}")
    row = await session.get(ExpensePolicy, panel_id)
    if row is None:
        row = ExpensePolicy(panel_id=panel_id, **DEFAULT_POLICY)
        session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    audit.record(
        session,
        "expenses.policy",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel_id,
        **{k: v for k, v in changes.items()},
    )
    await session.flush()
    return await policy(session, panel_id)


def rated_amount(policy_: Policy, kind: str, quantity: Decimal) -> int:
    return int((quantity * policy_.rate(kind)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_year_start(day: date) -> date:
    """UK tax years start on 6 April."""
    start = date(day.year, 4, 6)
    return start if day >= start else date(day.year - 1, 4, 6)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ------------------------------------------------------------------------------ claiming


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


def check_date(policy_: Policy, day: date, today: date) -> None:
    if day > today:
        raise ClaimProblem("future")
    if day < today - timedelta(days=policy_.max_age_days):
        raise ClaimProblem("too_old")


def check_amount(policy_: Policy, amount: int) -> None:
    if amount <= 0:
        raise ClaimProblem("not_positive")
    if amount > policy_.max_amount:
        raise ClaimProblem("over_limit")


def may_claim_time(payment: PaymentChoice | None, meeting: Meeting | None) -> bool:
    """Paid time only for a paid meeting (or none), and not for someone who declined payment."""
    return payment != PaymentChoice.DECLINE and (meeting is None or meeting.paid)


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
        if line.kind not in EXPENSE_KINDS + TIME_KINDS:
            raise ClaimProblem("kind")
        if line.kind in TIME_KINDS and not may_claim_time(person.payment, meeting):
            raise ClaimProblem("time")
        check_amount(rules, line.amount)
        check_date(rules, line.spent_on, today)
        needs_receipt = line.kind not in NO_RECEIPT_KINDS and not line.receipts
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
    await _tell_coordinators(session, claim, "new", now)
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
                ClaimLine.kind.in_(TIME_KINDS),
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


# ------------------------------------------------------------------------------ the member's view


async def my_claims(session: AsyncSession, telegram_id: int, limit: int = 10) -> list[Claim]:
    rows = await session.scalars(
        select(Claim)
        .join(Member, Member.id == Claim.member_id)
        .where(Member.telegram_id == telegram_id)
        .options(selectinload(Claim.lines))
        .order_by(Claim.submitted_at.desc(), Claim.id.desc())
        .limit(limit)
    )
    return list(rows)


def untouched(claim: Claim) -> bool:
    """Nobody has looked at it yet: the member may still take it back."""
    return claim.status == ClaimStatus.SUBMITTED and all(
        line.reviewed_at is None for line in claim.lines
    )


async def _own_claim(session: AsyncSession, telegram_id: int, claim_id: int) -> Claim:
    claim = await session.scalar(
        select(Claim)
        .join(Member, Member.id == Claim.member_id)
        .where(Claim.id == claim_id, Member.telegram_id == telegram_id)
        .options(selectinload(Claim.lines))
    )
    if claim is None:
        # Someone else's claim (or none): only a forged button names it, so audit the attempt.
        refuse(session, Actor(telegram_id, None), f"touch claim {claim_id} of someone else")
        raise LookupError("no such claim")
    return claim


async def withdraw(session: AsyncSession, telegram_id: int, claim_id: int, now: datetime) -> Claim:
    claim = await _own_claim(session, telegram_id, claim_id)
    if not untouched(claim):
        raise ClaimProblem("reviewed")
    claim.status = ClaimStatus.WITHDRAWN
    claim.version += 1
    # Its receipts are not needed any more; the files go once this is committed.
    await receipt_files.drop_receipts_of_claim(session, claim.id)
    await session.flush()
    return claim


async def line_with_query(session: AsyncSession, telegram_id: int, line_id: int) -> ClaimLine:
    line = await session.get(ClaimLine, line_id, options=[selectinload(ClaimLine.claim)])
    if line is None:
        raise LookupError("no such line")
    await _own_claim(session, telegram_id, line.claim_id)
    if line.status != LineStatus.QUERY:
        raise ClaimProblem("no_query")
    return line


async def answer(
    session: AsyncSession, telegram_id: int, line_id: int, text: str, now: datetime
) -> Claim:
    line = await line_with_query(session, telegram_id, line_id)
    claim = await _own_claim(session, telegram_id, line.claim_id)
    line.answer = text
    line.status = LineStatus.SUBMITTED
    _settle(claim)
    await session.flush()
    await _tell_coordinators(session, claim, "answered", now)
    return claim


# ------------------------------------------------------------------------------ review


async def _refuse(
    session: AsyncSession, actor: Actor, action: str, now: datetime, **details: Any
) -> NotAllowed:
    audit.record(
        session,
        "claim.refused",
        at=now,
        actor_id=actor.member_id,
        attempted=action,
        telegram_id=actor.telegram_id,
        **details,
    )
    await session.flush()
    return NotAllowed(f"may not {action}")


async def _reviewable(
    session: AsyncSession, actor: Actor, claim: Claim | None, action: str, now: datetime
) -> Claim:
    """The claim, if this person may review it: a coordinator of its panel, not its claimant."""
    if claim is None:
        raise LookupError("no such claim")
    try:
        await require_coordinator(session, actor, claim.panel_id)
        if claim.member_id == actor.member_id:
            raise NotAllowed("own claim")
    except NotAllowed:
        raise await _refuse(
            session, actor, action, now, claim_id=claim.id, claim_panel_id=claim.panel_id
        ) from None
    return claim


async def claim_for_review(
    session: AsyncSession, actor: Actor, claim_id: int, now: datetime
) -> Claim:
    claim = await session.get(
        Claim,
        claim_id,
        options=[selectinload(Claim.lines).selectinload(ClaimLine.receipts)],
        populate_existing=True,
    )
    return await _reviewable(session, actor, claim, "view", now)


async def next_to_review(
    session: AsyncSession, actor: Actor, panel_ids: list[int], after: int = 0
) -> Claim | None:
    """The oldest claim waiting for a decision in these panels (after claim `after`), then the
    oldest approved one waiting to be paid. Never the coordinator's own."""
    if not panel_ids:
        return None
    base = (
        select(Claim)
        .where(Claim.panel_id.in_(panel_ids), Claim.id > after)
        .options(selectinload(Claim.lines).selectinload(ClaimLine.receipts))
        .order_by(Claim.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if actor.member_id is not None:
        # A forgotten member's kept claim has no member: it is nobody's own, and still owed.
        base = base.where(or_(Claim.member_id.is_(None), Claim.member_id != actor.member_id))
    # A claim with a question on one line can still have its other lines decided.
    undecided = select(ClaimLine.id).where(
        ClaimLine.claim_id == Claim.id, ClaimLine.status == LineStatus.SUBMITTED
    )
    waiting = await session.scalar(
        base.where(Claim.status.in_([ClaimStatus.SUBMITTED, ClaimStatus.QUERY]), undecided.exists())
    )
    if waiting is not None:
        return waiting
    return await session.scalar(base.where(Claim.status == ClaimStatus.APPROVED))


def _settle(claim: Claim) -> None:
    """The claim's status follows its lines."""
    statuses = {line.status for line in claim.lines}
    if LineStatus.QUERY in statuses:
        claim.status = ClaimStatus.QUERY
    elif LineStatus.SUBMITTED in statuses:
        claim.status = ClaimStatus.SUBMITTED
    elif LineStatus.APPROVED in statuses:
        claim.status = ClaimStatus.APPROVED
    else:
        claim.status = ClaimStatus.REJECTED


DECISIONS = {"approve": LineStatus.APPROVED, "reject": LineStatus.REJECTED, "ask": LineStatus.QUERY}


async def decide(
    session: AsyncSession,
    actor: Actor,
    line_id: int,
    decision: str,
    *,
    now: datetime,
    text: str | None = None,
) -> Claim:
    """Approve, reject (with a reason) or ask about one line. Decided lines stay decided."""
    # Locked (on PostgreSQL), so two coordinators tapping at once cannot both decide it.
    line = await session.get(ClaimLine, line_id, with_for_update=True)
    if line is None or decision not in DECISIONS:
        raise LookupError("no such line")
    claim = await session.get(Claim, line.claim_id, options=[selectinload(Claim.lines)])
    claim = await _reviewable(session, actor, claim, decision, now)
    if claim.status in (ClaimStatus.WITHDRAWN, ClaimStatus.PAID) or line.status in (
        LineStatus.APPROVED,
        LineStatus.REJECTED,
    ):
        raise ClaimProblem("decided")
    if decision in ("reject", "ask") and not text:
        raise ClaimProblem("text")
    if decision == "ask" and line.status == LineStatus.QUERY:
        raise ClaimProblem("decided")
    line.status = DECISIONS[decision]
    line.reviewed_by, line.reviewed_at = actor.member_id, now
    if decision == "reject":
        line.reject_reason = text
    if decision == "ask":
        line.question, line.answer = text, None
    before = claim.status
    _settle(claim)
    claim.version += 1
    audit.record(
        session,
        f"claim.{decision}",
        at=now,
        actor_id=actor.member_id,
        panel_id=claim.panel_id,
        claim_id=claim.id,
        line_id=line.id,
        amount=line.amount,
        # The reason or question itself stays on the claim (deleted with it on /forgetme):
        # free text about a member does not belong in a log that outlives them.
        with_text=text is not None,
    )
    await session.flush()
    await notify_member(
        session, claim, decision, now, line_id=line.id, claim_changed=claim.status != before
    )
    return claim


async def mark_paid(
    session: AsyncSession, actor: Actor, claim_id: int, method: str, *, now: datetime
) -> Claim:
    claim = await session.get(
        Claim, claim_id, options=[selectinload(Claim.lines)], with_for_update=True
    )
    claim = await _reviewable(session, actor, claim, "pay", now)
    if method not in PAYMENT_METHODS:
        raise LookupError("no such method")
    if claim.status != ClaimStatus.APPROVED:
        raise ClaimProblem("not_approved")
    claim.status = ClaimStatus.PAID
    claim.paid_at, claim.paid_by, claim.payment_method = now, actor.member_id, method
    claim.version += 1
    audit.record(
        session,
        "claim.paid",
        at=now,
        actor_id=actor.member_id,
        panel_id=claim.panel_id,
        claim_id=claim.id,
        method=method,
        amount=approved_total(claim),
    )
    await session.flush()
    await notify_member(session, claim, "paid", now)
    return claim


def approved_total(claim: Claim) -> int:
    return sum(line.amount for line in claim.lines if line.status == LineStatus.APPROVED)


def claimed_total(claim: Claim) -> int:
    return sum(line.amount for line in claim.lines)


# ------------------------------------------------------------------------------ notices


async def notify_member(
    session: AsyncSession,
    claim: Claim,
    event: str,
    now: datetime,
    *,
    line_id: int | None = None,
    claim_changed: bool = False,
) -> None:
    """A status change, told to the member through the outbox in their language."""
    if claim.member_id is None:  # a finance record kept after /forgetme
        return
    member = await session.get(Member, claim.member_id)
    if member is None:
        return
    await outbox.enqueue(
        session,
        key=f"claim:{claim.id}:v{claim.version}",
        kind="claim_update",
        chat_id=member.telegram_id,
        member_id=member.id,
        payload={
            "claim_id": claim.id,
            "event": event,
            "line_id": line_id,
            "status": claim.status.value,
            "claim_changed": claim_changed,
        },
        due_at=now,
        now=now,
    )


async def coordinators_of(session: AsyncSession, panel_id: int) -> list[Member]:
    rows = await session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.panel_id == panel_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR, Role.ADMIN]),
        )
        .order_by(Member.id)
    )
    return list(rows)


async def _tell_coordinators(
    session: AsyncSession, claim: Claim, event: str, now: datetime
) -> None:
    """A new or answered claim, told to each coordinator. Nothing about a claim is urgent (it
    waits in /review anyway), so a coordinator's quiet hours are kept: the notice goes when
    they end, as meeting reminders do."""
    panel = await session.get(Panel, claim.panel_id)
    zone = ZoneInfo(panel.timezone if panel is not None else "Europe/London")
    for coordinator in await coordinators_of(session, claim.panel_id):
        if coordinator.id == claim.member_id:
            continue
        quiet = (
            (coordinator.quiet_start, coordinator.quiet_end)
            if coordinator.quiet_start is not None and coordinator.quiet_end is not None
            else None
        )
        await outbox.enqueue(
            session,
            key=f"claim:{claim.id}:{event}:{now.isoformat()}:to:{coordinator.id}",
            kind="claim_review",
            chat_id=coordinator.telegram_id,
            member_id=coordinator.id,
            payload={"claim_id": claim.id, "event": event},
            due_at=after_quiet_hours(now, zone, quiet),
            now=now,
        )
