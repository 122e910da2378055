"""Feedback at any time: anonymous ("Anonymous message #N") or named, with an optional private
route back for replies.

An anonymous message stores no member id and only the day. If the member asks for a reply, the
chat to send it to is kept in `feedback_routes`, which only the relay functions here read: a
coordinator's reply goes straight to that chat, and nothing a coordinator sees or exports
names the person. With "No reply needed" no route is ever written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Feedback,
    FeedbackReply,
    FeedbackRoute,
    Member,
    Membership,
    Panel,
    Role,
)
from bot.services import outbox, outbox_keys, route_keys
from bot.services.access import Actor, NotAllowed, require_coordinator
from bot.services.outbox_keys import Kind

MODES = ("anon", "reply", "named")
MAX_TEXT = 10_000
CHUNK = 3500  # characters of people's text per message, leaving room for a heading


# The keys live in bot/services/route_keys.py; these names stay for the write path and relay.
configure_routes = route_keys.configure


def route_owner(chat_id: int, feedback_id: int) -> str:
    return route_keys.owner(chat_id, feedback_id)


def seal_route(chat_id: int) -> str:
    return route_keys.seal(chat_id)


def _open(sealed: str | None) -> int | None:
    return route_keys.open_sealed(sealed)


async def _route(session: AsyncSession, feedback_id: int) -> int | None:
    """The relay's one read of the way back: the chat, or None."""
    sealed = await session.scalar(
        select(FeedbackRoute.sealed).where(FeedbackRoute.feedback_id == feedback_id)
    )
    return _open(sealed)


class FeedbackError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def active_panels(session: AsyncSession, telegram_id: int) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(Panel.id, Panel.name)
        .join(Membership, Membership.panel_id == Panel.id)
        .join(Member, Member.id == Membership.member_id)
        .where(Member.telegram_id == telegram_id, Membership.active.is_(True))
        .order_by(Panel.id)
    )
    return [(r[0], r[1]) for r in rows.all()]


async def _coordinators(session: AsyncSession, panel_id: int) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(Member.id, Member.telegram_id)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.panel_id == panel_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR, Role.ADMIN]),
        )
        .order_by(Member.id)
    )
    return [(r[0], r[1]) for r in rows.all()]


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """Long text in parts that each fit one Telegram message with a heading. Cut before
    escaping, so an escaped `&lt;` is never split."""
    parts: list[str] = []
    current: list[str] = []
    length = 0
    for char in text:
        width = _length(char)
        if length + width > size:
            parts.append("".join(current))
            current, length = [], 0
        current.append(char)
        length += width
    if current or not parts:
        parts.append("".join(current))
    return parts


async def notify_coordinators(
    session: AsyncSession,
    panel_id: int,
    about: str,
    payload: dict[str, Any],
    now: datetime,
    text: str | None,
) -> None:
    """One row per coordinator and per part of a long message (the text itself stays in the
    feedback tables; the outbox only says which part to show). `about` is the start of the
    keys: `outbox_keys.feedback_new` or `outbox_keys.feedback_back`."""
    for member_id, chat_id in await _coordinators(session, panel_id):
        for part in range(len(chunks(text or ""))):
            await outbox.enqueue(
                session,
                key=outbox_keys.feedback_notice(about, member_id, part),
                kind=Kind.FEEDBACK_NOTICE,
                chat_id=chat_id,
                member_id=member_id,
                payload={**payload, "part": part},
                due_at=now,
                now=now,
                day_only=True,  # the feedback keeps only its day; so do its notices
            )


async def submit(
    session: AsyncSession,
    telegram_id: int,
    panel_id: int,
    mode: str,
    *,
    now: datetime,
    text: str | None = None,
    voice_file_id: str | None = None,
) -> Feedback:
    """Store a message and tell the panel's coordinators. Commits."""
    if mode not in MODES:
        raise FeedbackError("mode")
    if not (text and text.strip()) and not voice_file_id:
        raise FeedbackError("empty")
    if text and len(text) > MAX_TEXT:
        raise FeedbackError("long")
    member_id = await session.scalar(
        select(Member.id)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Member.telegram_id == telegram_id,
            Membership.panel_id == panel_id,
            Membership.active.is_(True),
        )
    )
    if member_id is None:
        raise NotAllowed("not a member of this panel")
    # Numbered per panel; the panel row is locked so two messages never get the same number.
    await session.scalar(select(Panel.id).where(Panel.id == panel_id).with_for_update())
    number = (
        await session.scalar(select(func.max(Feedback.number)).where(Feedback.panel_id == panel_id))
        or 0
    ) + 1
    feedback = Feedback(
        panel_id=panel_id,
        number=number,
        member_id=member_id if mode == "named" else None,
        text=text.strip() if text else None,
        voice_file_id=voice_file_id,
        wants_reply=mode != "anon",
        day=now.date(),
    )
    session.add(feedback)
    await session.flush()
    if mode == "reply":
        session.add(
            FeedbackRoute(
                feedback_id=feedback.id,
                sealed=seal_route(telegram_id),
                owner=route_owner(telegram_id, feedback.id),
            )
        )
    await notify_coordinators(
        session,
        panel_id,
        outbox_keys.feedback_new(feedback.id),
        {"feedback_id": feedback.id},
        now,
        feedback.text,
    )
    await session.commit()
    return feedback


async def for_coordinator(
    session: AsyncSession, actor: Actor, feedback_id: int
) -> tuple[Feedback, str | None]:
    """The message and, only if the member gave it, their name."""
    feedback = await session.get(Feedback, feedback_id)
    if feedback is None:
        raise FeedbackError("missing")
    await require_coordinator(session, actor, feedback.panel_id)
    name = None
    if feedback.member_id is not None:
        name = await session.scalar(
            select(Member.display_name).where(Member.id == feedback.member_id)
        )
    return feedback, name


async def can_reply(session: AsyncSession, feedback: Feedback) -> bool:
    if feedback.member_id is not None:
        return True
    found = await session.scalar(
        select(FeedbackRoute.feedback_id).where(FeedbackRoute.feedback_id == feedback.id)
    )
    return found is not None


@dataclass(frozen=True)
class Relay:
    """Where a coordinator's reply goes. Only the handler sees it, to send; never shown."""

    chat_id: int
    language: str | None
    easy_read: bool
    feedback: Feedback


def _turn_text(text: str | None, voice_file_id: str | None) -> str | None:
    """The words of a reply or an answer back; a voice note on its own is fine too."""
    text = (text or "").strip() or None
    if text is None and not voice_file_id:
        raise FeedbackError("empty")
    if (text and len(text) > MAX_TEXT) or (voice_file_id and len(voice_file_id) > 200):
        raise FeedbackError("long")
    return text


async def reply(
    session: AsyncSession,
    actor: Actor,
    feedback_id: int,
    text: str | None,
    *,
    now: datetime,
    voice_file_id: str | None = None,
) -> Relay:
    """A coordinator's reply (words or a voice note): stored, and the way to the member
    returned for sending. Commits."""
    feedback, _ = await for_coordinator(session, actor, feedback_id)
    text = _turn_text(text, voice_file_id)
    chat_id: int | None
    if feedback.member_id is not None:
        chat_id = await session.scalar(
            select(Member.telegram_id).where(Member.id == feedback.member_id)
        )
    else:
        chat_id = await _route(session, feedback.id)
    if chat_id is None:
        raise FeedbackError("no_route")
    person = (
        await session.execute(
            select(Member.language, Member.easy_read).where(Member.telegram_id == chat_id)
        )
    ).first()
    session.add(
        FeedbackReply(
            feedback_id=feedback.id,
            from_member=False,
            text=text,
            voice_file_id=voice_file_id,
            day=now.date(),
        )
    )
    await session.commit()
    return Relay(chat_id, person[0] if person else None, bool(person and person[1]), feedback)


async def owns(session: AsyncSession, telegram_id: int, feedback_id: int) -> bool:
    """Is this person the one the message's route (or name) leads to?"""
    feedback = await session.get(Feedback, feedback_id)
    if feedback is None:
        return False
    owner = await _route(session, feedback_id)
    if owner is None and feedback.member_id is not None:
        owner = await session.scalar(
            select(Member.telegram_id).where(Member.id == feedback.member_id)
        )
    return owner == telegram_id


BACK_TAG_LENGTH = route_keys.BACK_TAG_LENGTH
back_tag = route_keys.back_tag


async def from_back_tag(session: AsyncSession, telegram_id: int, tag: str) -> int | None:
    """The message this person is answering back about, or None."""
    if len(tag) != BACK_TAG_LENGTH or not route_keys.configured():
        return None
    routes = (await session.execute(select(FeedbackRoute.feedback_id, FeedbackRoute.owner))).all()
    candidates = [fid for fid, owner in routes if route_keys.is_owner(owner, telegram_id, fid)]
    candidates += (
        await session.scalars(
            select(Feedback.id)
            .join(Member, Member.id == Feedback.member_id)
            .where(Member.telegram_id == telegram_id)
        )
    ).all()
    return next((fid for fid in candidates if route_keys.is_back_tag(tag, fid)), None)


async def answer_back(
    session: AsyncSession,
    telegram_id: int,
    feedback_id: int,
    text: str | None,
    *,
    now: datetime,
    voice_file_id: str | None = None,
) -> Feedback:
    """The member writes (or speaks) again about their message, still anonymous. Only the
    person the route leads to may. Commits."""
    feedback = await session.get(Feedback, feedback_id)
    if feedback is None or not await owns(session, telegram_id, feedback_id):
        raise NotAllowed("not this person's message")
    text = _turn_text(text, voice_file_id)
    turn = FeedbackReply(
        feedback_id=feedback.id,
        from_member=True,
        text=text,
        voice_file_id=voice_file_id,
        day=now.date(),
    )
    session.add(turn)
    await session.flush()
    await notify_coordinators(
        session,
        feedback.panel_id,
        outbox_keys.feedback_back(feedback.id, turn.id),
        {"feedback_id": feedback.id, "reply_id": turn.id},
        now,
        text,
    )
    await session.commit()
    return feedback


async def reply_turn(session: AsyncSession, reply_id: int) -> FeedbackReply | None:
    return await session.get(FeedbackReply, reply_id)


async def forget_routes(session: AsyncSession, telegram_id: int) -> None:
    """/forgetme: the ways back to this person's anonymous messages go (the messages stay,
    still anonymous)."""
    from sqlalchemy import delete

    if not route_keys.configured():
        return  # never configured in this process, so no route could have been written
    routes = (await session.execute(select(FeedbackRoute.feedback_id, FeedbackRoute.owner))).all()
    # Under every key in use: the current one, old ones, and the token's (route_keys).
    mine = [fid for fid, owner in routes if route_keys.is_owner(owner, telegram_id, fid)]
    if mine:
        await session.execute(delete(FeedbackRoute).where(FeedbackRoute.feedback_id.in_(mine)))
