"""Reviewing claims: a coordinator finds the next claim, decides each line and marks it paid.

Every action checks the role here (callback data can be forged). A refused attempt is written to
the audit log too, so a forged button leaves a trace.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import Claim, ClaimLine, ClaimStatus, LineStatus
from bot.services import audit
from bot.services.access import Actor, NotAllowed, require_coordinator
from bot.services.claim_notices import notify_member
from bot.services.claim_rules import ClaimProblem, approved_total, settle
from bot.services.vocabularies import payments


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
    settle(claim)
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
    if method not in payments.METHOD_CODES:
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
