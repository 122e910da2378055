"""/claim and the "Expenses" button: a claim step by step, with big buttons.

The form is a draft (kind "claim") and the step is on the member (`conversation_step`
"claim:<step>"), so a restart or a pause loses nothing. Order: meeting (or none), kind, amount
(or miles, hours, sessions at the panel's rate), date, receipts, note, then a summary where any
line can be changed before sending.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Document,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Panel
from bot.i18n import N_, Translator
from bot.services import drafts, expenses, money, profile, receipt_files, receipts
from bot.services.access import NotAllowed
from bot.services.drafts import DraftView
from bot.services.expenses import EXPENSE_KINDS, ClaimProblem
from handlers import picker
from handlers.chat.menu_labels import label_for
from handlers.chat.text import printable
from handlers.claim_input import parse_claim_date
from handlers.claim_questions import FEATURE, VERSION, ask, data, policy_for, time_allowed
from handlers.common import answer_expired, button, parse_callback, reply
from handlers.forms import Form, register

PREFIX = "claim:"
FORM = register(
    Form(
        name="claim",
        prefix=PREFIX,
        stopped=N_("OK. Your claim was not sent."),
        draft=True,
        after_stop=lambda context: _forget_receipts(context),
    )
)
DRAFT = "claim"
TEXT_STEPS = ("reason", "quantity", "amount", "date", "noreceipt", "note")
MAX_REASON = 300

PROBLEMS = {
    money.AmountProblem.NOT_A_NUMBER: N_("Please type the amount in numbers, like 12.50."),
    money.AmountProblem.NOT_POSITIVE: N_("The amount must be more than 0. Please type it again."),
    money.AmountProblem.TOO_PRECISE: N_(
        "Please use at most 2 numbers after the point, like 12.50."
    ),
    "over_limit": N_("That is more than {limit}. Please check it, or ask your coordinator."),
    "future": N_("That day has not come yet. Please pick the day you spent the money."),
    "too_old": N_("That is too long ago. Claims must be within {days} days."),
    "date": N_("Please type a date like 3/11/2026, or tap a button."),
    "receipt": N_("Please send a photo or a PDF of the receipt, or tap a button."),
    "receipt_needed": N_("For more than {limit} we need a receipt. Please send a photo of it."),
    "type": N_("I can only take photos and PDF files. Please send a photo of the receipt."),
    "size": N_("That file is too big. Please send a smaller photo or PDF."),
    "too_many": N_("That is enough receipts for this item. Tap Done."),
    "quota": N_(
        "You have sent a lot of receipts, so there is no room for more. "
        "Tap Done, or ask your coordinator for help."
    ),
    "text": N_("Please type a short answer, under 300 letters."),
    "tap": N_("Please tap one of the buttons."),
    "time": N_("Paid time cannot be claimed for this meeting. Please remove it."),
    "meeting": N_("That meeting is not one of yours. Please choose again."),
    "lines": N_("Please add at least one item."),
    "decided": N_("This claim has changed. Type /claim to start again."),
}


# What to say when a photo or sticker comes where words were wanted.
WORDS_PLEASE = {
    "amount": money.AmountProblem.NOT_A_NUMBER,
    "quantity": money.AmountProblem.NOT_A_NUMBER,
    "date": "date",
    "reason": "text",
    "noreceipt": "text",
    "note": "text",
}


def _say(t: Translator, code: str, **values: object) -> str:
    """The plain message for a problem (looked up by code, so extraction sees only PROBLEMS)."""
    message = PROBLEMS[code]
    return t(message, **values)


# ------------------------------------------------------------------------------ the draft


async def _draft(context: PanelContext) -> DraftView | None:
    assert context.member is not None
    return await drafts.get(context.session, context.member.id, DRAFT)


async def _go(update: Update, context: PanelContext, step: str, **changes: Any) -> dict[str, Any]:
    """Save the answers, move to `step`, commit, then ask its question."""
    assert context.member is not None
    draft = await drafts.save(
        context.session,
        context.member.id,
        DRAFT,
        step=step,
        now=context.runtime.clock.now(),
        **changes,
    )
    await profile.set_step(context.session, context.member.telegram_id, PREFIX + step)
    await context.session.commit()
    answers = dict(draft.data or {})
    await ask(update, context, step, answers)
    return answers


async def _stop(context: PanelContext) -> None:
    assert context.member is not None
    await drafts.discard(context.session, context.member.id, DRAFT)
    await profile.set_step(context.session, context.member.telegram_id, None)
    await context.session.commit()
    await _forget_receipts(context)


async def _forget_receipts(context: PanelContext) -> None:
    """The receipts of a claim that was never sent are not kept."""
    assert context.member is not None
    await receipt_files.collect_orphans(
        context.session, context.runtime.settings.panelbot_data_dir, member_id=context.member.id
    )


async def _today(context: PanelContext, answers: dict[str, Any]) -> date:
    panel = await context.session.get(Panel, int(answers["panel_id"]))
    zone = ZoneInfo(panel.timezone if panel else context.runtime.settings.panelbot_timezone)
    return picker.local_today(context.runtime.clock.now(), zone)


# ------------------------------------------------------------------------------ starting


async def start_claim(update: Update, context: PanelContext) -> None:
    """/claim and the menu's "Expenses": which meeting is it for?"""
    t, member = context.t, context.member
    if member is None or member.consent != "given":
        await reply(update, t("To join a panel, open the invite link from your coordinator."))
        return
    person = await expenses.claimant(context.session, member.telegram_id)
    if person is None or not person.panels:
        await reply(update, t("You are not in a panel yet, so there is nothing to claim."))
        return
    unsent = await _draft(context)
    if unsent is not None and (unsent.data or {}).get("lines"):
        # Nothing typed is lost: an unsent claim comes back, with Cancel if it is not wanted.
        await reply(update, t("You have a claim you have not sent yet. Here it is."))
        await _go(update, context, "summary", cur={}, edit=None)
        return
    await drafts.discard(context.session, member.id, DRAFT)
    meetings = await expenses.claimable_meetings(
        context.session, person.member_id, context.runtime.clock.now()
    )
    await _go(
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


# ------------------------------------------------------------------------------ buttons


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    member = context.member
    draft = await _draft(context) if member else None
    if args is None or not args or draft is None:
        await answer_expired(query, context)
        return
    await query.answer()
    answers, step, t = dict(draft.data or {}), draft.step, context.t
    action, rest = args[0], args[1:]
    cur = dict(answers.get("cur") or {})
    if action == "m" and step == "meeting" and rest:
        await _choose_meeting(update, context, answers, rest[0])
    elif action == "p" and step == "panel" and rest:
        person = await expenses.claimant(context.session, member.telegram_id)  # type: ignore[union-attr]
        if person and rest[0].isdigit() and int(rest[0]) in {p for p, _ in person.panels}:
            await _after_meeting(update, context, answers, panel_id=int(rest[0]))
        else:
            await reply(update, _say(t, "tap"))
    elif action == "k" and step in ("kind", "unit") and rest:
        await _choose_kind(update, context, answers, cur, rest[0])
    elif action == "d" and step == "date" and rest:
        await _date_button(update, context, answers, rest)
    elif action == "r" and step == "receipts" and rest:
        if rest[0] == "done" and cur.get("receipts"):
            await _line_done(update, context, answers, cur)
        elif rest[0] == "none":
            rules = await policy_for(context, answers)
            if int(cur["amount"]) > rules.no_receipt_limit:
                limit = t.money(rules.no_receipt_limit, rules.currency)
                await reply(update, _say(t, "receipt_needed", limit=limit))
            else:
                await _go(update, context, "noreceipt")
    elif action == "n" and step == "note" and rest == ["skip"]:
        await _go(update, context, "summary", note=None, note_asked=True)
    elif action == "s" and step == "summary" and rest:
        await _summary_button(update, context, answers, rest)
    else:
        # An old button from an earlier step: show where they are now.
        await ask(update, context, step, answers)


async def _choose_meeting(
    update: Update, context: PanelContext, answers: dict[str, Any], value: str
) -> None:
    if value == "0":
        person = await expenses.claimant(context.session, context.member.telegram_id)  # type: ignore[union-attr]
        if person and len(person.panels) > 1:
            await _go(update, context, "panel", meeting_id=None)
            return
        await _after_meeting(update, context, answers, meeting_id=None)
        return
    if not value.isdigit():
        await reply(update, _say(context.t, "tap"))
        return
    assert context.member is not None
    try:
        meeting = await expenses.meeting_for_claim(context.session, context.member.id, int(value))
    except ClaimProblem:
        await reply(update, _say(context.t, "meeting"))
        return
    await _after_meeting(update, context, answers, meeting_id=meeting.id, panel_id=meeting.panel_id)


async def _after_meeting(
    update: Update, context: PanelContext, answers: dict[str, Any], **changes: Any
) -> None:
    nxt = "summary" if answers.get("lines") else "kind"
    await _go(update, context, nxt, **changes)


async def _choose_kind(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any], kind: str
) -> None:
    if kind == "time":
        if await time_allowed(context, answers):
            await _go(update, context, "unit")
        return
    if kind in expenses.TIME_KINDS and not await time_allowed(context, answers):
        await reply(update, _say(context.t, "time"))
        return
    if kind not in EXPENSE_KINDS + expenses.TIME_KINDS:
        await reply(update, _say(context.t, "tap"))
        return
    # A changed line starts again from its kind; receipts already sent are kept for it.
    cur = {"kind": kind, "receipts": cur.get("receipts") or []}
    nxt = "reason" if kind == "taxi" else "quantity" if kind in expenses.RATED_KINDS else "amount"
    await _go(update, context, nxt, cur=cur)


async def _date_button(
    update: Update, context: PanelContext, answers: dict[str, Any], rest: list[str]
) -> None:
    t = context.t
    today = await _today(context, answers)
    if rest == ["today"]:
        await _take_date(update, context, answers, today)
    elif rest == ["yest"]:
        await _take_date(update, context, answers, today - timedelta(days=1))
    elif rest[0] == "pick":
        await _show_calendar(update, context, answers, today, today)
    elif rest[0] == "pk":
        picked = picker.read_pick(rest[1:])
        if picked is None or picked[0] == "noop":
            return
        kind, day = picked
        assert day is not None
        if kind == "month":
            await _show_calendar(update, context, answers, today, day)
        else:
            await _take_date(update, context, answers, day)
    else:
        await reply(update, _say(t, "tap"))


async def _show_calendar(
    update: Update, context: PanelContext, answers: dict[str, Any], today: date, month: date
) -> None:
    """The shared month picker, from the oldest day allowed up to this month."""
    rules = await policy_for(context, answers)
    earliest = today - timedelta(days=rules.max_age_days)
    months = (today.year - earliest.year) * 12 + today.month - earliest.month
    rows = picker.month_rows(
        earliest,
        month.year,
        month.month,
        context.t.locale,
        lambda *a: data("d", "pk", *a),
        months_ahead=months,
    )
    # Days after today are shown by the picker; tapping one gets a kind refusal.
    await reply(update, context.t("Tap the day."), reply_markup=InlineKeyboardMarkup(rows))


async def _take_date(
    update: Update, context: PanelContext, answers: dict[str, Any], day: date
) -> None:
    t = context.t
    rules = await policy_for(context, answers)
    try:
        expenses.check_date(rules, day, await _today(context, answers))
    except ClaimProblem as problem:
        await reply(update, _say(t, problem.code, days=rules.max_age_days))
        return
    cur = dict(answers.get("cur") or {})
    cur["spent_on"] = day.isoformat()
    if cur["kind"] in expenses.NO_RECEIPT_KINDS:
        await _line_done(update, context, answers, cur)
    else:
        await _go(update, context, "receipts", cur=cur)


async def _line_done(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any]
) -> None:
    lines_ = list(answers.get("lines") or [])
    edit = answers.get("edit")
    if isinstance(edit, int) and 0 <= edit < len(lines_):
        lines_[edit] = cur
    else:
        lines_.append(cur)
    nxt = "summary" if answers.get("note_asked") else "note"
    await _go(update, context, nxt, lines=lines_, cur={}, edit=None)


async def _summary_button(
    update: Update, context: PanelContext, answers: dict[str, Any], rest: list[str]
) -> None:
    lines_ = list(answers.get("lines") or [])
    action = rest[0]
    index = int(rest[1]) - 1 if len(rest) > 1 and rest[1].isdigit() else -1
    if action == "send":
        await _send(update, context, answers)
    elif action == "add" and len(lines_) < expenses.MAX_LINES:
        await _go(update, context, "kind", cur={}, edit=None)
    elif action == "edit" and 0 <= index < len(lines_):
        await _go(update, context, "kind", cur=lines_[index], edit=index)
    elif action == "del" and 0 <= index < len(lines_):
        del lines_[index]
        await _go(update, context, "summary" if lines_ else "kind", lines=lines_, edit=None)
    elif action == "note":
        await _go(update, context, "note")
    elif action == "cancel":
        await _stop(context)
        await reply(update, context.t("Your claim is cancelled. Nothing was sent."))
    else:
        await ask(update, context, "summary", answers)


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t, member = context.t, context.member
    assert member is not None
    new_lines = [
        expenses.NewLine(
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
        sent = await expenses.submit(
            context.session,
            member.telegram_id,
            panel_id=int(answers["panel_id"]),
            meeting_id=answers.get("meeting_id"),
            lines=new_lines,
            note=answers.get("note"),
            now=context.runtime.clock.now(),
            today=await _today(context, answers),
        )
    except ClaimProblem as problem:
        await context.session.rollback()
        code = problem.code if problem.code in PROBLEMS else "decided"
        await reply(
            update,
            _say(
                t,
                code,
                days=rules.max_age_days,
                limit=t.money(rules.no_receipt_limit, rules.currency),
            ),
        )
        return
    except NotAllowed:
        await context.session.rollback()
        await _stop(context)
        await reply(update, t("You are not in this panel any more, so the claim was not sent."))
        return
    await drafts.discard(context.session, member.id, DRAFT)
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


# ------------------------------------------------------------------------------ typed words


class _Claiming(filters.MessageFilter):
    """True while a claim is part-way, except a menu button tapped where no words are wanted."""

    def filter(self, message: Message) -> bool:
        member = current_member()
        step = member.conversation_step if member else None
        if not step or not step.startswith(PREFIX):
            return False
        if step.removeprefix(PREFIX) not in TEXT_STEPS and message.text:
            return label_for(message.text) is None
        return True


async def _draft_or_reset(update: Update, context: PanelContext) -> DraftView | None:
    draft = await _draft(context)
    if draft is None and context.member is not None:
        await profile.set_step(context.session, context.member.telegram_id, None)
        await context.session.commit()
        await reply(update, context.t("Your claim is gone. Type /claim to start again."))
    return draft


async def on_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    assert message is not None
    draft = await _draft_or_reset(update, context)
    if draft is None:
        return
    answers, step, t = dict(draft.data or {}), draft.step, context.t
    if step not in TEXT_STEPS:
        if step == "receipts":
            await reply(update, _say(t, "receipt"))
        else:
            await reply(update, _say(t, "tap"))
        return
    text = message.text or ""
    cur = dict(answers.get("cur") or {})
    rules = await policy_for(context, answers)
    if step in ("reason", "noreceipt", "note"):
        words = printable(text)
        if not words or len(words) > MAX_REASON:
            await reply(update, _say(t, "text"))
            return
        if step == "note":
            await _go(update, context, "summary", note=words, note_asked=True)
        elif step == "reason":
            cur["reason"] = words
            await _go(update, context, "amount", cur=cur)
        else:
            cur["no_receipt_reason"] = words
            await _line_done(update, context, answers, cur)
    elif step in ("amount", "quantity"):
        parsed = money.parse_amount(text, t.locale, rules.currency)
        if parsed.minor is None:
            assert parsed.problem is not None
            await reply(update, _say(t, parsed.problem))
            return
        if step == "quantity":
            quantity = Decimal(parsed.minor).scaleb(-2).normalize()
            cur["quantity"] = format(quantity, "f")
            amount = expenses.rated_amount(rules, cur["kind"], quantity)
        else:
            amount = parsed.minor
        try:
            expenses.check_amount(rules, amount)
        except ClaimProblem as problem:
            await reply(
                update, _say(t, problem.code, limit=t.money(rules.max_amount, rules.currency))
            )
            return
        cur["amount"] = amount
        await _go(update, context, "date", cur=cur)
    else:  # date
        today = await _today(context, answers)
        day = parse_claim_date(text, today, t.locale)
        if day is None:
            await reply(update, _say(t, "date"))
            return
        await _take_date(update, context, answers, day)


async def on_file(update: Update, context: PanelContext) -> None:
    """A photo or document: a receipt at the receipts step; elsewhere, what to do instead."""
    message = update.effective_message
    assert message is not None and context.member is not None
    draft = await _draft_or_reset(update, context)
    if draft is None:
        return
    answers, step, t = dict(draft.data or {}), draft.step, context.t
    if step != "receipts":
        await reply(update, _say(t, WORDS_PLEASE.get(step, "tap")))
        return
    cur = dict(answers.get("cur") or {})
    kept = list(cur.get("receipts") or [])
    if len(kept) >= receipts.MAX_PER_LINE:
        await reply(
            update,
            _say(t, "too_many"),
            reply_markup=InlineKeyboardMarkup([[button(t("Done"), data("r", "done"))]]),
        )
        return
    file: PhotoSize | Document
    if message.photo:
        file, kind = message.photo[-1], "photo"
    elif message.document:
        file, kind = message.document, "document"
    else:
        await reply(update, _say(t, "type"))
        return
    try:
        receipts.check_size(file.file_size)
        telegram_file = await file.get_file()
        content = bytes(await telegram_file.download_as_bytearray())
        path, mime, size = receipts.store(
            context.runtime.settings.panelbot_data_dir,
            context.member.id,
            file.file_unique_id,
            content,
            quota=context.runtime.settings.receipt_quota_bytes,
        )
    except receipts.ReceiptRefused as refused:
        await reply(update, _say(t, refused.reason))
        return
    kept.append({"file_id": file.file_id, "kind": kind, "mime": mime, "size": size, "path": path})
    cur["receipts"] = kept
    await _go(update, context, "receipts", cur=cur)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    claiming = _Claiming()
    return [
        CommandHandler("claim", start_claim, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^cl:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & claiming, on_text),
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & claiming, on_file),
    ]
