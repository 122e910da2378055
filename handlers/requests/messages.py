"""A member's question or request, as each coordinator reads it when the outbox sends it: in the
coordinator's language at that moment, with a Reply button."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member
from bot.delivery import Delivery, Outgoing
from bot.i18n import translator
from bot.services import member_requests
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from handlers.chat.request_buttons import reply_row
from handlers.requests import words


async def notice(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
    request = await member_requests.load(session, int(row.payload.get("request_id", 0)))
    if request is None:  # the member used /forgetme before it went
        return None
    coordinator = await session.get(Member, row.member_id) if row.member_id else None
    t = translator(
        (coordinator.language if coordinator else None) or "en",
        bool(coordinator and coordinator.easy_read),
    )
    return Outgoing(text=await words.asked(session, t, request), buttons=[reply_row(t, request.id)])


def register(delivery: Delivery) -> None:
    delivery.register(Kind.MEMBER_REQUEST, notice)
