"""What a person sends into the claim form: typed words at the word steps, receipt photos and
PDF files at the receipts step, and a kind word on what to do instead anywhere else."""

from __future__ import annotations

from typing import Any

from telegram import Document, InlineKeyboardMarkup, PhotoSize, Update

from bot.context import PanelContext
from bot.services import claim_rules, money, receipts, typed_quantities
from bot.services.claim_rules import ClaimProblem
from bot.services.vocabularies import expense_kinds
from handlers.chat.common import button, reply
from handlers.chat.text import printable
from handlers.claims.buttons import ClaimReceipts
from handlers.claims.dates import parse_claim_date
from handlers.claims.draft import MAX_REASON, go, say, today
from handlers.claims.questions import policy_for
from handlers.claims.steps import amount_known, line_done, take_date, take_quantity
from handlers.claims.words import unit_words

TEXT_STEPS = ("reason", "quantity", "amount", "date", "noreceipt", "note")
TAP_STEPS = {"meeting": "tap_meeting", "panel": "tap_panel", "kind": "tap_kind"}
TAP_STEPS |= {"unit": "tap_kind", "summary": "tap_summary"}

# What to say when a photo or sticker comes where words were wanted.
WORDS_PLEASE = {
    "amount": money.AmountProblem.NOT_A_NUMBER,
    "date": "date",
}


async def _question(context: PanelContext, step: str, answers: dict[str, Any]) -> str:
    """The step's question in words, said again under a problem with the answer."""
    t, cur = context.t, answers.get("cur") or {}
    if step == "reason":
        return t(expense_kinds.kind_of(cur.get("kind", "")).reason_question or "")
    if step == "noreceipt":
        return t("Why is there no receipt? Type a short reason.")
    if step == "note":
        return t("Do you want to add a note for your coordinator? Type it, or tap No note.")
    if step == "quantity":
        return t(expense_kinds.kind_of(cur.get("kind", "")).quantity_help or "")
    return ""


async def problem_text(
    context: PanelContext, step: str, answers: dict[str, Any], code: str, **values: object
) -> str:
    """A problem with the answer, then what this step wants (its own words, its own example)."""
    again = await _question(context, step, answers)
    return "\n".join(x for x in (say(context.t, code, **values), again) if x)


async def words(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    message = update.effective_message
    assert message is not None
    t = context.t
    if step not in TEXT_STEPS:
        await reply(update, say(t, "receipt" if step == "receipts" else TAP_STEPS.get(step, "tap")))
        return
    text = message.text or ""
    cur = dict(answers.get("cur") or {})
    if step in ("reason", "noreceipt", "note"):
        tidy = printable(text)
        if not tidy or len(tidy) > MAX_REASON:
            await reply(update, await problem_text(context, step, answers, "too_long"))
            return
        if step == "note":
            await go(update, context, "summary", note=tidy, note_asked=True)
        elif step == "reason":
            cur["reason"] = tidy
            await go(update, context, "amount", cur=cur)
        else:
            cur["no_receipt_reason"] = tidy
            await line_done(update, context, answers, cur)
    elif step == "quantity":
        await _quantity(update, context, answers, cur, text)
    elif step == "amount":
        await _amount(update, context, answers, cur, text)
    else:  # date
        day = parse_claim_date(text, await today(context, answers), t.locale)
        if day is None:
            await reply(update, say(t, "date"))
            return
        await take_date(update, context, answers, day)


def _typed(context: PanelContext, text: str, currency: str) -> typed_quantities.Typed:
    units = unit_words(context.t.language)
    return typed_quantities.read(text, context.t.locale, currency, units)


async def _quantity(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any], text: str
) -> None:
    """Miles, hours or sessions: "12", "12 miles" and "1,5 h" are understood; money, another
    unit or no number gets this step's own example."""
    rules = await policy_for(context, answers)
    got = _typed(context, text, rules.currency)
    if got.number is not None and got.unit in (None, cur["kind"]):
        await take_quantity(update, context, answers, got.number)
        return
    if got.problem is money.AmountProblem.NOT_POSITIVE:
        code = "more_than_0"
    elif got.problem is money.AmountProblem.TOO_PRECISE:
        code = "two_places"
    else:
        code = "money_typed" if got.unit == typed_quantities.MONEY else ""
    if code:
        await reply(update, await problem_text(context, "quantity", answers, code))
    else:  # no number, or another unit: what to type here
        await reply(update, await _question(context, "quantity", answers))


async def _amount(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any], text: str
) -> None:
    """Money: "12.50", "£12.50", "12 pounds". Miles, hours or sessions here are not money: the
    reply says so, and how to claim them."""
    t = context.t
    rules = await policy_for(context, answers)
    parsed = money.parse_amount(text, t.locale, rules.currency)
    if parsed.minor is None:
        got = _typed(context, text, rules.currency)
        other = expense_kinds.BY_CODE.get(got.unit or "")
        if got.unit == typed_quantities.MONEY and got.number is not None:
            parsed = money.parse_amount(format(got.number, "f"), "en", rules.currency)
        elif other is not None and other.looks_like and other.claim_it:
            lines = [t(other.looks_like), say(t, money.AmountProblem.NOT_A_NUMBER)]
            await reply(update, "\n".join([*lines, t(other.claim_it)]))
            return
    if parsed.minor is None:
        assert parsed.problem is not None
        await reply(update, say(t, parsed.problem))
        return
    try:
        claim_rules.check_amount(rules, parsed.minor)
    except ClaimProblem as problem:
        limit = t.money(rules.max_amount, rules.currency)
        await reply(update, say(t, problem.code, limit=limit))
        return
    cur["amount"] = parsed.minor
    await amount_known(update, context, answers, cur)


async def file(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    """A photo or document: a receipt at the receipts step; elsewhere, what to do instead."""
    message = update.effective_message
    assert message is not None and context.member is not None
    t = context.t
    if step == "quantity":  # its example says: type a number
        await reply(update, await _question(context, step, answers))
        return
    if step in ("reason", "noreceipt", "note"):
        await reply(update, await problem_text(context, step, answers, "in_words"))
        return
    if step != "receipts":
        await reply(update, say(t, WORDS_PLEASE.get(step) or TAP_STEPS.get(step, "tap")))
        return
    cur = dict(answers.get("cur") or {})
    kept = list(cur.get("receipts") or [])
    if len(kept) >= receipts.MAX_PER_LINE:
        await reply(
            update,
            say(t, "too_many"),
            reply_markup=InlineKeyboardMarkup([[button(t("Done"), ClaimReceipts("done").pack())]]),
        )
        return
    sent: PhotoSize | Document
    if message.photo:
        sent, kind = message.photo[-1], "photo"
    elif message.document:
        sent, kind = message.document, "document"
    else:
        await reply(update, say(t, "type"))
        return
    try:
        receipts.check_size(sent.file_size)
        telegram_file = await sent.get_file()
        content = bytes(await telegram_file.download_as_bytearray())
        path, mime, size = receipts.store(
            context.runtime.settings.panelbot_data_dir,
            context.member.id,
            sent.file_unique_id,
            content,
            quota=context.runtime.settings.receipt_quota_bytes,
        )
    except receipts.ReceiptRefused as refused:
        await reply(update, say(t, refused.reason))
        return
    kept.append({"file_id": sent.file_id, "kind": kind, "mime": mime, "size": size, "path": path})
    cur["receipts"] = kept
    await go(update, context, "receipts", cur=cur)
