"""The Reply button under a member's question or request to coordinators (handlers/chat/
button_data.py). Shared: the requests' own notices (handlers/requests) carry it, and so does a
meeting's support note (handlers/meetings), while handlers/requests answers every tap."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, Translator
from handlers.chat.button_data import ButtonData, button_data

REQUESTS = "rq"
REPLY = N_("Reply")


@button_data(REQUESTS, 1, "r")
@dataclass(frozen=True)
class ReplyToRequest(ButtonData):
    """A coordinator answers a member's request (bot/services/member_requests.py)."""

    request: int


def reply_row(t: Translator, request_id: int) -> list[dict[str, str]]:
    """The Reply button, as an outbox payload carries it (bot/outgoing.py keyboard)."""
    return [{"text": t(REPLY), "callback_data": ReplyToRequest(request_id).pack()}]
