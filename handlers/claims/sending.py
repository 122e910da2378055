"""The claim's summary buttons (send, add, change, remove an item, change the note) and sending."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Update

from bot.context import PanelContext
from bot.services import claim_rules, claim_submission, drafts, profile
from bot.services.access import NotAllowed
from bot.services.claim_rules import ClaimProblem
from handlers import forms
from handlers.chat.common import reply
from handlers.claims.draft import KIND, PROBLEMS, claim_form, go, say, today
from handlers.claims.questions import ask, policy_for
from handlers.forms.engine import stop
from handlers.forms.form import open_form


async def summary_button(
    update: Update, context: PanelContext, answers: dict[str, Any], action: str, position: int = 0
) -> None:
    """A tap on the summary: "send", "add", "note", "edit" or "del" (with the item's position)."""
    lines_ = list(answers.get("lines") or [])
    index = position - 1
    if action == "send":
        await _send(update, context, answers)
    elif action == "add" and len(lines_) < claim_rules.MAX_LINES:
        await go(update, context, "kind", cur={}, edit=None)
    elif action == "edit" and 0 <= index < len(lines_):
        await go(update, context, "kind", cur=lines_[index], edit=index)
    elif action == "del" and 0 <= index < len(lines_):
        del lines_[index]
        await go(update, context, "summary" if lines_ else "kind", lines=lines_, cur={}, edit=None)
    elif action == "note":
        await go(update, context, "note")
    elif action == "cancel":
        # A Cancel button from before the engine: the engine's Stop, which asks first.
        await stop(update, context, open_form(context.member))
    else:
        await ask(update, context, "summary", answers)


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t, member = context.t, context.member
    assert member is not None
    new_lines = [
        claim_submission.NewLine(
            kind=x["kind"],
            amount=int(x["amount"]),
            spent_on=date.fromisoformat(x["spent_on"]),
            quantity=x.get("quantity"),
            reason=x.get("reason"),
            no_receipt_reason=x.get("no_receipt_reason"),
            receipts=list(x.get("receipts") or []),
        )
        for x in answers.get("lines") or []
    ]
    rules = await policy_for(context, answers)
    try:
        sent = await claim_submission.submit(
            context.session,
            member.telegram_id,
            panel_id=int(answers["panel_id"]),
            meeting_id=answers.get("meeting_id"),
            lines=new_lines,
            note=answers.get("note"),
            now=context.runtime.clock.now(),
            today=await today(context, answers),
        )
    except ClaimProblem as problem:
        await context.session.rollback()
        code = problem.code if problem.code in PROBLEMS else "decided"
        limit = t.money(rules.no_receipt_limit, rules.currency)
        await reply(update, say(t, code, days=rules.max_age_days, limit=limit))
        return
    except NotAllowed:
        await context.session.rollback()
        await forms.discard(context, claim_form())
        await reply(update, t("You are not in this panel any more, so the claim was not sent."))
        return
    # Sent: the draft goes; its receipts now belong to the claim, so nothing is cleaned up.
    await drafts.discard(context.session, member.id, KIND)
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()
    text = [
        t("We got your claim. Your coordinator will check it."),
        t("We will tell you when it is approved and paid. Type /expenses to see it."),
    ]
    for position in sent.duplicates:
        text.append(
            t(
                "Item {n} looks the same as one you claimed before. Your coordinator will check.",
                n=position,
            )
        )
    await reply(update, "\n".join(text))
