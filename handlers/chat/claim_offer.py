"""The offer to claim for a meeting, under "Thank you for coming" (the meetings feature asks
whether someone came; the claims feature answers the tap: handlers/claims/offer.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import claim_submission
from handlers.chat.common import button
from handlers.chat.shared_buttons import ClaimThisMeeting

CLAIM_FOR_MEETING = N_("Claim for this meeting")
CLAIM_COSTS = N_("Claim your costs for this meeting")


async def claim_offer(
    context: PanelContext, telegram_id: int, meeting_id: int
) -> InlineKeyboardMarkup | None:
    """ "Claim for this meeting" (paid time, with costs), or only costs for an unpaid meeting or
    someone who chose not to be paid; None when the meeting is not theirs to claim for."""
    offer = await claim_submission.offer_after_meeting(context.session, telegram_id, meeting_id)
    if offer is None:
        return None
    label = CLAIM_FOR_MEETING if offer == claim_submission.TIME else CLAIM_COSTS
    return InlineKeyboardMarkup([[button(context.t(label), ClaimThisMeeting(meeting_id).pack())]])
