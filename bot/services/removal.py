"""Taking people off a panel, changing their role, and taking admin rights away.

What removal does to a person's data (README "Removing people"): their membership of that panel
ends (as if they had used /leave: no more invitations, reminders or notices for its meetings);
everything else stays. Their profile stays, since they may be in other panels; their expense
claims stay, so money owed can still be approved and paid and finance records add up; their
anonymous feedback stays anonymous. They are told plainly, in their language, through the
outbox. /forgetme still deletes what is theirs. Every change is in the audit log.

Coordinators may remove members of their own panel, never another coordinator or themselves
(that is /leave); admins (and the operator's `panelbot member ...`) may remove anyone and change
roles. The role is checked here, since callback data can be forged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Invite, Member, Membership, Panel, Role
from bot.services import audit, meeting_changes, outbox, outbox_keys
from bot.services.access import Actor, refuse, require_admin, require_coordinator
from bot.services.outbox_keys import Kind


@dataclass(frozen=True)
class PanelPerson:
    member_id: int
    telegram_id: int
    name: str | None
    role: Role


async def _active(
    session: AsyncSession, panel_id: int, member_id: int
) -> tuple[Membership, Member, Panel]:
    row = (
        await session.execute(
            select(Membership, Member, Panel)
            .join(Member, Member.id == Membership.member_id)
            .join(Panel, Panel.id == Membership.panel_id)
            .where(
                Membership.panel_id == panel_id,
                Membership.member_id == member_id,
                Membership.active.is_(True),
            )
        )
    ).first()
    if row is None:
        raise LookupError("That person is not in this panel.")
    return row[0], row[1], row[2]


async def member_id_for(session: AsyncSession, telegram_id: int) -> int:
    found = await session.scalar(select(Member.id).where(Member.telegram_id == telegram_id))
    if found is None:
        raise LookupError(f"Telegram user {telegram_id} has never used panelbot.")
    return found


async def removable(session: AsyncSession, actor: Actor, panel_id: int) -> list[PanelPerson]:
    """The people this actor may take off the panel: members for its coordinators; everyone
    but themselves for admins. Coordinators first, then by name."""
    await require_coordinator(session, actor, panel_id)
    rows = await session.execute(
        select(Member.id, Member.telegram_id, Member.display_name, Membership.role)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.panel_id == panel_id, Membership.active.is_(True))
        .order_by(
            case((Membership.role == Role.MEMBER, 1), else_=0),
            Member.display_name.is_(None),
            Member.display_name,
            Member.id,
        )
    )
    people = [PanelPerson(r[0], r[1], r[2], r[3]) for r in rows.all()]
    return [
        p
        for p in people
        if p.member_id != actor.member_id and (actor.is_admin or p.role == Role.MEMBER)
    ]


async def person_in_panel(
    session: AsyncSession, actor: Actor, panel_id: int, member_id: int
) -> tuple[PanelPerson, str]:
    """Who would be removed, and the panel's name: for the confirmation question."""
    membership, member, panel = await _checked(session, actor, panel_id, member_id)
    person = PanelPerson(member.id, member.telegram_id, member.display_name, membership.role)
    return person, panel.name


async def _checked(
    session: AsyncSession, actor: Actor, panel_id: int, member_id: int
) -> tuple[Membership, Member, Panel]:
    await require_coordinator(session, actor, panel_id)
    if member_id == actor.member_id:
        raise refuse(session, actor, "remove themselves", panel_id)
    membership, member, panel = await _active(session, panel_id, member_id)
    if membership.role != Role.MEMBER and not actor.is_admin:
        raise refuse(session, actor, "remove a coordinator", panel_id)
    return membership, member, panel


async def remove_member(
    session: AsyncSession, actor: Actor, panel_id: int, member_id: int, *, now: datetime
) -> tuple[PanelPerson, str]:
    """Take someone off a panel and tell them. Returns who it was and the panel's name."""
    membership, member, panel = await _checked(session, actor, panel_id, member_id)
    membership.active = False
    if member.joining_invite_id is not None:  # half-way through an invite to this panel: stop
        invite = await session.get(Invite, member.joining_invite_id)
        if invite is None or invite.panel_id == panel_id:
            member.joining_invite_id = member.conversation_step = None
    await meeting_changes.member_left(session, member.id, panel_id, now=now)
    audit.record(
        session,
        "membership.removed",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel_id,
        member_id=member.id,
        role=str(membership.role),
        by="admin" if actor.is_admin else "coordinator",
    )
    await outbox.enqueue(
        session,
        key=outbox_keys.removed(panel_id, member.id, now),
        kind=Kind.MEMBERSHIP_REMOVED,
        chat_id=member.telegram_id,
        member_id=member.id,
        payload={"panel_id": panel_id},
        due_at=now,
        now=now,
    )
    return PanelPerson(member.id, member.telegram_id, member.display_name, membership.role), (
        panel.name
    )


async def set_role(
    session: AsyncSession, actor: Actor, panel_id: int, member_id: int, role: Role, *, now: datetime
) -> Role:
    """An admin makes a member a coordinator, or a coordinator a member. Returns the old role."""
    require_admin(actor, session)
    if role not in (Role.MEMBER, Role.COORDINATOR):
        raise ValueError("The role must be member or coordinator.")
    membership, member, _panel = await _active(session, panel_id, member_id)
    old = membership.role
    if old != role:
        membership.role = role
        audit.record(
            session,
            "membership.role_set",
            at=now,
            actor_id=actor.member_id,
            panel_id=panel_id,
            member_id=member.id,
            role=str(role),
            was=str(old),
        )
    return old


async def remove_admin(session: AsyncSession, telegram_id: int, *, now: datetime) -> bool:
    """Take away the rights `panelbot admin add` gave. False if they were not an admin."""
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None or not member.is_admin:
        return False
    member.is_admin = False
    # Recorded against the person, like admin.added, so forgetting them unlinks it too.
    audit.record(session, "admin.removed", at=now, actor_id=member.id)
    return True
