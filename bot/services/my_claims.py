"""A member's own claims: the list, taking one back, answering a coordinator's question, and
asking the coordinators one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import Claim, ClaimLine, ClaimStatus, LineStatus, Member
from bot.services import member_requests, receipt_files
from bot.services.access import Actor, refuse
from bot.services.claim_notices import tell_coordinators
from bot.services.claim_rules import ClaimProblem, settle


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
    settle(claim)
    await session.flush()
    await tell_coordinators(session, claim, "answered", now)
    return claim


async def ask_about(
    session: AsyncSession, telegram_id: int, claim_id: int, text: str, now: datetime
) -> int:
    """A member's question about one of their own claims, to its panel's coordinators (with
    Reply: bot/services/member_requests.py). Returns how many coordinators were told."""
    claim = await _own_claim(session, telegram_id, claim_id)
    assert claim.member_id is not None  # their own claim
    return await member_requests.ask(
        session,
        member_id=claim.member_id,
        kind=member_requests.CLAIM,
        about=str(claim.id),
        text=text,
        panel_id=claim.panel_id,
        now=now,
    )


async def check_own(session: AsyncSession, telegram_id: int, claim_id: int) -> None:
    """Raises LookupError (and notes a refusal) unless the claim is the person's own."""
    await _own_claim(session, telegram_id, claim_id)
