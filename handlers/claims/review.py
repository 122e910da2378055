"""/review and /export for coordinators: one claim at a time with its receipts, and the finance
export. Every decision goes through bot/services/claim_review.py, which checks the role again."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.db import Claim, ClaimLine, ClaimStatus, LineStatus, Meeting, Member, Panel
from bot.i18n import N_, Translator
from bot.services import claim_review, claim_rules, claim_submission, profile
from bot.services.access import Actor, NotAllowed, actor_for, coordinated_panels, refuse
from bot.services.claim_rules import ClaimProblem
from bot.services.vocabularies import expense_kinds, payments
from handlers import forms
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, button, reply
from handlers.chat.text import printable, send_long
from handlers.claims import buttons as b
from handlers.claims.words import STATUS_LABELS, line_text, reason_text
from handlers.forms import Accepts, Form, Step, register

PREFIX = "review:"  # "review:r:<line>" (a reason) or "review:q:<line>" (a question)
MAX_TEXT = 500
ONLY_COORDINATORS = N_("Only a coordinator of this panel can do that.")


async def acting(context: PanelContext) -> Actor:
    member = context.member
    assert member is not None
    return await actor_for(
        context.session, member.telegram_id, context.runtime.settings.panelbot_admins
    )


async def refuse_stranger(update: Update, context: PanelContext, what: str) -> None:
    """Someone who never joined reviews nothing: audit the attempt (their buttons are forged)."""
    assert update.effective_user is not None
    actor = await actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    refuse(context.session, actor, what)


# ------------------------------------------------------------------------------ showing


async def review_command(update: Update, context: PanelContext) -> None:
    if context.member is None:
        await refuse_stranger(update, context, "/review")
        await reply(update, context.t(ONLY_COORDINATORS))
        return
    await _show_next(update, context, after=0)


async def _show_next(update: Update, context: PanelContext, *, after: int) -> None:
    t = context.t
    actor = await acting(context)
    panels = [pid for pid, _ in await coordinated_panels(context.session, actor)]
    if not panels:
        refuse(context.session, actor, "/review")
        await reply(update, t(ONLY_COORDINATORS))
        return
    claim = await claim_review.next_to_review(context.session, actor, panels, after)
    if claim is None:
        if after and await claim_review.next_to_review(context.session, actor, panels, 0):
            await reply(update, t("That was the last one. Type /review to start again."))
        else:
            await reply(update, t("No claims are waiting for you. Well done."))
        return
    await _show(update, context, claim)


async def _show(update: Update, context: PanelContext, claim: Claim) -> None:
    t = context.t
    chat = update.effective_chat
    assert chat is not None
    for line in claim.lines:
        for receipt in line.receipts:
            caption = t("Receipt for item {n} of claim {claim}", n=line.position, claim=claim.id)
            if receipt.kind == "photo":
                await chat.send_photo(receipt.telegram_file_id, caption=caption)
            else:
                await chat.send_document(receipt.telegram_file_id, caption=caption)
    text, rows = await _card(context, t, claim)
    await send_long(update, text, InlineKeyboardMarkup(rows))


async def _card(
    context: PanelContext, t: Translator, claim: Claim
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    member = await context.session.get(Member, claim.member_id) if claim.member_id else None
    panel = await context.session.get(Panel, claim.panel_id)
    text = [
        t(
            "<b>Claim {n}</b> from {name}, {panel}",
            n=claim.id,
            # A forgotten member's kept claim shows its reference, as in the finance export.
            name=escape((member.display_name if member else claim.former_member) or "?"),
            panel=escape(panel.name if panel else "?"),
        )
    ]
    if claim.meeting_id:
        meeting = await context.session.get(Meeting, claim.meeting_id)
        text.append(t("Meeting: {title}", title=escape(meeting.title if meeting else "?")))
    text.append("")
    rows: list[list[InlineKeyboardButton]] = []
    for line in claim.lines:
        text.append(
            line_text(
                t,
                line.position,
                line.kind,
                line.amount,
                claim.currency,
                line.spent_on,
                quantity=line.quantity,
                receipts=len(line.receipts),
            )
        )
        if line.reason:
            text.append(reason_text(t, line.kind, line.reason))
        if line.no_receipt_reason:
            text.append(t("No receipt: {reason}", reason=escape(line.no_receipt_reason)))
        if line.duplicate_of:
            text.append(
                t("Item {n} looks the same as an earlier claim. Please check.", n=line.position)
            )
        if line.question:
            text.append(t("You asked: {question}", question=escape(line.question)))
        if line.answer:
            text.append(t("They answered: {answer}", answer=escape(line.answer)))
        text.append(t(STATUS_LABELS[line.status.value]))
        if line.status == LineStatus.SUBMITTED:
            rows.append(
                [
                    button(t("Approve item {n}", n=line.position), b.ApproveClaim(line.id).pack()),
                    button(t("Reject item {n}", n=line.position), b.RejectItem(line.id).pack()),
                ]
            )
            rows.append(
                [button(t("Ask about item {n}", n=line.position), b.AskAboutItem(line.id).pack())]
            )
    text.append("")
    text.append(
        t("Total: {amount}", amount=t.money(claim_rules.claimed_total(claim), claim.currency))
    )
    if claim.note:
        text.append(t("Note: {note}", note=escape(claim.note)))
    if claim.payment_preference in payments.CHOICE_BY_CODE:
        text.append(
            t(
                "How they want to be paid: {way}",
                way=t(payments.CHOICE_BY_CODE[claim.payment_preference].label),
            )
        )
    text += await _paid_time_check(context, t, claim)
    if claim.status == ClaimStatus.APPROVED:
        approved = t.money(claim_rules.approved_total(claim), claim.currency)
        text.append(t("Approved to pay: {amount}", amount=approved))
        rows.append([button(t("Mark paid"), b.AskHowPaid(claim.id).pack())])
    rows.append([button(t("Next claim"), b.NextClaim(claim.id).pack())])
    return "\n".join(text), rows


async def _paid_time_check(context: PanelContext, t: Translator, claim: Claim) -> list[str]:
    """The member's paid time in the week of this claim, beside the panel's limit if it has one."""
    times = [x for x in claim.lines if x.kind in expense_kinds.PAID_TIME]
    if not times or claim.member_id is None:  # none, or a record kept after /forgetme
        return []
    totals = await claim_submission.paid_time_totals(
        context.session, claim.member_id, claim.panel_id, times[0].spent_on
    )
    rules = await claim_rules.policy(context.session, claim.panel_id)
    lines = [t("Their paid time that week: {amount}.", amount=t.money(totals.week, claim.currency))]
    if rules.weekly_paid_limit is not None:
        limit = t.money(rules.weekly_paid_limit, claim.currency)
        lines.append(t("The panel's weekly limit is {limit}.", limit=limit))
    return lines


# ------------------------------------------------------------------------------ buttons


async def refused(update: Update, context: PanelContext) -> None:
    # The refusal is in the audit log; keep it even though nothing else changed.
    await context.session.commit()
    query = update.callback_query
    if query is not None:
        await query.answer(context.t(ONLY_COORDINATORS), show_alert=True)
    else:
        await reply(update, context.t(ONLY_COORDINATORS))


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, *b.REVIEW_BUTTONS)
    if tapped is None or context.member is None:
        if context.member is None:
            await refuse_stranger(update, context, "rv")
        await answer_expired(query, context)
        return
    t = context.t
    actor = await acting(context)
    now = context.runtime.clock.now()
    try:
        if isinstance(tapped, b.ApproveClaim):
            claim = await claim_review.decide(
                context.session, actor, tapped.claim, "approve", now=now
            )
            await context.session.commit()
            await query.answer(t("Approved."))
            await _after_decision(update, context, claim)
        elif isinstance(tapped, b.RejectItem | b.AskAboutItem):
            action, target = tapped.ACTION, tapped.line
            line = await context.session.get(ClaimLine, target)
            if line is None:
                raise LookupError("no line")
            claim = await claim_review.claim_for_review(context.session, actor, line.claim_id, now)
            if line.status != LineStatus.SUBMITTED:
                raise ClaimProblem("decided")
            await profile.set_step(context.session, actor.telegram_id, f"{PREFIX}{action}:{target}")
            await context.session.commit()
            await query.answer()
            ask = (
                t(
                    "Why is item {n} not approved? Type a short reason. They will see it.",
                    n=line.position,
                )
                if action == "r"
                else t(
                    "What do you want to ask about item {n}? Type your question.", n=line.position
                )
            )
            await reply(
                update, ask, reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)])
            )
        elif isinstance(tapped, b.AskHowPaid):
            claim = await claim_review.claim_for_review(context.session, actor, tapped.claim, now)
            if claim.status != ClaimStatus.APPROVED:
                raise ClaimProblem("not_approved")
            await context.session.commit()
            await query.answer()
            rows = [
                [button(t(method.label), b.MarkPaid(claim.id, method.code).pack())]
                for method in payments.METHODS
            ]
            await reply(
                update, t("How was it paid? Tap one."), reply_markup=InlineKeyboardMarkup(rows)
            )
        elif isinstance(tapped, b.MarkPaid):
            claim = await claim_review.mark_paid(
                context.session, actor, tapped.claim, tapped.method, now=now
            )
            await context.session.commit()
            await query.answer()
            await reply(update, t("Claim {n} is marked as paid.", n=claim.id))
            await _show_next(update, context, after=0)
        elif isinstance(tapped, b.NextClaim):
            await query.answer()
            await _show_next(update, context, after=tapped.after)
        else:
            await answer_expired(query, context)
    except NotAllowed:
        await refused(update, context)
    except LookupError:
        await context.session.rollback()
        await answer_expired(query, context)
    except ClaimProblem:
        await context.session.rollback()
        await query.answer(t("This claim has already been dealt with."), show_alert=True)


async def _after_decision(update: Update, context: PanelContext, claim: Claim) -> None:
    """Stay on the claim while it has lines to decide or is ready to pay; else the next one."""
    actor = await acting(context)
    fresh = await claim_review.claim_for_review(
        context.session, actor, claim.id, context.runtime.clock.now()
    )
    undecided = any(line.status == LineStatus.SUBMITTED for line in fresh.lines)
    if undecided or fresh.status == ClaimStatus.APPROVED:
        text, rows = await _card(context, context.t, fresh)
        await send_long(update, text, InlineKeyboardMarkup(rows))
    else:
        await _show_next(update, context, after=claim.id)


async def on_text(update: Update, context: PanelContext, step: str) -> None:
    """The reason or question, typed while the one-step form is open (FORM.receive)."""
    member, t = context.member, context.t
    assert member is not None and update.effective_message is not None
    parts = step.split(":")
    words = printable(update.effective_message.text or "")
    if not words or len(words) > MAX_TEXT:
        await reply(update, t("Please type a short answer, under 500 letters."))
        return
    await profile.set_step(context.session, member.telegram_id, None)
    if len(parts) != 2 or parts[0] not in ("r", "q") or not parts[1].isdigit():
        await context.session.commit()
        return
    decision = "reject" if parts[0] == "r" else "ask"
    actor = await acting(context)
    try:
        claim = await claim_review.decide(
            context.session,
            actor,
            int(parts[1]),
            decision,
            now=context.runtime.clock.now(),
            text=words,
        )
    except NotAllowed:
        await profile.set_step(context.session, member.telegram_id, None)
        await refused(update, context)
        return
    except (LookupError, ClaimProblem):
        await context.session.rollback()
        await profile.set_step(context.session, member.telegram_id, None)
        await context.session.commit()
        await reply(update, t("This claim has already been dealt with."))
        return
    await context.session.commit()
    await reply(
        update,
        t("Sent. They will see it in their language.")
        if decision == "ask"
        else t("Rejected. They will see your reason."),
    )
    await _after_decision(update, context, claim)


FORM = register(
    Form(
        name="review",
        prefix=PREFIX,
        stopped=N_("OK. Nothing has changed."),
        steps=(Step("<r|q>:<line>", Accepts.TEXT, "Please send a photo of the ticket"),),
        receive=on_text,
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The typed reason or question reaches on_text through the engine (FORM.receive)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("review", review_command, filters=private),
        CallbackQueryHandler(on_button, pattern=rf"^{b.REVIEW}:"),
    ]
