"""Set-up helpers for tests: panels and members made through the real services."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import Clock
from bot.db import Consent, Member, Membership, Role
from bot.db.engine import Database
from bot.services import panels
from bot.services.access import Actor
from bot.services.panels import NewPanel

ROOT = Actor(telegram_id=1, member_id=None, is_admin=True)


async def create_panel(
    db: Database, clock: Clock, name: str = "Carers Voice", *, language: str = "en"
) -> NewPanel:
    async with db.session() as session:
        return await panels.create_panel(session, ROOT, name, now=clock.now(), language=language)


async def add_member(
    db: Database,
    clock: Clock,
    panel_id: int,
    telegram_id: int,
    name: str,
    *,
    role: Role = Role.MEMBER,
    language: str = "en",
    access_needs: list[str] | None = None,
) -> Member:
    """A member who has finished onboarding, as if they had tapped through it."""
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
        if member is None:
            member = Member(telegram_id=telegram_id, created_at=clock.now())
            session.add(member)
        member.display_name = name
        member.language = language
        member.consent = Consent.GIVEN
        member.consent_at = clock.now()
        member.access_needs = access_needs or []
        await session.flush()
        session.add(
            Membership(panel_id=panel_id, member_id=member.id, role=role, joined_at=clock.now())
        )
    return member
