"""Who a broadcast reaches: panels or the people at one meeting, perhaps only those who speak
one language, each person once, with what their quiet hours need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Consent, Meeting, Member, Membership, Panel, Rsvp
from bot.services.access import Actor, NotAllowed, require_coordinator


class InvalidBroadcast(ValueError):
    """Text too long, nobody chosen, a time in the past: the handler says what to fix."""


@dataclass(frozen=True)
class Audience:
    panel_ids: tuple[int, ...] = ()
    meeting_id: int | None = None
    language: str | None = None
    # The sender gets a copy only if they ask: they wrote it, and it is not news to them.
    own_copy: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "panels": list(self.panel_ids),
            "meeting": self.meeting_id,
            "language": self.language,
            "own_copy": self.own_copy,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(
            tuple(int(p) for p in data.get("panels") or []),
            int(data["meeting"]) if data.get("meeting") else None,
            data.get("language") or None,
            bool(data.get("own_copy")),
        )


async def _meeting_panel(session: AsyncSession, meeting_id: int) -> int:
    panel_id = await session.scalar(select(Meeting.panel_id).where(Meeting.id == meeting_id))
    if panel_id is None:
        raise NotAllowed("no such meeting")
    return int(panel_id)


async def panels_of(session: AsyncSession, audience: Audience) -> list[int]:
    if audience.meeting_id is not None:
        return [await _meeting_panel(session, audience.meeting_id)]
    return list(audience.panel_ids)


async def check_audience(session: AsyncSession, actor: Actor, audience: Audience) -> None:
    """Every panel reached must be one this person coordinates. Raises NotAllowed."""
    panel_ids = await panels_of(session, audience)
    if not panel_ids:
        raise InvalidBroadcast("nobody")
    for panel_id in panel_ids:
        await require_coordinator(session, actor, panel_id)


@dataclass(frozen=True)
class Recipient:
    member_id: int
    telegram_id: int
    quiet: tuple[int, int] | None
    zone: str


async def recipients(
    session: AsyncSession, audience: Audience, *, sender: int | None = None
) -> list[Recipient]:
    """Everyone the broadcast reaches, each person once, with their panel's time zone; the
    sender (a member id) only if they asked for their own copy. Plain columns, not ORM
    objects: a start reads thousands of members at once."""
    columns = (
        Member.id,
        Member.telegram_id,
        Member.quiet_start,
        Member.quiet_end,
        Panel.timezone,
    )
    if audience.meeting_id is not None:
        query = (
            select(*columns)
            .join(Rsvp, Rsvp.member_id == Member.id)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .join(Panel, Panel.id == Meeting.panel_id)
            .join(
                Membership,
                (Membership.member_id == Member.id) & (Membership.panel_id == Meeting.panel_id),
            )
            .where(Rsvp.meeting_id == audience.meeting_id)
        )
    else:
        query = (
            select(*columns)
            .join(Membership, Membership.member_id == Member.id)
            .join(Panel, Panel.id == Membership.panel_id)
            .where(Membership.panel_id.in_(audience.panel_ids))
        )
    query = query.where(Membership.active.is_(True), Member.consent == Consent.GIVEN)
    if sender is not None and not audience.own_copy:
        query = query.where(Member.id != sender)
    if audience.language:
        query = query.where(func.coalesce(Member.language, "en") == audience.language)
    seen: dict[int, Recipient] = {}
    for member_id, telegram_id, start, end, zone in (
        await session.execute(query.order_by(Member.id, Panel.id))
    ).all():
        quiet = (start, end) if start is not None and end is not None else None
        seen.setdefault(member_id, Recipient(member_id, telegram_id, quiet, zone))
    return list(seen.values())


async def count_recipients(
    session: AsyncSession, audience: Audience, *, sender: int | None = None
) -> int:
    return len(await recipients(session, audience, sender=sender))
