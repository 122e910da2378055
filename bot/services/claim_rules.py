"""The rules of claiming: the panel's expense policy and the checks every claim goes through.

Plain functions of the policy and of a claim's lines, shared by submitting, the member's view
and review. What can be claimed is the table in `bot.services.vocabularies.expense_kinds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Claim, ClaimStatus, ExpensePolicy, LineStatus, Meeting, PaymentChoice
from bot.services import audit
from bot.services.access import Actor, require_coordinator
from bot.services.vocabularies import expense_kinds

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
    # The panel's rule for paid time: the expense kind it is claimed as. By the hour unless the
    # panel says otherwise: most involvement-payment guidance sets an hourly rate, and a meeting's
    # length is then the answer a member can give in one tap.
    "paid_time": "hours",
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
    paid_time: str

    @property
    def time_kind(self) -> str:
        """The expense kind paid time is claimed as (an unknown stored rule reads as hours)."""
        return self.paid_time if self.paid_time in expense_kinds.PAID_TIME else "hours"

    def rate(self, kind: str) -> int:
        """The price of one unit of a rated kind (a mile, an hour, a session)."""
        setting = expense_kinds.BY_CODE[kind].rate
        if setting is None:
            raise KeyError(kind)
        return int(getattr(self, setting))


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
    if "paid_time" in changes and changes["paid_time"] not in expense_kinds.PAID_TIME:
        raise ValueError(f"paid time is one of {', '.join(expense_kinds.PAID_TIME)}")
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


def meeting_hours(minutes: int) -> Decimal:
    """A meeting's length in hours, to the nearest quarter hour (at least a quarter)."""
    return Decimal(max(1, (minutes + 7) // 15)) / 4


def offered_quantity(value: str) -> Decimal | None:
    """A quantity a button carried (the form offered it): a plain positive decimal, or None."""
    if not value or len(value) > 8 or not all(c.isdigit() or c == "." for c in value):
        return None
    try:
        quantity = Decimal(value)
    except ArithmeticError:
        return None
    return quantity if quantity > 0 and quantity.is_finite() else None


def tax_year_start(day: date) -> date:
    """UK tax years start on 6 April."""
    start = date(day.year, 4, 6)
    return start if day >= start else date(day.year - 1, 4, 6)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


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


def settle(claim: Claim) -> None:
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


def approved_total(claim: Claim) -> int:
    return sum(line.amount for line in claim.lines if line.status == LineStatus.APPROVED)


def claimed_total(claim: Claim) -> int:
    return sum(line.amount for line in claim.lines)
