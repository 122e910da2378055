"""Membership over time: the coordinator's roster and leaving a panel.

A member's own data is in `my_data` (/mydata) and `forgetting` (/forgetme)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Consent, Member, Membership, Panel, Role
from bot.services import audit, meeting_changes, onboarding
from bot.services.access import Actor, require_coordinator


@dataclass(frozen=True)
class RosterEntry:
    """What a coordinator may see about a member: never payment details beyond the choice."""

    name: str | None
    role: Role
    onboarded: bool
    access_needs: list[str]
    access_other: str | None
    payment: str | None
    reachable: bool


async def roster(
    session: AsyncSession, actor: Actor, panel_id: int, *, now: datetime
) -> list[RosterEntry]:
    await require_coordinator(session, actor, panel_id)
    audit.read(session, "roster", at=now, actor_id=actor.member_id, panel_id=panel_id)
    rows = await session.execute(
        select(Member, Membership.role)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.panel_id == panel_id, Membership.active.is_(True))
        # Coordinators first (a plain sort on the role text would put members first), then
        # by name; people with no name yet last on both engines.
        .order_by(
            case((Membership.role == Role.MEMBER, 1), else_=0),
            Member.display_name.is_(None),
            Member.display_name,
        )
    )
    return [
        RosterEntry(
            name=member.display_name,
            role=role,
            onboarded=_finished_joining(member),
            access_needs=list(member.access_needs or []),
            access_other=member.access_other,
            payment=str(member.payment) if member.payment else None,
            reachable=member.unreachable_since is None,
        )
        for member, role in rows.all()
    ]


def _finished_joining(member: Member) -> bool:
    """Said yes and is not in the joining form. Any other form (a claim, a new meeting, a
    typed answer) also keeps a step on the member: that is not joining."""
    step = member.conversation_step or ""
    return member.consent == Consent.GIVEN and not step.startswith(onboarding.PREFIX)


async def my_panels(session: AsyncSession, telegram_id: int) -> list[tuple[int, str, Role]]:
    rows = await session.execute(
        select(Panel.id, Panel.name, Membership.role)
        .join(Membership, Membership.panel_id == Panel.id)
        .join(Member, Member.id == Membership.member_id)
        .where(Member.telegram_id == telegram_id, Membership.active.is_(True))
        .order_by(Membership.joined_at)
    )
    return [(r[0], r[1], r[2]) for r in rows.all()]


async def leave_panel(
    session: AsyncSession, telegram_id: int, panel_id: int, *, now: datetime
) -> str | None:
    """The member leaves one panel. Returns the panel's name, or None if they were not in it."""
    row = (
        await session.execute(
            select(Membership, Panel.name)
            .join(Member, Member.id == Membership.member_id)
            .join(Panel, Panel.id == Membership.panel_id)
            .where(
                Member.telegram_id == telegram_id,
                Membership.panel_id == panel_id,
                Membership.active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    membership, name = row
    membership.active = False
    await meeting_changes.member_left(session, membership.member_id, panel_id, now=now)
    audit.record(
        session, "membership.left", at=now, actor_id=membership.member_id, panel_id=panel_id
    )
    return str(name)
