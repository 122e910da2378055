"""Panels and their invite codes."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Invite, Member, Membership, Panel, Role
from bot.languages import LAUNCH_LANGUAGES
from bot.services import audit
from bot.services.access import Actor, NotAllowed, require_admin, require_coordinator

# Telegram deep links allow up to 64 characters of A-Z a-z 0-9 _ -; 32 random URL-safe
# characters carry 192 bits, so codes cannot be guessed.
CODE_BYTES = 24
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# A coordinator link gives rights over members' data, so it works once and not for long: a link
# forwarded, leaked or forgotten in a chat stops working by itself.
COORDINATOR_LINK_DAYS = 2


class InviteStatus(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"


@dataclass(frozen=True)
class InviteCheck:
    status: InviteStatus
    invite: Invite | None = None


@dataclass(frozen=True)
class NewPanel:
    panel: Panel
    member_invite: Invite
    coordinator_invite: Invite


def new_code() -> str:
    # A code starting with "-" reads as an option on the command line (`invite revoke -x…`), so
    # such codes are drawn again: it costs under one bit of the 192.
    while (code := secrets.token_urlsafe(CODE_BYTES)).startswith("-"):
        pass
    return code


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def _validate_panel(name: str, timezone: str, language: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise ValueError("A panel name needs 1 to 200 characters.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{timezone!r} is not a time zone name like Europe/London.") from None
    if language not in LAUNCH_LANGUAGES:
        raise ValueError(f"The language must be one of {', '.join(LAUNCH_LANGUAGES)}.")
    return name


async def create_panel(
    session: AsyncSession,
    actor: Actor,
    name: str,
    *,
    now: datetime,
    timezone: str = "Europe/London",
    language: str = "en",
    coordinator_link_days: int = COORDINATOR_LINK_DAYS,
) -> NewPanel:
    """A new panel with a member invite and a coordinator invite (single use, expiring after
    `coordinator_link_days`). Admins only."""
    require_admin(actor, session)
    panel = Panel(
        name=_validate_panel(name, timezone, language),
        timezone=timezone,
        default_language=language,
        created_at=now,
    )
    session.add(panel)
    await session.flush()
    member_invite = await _add_invite(session, panel.id, Role.MEMBER, actor, now=now)
    coordinator_invite = await _add_invite(
        session,
        panel.id,
        Role.COORDINATOR,
        actor,
        now=now,
        expires_at=now + timedelta(days=coordinator_link_days),
    )
    audit.record(
        session,
        "panel.created",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel.id,
        name=panel.name,
    )
    return NewPanel(panel, member_invite, coordinator_invite)


async def _add_invite(
    session: AsyncSession,
    panel_id: int,
    role: Role,
    actor: Actor,
    *,
    now: datetime,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> Invite:
    if role != Role.MEMBER:
        if max_uses not in (None, 1):
            raise ValueError("A coordinator invite works only once.")
        max_uses = 1
        expires_at = expires_at or now + timedelta(days=COORDINATOR_LINK_DAYS)
    invite = Invite(
        code=new_code(),
        panel_id=panel_id,
        role=role,
        created_at=now,
        created_by=actor.member_id,
        expires_at=expires_at,
        max_uses=max_uses,
        uses=0,
    )
    session.add(invite)
    await session.flush()
    return invite


async def create_invite(
    session: AsyncSession,
    actor: Actor,
    panel_id: int,
    *,
    now: datetime,
    role: Role = Role.MEMBER,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> Invite:
    """Coordinators may invite members to their panel; only admins may invite coordinators.
    Coordinator invites work once and expire (after COORDINATOR_LINK_DAYS unless told)."""
    # Role first, so someone without rights cannot learn which panel ids exist.
    if role == Role.MEMBER:
        await require_coordinator(session, actor, panel_id)
    else:
        require_admin(actor, session)
    if await session.get(Panel, panel_id) is None:
        raise LookupError(f"There is no panel {panel_id}.")
    if max_uses is not None and max_uses < 1:
        raise ValueError("An invite needs at least one use.")
    if expires_at is not None and expires_at <= now:
        raise ValueError("An invite cannot expire in the past.")
    invite = await _add_invite(
        session, panel_id, role, actor, now=now, expires_at=expires_at, max_uses=max_uses
    )
    audit.record(
        session,
        "invite.created",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel_id,
        role=str(role),
        invite_id=invite.id,
    )
    return invite


async def revoke_invite(session: AsyncSession, actor: Actor, code: str, *, now: datetime) -> Invite:
    invite = await session.scalar(select(Invite).where(Invite.code == code))
    if invite is None:
        raise LookupError("There is no invite with that code.")
    await require_coordinator(session, actor, invite.panel_id)
    if invite.role != Role.MEMBER:
        require_admin(actor, session)
    if invite.revoked_at is None:
        invite.revoked_at = now
        audit.record(
            session,
            "invite.revoked",
            at=now,
            actor_id=actor.member_id,
            panel_id=invite.panel_id,
            invite_id=invite.id,
        )
    return invite


def joining_status(invite: Invite | None, now: datetime) -> InviteStatus:
    """Whether someone who opened this invite earlier may go on joining with it: it must not
    have been revoked or expired since. Their own use was counted when they opened it, so a
    link used up since then still lets them finish."""
    status = invite_status(invite, now)
    return InviteStatus.OK if status == InviteStatus.USED_UP else status


def invite_status(invite: Invite | None, now: datetime) -> InviteStatus:
    if invite is None:
        return InviteStatus.UNKNOWN
    if invite.revoked_at is not None:
        return InviteStatus.REVOKED
    if invite.expires_at is not None and invite.expires_at <= now:
        return InviteStatus.EXPIRED
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return InviteStatus.USED_UP
    return InviteStatus.OK


async def check_invite(session: AsyncSession, code: str, *, now: datetime) -> InviteCheck:
    import re

    if not re.match(CODE_PATTERN, code or ""):
        return InviteCheck(InviteStatus.UNKNOWN)
    invite = await session.scalar(select(Invite).where(Invite.code == code))
    return InviteCheck(invite_status(invite, now), invite)


async def list_panels(session: AsyncSession) -> list[tuple[Panel, int]]:
    """Every panel with its number of active members."""
    rows = await session.execute(
        select(Panel, func.count(Membership.id))
        .outerjoin(Membership, (Membership.panel_id == Panel.id) & Membership.active.is_(True))
        .group_by(Panel.id)
        .order_by(Panel.id)
    )
    return [(panel, int(count)) for panel, count in rows.all()]


async def list_invites(session: AsyncSession, actor: Actor, panel_id: int) -> list[Invite]:
    await require_coordinator(session, actor, panel_id)
    result = await session.scalars(
        select(Invite).where(Invite.panel_id == panel_id).order_by(Invite.id)
    )
    return list(result.all())


async def add_admin(session: AsyncSession, telegram_id: int, *, now: datetime) -> Member:
    """Give a Telegram user full rights (run by whoever runs the server: `panelbot admin add`)."""
    if telegram_id <= 0:
        raise ValueError("A Telegram user id is a positive number.")
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        member = Member(telegram_id=telegram_id, created_at=now)
        session.add(member)
        await session.flush()
    if not member.is_admin:
        member.is_admin = True
        # Recorded against the new admin, so forgetting them also unlinks this entry.
        audit.record(session, "admin.added", at=now, actor_id=member.id)
    return member


__all__ = ["NotAllowed"]
