"""Every kind of outbox row, and the keys rows are stored under, in one place.

Services enqueue with these kinds and keys, renderers (handlers/*_messages.py) register by kind,
and /forgetme (bot/services/forgetting.py) finds rows about a person by key. A row's unique key
is what stops a message going twice, so a key must say exactly which message it is: which
object, which version or time, and to whom.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What an outbox row is; the delivery finds its renderer (or task) by this."""

    MESSAGE = "message"  # text made when queued (bot.delivery.render_prepared)
    POLL_ASK = "poll_ask"
    POLL_REMINDER = "poll_reminder"
    POLL_AGAIN = "poll_again"  # asked again: a stopped process lost their held answer
    POLL_CLOSE = "poll_close"
    POLL_SHARED = "poll_shared"
    FEEDBACK_NOTICE = "feedback_notice"
    BROADCAST = "broadcast"
    BROADCAST_START = "broadcast_start"  # a task: queues one BROADCAST row per member
    BROADCAST_FINAL = "broadcast_final"  # the final figure, after copies that waited for quiet
    MEETING_INVITE = "meeting_invite"
    MEETING_CHANGED = "meeting_changed"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_PAPER = "meeting_paper"
    MEETING_REMINDER = "meeting_reminder"
    MEETING_FOLLOWUP = "meeting_followup"
    MEETING_SUPPORT = "meeting_support"
    CLAIM_UPDATE = "claim_update"
    CLAIM_REVIEW = "claim_review"
    MEMBER_REQUEST = "member_request"  # a member's question or request, with Reply
    MEMBERSHIP_REMOVED = "membership_removed"
    OUTBOX_FAILED = "outbox_failed"


# ------------------------------------------------------------------------------- polls


def poll_prefix(poll_id: int) -> str:
    return f"poll:{poll_id}:"


def poll_ask(poll_id: int, member_id: int) -> str:
    return f"{poll_prefix(poll_id)}ask:{member_id}"


def poll_reminders(poll_id: int) -> str:
    """The start of every reminder key of a poll (cancelled when it closes)."""
    return f"{poll_prefix(poll_id)}remind:"


def poll_reminder(poll_id: int, member_id: int) -> str:
    return f"{poll_reminders(poll_id)}{member_id}"


def poll_close(poll_id: int) -> str:
    return f"{poll_prefix(poll_id)}close"


def poll_close_at(poll_id: int, closes_at: datetime) -> str:
    """The closing after a coordinator chose a new time (bot.services.poll_changes); it starts
    with `poll_close`, so cancelling that prefix cancels every planned closing."""
    return f"{poll_close(poll_id)}:{closes_at:%Y%m%d%H%M}"


def poll_nudges(poll_id: int) -> str:
    """The start of the keys of the reminders a coordinator sent with "Remind people"."""
    return f"{poll_prefix(poll_id)}nudge:"


def poll_nudge(poll_id: int, stamp: str, member_id: int) -> str:
    return f"{poll_nudges(poll_id)}{stamp}:{member_id}"


def poll_shared(poll_id: int, version: str, member_id: int) -> str:
    """A second share (a correction) has a new `version`, so it is a new message."""
    return f"{poll_prefix(poll_id)}shared:{version}:{member_id}"


def poll_again(poll_id: int, member_id: int, nonce: str) -> str:
    return f"{poll_prefix(poll_id)}again:{member_id}:{nonce}"


# ---------------------------------------------------------------------------- feedback


def feedback_new(feedback_id: int) -> str:
    """The notices of a new message (one per coordinator and part: `feedback_notice`)."""
    return f"feedback:{feedback_id}:new"


def feedback_back(feedback_id: int, reply_id: int) -> str:
    """The notices of a member's answer back about their message."""
    return f"feedback:{feedback_id}:back:{reply_id}"


def feedback_notice(about: str, member_id: int, part: int) -> str:
    """One coordinator's notice, part `part` of a long text; `about` from the two above."""
    return f"{about}:{member_id}:{part}"


# -------------------------------------------------------------------------- broadcasts


def broadcast_copies(broadcast_id: int) -> str:
    """The start of the key of every member's copy of a broadcast."""
    return f"bc:{broadcast_id}:m:"


def broadcast_copy(broadcast_id: int, member_id: int) -> str:
    return f"{broadcast_copies(broadcast_id)}{member_id}"


def broadcast_start(broadcast_id: int) -> str:
    return f"bcstart:{broadcast_id}"


def broadcast_final(broadcast_id: int) -> str:
    """The coordinator's final figure, once copies that waited for quiet hours have gone."""
    return f"bcfinal:{broadcast_id}"


# ---------------------------------------------------------------------------- meetings


def meeting_prefix(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:"


def meeting_notice(meeting_id: int, what: str, sequence: int, member_id: int) -> str:
    """An invitation, change or cancellation (`what`) of one version of the meeting."""
    return f"{meeting_prefix(meeting_id)}{what}:v{sequence}:{member_id}"


def meeting_paper(meeting_id: int, index: int, member_id: int) -> str:
    return f"{meeting_prefix(meeting_id)}paper:{index}:{member_id}"


def meeting_reminders(meeting_id: int, member_id: int) -> str:
    """The start of every reminder (and the after-meeting question) of one member."""
    return f"{meeting_prefix(meeting_id)}reminder:{member_id}:"


def meeting_support(meeting_id: int, member_id: int, coordinator_id: int, asked: str) -> str:
    return f"{meeting_prefix(meeting_id)}support:{member_id}:{coordinator_id}:{asked}"


def meeting_support_about(member_id: int) -> str:
    """A LIKE pattern for the notes to coordinators about this member's support needs."""
    return f"meeting:%:support:{member_id}:%"


# ------------------------------------------------------------------------------ claims


def claim_update(claim_id: int, version: int) -> str:
    return f"claim:{claim_id}:v{version}"


def claim_review(claim_id: int, event: str, now: datetime, coordinator_id: int) -> str:
    return f"claim:{claim_id}:{event}:{now.isoformat()}:to:{coordinator_id}"


# ------------------------------------------------------------------- questions, members


def question_about(member_id: int) -> str:
    """The start of the keys of questions about words queued before member requests (rows made
    by an older version may still wait: /forgetme finds them by this)."""
    return f"question:{member_id}:"


def requests_of(member_id: int) -> str:
    """The start of the keys of a member's requests to coordinators, and of the answers."""
    return f"request:{member_id}:"


def member_request(member_id: int, request_id: int, coordinator_id: int) -> str:
    """One coordinator's notice of a request (handlers/requests renders it, with Reply)."""
    return f"{requests_of(member_id)}{request_id}:to:{coordinator_id}"


def member_request_reply(
    member_id: int, request_id: int, coordinator_id: int | None, now: datetime
) -> str:
    """A coordinator's answer to the member: each answer (a follow-up too) is its own message."""
    return f"{requests_of(member_id)}{request_id}:reply:{coordinator_id}:{now.isoformat()}"


def removed(panel_id: int, member_id: int, now: datetime) -> str:
    return f"removed:{panel_id}:{member_id}:{now.isoformat()}"


def outbox_failed(chat_id: int, now: datetime) -> str:
    """At most one alert an hour per admin: the key holds the hour."""
    return f"{Kind.OUTBOX_FAILED}:{chat_id}:{now:%Y%m%d%H}"
