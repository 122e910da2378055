"""Who a person is to the bot: their member row, language and reachability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db import Member, Membership, Panel, Role
from bot.languages import LAUNCH_LANGUAGES


@dataclass(frozen=True)
class MemberView:
    """What a handler needs to know about the person writing, loaded once per update."""

    id: int
    telegram_id: int
    language: str | None
    display_name: str | None
    panel_language: str | None
    roles: frozenset[Role]
    panel_ids: tuple[int, ...] = ()  # active memberships, oldest first
    unreachable: bool = False
    is_admin: bool = False
    easy_read: bool = False
    consent: str = "unknown"
    conversation_step: str | None = None
    joining: bool = False  # opened an invite link and has not finished joining


# Built once on the tables, not the ORM classes: every update runs it, and both building a
# statement and the ORM's execution path (a third of this one's CPU) cost more than running it.
_M, _S, _P = (cast(Table, model.__table__) for model in (Member, Membership, Panel))
_PERSON = (
    select(
        _M.c.id,
        _M.c.telegram_id,
        _M.c.language,
        _M.c.display_name,
        _M.c.unreachable_since,
        _M.c.is_admin,
        _M.c.easy_read,
        _M.c.consent,
        _M.c.conversation_step,
        _M.c.joining_invite_id,
        _S.c.panel_id,
        _S.c.role,
        _P.c.default_language,
    )
    .select_from(_M)
    .outerjoin(_S, (_S.c.member_id == _M.c.id) & _S.c.active.is_(True))
    .outerjoin(_P, _P.c.id == _S.c.panel_id)
    .where(_M.c.telegram_id == bindparam("telegram_id"))
    .order_by(_S.c.joined_at)
)


async def load_for_update(session: AsyncSession, telegram_id: int) -> MemberView | None:
    """One query: the member and their active memberships, or None for a stranger.

    Plain columns, not an ORM object: most updates only read who is writing, and building the
    object cost more CPU than the query. Services that change the person load it then."""
    rows = (await session.execute(_PERSON, {"telegram_id": telegram_id})).all()
    if not rows:
        return None
    memberships = [(r.panel_id, r.role, r.default_language) for r in rows if r.panel_id]
    return view_of(
        rows[0],
        panel_ids=tuple(panel_id for panel_id, _, _ in memberships),
        roles=frozenset(role for _, role, _ in memberships),
        panel_language=next((language for _, _, language in memberships if language), None),
    )


def loaded(session: AsyncSession, telegram_id: int) -> Member | None:
    """The person's row if this session already holds it, up to date, else None."""
    for state in (inspect(obj) for obj in session.identity_map.values()):
        if (
            state.class_ is Member
            and state.dict.get("telegram_id") == telegram_id
            and not state.expired_attributes
        ):
            member: Member = state.obj()
            return member
    return None


def view_of(
    member: Any,  # a Member, or a row with the same columns (load_for_update)
    *,
    panel_ids: tuple[int, ...],
    roles: frozenset[Role],
    panel_language: str | None,
) -> MemberView:
    return MemberView(
        id=member.id,
        telegram_id=member.telegram_id,
        language=member.language,
        display_name=member.display_name,
        panel_language=panel_language,
        panel_ids=panel_ids,
        roles=roles,
        unreachable=member.unreachable_since is not None,
        is_admin=member.is_admin,
        easy_read=member.easy_read,
        consent=str(member.consent),
        conversation_step=member.conversation_step,
        joining=member.joining_invite_id is not None,
    )


async def get_or_create(session: AsyncSession, telegram_id: int, *, now: datetime) -> Member:
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        member = Member(telegram_id=telegram_id, created_at=now)
        session.add(member)
        await session.flush()
    return member


async def set_language(
    session: AsyncSession, telegram_id: int, language: str, *, now: datetime
) -> Member:
    """Remember a person's language. Only the Telegram id and the choice are stored."""
    if language not in LAUNCH_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    member = await get_or_create(session, telegram_id, now=now)
    member.language = language
    return member


async def mark_unreachable(session: AsyncSession, telegram_id: int, *, now: datetime) -> None:
    await session.execute(
        update(Member)
        .where(Member.telegram_id == telegram_id, Member.unreachable_since.is_(None))
        .values(unreachable_since=now)
    )


async def mark_reachable(session: AsyncSession, telegram_id: int) -> None:
    await session.execute(
        update(Member)
        .where(Member.telegram_id == telegram_id, Member.unreachable_since.is_not(None))
        .values(unreachable_since=None)
    )


async def coordinators_for(session: AsyncSession, telegram_id: int) -> list[tuple[str, str]]:
    """(panel name, coordinator's name) for each panel this person belongs to, for /help."""
    me = aliased(Membership)
    coordinator = aliased(Membership)
    person = aliased(Member)
    rows = await session.execute(
        select(Panel.name, Member.display_name)
        .join(me, me.panel_id == Panel.id)
        .join(person, (person.id == me.member_id) & (person.telegram_id == telegram_id))
        .join(coordinator, coordinator.panel_id == Panel.id)
        .join(Member, Member.id == coordinator.member_id)
        .where(
            me.active.is_(True),
            coordinator.active.is_(True),
            coordinator.role == Role.COORDINATOR,
            Member.display_name.is_not(None),
            Member.telegram_id != telegram_id,
        )
        .order_by(Panel.id, coordinator.joined_at)
    )
    return [(str(panel), str(name)) for panel, name in rows.all()]
