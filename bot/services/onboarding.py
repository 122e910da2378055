"""Joining a panel: from an invite link to a finished profile, one step at a time.

The step is stored on the member (`conversation_step`), so a person who leaves half-way, or a
bot restart, resumes at the same step. Nothing personal is kept until the person says yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Consent, Invite, Member, Membership, Panel, ReminderChoice, Role
from bot.services import audit, drafts, meeting_changes, questions
from bot.services.panels import InviteStatus, check_invite, joining_status
from bot.services.profile import get_member

# Joining is a form (handlers/joining/): while it is open the member row says
# "joining:<step>"; its draft (kind "joining") holds only the steps passed, for Back. The
# answers themselves are in their columns (bot/services/questions.py names them).
JOINING = "joining"
PREFIX = JOINING + ":"


@dataclass(frozen=True)
class JoinStart:
    status: InviteStatus
    panel_name: str | None = None
    role: Role | None = None
    step: str | None = None
    already_member: bool = False
    joined: bool = False  # finished straight away: the person had a profile already


async def begin(
    session: AsyncSession, telegram_id: int, code: str, *, now: datetime, language: str
) -> JoinStart:
    """Someone opened an invite link. Starts (or restarts) onboarding, or joins at once."""
    check = await check_invite(session, code, now=now)
    if check.status != InviteStatus.OK or check.invite is None:
        return JoinStart(check.status)
    invite = check.invite
    panel = await session.get(Panel, invite.panel_id)
    assert panel is not None
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        member = Member(telegram_id=telegram_id, created_at=now, language=language)
        session.add(member)
        await session.flush()
    existing = await session.scalar(
        select(Membership).where(Membership.panel_id == panel.id, Membership.member_id == member.id)
    )
    if (
        existing is not None
        and existing.active
        and _role_rank(existing.role) >= _role_rank(invite.role)
    ):
        return JoinStart(InviteStatus.OK, panel.name, existing.role, already_member=True)
    if member.joining_invite_id != invite.id:  # opening the same link twice is one use
        invite.uses += 1
    member.joining_invite_id = invite.id
    if member.consent == Consent.GIVEN and member.display_name:
        await _join(session, member, invite, now=now)
        return JoinStart(InviteStatus.OK, panel.name, invite.role, joined=True)
    first = questions.walk()[0].step
    member.conversation_step = PREFIX + first
    await drafts.discard(session, member.id, JOINING)  # an earlier joining starts again
    return JoinStart(InviteStatus.OK, panel.name, invite.role, step=first)


def _role_rank(role: Role) -> int:
    return {Role.MEMBER: 0, Role.COORDINATOR: 1, Role.ADMIN: 2}[role]


async def joining_panel(session: AsyncSession, member: Member) -> tuple[Panel, Invite] | None:
    if member.joining_invite_id is None:
        return None
    invite = await session.get(Invite, member.joining_invite_id)
    if invite is None:
        return None
    panel = await session.get(Panel, invite.panel_id)
    return (panel, invite) if panel else None


async def give_consent(session: AsyncSession, telegram_id: int, *, now: datetime) -> Member:
    member = await get_member(session, telegram_id)
    member.consent = Consent.GIVEN
    member.consent_at = now
    return member


async def refuse_consent(session: AsyncSession, telegram_id: int, *, now: datetime) -> Member:
    """Keep only the Telegram id, the language and the No, so we do not ask again unasked."""
    member = await get_member(session, telegram_id)
    member.consent = Consent.REFUSED
    member.consent_at = now
    await _forget_answers(session, member)
    return member


async def stop_joining(session: AsyncSession, telegram_id: int) -> None:
    """Stop or /cancel while joining: they have not joined, and what they answered goes.
    Their language stays (it is how we talk to them), and no No is recorded: opening the
    invite link again starts afresh. Someone already in a panel keeps their answers."""
    member = await get_member(session, telegram_id)
    if await _in_a_panel(session, member):
        member.conversation_step = None
        member.joining_invite_id = None
        await drafts.discard(session, member.id, JOINING)
        return
    member.consent, member.consent_at = Consent.UNKNOWN, None
    await _forget_answers(session, member)


async def _in_a_panel(session: AsyncSession, member: Member) -> bool:
    found = await session.scalar(
        select(Membership.id).where(Membership.member_id == member.id, Membership.active)
    )
    return found is not None


async def _forget_answers(session: AsyncSession, member: Member) -> None:
    member.conversation_step = None
    member.joining_invite_id = None
    member.display_name = None
    member.easy_read = False
    member.reminders = ReminderChoice.ALL
    member.access_needs = []
    member.access_other = None
    member.payment = None
    member.quiet_start = member.quiet_end = None
    await drafts.discard(session, member.id, JOINING)


class InviteNoLongerValid(Exception):
    """The invite this person is joining with was revoked or expired after they opened it."""

    def __init__(self, status: InviteStatus) -> None:
        super().__init__(str(status))
        self.status = status


async def check_joining(session: AsyncSession, telegram_id: int, *, now: datetime) -> None:
    """Asked at every joining step: raises InviteNoLongerValid, and stops the joining, if the
    invite was revoked or expired since it was opened. Answers given so far are kept, as for
    anyone who stops half-way; they just no longer lead into the panel."""
    member = await get_member(session, telegram_id)
    if member.joining_invite_id is None:
        return
    invite = await session.get(Invite, member.joining_invite_id)
    status = joining_status(invite, now)
    if status == InviteStatus.OK:
        return
    member.conversation_step = None
    member.joining_invite_id = None
    await drafts.discard(session, member.id, JOINING)
    audit.record(
        session,
        "joining.stopped",
        at=now,
        actor_id=member.id,
        panel_id=invite.panel_id if invite else None,
        invite_id=invite.id if invite else None,
        reason=str(status),
    )
    raise InviteNoLongerValid(status)


async def finish(session: AsyncSession, telegram_id: int, *, now: datetime) -> Panel | None:
    """The last answer is in: the person becomes a member (or coordinator) of the panel, if
    the invite still works (InviteNoLongerValid otherwise: nothing joined)."""
    await check_joining(session, telegram_id, now=now)
    member = await get_member(session, telegram_id)
    member.conversation_step = None
    await drafts.discard(session, member.id, JOINING)
    joining = await joining_panel(session, member)
    if joining is None:
        return None
    panel, invite = joining
    await _join(session, member, invite, now=now)
    return panel


async def _join(session: AsyncSession, member: Member, invite: Invite, *, now: datetime) -> None:
    membership = await session.scalar(
        select(Membership).where(
            Membership.panel_id == invite.panel_id, Membership.member_id == member.id
        )
    )
    if membership is None:
        membership = Membership(
            panel_id=invite.panel_id, member_id=member.id, role=invite.role, joined_at=now
        )
        session.add(membership)
        action = "membership.joined"
    else:
        if not membership.active:
            # Coming back: the role is the one this invite gives, never an old higher one.
            action, membership.active, membership.role = "membership.rejoined", True, invite.role
        else:
            action = "membership.role_changed"
            if _role_rank(invite.role) > _role_rank(membership.role):
                membership.role = invite.role
    member.joining_invite_id = None
    await session.flush()
    await meeting_changes.invite_new_member(session, member, invite.panel_id, now=now)
    audit.record(
        session,
        action,
        at=now,
        actor_id=member.id,
        panel_id=invite.panel_id,
        role=str(membership.role),
        invite_id=invite.id,
    )
    await session.flush()
