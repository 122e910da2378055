"""What a request is about, in words: the coordinator's notice and the heading of the answer the
member gets, per kind (bot/services/member_requests.py KINDS)."""

from __future__ import annotations

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Meeting
from bot.i18n import N_, Translator
from bot.services import glossary, member_requests
from bot.services.member_requests import Request

# The coordinator's notice: the first line, then the member's own words (if any).
ASKED = {
    member_requests.WORD: N_("{name} asked about the word “{term}”:"),
    member_requests.SUPPORT: N_("{name} needs support to come to <b>{title}</b>."),
    member_requests.PAYMENT: N_(
        "{name} is not sure how to be paid. They would like to talk to you about it."
    ),
    member_requests.CLAIM: N_("{name} asked about their claim {n}:"),
}
# The member's answer: the heading, then the coordinator's words.
ANSWERED = {
    member_requests.WORD: N_("💬 Your coordinator answered your question about “{term}”:"),
    member_requests.SUPPORT: N_(
        "💬 Your coordinator answered about the support you need for <b>{title}</b>:"
    ),
    member_requests.PAYMENT: N_("💬 Your coordinator answered about how you are paid:"),
    member_requests.CLAIM: N_("💬 Your coordinator answered your question about claim {n}:"),
}
# Shown to a coordinator opening the reply, so they know what they answer.
ABOUT = {
    member_requests.WORD: N_("their question about “{term}”"),
    member_requests.SUPPORT: N_("the support they need for {title}"),
    member_requests.PAYMENT: N_("how they are paid"),
    member_requests.CLAIM: N_("their question about claim {n}"),
}


async def subject(session: AsyncSession, request: Request, language: str) -> str:
    """The word, the meeting's title or the claim's number, escaped ("" for payment)."""
    about = request.about or ""
    if request.kind == member_requests.WORD:
        found = glossary.load().get(about, language) or glossary.load().get(about, "en")
        return escape(found[0].term if found else about)
    if request.kind == member_requests.SUPPORT and about.isdecimal() and len(about) < 19:
        meeting = await session.get(Meeting, int(about))
        return escape(meeting.title) if meeting else "?"
    if request.kind == member_requests.CLAIM:
        return escape(about)
    return ""


def _named(subject: str) -> dict[str, str]:
    """The subject under each kind's own placeholder: the word, the meeting, the claim."""
    return {"term": subject, "title": subject, "n": subject}


async def asked(session: AsyncSession, t: Translator, request: Request) -> str:
    """The coordinator's notice, in their language."""
    heading = t(
        ASKED.get(request.kind, ASKED[member_requests.WORD]),
        name=escape(request.asker_name or "?"),
        **_named(await subject(session, request, t.language)),
    )
    if not request.text:
        return heading
    return heading + "\n\n" + t.quote(escape(request.text))


async def answered(session: AsyncSession, t: Translator, request: Request, text: str) -> str:
    """The member's answer, in their language: the heading and the coordinator's words."""
    heading = t(
        ANSWERED.get(request.kind, ANSWERED[member_requests.WORD]),
        **_named(await subject(session, request, t.language)),
    )
    return heading + "\n\n" + t.quote(escape(text.strip()))


async def about(session: AsyncSession, t: Translator, request: Request) -> str:
    return t(
        ABOUT.get(request.kind, ABOUT[member_requests.WORD]),
        **_named(await subject(session, request, t.language)),
    )
