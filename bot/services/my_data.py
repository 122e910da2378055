"""Everything stored that points at one person, as plain data for /mydata.

`SOURCES` names, for every column that points at a member (a foreign key to `members`) or holds
a Telegram id, the section of the export that shows it. tests/test_my_data.py checks it against
the models, so a new table that points at members cannot be left out of /mydata by accident.

Anonymous content is never here: anonymous feedback, anonymous poll answers and the sealed
reply routes carry no member id, so they cannot be found for anyone, by design.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import (
    AuditEvent,
    Broadcast,
    Claim,
    ClaimLine,
    Draft,
    Feedback,
    FeedbackReply,
    Invite,
    Meeting,
    Member,
    Membership,
    OutboxMessage,
    Panel,
    PanelTerm,
    Poll,
    PollParticipant,
    PollResponse,
    Rsvp,
)
from bot.services import member_requests, questions
from bot.services.money import minor_to_decimal

# (table, column) -> the export's section that shows it.
SOURCES = {
    ("members", "telegram_id"): "telegram_id",
    ("memberships", "member_id"): "panels",
    ("invites", "created_by"): "invites_you_made",
    ("panel_terms", "updated_by"): "words_you_explained",
    ("meetings", "created_by"): "meetings_you_made",
    ("rsvps", "member_id"): "meeting_answers",
    ("drafts", "member_id"): "unfinished_forms",
    ("audit_log", "actor_id"): "history",
    ("outbox", "member_id"): "messages_waiting_to_be_sent",
    ("outbox", "chat_id"): "messages_waiting_to_be_sent",
    ("broadcasts", "created_by"): "news_you_sent",
    ("broadcasts", "report_chat_id"): "news_you_sent",
    ("claims", "member_id"): "claims",
    ("claims", "paid_by"): "claims_you_marked_paid",
    ("claim_lines", "reviewed_by"): "claim_items_you_checked",
    ("polls", "created_by"): "questions_you_asked",
    ("poll_participants", "member_id"): "questions_you_were_asked",
    ("poll_responses", "member_id"): "your_answers_with_your_name",
    ("feedback", "member_id"): "feedback_with_your_name",
    ("member_requests", "member_id"): "questions_to_coordinators",
    ("member_requests", "answered_by"): "questions_you_answered",
}


def iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


async def export_member(session: AsyncSession, telegram_id: int) -> dict[str, Any] | None:
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None:
        return None
    me = member.id
    panels = await session.execute(
        select(Panel.name, Membership.role, Membership.active, Membership.joined_at)
        .join(Membership, Membership.panel_id == Panel.id)
        .where(Membership.member_id == me)
    )
    return {
        "telegram_id": member.telegram_id,
        **questions.exported(member),  # every answer to the questions, by the table
        "consent_at": iso(member.consent_at),
        "news_turned_off": member.broadcasts_muted,
        "joined": iso(member.created_at),
        "panels": [
            {"panel": name, "role": str(role), "active": active, "joined": iso(joined)}
            for name, role, active, joined in panels.all()
        ],
        "meeting_answers": await _meeting_answers(session, me),
        "unfinished_forms": await _drafts(session, me),
        "history": await _history(session, me, telegram_id),
        "messages_waiting_to_be_sent": await _waiting(session, me, telegram_id),
        "claims": await _claims(session, me),
        "feedback_with_your_name": await _named_feedback(session, me),
        "your_answers_with_your_name": await _named_answers(session, me),
        "questions_you_were_asked": await _asked(session, me),
        "questions_to_coordinators": await member_requests.of_member(session, me),
        "questions_you_answered": await member_requests.answered_by(session, me),
        **await _as_coordinator(session, me, telegram_id),
    }


async def _meeting_answers(session: AsyncSession, me: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Meeting.title, Meeting.starts_at, Rsvp)
        .join(Rsvp, Rsvp.meeting_id == Meeting.id)
        .where(Rsvp.member_id == me)
        .order_by(Meeting.starts_at)
    )
    return [
        {
            "meeting": title,
            "starts": iso(starts),
            "answer": str(rsvp.answer) if rsvp.answer else None,
            "support_needs": list(rsvp.support or []),
            "support_other": rsvp.support_other,
            "interpreter_language": rsvp.interpreter_language,
            "answered": iso(rsvp.answered_at),
            "came": rsvp.attended,
        }
        for title, starts, rsvp in rows.all()
    ]


async def _drafts(session: AsyncSession, me: int) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Draft).where(Draft.member_id == me).order_by(Draft.id))
    return [
        {"form": d.kind, "step": d.step, "so_far": d.data, "saved": iso(d.updated_at)}
        for d in rows.all()
    ]


async def _history(session: AsyncSession, me: int, telegram_id: int) -> list[dict[str, Any]]:
    # Refused attempts by someone not yet a member name them by Telegram id only.
    rows = await session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_id, AuditEvent.details)
        .where(
            or_(
                AuditEvent.actor_id == me,
                cast(AuditEvent.details, Text).contains(str(telegram_id), autoescape=True),
            )
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    # The text match above is broad; keep only entries that really name them.
    named = re.compile(rf"(?<!\d){telegram_id}(?!\d)")
    return [
        {"at": iso(at), "what": action}
        for at, action, actor, details in rows.all()
        if actor == me or named.search(json.dumps(details))
    ]


async def _waiting(session: AsyncSession, me: int, telegram_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(OutboxMessage.kind, OutboxMessage.due_at, OutboxMessage.status)
        .where(or_(OutboxMessage.member_id == me, OutboxMessage.chat_id == telegram_id))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        {"what": kind, "due": iso(due), "status": str(status)} for kind, due, status in rows.all()
    ]


async def _claims(session: AsyncSession, me: int) -> list[dict[str, Any]]:
    claims = await session.scalars(
        select(Claim)
        .where(Claim.member_id == me)
        .options(selectinload(Claim.lines).selectinload(ClaimLine.receipts))
        .order_by(Claim.id)
    )
    return [
        {
            "claim": claim.id,
            "status": claim.status.value,
            "submitted": iso(claim.submitted_at),
            "paid": iso(claim.paid_at),
            "payment_method": claim.payment_method,
            "currency": claim.currency,
            "note": claim.note,
            "items": [
                {
                    "kind": line.kind,
                    "amount": str(minor_to_decimal(line.amount, claim.currency)),
                    "amount_in_pence": line.amount,
                    "quantity": line.quantity,
                    "day": iso(line.spent_on),
                    "status": line.status.value,
                    "reason": line.reason or line.no_receipt_reason,
                    "question": line.question,
                    "answer": line.answer,
                    "not_approved_because": line.reject_reason,
                    "receipts": [
                        {
                            "file": receipt_name(claim.id, line.position, n, r.path),
                            "type": r.mime_type,
                            "bytes": r.size,
                        }
                        for n, r in enumerate(line.receipts, start=1)
                    ],
                }
                for line in claim.lines
            ],
        }
        for claim in claims
    ]


def receipt_name(claim_id: int, position: int, number: int, path: str) -> str:
    """The receipt's name in the zip /mydata sends (the same as in finance's zip)."""
    extension = path.rsplit(".", 1)[-1] if "." in path else "bin"
    return f"claim-{claim_id}-item-{position}-{number}.{extension}"


async def _named_feedback(session: AsyncSession, me: int) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(Feedback, Panel.name)
            .join(Panel, Panel.id == Feedback.panel_id)
            .where(Feedback.member_id == me)
            .order_by(Feedback.id)
        )
    ).all()
    replies = await session.scalars(
        select(FeedbackReply)
        .where(FeedbackReply.feedback_id.in_([f.id for f, _ in rows]))
        .order_by(FeedbackReply.id)
    )
    by_feedback: dict[int, list[dict[str, Any]]] = {}
    for turn in replies.all():
        by_feedback.setdefault(turn.feedback_id, []).append(
            {
                "from": "you" if turn.from_member else "coordinators",
                "text": turn.text,
                "voice_note": turn.voice_file_id is not None,
                "day": iso(turn.day),
            }
        )
    return [
        {
            "panel": panel,
            "number": f.number,
            "text": f.text,
            "voice_note": f.voice_file_id is not None,
            "day": iso(f.day),
            "replies": by_feedback.get(f.id, []),
        }
        for f, panel in rows
    ]


async def _named_answers(session: AsyncSession, me: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Poll, PollResponse)
        .join(PollResponse, PollResponse.poll_id == Poll.id)
        .where(PollResponse.member_id == me)
        .order_by(Poll.id)
    )
    return [
        {
            "question": poll.question,
            "choices": [poll.options[c] for c in response.choices or [] if c < len(poll.options)],
            "rating": response.rating,
            "text": response.text,
            "day": iso(response.day),
        }
        for poll, response in rows.all()
    ]


async def _asked(session: AsyncSession, me: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Poll.question, Poll.anonymous, PollParticipant.state)
        .join(PollParticipant, PollParticipant.poll_id == Poll.id)
        .where(PollParticipant.member_id == me)
        .order_by(Poll.id)
    )
    # Only whether they answered: what they said in an anonymous poll cannot be found.
    return [
        {"question": q, "anonymous": anonymous, "you": state} for q, anonymous, state in rows.all()
    ]


async def _as_coordinator(session: AsyncSession, me: int, telegram_id: int) -> dict[str, Any]:
    """What the person did as a coordinator: each row names them as its author."""
    invites = await session.execute(
        select(Panel.name, Invite.role, Invite.created_at)
        .join(Invite, Invite.panel_id == Panel.id)
        .where(Invite.created_by == me)
        .order_by(Invite.id)
    )
    terms = await session.execute(
        select(PanelTerm.term, PanelTerm.updated_at).where(PanelTerm.updated_by == me)
    )
    meetings = await session.execute(
        select(Meeting.title, Meeting.starts_at)
        .where(Meeting.created_by == me)
        .order_by(Meeting.id)
    )
    news = await session.execute(
        select(Broadcast.text, Broadcast.send_at)
        .where(or_(Broadcast.created_by == me, Broadcast.report_chat_id == telegram_id))
        .order_by(Broadcast.id)
    )
    questions = await session.execute(
        select(Poll.question, Poll.created_at).where(Poll.created_by == me).order_by(Poll.id)
    )
    checked = await session.execute(
        select(ClaimLine.claim_id, ClaimLine.position, ClaimLine.status, ClaimLine.reviewed_at)
        .where(ClaimLine.reviewed_by == me)
        .order_by(ClaimLine.id)
    )
    paid = await session.execute(
        select(Claim.id, Claim.paid_at, Claim.payment_method)
        .where(Claim.paid_by == me)
        .order_by(Claim.id)
    )
    return {
        "invites_you_made": [
            {"panel": p, "role": str(role), "made": iso(at)} for p, role, at in invites.all()
        ],
        "words_you_explained": [{"word": w, "saved": iso(at)} for w, at in terms.all()],
        "meetings_you_made": [{"meeting": m, "starts": iso(at)} for m, at in meetings.all()],
        "news_you_sent": [{"text": text, "sent": iso(at)} for text, at in news.all()],
        "questions_you_asked": [{"question": q, "asked": iso(at)} for q, at in questions.all()],
        "claim_items_you_checked": [
            {"claim": c, "item": n, "decision": str(s), "at": iso(at)}
            for c, n, s, at in checked.all()
        ],
        "claims_you_marked_paid": [
            {"claim": c, "paid": iso(at), "method": method} for c, at, method in paid.all()
        ],
    }


async def receipt_files(session: AsyncSession, telegram_id: int) -> list[tuple[str, str]]:
    """(name in the zip, path under the data dir) of every receipt on the person's claims."""
    claims = await session.scalars(
        select(Claim)
        .join(Member, Member.id == Claim.member_id)
        .where(Member.telegram_id == telegram_id)
        .options(selectinload(Claim.lines).selectinload(ClaimLine.receipts))
        .order_by(Claim.id)
    )
    return [
        (receipt_name(claim.id, line.position, n, r.path), r.path)
        for claim in claims
        for line in claim.lines
        for n, r in enumerate(line.receipts, start=1)
    ]
