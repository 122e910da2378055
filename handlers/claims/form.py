"""/claim and the "Expenses" button: a claim step by step, with big buttons, on the form engine.

The form's answers and step are in its draft (kind "claim"); the member's row only says the
claim is open ("claim:<step>"), so a restart or a pause loses nothing. Order: meeting (or none;
the panel if they are in more than one), kind, amount (or miles, hours, sessions at the panel's
rate; paid time as the panel's rule says, never asked), date (not asked for a meeting: it is the
meeting's day), receipts, note, then a summary where any item can be changed before sending.
"Claim for this meeting" after "Yes, I came" opens it with the meeting chosen (offer.py).
Back, Stop, /cancel, menu taps and "carry on" come from the engine (handlers/forms/)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import claim_rules, claim_submission
from handlers import forms
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, reply
from handlers.chat.menu_labels import EXPENSES
from handlers.claims import buttons as b
from handlers.claims import typed
from handlers.claims.draft import (
    KIND,
    PREFIX,
    claim_form,
    current,
    forget_receipts,
    go,
    say,
    worth_keeping,
)
from handlers.claims.questions import ask, policy_for
from handlers.claims.sending import summary_button
from handlers.claims.steps import (
    choose_kind,
    choose_meeting,
    choose_panel,
    date_button,
    line_done,
    take_quantity,
)
from handlers.forms import Accepts, Form, Step, register

GONE = N_("Your claim is gone. Type /claim to start again.")


async def start_claim(update: Update, context: PanelContext) -> None:
    """/claim and the menu's "Expenses": a claim left half-done is offered back first; else
    which meeting is it for?"""
    t, member = context.t, context.member
    if member is None or member.consent != "given":
        await reply(update, t("To join a panel, open the invite link from your coordinator."))
        return
    person = await claim_submission.claimant(context.session, member.telegram_id)
    if person is None or not person.panels:
        await reply(update, t("You are not in a panel yet, so there is nothing to claim."))
        return
    if await forms.carry_on_offered(update, context, claim_form()):
        return
    meetings = await claim_submission.claimable_meetings(
        context.session, person.member_id, context.runtime.clock.now()
    )
    await go(
        update,
        context,
        "meeting",
        panel_id=person.panels[0][0],
        meeting_id=None,
        lines=[],
        cur={},
        edit=None,
        note=None,
        note_asked=False,
        options=[m.id for m in meetings],
    )


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """Everything sent while the claim is open (the engine's one handler brings it here)."""
    message = update.effective_message
    assert message is not None and context.member is not None
    draft = await current(context)
    if draft is None:  # gone from under the form (e.g. /forgetme in another chat)
        await forms.discard(context, claim_form())
        await reply(update, context.t(GONE))
        return
    answers = dict(draft.data or {})
    if message.text is not None:
        await typed.words(update, context, draft.step, answers)
    else:
        await typed.file(update, context, draft.step, answers)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, *b.FORM_BUTTONS)
    draft = await current(context) if context.member else None
    if tapped is None or draft is None:
        await answer_expired(query, context)
        return
    await query.answer()
    answers, step, t = dict(draft.data or {}), draft.step, context.t
    cur = dict(answers.get("cur") or {})
    if isinstance(tapped, b.ClaimForMeeting) and step == "meeting":
        await choose_meeting(update, context, answers, tapped.meeting)
    elif isinstance(tapped, b.ClaimForPanel) and step == "panel":
        await choose_panel(update, context, answers, tapped.panel)
    elif isinstance(tapped, b.ClaimKind) and step in ("kind", "unit"):
        await choose_kind(update, context, answers, cur, tapped.kind)
    elif isinstance(tapped, b.ClaimQuantity) and step == "quantity":
        quantity = claim_rules.offered_quantity(tapped.value)
        if quantity is None:
            await ask(update, context, step, answers)
        else:
            await take_quantity(update, context, answers, quantity)
    elif isinstance(tapped, b.ClaimDay | b.ClaimCalendar | b.ClaimCalendarBlank) and step == "date":
        await date_button(update, context, answers, tapped)
    elif isinstance(tapped, b.ClaimReceipts) and step == "receipts":
        if tapped.choice == "done" and cur.get("receipts"):
            await line_done(update, context, answers, cur)
        elif tapped.choice == "none":
            rules = await policy_for(context, answers)
            if int(cur["amount"]) > rules.no_receipt_limit:
                limit = t.money(rules.no_receipt_limit, rules.currency)
                await reply(update, say(t, "receipt_needed", limit=limit))
            else:
                await go(update, context, "noreceipt")
    elif isinstance(tapped, b.ClaimNoNote) and step == "note":
        await go(update, context, "summary", note=None, note_asked=True)
    elif isinstance(tapped, b.ClaimSummary) and step == "summary":
        await summary_button(update, context, answers, tapped.choice)
    elif isinstance(tapped, b.ClaimChangeItem | b.ClaimRemoveItem) and step == "summary":
        action = "edit" if isinstance(tapped, b.ClaimChangeItem) else "del"
        await summary_button(update, context, answers, action, tapped.position)
    else:
        # An old button from an earlier step: show where they are now.
        await ask(update, context, step, answers)


FORM = register(
    Form(
        name=KIND,
        prefix=PREFIX,
        stopped=N_("OK. Your claim was not sent."),
        draft=True,
        steps=(
            Step("meeting", Accepts.TAP, N_("Not for a meeting")),
            Step("panel", Accepts.TAP, "Carers Voice"),
            Step("kind", Accepts.TAP, N_("Bus, train or tram")),
            Step("reason", Accepts.TEXT, "The bus was cancelled and I use a wheelchair"),
            Step("quantity", Accepts.TEXT, "2"),
            Step("amount", Accepts.TEXT, "4.20"),
            Step("date", Accepts.TEXT, N_("Today")),
            Step("receipts", Accepts.FILE, N_("I have no receipt")),
            Step("noreceipt", Accepts.TEXT, "The driver did not give me one"),
            Step("note", Accepts.TEXT, "I came with my carer"),
            Step("summary", Accepts.TAP, N_("Send claim")),
        ),
        opened_by=("/claim", EXPENSES),
        receive=receive,
        ask=ask,
        start=start_claim,
        kept=N_("Your claim is saved. Tap Expenses to carry on with it."),
        carry_on=N_("You have a claim you did not finish. Do you want to carry on with it?"),
        really_stop=N_(
            "Stop this claim? What you typed and any receipts you sent will be deleted."
        ),
        worth_keeping=worth_keeping,
        after_stop=forget_receipts,
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Typed words and receipts reach the form through the engine (FORM.receive)."""
    return [
        CommandHandler("claim", start_claim, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_button, pattern=rf"^{b.FORM}:"),
    ]
