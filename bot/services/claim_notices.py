"""Claim notices through the outbox: a status change to the member, a new or answered claim to
the panel's coordinators."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Claim, Member, Membership, Panel, Role
from bot.services import outbox, outbox_keys
from bot.services.outbox_keys import Kind
from bot.services.reminders import after_quiet_hours


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
        key=outbox_keys.claim_update(claim.id, claim.version),
        kind=Kind.CLAIM_UPDATE,
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


async def tell_coordinators(session: AsyncSession, claim: Claim, event: str, now: datetime) -> None:
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
            key=outbox_keys.claim_review(claim.id, event, now, coordinator.id),
            kind=Kind.CLAIM_REVIEW,
            chat_id=coordinator.telegram_id,
            member_id=coordinator.id,
            payload={"claim_id": claim.id, "event": event},
            due_at=after_quiet_hours(now, zone, quiet),
            now=now,
        )
