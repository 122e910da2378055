"""/forgetme: delete everything that names or identifies a person, except finance records.

Approved and paid claims are payment records an organisation must keep (UK practice is six
years). They stay, pseudonymised: no member id, no note or typed text, a random reference the
same on all of that person's kept claims, and `retain_until`, after which `purge_expired` (a
daily chore) deletes them and their receipts. Everything else about the person goes.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import AuditEvent, Claim, ClaimStatus, Member, Membership, OutboxMessage
from bot.services import audit, feedback, member_requests, outbox_keys

KEPT_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.PAID)
SCRUBBED = "(forgotten)"


@dataclass(frozen=True)
class Forgotten:
    member_id: int
    kept_claims: int  # finance records kept, pseudonymised, until their retention ends


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


async def forget_member(
    session: AsyncSession, telegram_id: int, *, now: datetime, retention_years: int
) -> Forgotten | None:
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        return None
    member_id = member.id
    await _scrub_audit(session, member_id, telegram_id, member.display_name)
    kept = await _keep_finance_records(session, member_id, now, retention_years)
    # Messages to their chat go too, including any queued by chat id alone (no member id).
    await session.execute(
        delete(OutboxMessage).where(
            or_(
                OutboxMessage.member_id == member_id,
                OutboxMessage.chat_id == telegram_id,
                # Messages about them sent to others: questions they asked, support notes.
                OutboxMessage.key.startswith(
                    outbox_keys.question_about(member_id), autoescape=True
                ),
                OutboxMessage.key.like(outbox_keys.meeting_support_about(member_id)),
                OutboxMessage.key.startswith(outbox_keys.requests_of(member_id), autoescape=True),
            )
        )
    )
    await session.execute(delete(Membership).where(Membership.member_id == member_id))
    await forget_reply_routes(session, telegram_id)
    await member_requests.forget(session, member_id)  # questions and requests to coordinators
    # Drafts, meeting answers and poll participation go with the member row (ON DELETE CASCADE).
    await session.delete(member)
    audit.record(session, "member.forgotten", at=now, kept_claims=kept)
    return Forgotten(member_id=member_id, kept_claims=kept)


async def forget_reply_routes(session: AsyncSession, telegram_id: int) -> None:
    """The private ways back to their anonymous messages (the messages stay anonymous).

    One call, so the reply-route keys (and old keys kept for rotation) are handled in one place.
    """
    await feedback.forget_routes(session, telegram_id)


async def _keep_finance_records(
    session: AsyncSession, member_id: int, now: datetime, retention_years: int
) -> int:
    claims = (
        await session.scalars(
            select(Claim).where(Claim.member_id == member_id).options(selectinload(Claim.lines))
        )
    ).all()
    reference = "former-" + secrets.token_hex(6)
    dropped = [claim.id for claim in claims if claim.status not in KEPT_STATUSES]
    if dropped:  # their lines and receipt rows go with them (ON DELETE CASCADE)
        await session.execute(delete(Claim).where(Claim.id.in_(dropped)))
    kept = 0
    for claim in claims:
        if claim.status not in KEPT_STATUSES:
            continue
        kept += 1
        claim.member_id = None
        claim.former_member = reference
        claim.retain_until = years_later((claim.paid_at or now).date(), retention_years)
        claim.note = None
        for line in claim.lines:
            # Typed text can say anything about the person; amounts, kinds and days stay.
            line.reason = line.no_receipt_reason = None
            line.question = line.answer = line.reject_reason = None
    await session.flush()
    return kept


async def _scrub_audit(
    session: AsyncSession, member_id: int, telegram_id: int, name: str | None
) -> None:
    """Unlink their actions, and take their Telegram id and name out of every entry's details
    (refused attempts by someone not yet a member name them by Telegram id alone)."""
    words = [str(telegram_id)] + ([name] if name and len(name) >= 3 else [])
    details = cast(AuditEvent.details, Text)
    events = await session.scalars(
        select(AuditEvent).where(
            or_(
                AuditEvent.actor_id == member_id,
                *(details.contains(word, autoescape=True) for word in words),
            )
        )
    )
    for event in events.all():
        if event.actor_id == member_id:
            event.actor_id = None
            event.details = {k: v for k, v in (event.details or {}).items() if k in {"role"}}
        event.details = _scrubbed(event.details or {}, telegram_id, words)


def mentions(telegram_id: int) -> re.Pattern[str]:
    """The Telegram id as a whole number in text (so 801 does not match 8012)."""
    return re.compile(rf"(?<!\d){telegram_id}(?!\d)")


def _scrubbed(value: Any, telegram_id: int, words: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _scrubbed(v, telegram_id, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, telegram_id, words) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value == telegram_id:
        return SCRUBBED
    if isinstance(value, str):
        value = mentions(telegram_id).sub(SCRUBBED, value)
        for word in words[1:]:  # the name, if they had one
            value = value.replace(word, SCRUBBED)
    return value


async def purge_expired(session: AsyncSession, today: date) -> int:
    """Delete kept finance records whose retention has ended; their receipt files become
    orphans, which `receipt_files.collect_orphans` removes. Returns how many claims went."""
    expired = (
        await session.scalars(
            select(Claim.id).where(Claim.member_id.is_(None), Claim.retain_until < today)
        )
    ).all()
    if expired:
        await session.execute(delete(Claim).where(Claim.id.in_(expired)))
    return len(expired)
