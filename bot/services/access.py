"""Who may do what. Every coordinator or admin action asks here, not only the menu."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member, Membership, Role
from bot.services import audit


class NotAllowed(Exception):
    """The person asked for something their role does not permit."""


# Refused attempts wait on the session (its `info` outlives the rollback that follows a refusal)
# and are written to the audit log in their own transaction when the update ends
# (bot/context.py UpdateScope.close), so every refusal is recorded in one place.
_REFUSALS = "panelbot_refusals"


def refuse(
    session: AsyncSession, actor: Actor, what: str, panel_id: int | None = None
) -> NotAllowed:
    """Note a refused attempt for the audit log; returns the NotAllowed to raise."""
    session.info.setdefault(_REFUSALS, []).append(
        {"actor_id": actor.member_id, "telegram_id": actor.telegram_id, "what": what[:200]}
        | ({"panel": panel_id} if panel_id is not None else {})
    )
    return NotAllowed(what)


async def write_refusals(session: AsyncSession, now: datetime) -> int:
    """Audit the refusals noted during this update. Anything uncommitted was given up already."""
    pending = session.info.pop(_REFUSALS, [])
    if not pending:
        return 0
    await session.rollback()
    for note in pending:
        details = {k: v for k, v in note.items() if k != "actor_id"}
        audit.record(session, "refused", at=now, actor_id=note["actor_id"], **details)
    await session.commit()
    return len(pending)


@dataclass(frozen=True)
class Actor:
    """The person doing something. `is_admin` covers PANELBOT_ADMINS and `panelbot admin add`."""

    telegram_id: int
    member_id: int | None
    is_admin: bool = False


async def actor_for(
    session: AsyncSession, telegram_id: int, configured_admins: frozenset[int]
) -> Actor:
    row = (
        await session.execute(
            select(Member.id, Member.is_admin).where(Member.telegram_id == telegram_id)
        )
    ).first()
    member_id, stored_admin = (row[0], row[1]) if row else (None, False)
    return Actor(telegram_id, member_id, bool(stored_admin) or telegram_id in configured_admins)


async def panel_role(session: AsyncSession, actor: Actor, panel_id: int) -> Role | None:
    if actor.member_id is None:
        return None
    return await session.scalar(
        select(Membership.role).where(
            Membership.panel_id == panel_id,
            Membership.member_id == actor.member_id,
            Membership.active.is_(True),
        )
    )


async def require_coordinator(session: AsyncSession, actor: Actor, panel_id: int) -> None:
    """Coordinators and admins of this panel, and deployment admins. Nobody else."""
    if actor.is_admin:
        return
    if await panel_role(session, actor, panel_id) not in (Role.COORDINATOR, Role.ADMIN):
        raise refuse(session, actor, "not a coordinator", panel_id)


def require_admin(actor: Actor, session: AsyncSession | None = None) -> None:
    if not actor.is_admin:
        if session is not None:
            raise refuse(session, actor, "not an admin")
        raise NotAllowed("not an admin")


async def coordinated_panels(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """The panels this person may coordinate, as (id, name), oldest first."""
    from bot.db import Panel

    if actor.is_admin:
        rows = await session.execute(select(Panel.id, Panel.name).order_by(Panel.id))
        return [(r[0], r[1]) for r in rows.all()]
    if actor.member_id is None:
        return []
    rows = await session.execute(
        select(Panel.id, Panel.name)
        .join(Membership, Membership.panel_id == Panel.id)
        .where(
            Membership.member_id == actor.member_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR, Role.ADMIN]),
        )
        .order_by(Panel.id)
    )
    return [(r[0], r[1]) for r in rows.all()]


@dataclass(frozen=True)
class Contact:
    """Someone a member's message can be passed to."""

    telegram_id: int
    member_id: int
    language: str | None


async def coordinators_to_ask(session: AsyncSession, telegram_id: int) -> list[Contact]:
    """The coordinators of every panel this person belongs to (not the person themselves)."""
    from sqlalchemy.orm import aliased

    me, person = aliased(Membership), aliased(Member)
    rows = await session.execute(
        select(Member.telegram_id, Member.id, Member.language)
        .join(Membership, Membership.member_id == Member.id)
        .join(me, (me.panel_id == Membership.panel_id) & me.active.is_(True))
        .join(person, (person.id == me.member_id) & (person.telegram_id == telegram_id))
        .where(
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR, Role.ADMIN]),
            Member.telegram_id != telegram_id,
        )
        .distinct()
    )
    return [Contact(r[0], r[1], r[2]) for r in rows.all()]


async def names_foreign(
    session: AsyncSession, mine: set[int], *, panel: str | None = None, meeting: str | None = None
) -> bool:
    """Whether a button's panel or meeting id (as tapped) is outside the panels this person
    coordinates: a forged button, to refuse and audit even when no form is open."""
    from bot.db import Meeting

    value = panel if panel is not None else meeting
    if value is None:
        return False
    if not (value.isdecimal() and value.isascii() and len(value) < 19):
        return True
    if meeting is not None:
        found = await session.scalar(select(Meeting.panel_id).where(Meeting.id == int(value)))
        return found not in mine
    return int(value) not in mine
