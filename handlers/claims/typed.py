"""What a person sends into the claim form: typed words at the word steps, receipt photos and
PDF files at the receipts step, and a kind word on what to do instead anywhere else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telegram import Document, InlineKeyboardMarkup, PhotoSize, Update

from bot.context import PanelContext
from bot.services import claim_rules, money, receipts
from bot.services.claim_rules import ClaimProblem
from handlers.chat.common import button, reply
from handlers.chat.text import printable
from handlers.claims.buttons import ClaimReceipts
from handlers.claims.dates import parse_claim_date
from handlers.claims.draft import MAX_REASON, go, say, today
from handlers.claims.questions import policy_for
from handlers.claims.steps import line_done, take_date

TEXT_STEPS = ("reason", "quantity", "amount", "date", "noreceipt", "note")

# What to say when a photo or sticker comes where words were wanted.
WORDS_PLEASE = {
    "amount": money.AmountProblem.NOT_A_NUMBER,
    "quantity": money.AmountProblem.NOT_A_NUMBER,
    "date": "date",
    "reason": "text",
    "noreceipt": "text",
    "note": "text",
}


async def words(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    message = update.effective_message
    assert message is not None
    t = context.t
    if step not in TEXT_STEPS:
        await reply(update, say(t, "receipt" if step == "receipts" else "tap"))
        return
    text = message.text or ""
    cur = dict(answers.get("cur") or {})
    rules = await policy_for(context, answers)
    if step in ("reason", "noreceipt", "note"):
        tidy = printable(text)
        if not tidy or len(tidy) > MAX_REASON:
            await reply(update, say(t, "text"))
            return
        if step == "note":
            await go(update, context, "summary", note=tidy, note_asked=True)
        elif step == "reason":
            cur["reason"] = tidy
            await go(update, context, "amount", cur=cur)
        else:
            cur["no_receipt_reason"] = tidy
            await line_done(update, context, answers, cur)
    elif step in ("amount", "quantity"):
        parsed = money.parse_amount(text, t.locale, rules.currency)
        if parsed.minor is None:
            assert parsed.problem is not None
            await reply(update, say(t, parsed.problem))
            return
        if step == "quantity":
            quantity = Decimal(parsed.minor).scaleb(-2).normalize()
            cur["quantity"] = format(quantity, "f")
            amount = claim_rules.rated_amount(rules, cur["kind"], quantity)
        else:
            amount = parsed.minor
        try:
            claim_rules.check_amount(rules, amount)
        except ClaimProblem as problem:
            limit = t.money(rules.max_amount, rules.currency)
            await reply(update, say(t, problem.code, limit=limit))
            return
        cur["amount"] = amount
        await go(update, context, "date", cur=cur)
    else:  # date
        day = parse_claim_date(text, await today(context, answers), t.locale)
        if day is None:
            await reply(update, say(t, "date"))
            return
        await take_date(update, context, answers, day)


async def file(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    """A photo or document: a receipt at the receipts step; elsewhere, what to do instead."""
    message = update.effective_message
    assert message is not None and context.member is not None
    t = context.t
    if step != "receipts":
        await reply(update, say(t, WORDS_PLEASE.get(step, "tap")))
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
