"""A member's questions and requests to their coordinators, one way for every kind: a word not
understood, a support need for a meeting, "not sure about payment", a question about a claim.

`ask` records the request and queues one notice per coordinator of the panel (rendered in the
coordinator's language when it is sent, with a Reply button: handlers/requests). A meeting's
support need is `record`ed here and told by bot/services/meeting_rsvp.py, whose notice lists the
needs. `answer` is the Reply: only coordinators of the request's panel (and admins) may give it;
the first to answer is kept, so another coordinator can be told who did. The reply goes to the
member through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member, MemberRequest, Membership, PaymentChoice, Role
from bot.services import outbox, outbox_keys
from bot.services.access import Actor, refuse, require_coordinator
from bot.services.outbox_keys import Kind

WORD, SUPPORT, PAYMENT, CLAIM = "word", "support", "payment", "claim"
KINDS = (WORD, SUPPORT, PAYMENT, CLAIM)
MAX_TEXT = 1500  # what a member may ask in one go (Telegram shows 4096 with the heading)
MAX_REPLY = 3000  # a coordinator's answer, with room for the heading in the member's language


async def coordinators(session: AsyncSession, panel_id: int, *, but: int) -> list[Member]:
    """The coordinators (and panel admins) of a panel, not the member who asks."""
    found = await session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.panel_id == panel_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR, Role.ADMIN]),
            Member.id != but,
        )
        .order_by(Member.id)
    )
    return list(found.all())


async def record(
    session: AsyncSession,
    *,
    member_id: int,
    panel_id: int,
    kind: str,
    about: str | None,
    text: str | None,
    now: datetime,
) -> MemberRequest:
    """The request, stored. Asked again while still unanswered, it is the same request."""
    if kind not in KINDS:
        raise ValueError(kind)
    text = text.strip()[:MAX_TEXT] if text and text.strip() else None
    same = await session.scalar(
        select(MemberRequest)
        .where(
            MemberRequest.member_id == member_id,
            MemberRequest.panel_id == panel_id,
            MemberRequest.kind == kind,
            MemberRequest.about.is_(None) if about is None else MemberRequest.about == about,
            MemberRequest.text.is_(None) if text is None else MemberRequest.text == text,
            MemberRequest.answered_at.is_(None),
        )
        .order_by(MemberRequest.id.desc())
        .limit(1)
    )
    if same is not None:
        return same
    request = MemberRequest(
        member_id=member_id,
        panel_id=panel_id,
        kind=kind,
        about=about,
        text=text,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def ask(
    session: AsyncSession,
    *,
    member_id: int,
    kind: str,
    now: datetime,
    about: str | None = None,
    text: str | None = None,
    panel_id: int | None = None,
) -> int:
    """Record the request and queue a notice with Reply to each coordinator of its panel (every
    panel the member is in, when none is named). Returns how many coordinators were told. The
    same unanswered request asked again is not sent again."""
    if panel_id is not None:
        panels = [panel_id]
    else:
        panels = list(
            (
                await session.scalars(
                    select(Membership.panel_id)
                    .where(Membership.member_id == member_id, Membership.active.is_(True))
                    .order_by(Membership.panel_id)
                )
            ).all()
        )
    told = 0
    for panel in panels:
        people = await coordinators(session, panel, but=member_id)
        if not people:
            continue
        request = await record(
            session,
            member_id=member_id,
            panel_id=panel,
            kind=kind,
            about=about,
            text=text,
            now=now,
        )
        for coordinator in people:
            await outbox.enqueue(
                session,
                key=outbox_keys.member_request(member_id, request.id, coordinator.id),
                kind=Kind.MEMBER_REQUEST,
                chat_id=coordinator.telegram_id,
                member_id=coordinator.id,
                payload={"request_id": request.id},
                due_at=now,
                now=now,
            )
            told += 1
    return told


async def payment_unsure(session: AsyncSession, telegram_id: int) -> bool:
    """Whether the person's payment choice is "Not sure: please talk to me"."""
    choice = await session.scalar(select(Member.payment).where(Member.telegram_id == telegram_id))
    return choice == PaymentChoice.UNSURE


async def ask_about_payment(session: AsyncSession, telegram_id: int, *, now: datetime) -> int:
    """ "Not sure: please talk to me" chosen (joining, or changed to it in /settings): one notice
    to each coordinator. Not sent again while the last one is unanswered. Returns how many were
    told (0 when the choice is another one)."""
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None or member.payment != PaymentChoice.UNSURE:
        return 0
    return await ask(session, member_id=member.id, kind=PAYMENT, now=now)


@dataclass(frozen=True)
class Request:
    """A request as a coordinator's notice or reply needs it."""

    id: int
    kind: str
    about: str | None
    text: str | None
    panel_id: int
    asker_id: int
    asker_chat: int
    asker_name: str | None
    asker_language: str | None
    asker_easy_read: bool
    answered_by: str | None  # the name of whoever answered first, if anyone has
    answered_by_id: int | None
    answered_at: datetime | None


async def load(session: AsyncSession, request_id: int) -> Request | None:
    row = (
        await session.execute(
            select(MemberRequest, Member)
            .join(Member, Member.id == MemberRequest.member_id)
            .where(MemberRequest.id == request_id)
        )
    ).first()
    if row is None:
        return None
    request, member = row[0], row[1]
    answerer = None
    if request.answered_at is not None:
        answerer = "?"
        if request.answered_by is not None:
            answerer = (
                await session.scalar(
                    select(Member.display_name).where(Member.id == request.answered_by)
                )
            ) or "?"
    return Request(
        id=request.id,
        kind=request.kind,
        about=request.about,
        text=request.text,
        panel_id=request.panel_id,
        asker_id=member.id,
        asker_chat=member.telegram_id,
        asker_name=member.display_name,
        asker_language=member.language,
        asker_easy_read=member.easy_read,
        answered_by=answerer,
        answered_by_id=request.answered_by,
        answered_at=request.answered_at,
    )


async def for_coordinator(session: AsyncSession, actor: Actor, request_id: int) -> Request:
    """A request a coordinator may answer: theirs to answer only if they coordinate its panel
    (or are an admin). Raises NotAllowed otherwise, noted for the audit log; LookupError when
    the request is gone (the member used /forgetme)."""
    found = await load(session, request_id)
    if found is None:
        if actor.is_admin or await _coordinates_any(session, actor):
            raise LookupError(request_id)
        raise refuse(session, actor, "reply to a request that does not exist")
    await require_coordinator(session, actor, found.panel_id)
    return found


async def _coordinates_any(session: AsyncSession, actor: Actor) -> bool:
    if actor.member_id is None:
        return False
    found = await session.scalar(
        select(Membership.id)
        .where(
            Membership.member_id == actor.member_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR, Role.ADMIN]),
        )
        .limit(1)
    )
    return found is not None


async def answer(
    session: AsyncSession, actor: Actor, request_id: int, text: str, *, now: datetime
) -> Request:
    """Mark the request answered (the first answer is the one kept) and check the actor may.
    The caller queues the member's message with `send_answer` in the same transaction."""
    found = await for_coordinator(session, actor, request_id)
    if not text.strip() or len(text) > MAX_REPLY:
        raise ValueError("reply")
    request = await session.get(MemberRequest, request_id)
    assert request is not None
    if request.answered_at is None:
        request.answered_at, request.answered_by = now, actor.member_id
    return found


async def send_answer(
    session: AsyncSession, found: Request, text: str, *, now: datetime, coordinator_id: int | None
) -> None:
    """Queue the answer (already in the member's language, escaped) to the member's chat."""
    await outbox.enqueue(
        session,
        key=outbox_keys.member_request_reply(found.asker_id, found.id, coordinator_id, now),
        kind=Kind.MESSAGE,
        chat_id=found.asker_chat,
        member_id=found.asker_id,
        payload={"text": text},
        due_at=now,
        now=now,
    )


async def of_member(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    """/mydata: what they asked, when, and whether it was answered."""
    rows = await session.scalars(
        select(MemberRequest)
        .where(MemberRequest.member_id == member_id)
        .order_by(MemberRequest.created_at, MemberRequest.id)
    )
    return [
        {
            "kind": r.kind,
            "about": r.about,
            "your_words": r.text,
            "asked": r.created_at.isoformat(),
            "answered": r.answered_at.isoformat() if r.answered_at else None,
        }
        for r in rows.all()
    ]


async def answered_by(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    """/mydata of a coordinator: the requests they answered first (never the asker's words)."""
    rows = await session.execute(
        select(MemberRequest.kind, MemberRequest.answered_at)
        .where(MemberRequest.answered_by == member_id)
        .order_by(MemberRequest.answered_at, MemberRequest.id)
    )
    return [{"kind": kind, "answered": at.isoformat() if at else None} for kind, at in rows.all()]


async def forget(session: AsyncSession, member_id: int) -> None:
    """/forgetme: their requests go (the rows would also go with the member row)."""
    await session.execute(delete(MemberRequest).where(MemberRequest.member_id == member_id))
