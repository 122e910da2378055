"""A claim's review card and how it stays the one live card for its claim: after each decision
the message tapped (or, after a typed reason, the card it was asked from) is edited in place to
show the claim as it is now. A finished claim's card keeps its final state without buttons.

A card too long for one message (Telegram's 4096 characters) is sent again in parts, as /review
sends it, and the old one loses its buttons, so only one card's buttons are ever live."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Claim, ClaimStatus, LineStatus, Meeting, Member, Panel
from bot.i18n import N_, Translator
from bot.services import claim_rules, claim_submission
from bot.services.vocabularies import expense_kinds, payments
from handlers.chat.common import button
from handlers.chat.live_card import edit_by_id, edit_card, fits, take_buttons_off
from handlers.chat.text import send_long
from handlers.claims import buttons as b
from handlers.claims.words import STATUS_LABELS, line_text, reason_text

HOW_PAID = N_("How was it paid? Tap one.")


def finished(claim: Claim) -> bool:
    """Nothing left for a reviewer: no item to decide and nothing to pay."""
    return claim.status != ClaimStatus.APPROVED and not any(
        line.status == LineStatus.SUBMITTED for line in claim.lines
    )


async def card(
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
    if claim.status == ClaimStatus.PAID:
        text.append(
            t(
                "Claim {n} is paid: {amount}, by {method}.",
                n=claim.id,
                amount=t.money(claim_rules.approved_total(claim), claim.currency),
                method=t(payments.method_label(claim.payment_method)),
            )
        )
    if finished(claim):
        return "\n".join(text), []  # its final state: nothing left to tap
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


def how_paid(t: Translator, claim: Claim) -> list[list[InlineKeyboardButton]]:
    """The ways to pay, and Back to the card's own buttons."""
    rows = [
        [button(t(method.label), b.MarkPaid(claim.id, method.code).pack())]
        for method in payments.METHODS
    ]
    rows.append([button(t("Back"), b.ShowClaim(claim.id).pack())])
    return rows


async def show(
    update: Update,
    context: PanelContext,
    claim: Claim,
    *,
    card_id: int | None = None,
    asking_how_paid: bool = False,
) -> None:
    """The claim's card as it is now: edited in place where it can be (the message tapped, or
    `card_id` after typed words), else sent anew with the old card's buttons taken off."""
    t = context.t
    text, rows = await card(context, t, claim)
    if asking_how_paid:
        text, rows = f"{text}\n\n{t(HOW_PAID)}", how_paid(t, claim)
    markup = InlineKeyboardMarkup(rows) if rows else None
    query, chat = update.callback_query, update.effective_chat
    assert chat is not None
    if query is not None and query.message is not None:
        card_id = query.message.message_id
    if card_id is not None and fits(text):
        if query is not None and await edit_card(query, text, markup):
            return
        if query is None and await edit_by_id(update.get_bot(), chat.id, card_id, text, markup):
            return
    if card_id is not None:
        await take_buttons_off(update.get_bot(), chat.id, card_id)
    await send_long(update, text, markup)
