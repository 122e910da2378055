""" "Claim for this meeting": the tap under "Thank you for coming" opens the claim form with the
meeting chosen, and paid time too where the member may claim it (the panel's rule says by the
hour or by the session; the meeting's length is offered in one tap). A claim left half-done is
offered back first: Carry on, or Start again (for this meeting). Buttons: "cm:1:<meeting>" and
"cm:1:new:<meeting>" (handlers/chat/shared_buttons.py: the meetings feature makes them)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import PanelContext
from bot.services import claim_rules, claim_submission, drafts
from bot.services.claim_rules import ClaimProblem
from handlers import forms
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, remove_buttons
from handlers.chat.shared_buttons import CLAIM_MEETING, ClaimThisMeeting, ClaimThisMeetingAfresh
from handlers.claims.draft import KIND, claim_form, go
from handlers.forms.engine import TRAIL, pause


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, ClaimThisMeeting, ClaimThisMeetingAfresh)
    member = context.member
    person = None
    if tapped is not None and member is not None and member.consent == "given":
        person = await claim_submission.claimant(context.session, member.telegram_id)
    if tapped is None or member is None or person is None:
        await answer_expired(query, context)
        return
    try:
        meeting = await claim_submission.meeting_for_claim(
            context.session, person.member_id, tapped.meeting
        )
    except ClaimProblem:
        await answer_expired(query, context)
        return
    await query.answer()
    form = claim_form()
    if isinstance(tapped, ClaimThisMeetingAfresh):
        await remove_buttons(query, context)  # the "Carry on?" question is answered
        await forms.discard(context, form)
    else:
        again = ClaimThisMeetingAfresh(meeting.id).pack()
        if await forms.carry_on_offered(update, context, form, start_again=again):
            return
    opened = forms.open_form(member)
    if opened is not None and opened.form is not form:
        await pause(update, context, opened)
    meetings = await claim_submission.claimable_meetings(
        context.session, person.member_id, context.runtime.clock.now()
    )
    answers: dict[str, Any] = {
        "panel_id": meeting.panel_id,
        "meeting_id": meeting.id,
        "lines": [],
        "cur": {},
        "edit": None,
        "note": None,
        "note_asked": False,
        "options": list(dict.fromkeys([meeting.id, *(m.id for m in meetings)])),
    }
    offer = await claim_submission.offer_after_meeting(
        context.session, member.telegram_id, meeting.id
    )
    now = context.runtime.clock.now()
    if offer != claim_submission.TIME:
        # Costs only: what was spent, for this meeting (Back goes to the meeting question).
        await drafts.save(
            context.session, member.id, KIND, step="meeting", now=now, **answers, **{TRAIL: []}
        )
        await go(update, context, "kind")
        return
    # Paid time at the panel's rule: how many hours (or sessions), the meeting's length offered.
    rules = await claim_rules.policy(context.session, meeting.panel_id)
    await drafts.save(
        context.session, member.id, KIND, step="kind", now=now, **answers, **{TRAIL: ["meeting"]}
    )
    await go(update, context, "quantity", cur={"kind": rules.time_kind})


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=rf"^{CLAIM_MEETING}:")]
