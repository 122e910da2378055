"""Membership over time: the coordinator's roster, leaving a panel, and a member's own data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import AuditEvent, Consent, Member, Membership, OutboxMessage, Panel, Role
from bot.services import audit, expenses, feedback, meetings
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


async def roster(session: AsyncSession, actor: Actor, panel_id: int) -> list[RosterEntry]:
    await require_coordinator(session, actor, panel_id)
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
            onboarded=member.consent == Consent.GIVEN and member.conversation_step is None,
            access_needs=list(member.access_needs or []),
            access_other=member.access_other,
            payment=str(member.payment) if member.payment else None,
            reachable=member.unreachable_since is None,
        )
        for member, role in rows.all()
    ]


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
    await meetings.member_left(session, membership.member_id, panel_id, now=now)
    audit.record(
        session, "membership.left", at=now, actor_id=membership.member_id, panel_id=panel_id
    )
    return str(name)


async def export_member(session: AsyncSession, telegram_id: int) -> dict[str, Any] | None:
    """Everything stored about one person, as plain data for /mydata."""
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        return None
    panels = await session.execute(
        select(Panel.name, Membership.role, Membership.active, Membership.joined_at)
        .join(Membership, Membership.panel_id == Panel.id)
        .where(Membership.member_id == member.id)
    )
    actions = await session.execute(
        select(AuditEvent.at, AuditEvent.action).where(AuditEvent.actor_id == member.id)
    )
    queued = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.member_id == member.id).limit(1)
    )

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "telegram_id": member.telegram_id,
        "name": member.display_name,
        "language": member.language,
        "easy_read": member.easy_read,
        "consent": str(member.consent),
        "consent_at": iso(member.consent_at),
        "reminders": str(member.reminders),
        "quiet_hours": [member.quiet_start, member.quiet_end]
        if member.quiet_start is not None
        else None,
        "access_needs": list(member.access_needs or []),
        "access_other": member.access_other,
        "payment": str(member.payment) if member.payment else None,
        "joined": iso(member.created_at),
        "panels": [
            {"panel": name, "role": str(role), "active": active, "joined": iso(joined)}
            for name, role, active, joined in panels.all()
        ],
        "history": [{"at": iso(at), "what": action} for at, action in actions.all()],
        "messages_waiting_to_be_sent": queued is not None,
        "claims": await expenses.claims_as_data(session, member.id),
    }


async def forget_member(session: AsyncSession, telegram_id: int, *, now: datetime) -> bool:
    """Delete everything that names or identifies the person.

    Memberships and queued messages go with the member row (ON DELETE CASCADE). Audit entries
    stay, so the panel's history adds up, but lose the link to the person (actor set to NULL)
    and any detail that could identify them.
    """
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        return False
    member_id = member.id
    events = await session.scalars(select(AuditEvent).where(AuditEvent.actor_id == member_id))
    for event in events.all():
        event.actor_id = None
        event.details = {k: v for k, v in (event.details or {}).items() if k in {"role"}}
    # Messages to their chat go too, including any queued by chat id alone (no member id).
    await session.execute(
        delete(OutboxMessage).where(
            or_(
                OutboxMessage.member_id == member_id,
                OutboxMessage.chat_id == telegram_id,
                # Messages about them sent to others: questions they asked, support notes.
                OutboxMessage.key.startswith(f"question:{member_id}:", autoescape=True),
                OutboxMessage.key.like(f"meeting:%:support:{member_id}:%"),
            )
        )
    )
    await session.execute(delete(Membership).where(Membership.member_id == member_id))
    # The private ways back to their anonymous messages go too (the messages stay anonymous).
    await feedback.forget_routes(session, telegram_id)
    await session.delete(member)
    audit.record(session, "member.forgotten", at=now)
    return True
