"""/expenses: a member's claims with their status, taking one back, answering a question, and
asking one (ask_coordinator.py)."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.db import Claim, LineStatus, Panel
from bot.i18n import N_
from bot.services import access, claim_rules, claim_submission, my_claims, profile, receipt_files
from bot.services.claim_rules import ClaimProblem
from bot.services.vocabularies import expense_kinds
from handlers import forms
from handlers.chat import picker
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, button, reply
from handlers.chat.text import printable, send_long
from handlers.claims import ask_coordinator
from handlers.claims.buttons import MINE, AnswerQuestion, AskAboutClaim, TakeClaimBack
from handlers.claims.words import STATUS_LABELS, line_text
from handlers.forms import Accepts, Form, Step, register

PREFIX = "claimans:"  # conversation_step while a member types an answer, e.g. "claimans:12"
MAX_ANSWER = 500
STARTED = N_("Your coordinator has started checking this claim, so it cannot be taken back now.")


async def show_claims(update: Update, context: PanelContext) -> None:
    t, member = context.t, context.member
    if member is None or member.consent != "given":
        await reply(update, t("To join a panel, open the invite link from your coordinator."))
        return
    claims = await my_claims.my_claims(context.session, member.telegram_id)
    if not claims:
        await reply(update, t("You have no claims yet. Type /claim to make one."))
        return
    await reply(update, t("<b>Your claims</b>"))
    for claim in claims:
        text, rows = _claim_card(t, claim)
        await send_long(update, text, InlineKeyboardMarkup(rows) if rows else None)
    totals = await _totals(context, claims)
    if totals:
        await reply(update, "\n".join(totals))


def _claim_card(t: Any, claim: Claim) -> tuple[str, list[list[InlineKeyboardButton]]]:
    text = [
        t(
            "Claim {n}, sent {day}: {status}",
            n=claim.id,
            day=t.date(claim.submitted_at, style="medium"),
            status=t(STATUS_LABELS[claim.status.value]),
        )
    ]
    rows = []
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
            )
            + " "
            + t(STATUS_LABELS[line.status.value])
        )
        if line.status == LineStatus.REJECTED and line.reject_reason:
            text.append(t("Why: {reason}", reason=escape(line.reject_reason)))
        if line.status == LineStatus.QUERY:
            text.append(t("Question: {question}", question=escape(line.question or "")))
            rows.append([button(t("Answer the question"), AnswerQuestion(line.id).pack())])
    text.append(
        t("Total: {amount}", amount=t.money(claim_rules.claimed_total(claim), claim.currency))
    )
    if my_claims.untouched(claim):
        rows.append([button(t("Take this claim back"), TakeClaimBack(claim.id).pack())])
    rows.append([button(t("Ask a question"), AskAboutClaim(claim.id).pack())])
    return "\n".join(text), rows


async def _totals(context: PanelContext, claims: list[Claim]) -> list[str]:
    """Paid time so far this week and this tax year, per panel the member claimed time in."""
    t = context.t
    shown: list[str] = []
    panels = {c.panel_id for c in claims if any(x.kind in expense_kinds.PAID_TIME for x in c.lines)}
    for panel_id in sorted(panels):
        panel = await context.session.get(Panel, panel_id)
        zone = ZoneInfo(panel.timezone if panel else "Europe/London")
        today = picker.local_today(context.runtime.clock.now(), zone)
        owner = claims[0].member_id
        assert owner is not None  # the member's own claims
        totals = await claim_submission.paid_time_totals(context.session, owner, panel_id, today)
        rules = await claim_rules.policy(context.session, panel_id)
        shown += [
            t("Paid time this week: {amount}.", amount=t.money(totals.week, rules.currency)),
            t(
                "Paid time this tax year (from 6 April): {amount}.",
                amount=t.money(totals.tax_year, rules.currency),
            ),
        ]
        if rules.weekly_paid_limit is not None:
            shown.append(
                t(
                    "Your panel's weekly limit is {limit}.",
                    limit=t.money(rules.weekly_paid_limit, rules.currency),
                )
            )
    return shown


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, TakeClaimBack, AnswerQuestion, AskAboutClaim)
    member = context.member
    if tapped is None or member is None:
        if member is None and query.from_user is not None:  # never joined: has no claims
            access.refuse(
                context.session,
                access.Actor(query.from_user.id, None),
                "cx:" + tapped.ACTION if tapped else "cx",
            )
        await answer_expired(query, context)
        return
    t = context.t
    now = context.runtime.clock.now()
    if isinstance(tapped, TakeClaimBack):
        target = tapped.claim
        try:
            await my_claims.withdraw(context.session, member.telegram_id, target, now)
        except LookupError:
            await answer_expired(query, context)
            return
        except ClaimProblem:
            await query.answer()
            await reply(update, t(STARTED))
            return
        await context.session.commit()
        await receipt_files.collect_orphans(
            context.session, context.runtime.settings.panelbot_data_dir, member_id=member.id
        )
        await query.answer()
        await reply(update, t("Claim {n} is taken back. Nobody will pay it.", n=target))
    elif isinstance(tapped, AskAboutClaim):
        await ask_coordinator.start(update, context, tapped.claim)
    elif isinstance(tapped, AnswerQuestion):
        try:
            line = await my_claims.line_with_query(context.session, member.telegram_id, tapped.line)
        except (LookupError, ClaimProblem):
            await answer_expired(query, context)
            return
        await profile.set_step(context.session, member.telegram_id, f"{PREFIX}{line.id}")
        await context.session.commit()
        await query.answer()
        await reply(
            update,
            "\n".join(
                [
                    t(
                        "Question about {what}: {question}",
                        what=t(expense_kinds.label_of(line.kind)),
                        question=escape(line.question or ""),
                    ),
                    t("Please type your answer."),
                ]
            ),
            reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)]),
        )
    else:
        await answer_expired(query, context)


async def on_text(update: Update, context: PanelContext, step: str) -> None:
    """The answer, typed while the one-step form is open (the engine brings it: FORM.receive)."""
    member, t = context.member, context.t
    assert member is not None and update.effective_message is not None
    line_id = step
    words = printable(update.effective_message.text or "")
    if not words or len(words) > MAX_ANSWER:
        await reply(update, t("Please type a short answer, under 500 letters."))
        return
    try:
        await my_claims.answer(
            context.session, member.telegram_id, int(line_id), words, context.runtime.clock.now()
        )
    except (LookupError, ValueError, ClaimProblem):
        await context.session.rollback()
        await profile.set_step(context.session, member.telegram_id, None)
        await context.session.commit()
        await reply(
            update,
            t("That question has been dealt with already. Type /expenses to see your claims."),
        )
        return
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()
    await reply(update, t("Thank you. We sent your answer to your coordinator."))


FORM = register(
    Form(
        name="claim_answer",
        prefix=PREFIX,
        stopped=N_("OK. Nothing was sent."),
        steps=(Step("<line>", Accepts.TEXT, "It was for the planning day"),),
        receive=on_text,
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The typed answer reaches on_text through the engine (FORM.receive)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("expenses", show_claims, filters=private),
        CallbackQueryHandler(on_button, pattern=rf"^{MINE}:"),
    ]
