"""The questions of the claim form, and its summary with totals and the paid-time heads-up."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Meeting, Panel, PaymentChoice
from bot.i18n import N_, Translator
from bot.services import claim_rules, claim_submission
from bot.services.claim_rules import Policy
from bot.services.vocabularies import expense_kinds, payments
from handlers import forms
from handlers.chat.common import button
from handlers.chat.text import send_long
from handlers.claims import buttons as b
from handlers.claims.draft import claim_form
from handlers.claims.words import line_text, quantity_text, reason_text

ADVICE = N_("For free advice about benefits, ask Citizens Advice or your benefits adviser.")


async def policy_for(context: PanelContext, answers: dict[str, Any]) -> Policy:
    return await claim_rules.policy(context.session, int(answers["panel_id"]))


async def ask(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    t = context.t
    rows: list[list[InlineKeyboardButton]] = []
    cur = answers.get("cur") or {}
    if step == "meeting":
        text = t("Which meeting is this claim for? Tap one.")
        rows = await _meeting_rows(context, answers)
        rows.append([button(t("Not for a meeting"), b.ClaimForMeeting(0).pack())])
    elif step == "panel":
        text = t("Which panel is this claim for? Tap one.")
        person = await claim_submission.claimant(context.session, context.member.telegram_id)  # type: ignore[union-attr]
        rows = [
            [button(name[:60], b.ClaimForPanel(pid).pack())]
            for pid, name in (person.panels if person else [])
        ]
    elif step in ("kind", "unit"):  # "unit": a claim left where the member was once asked
        text = t("What do you want to claim? Tap one.")
        rows = await _kind_rows(context, answers)
    elif step == "reason":
        text = t(expense_kinds.kind_of(cur["kind"]).reason_question or "")
    elif step == "quantity":
        rules = await policy_for(context, answers)
        rate = t.money(rules.rate(cur["kind"]), rules.currency)
        text = t(expense_kinds.kind_of(cur["kind"]).quantity_question or "", rate=rate)
        rows = await _one_tap_quantity(context, answers, cur["kind"])
    elif step == "amount":
        text = t("How much did you spend? Type the amount, like 12.50.")
    elif step == "date":
        text = "\n".join([t("When was it? Tap a day."), t("Or type a date, like 3/11/2026.")])
        rows = [
            [
                button(t("Today"), b.ClaimDay("today").pack()),
                button(t("Yesterday"), b.ClaimDay("yest").pack()),
            ],
            [button(t("Another day"), b.ClaimDay("pick").pack())],
        ]
    elif step == "receipts":
        count = len(cur.get("receipts") or [])
        if count:
            text = t.ngettext(
                "Got {n} receipt. Send another, or tap Done.",
                "Got {n} receipts. Send another, or tap Done.",
                count,
            )
            rows = [[button(t("Done"), b.ClaimReceipts("done").pack())]]
        else:
            text = t("Please send a photo or a PDF of your receipt. You can send more than one.")
            rows = [[button(t("I have no receipt"), b.ClaimReceipts("none").pack())]]
    elif step == "noreceipt":
        text = t("Why is there no receipt? Type a short reason.")
    elif step == "note":
        text = t("Do you want to add a note for your coordinator? Type it, or tap No note.")
        rows = [[button(t("No note"), b.ClaimNoNote().pack())]]
    else:  # summary
        text, rows = await _summary(context, answers)
    if step != "summary":
        # The summary has its own Stop (Back from it would reopen an item already listed).
        rows.append(forms.back_and_stop(t, claim_form(), answers))
    await send_long(update, text, InlineKeyboardMarkup(rows))


async def _meeting_rows(
    context: PanelContext, answers: dict[str, Any]
) -> list[list[InlineKeyboardButton]]:
    t = context.t
    rows = []
    for meeting_id in answers.get("options") or []:
        meeting = await context.session.get(Meeting, int(meeting_id))
        if meeting is None:
            continue
        panel = await context.session.get(Panel, meeting.panel_id)
        zone = ZoneInfo(panel.timezone if panel else "Europe/London")
        day = t.date(meeting.starts_at.astimezone(zone), style="medium")
        rows.append([button(f"{meeting.title[:40]}, {day}", b.ClaimForMeeting(meeting.id).pack())])
    return rows


async def _one_tap_quantity(
    context: PanelContext, answers: dict[str, Any], kind: str
) -> list[list[InlineKeyboardButton]]:
    """Paid time for a meeting: its length in hours, or one session, in one tap."""
    t = context.t
    if kind not in expense_kinds.PAID_TIME or not answers.get("meeting_id"):
        return []
    meeting = await context.session.get(Meeting, int(answers["meeting_id"]))
    if meeting is None:
        return []
    if kind == "hours":
        value = format(claim_rules.meeting_hours(meeting.duration_minutes).normalize(), "f")
        label = t("{length} (the meeting's length)", length=quantity_text(t, kind, value))
    else:
        value, label = "1", quantity_text(t, kind, "1")
    return [[button(label, b.ClaimQuantity(value).pack())]]


async def time_allowed(context: PanelContext, answers: dict[str, Any]) -> bool:
    person = await claim_submission.claimant(context.session, context.member.telegram_id)  # type: ignore[union-attr]
    meeting = None
    if answers.get("meeting_id"):
        meeting = await context.session.get(Meeting, int(answers["meeting_id"]))
    return claim_rules.may_claim_time(person.payment if person else None, meeting)


async def _kind_rows(
    context: PanelContext, answers: dict[str, Any]
) -> list[list[InlineKeyboardButton]]:
    t = context.t
    labels = [
        button(t(expense_kinds.label_of(kind)), b.ClaimKind(kind).pack())
        for kind in expense_kinds.SPENDING
    ]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    if await time_allowed(context, answers):
        rows.insert(0, [button(t("Paid time for taking part"), b.ClaimKind("time").pack())])
    return rows


def _totals_lines(t: Translator, totals: claim_submission.Totals, currency: str) -> list[str]:
    return [
        t("Paid time this week: {amount}.", amount=t.money(totals.week, currency)),
        t(
            "Paid time this tax year (from 6 April): {amount}.",
            amount=t.money(totals.tax_year, currency),
        ),
    ]


async def _summary(
    context: PanelContext, answers: dict[str, Any]
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    t = context.t
    rules = await policy_for(context, answers)
    lines_ = answers.get("lines") or []
    text = [t("<b>Your claim</b>")]
    if answers.get("meeting_id"):
        meeting = await context.session.get(Meeting, int(answers["meeting_id"]))
        text.append(t("Meeting: {title}", title=escape(meeting.title if meeting else "?")))
    else:
        text.append(t("Not for a meeting"))
    text.append("")
    for position, line in enumerate(lines_, start=1):
        text.append(
            line_text(
                t,
                position,
                line["kind"],
                int(line["amount"]),
                rules.currency,
                date.fromisoformat(line["spent_on"]),
                quantity=line.get("quantity"),
                receipts=len(line.get("receipts") or []),
            )
        )
        if line.get("reason"):
            text.append(reason_text(t, line["kind"], line["reason"]))
        if line.get("no_receipt_reason"):
            text.append(t("No receipt: {reason}", reason=escape(line["no_receipt_reason"])))
    total = sum(int(line["amount"]) for line in lines_)
    text += ["", t("Total: {amount}", amount=t.money(total, rules.currency))]
    if answers.get("note"):
        text.append(t("Note: {note}", note=escape(answers["note"])))
    person = await claim_submission.claimant(context.session, context.member.telegram_id)  # type: ignore[union-attr]
    text += _payment_lines(t, person.payment if person else None)
    text += await _paid_time_lines(context, answers, rules)
    rows = [[button(t("Send claim"), b.ClaimSummary("send").pack())]]
    if len(lines_) < claim_rules.MAX_LINES:
        rows.append([button(t("Add another item"), b.ClaimSummary("add").pack())])
    for position in range(1, len(lines_) + 1):
        rows.append(
            [
                button(t("Change item {n}", n=position), b.ClaimChangeItem(position).pack()),
                button(t("Remove item {n}", n=position), b.ClaimRemoveItem(position).pack()),
            ]
        )
    rows.append([button(t("Change the note"), b.ClaimSummary("note").pack())])
    rows.append(forms.stop_buttons(t, claim_form()))
    return "\n".join(text), rows


def _payment_lines(t: Translator, payment: PaymentChoice | None) -> list[str]:
    if payment is None:
        return []
    lines = [t("How you are paid: {way}", way=t(payments.CHOICE_BY_CODE[payment.value].label))]
    if payment == PaymentChoice.DECLINE:
        lines.append(
            t("You chose not to be paid for your time. You can still claim back what you spent.")
        )
    return lines


async def _paid_time_lines(
    context: PanelContext, answers: dict[str, Any], rules: Policy
) -> list[str]:
    """Running totals for paid time, and a plain heads-up before the panel's weekly limit."""
    t = context.t
    time_lines = [x for x in answers.get("lines") or [] if x["kind"] in expense_kinds.PAID_TIME]
    if not time_lines:
        return []
    person = await claim_submission.claimant(context.session, context.member.telegram_id)  # type: ignore[union-attr]
    assert person is not None
    out = [""]
    warned = False
    for line in time_lines:
        day = date.fromisoformat(line["spent_on"])
        totals = await claim_submission.paid_time_totals(
            context.session, person.member_id, int(answers["panel_id"]), day
        )
        week_new = totals.week + sum(
            int(x["amount"])
            for x in time_lines
            if claim_rules.week_start(date.fromisoformat(x["spent_on"])) == totals.week_from
        )
        year_new = totals.tax_year + sum(
            int(x["amount"])
            for x in time_lines
            if claim_rules.tax_year_start(date.fromisoformat(x["spent_on"])) == totals.tax_year_from
        )
        if line is time_lines[0]:
            out += _totals_lines(
                t,
                claim_submission.Totals(week_new, year_new, totals.week_from, totals.tax_year_from),
                rules.currency,
            )
        limit = rules.weekly_paid_limit
        if limit is not None and week_new > limit and not warned:
            warned = True
            out += [
                "",
                t(
                    "Heads-up: this takes your paid time this week to {amount}. "
                    "Your panel's weekly limit is {limit}.",
                    amount=t.money(week_new, rules.currency),
                    limit=t.money(limit, rules.currency),
                ),
                t("Payments can affect some benefits."),
                t(ADVICE),
            ]
    return out
