"""The claim form's taps: which meeting or panel, what kind of item, which day, and an item
finished (into the list, then the note or the summary)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Meeting
from bot.services import claim_rules, claim_submission
from bot.services.claim_rules import ClaimProblem
from bot.services.vocabularies import expense_kinds
from handlers import forms
from handlers.chat import picker
from handlers.chat.common import reply
from handlers.claims.buttons import ClaimCalendar, ClaimCalendarBlank, ClaimDay, calendar_data
from handlers.claims.draft import claim_form, go, say, today
from handlers.claims.questions import policy_for, time_allowed


async def choose_meeting(
    update: Update, context: PanelContext, answers: dict[str, Any], value: int
) -> None:
    assert context.member is not None
    if value == 0:
        person = await claim_submission.claimant(context.session, context.member.telegram_id)
        if person and len(person.panels) > 1:
            await go(update, context, "panel", meeting_id=None)
            return
        await after_meeting(update, context, answers, meeting_id=None)
        return
    try:
        meeting = await claim_submission.meeting_for_claim(
            context.session, context.member.id, value
        )
    except ClaimProblem:
        await reply(update, say(context.t, "meeting"))
        return
    await after_meeting(update, context, answers, meeting_id=meeting.id, panel_id=meeting.panel_id)


async def choose_panel(
    update: Update, context: PanelContext, answers: dict[str, Any], value: int
) -> None:
    assert context.member is not None
    person = await claim_submission.claimant(context.session, context.member.telegram_id)
    if person and value in {p for p, _ in person.panels}:
        await after_meeting(update, context, answers, panel_id=value)
    else:
        await reply(update, say(context.t, "tap"))


async def after_meeting(
    update: Update, context: PanelContext, answers: dict[str, Any], **changes: Any
) -> None:
    lines_ = answers.get("lines")
    if lines_ and changes.get("meeting_id"):
        # Items dated by the meeting before move with it to the meeting now chosen.
        meeting = await context.session.get(Meeting, int(changes["meeting_id"]))  # chosen: theirs
        assert meeting is not None
        day = (await claim_submission.meeting_day(context.session, meeting)).isoformat()
        changes["lines"] = [
            {**line, "spent_on": day} if line.get("by_meeting") else line for line in lines_
        ]
    await go(update, context, "summary" if lines_ else "kind", **changes)


async def choose_kind(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any], kind: str
) -> None:
    if kind == "time" or kind in expense_kinds.PAID_TIME:
        if not await time_allowed(context, answers):
            await reply(update, say(context.t, "time"))
            return
        # The panel's rule says how time is paid: the member is not asked.
        kind = (await policy_for(context, answers)).time_kind
    if kind not in expense_kinds.BY_CODE:
        await reply(update, say(context.t, "tap"))
        return
    # A changed line starts again from its kind; receipts already sent are kept for it.
    cur = {"kind": kind, "receipts": cur.get("receipts") or []}
    row = expense_kinds.BY_CODE[kind]
    nxt = "reason" if row.needs_reason else "quantity" if row.rated else "amount"
    await go(update, context, nxt, cur=cur)


async def date_button(
    update: Update,
    context: PanelContext,
    answers: dict[str, Any],
    tapped: ClaimDay | ClaimCalendar | ClaimCalendarBlank,
) -> None:
    day = await today(context, answers)
    if tapped == ClaimDay("today"):
        await take_date(update, context, answers, day)
    elif tapped == ClaimDay("yest"):
        await take_date(update, context, answers, day - timedelta(days=1))
    elif tapped == ClaimDay("pick"):
        await _show_calendar(update, context, answers, day, day)
    elif isinstance(tapped, ClaimCalendar | ClaimCalendarBlank):
        picked = picker.read_pick(
            [tapped.what, tapped.value] if isinstance(tapped, ClaimCalendar) else ["x"]
        )
        if picked is None or picked[0] == "noop":
            return
        kind, chosen = picked
        assert chosen is not None
        if kind == "month":
            await _show_calendar(update, context, answers, day, chosen)
        else:
            await take_date(update, context, answers, chosen)
    else:
        await reply(update, say(context.t, "tap"))


async def _show_calendar(
    update: Update, context: PanelContext, answers: dict[str, Any], day: date, month: date
) -> None:
    """The shared month picker, from the oldest day allowed up to this month."""
    rules = await policy_for(context, answers)
    earliest = day - timedelta(days=rules.max_age_days)
    months = (day.year - earliest.year) * 12 + day.month - earliest.month
    rows = picker.month_rows(
        earliest,
        month.year,
        month.month,
        context.t.locale,
        calendar_data,
        months_ahead=months,
    )
    rows.append(forms.back_and_stop(context.t, claim_form(), answers))
    # Days after today are shown by the picker; tapping one gets a kind refusal.
    await reply(update, context.t("Tap the day."), reply_markup=InlineKeyboardMarkup(rows))


async def take_quantity(
    update: Update, context: PanelContext, answers: dict[str, Any], quantity: Decimal
) -> None:
    """A number of miles, hours or sessions, typed or tapped: priced at the panel's rate."""
    t = context.t
    rules = await policy_for(context, answers)
    cur = dict(answers.get("cur") or {})
    amount = claim_rules.rated_amount(rules, cur["kind"], quantity)
    try:
        claim_rules.check_amount(rules, amount)
    except ClaimProblem:
        limit = t.money(rules.max_amount, rules.currency)
        shown = t.money(amount, rules.currency)
        await reply(update, say(t, "over_limit_rated", amount=shown, limit=limit))
        return
    cur["quantity"] = format(quantity.normalize(), "f")
    cur["amount"] = amount
    await amount_known(update, context, answers, cur)


async def amount_known(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any]
) -> None:
    """The day of an item for a meeting is the meeting's (when it may be claimed); otherwise,
    or for a meeting still to come, the member is asked."""
    if answers.get("meeting_id"):
        meeting = await context.session.get(Meeting, int(answers["meeting_id"]))
        if meeting is not None:
            day = await claim_submission.meeting_day(context.session, meeting)
            rules = await policy_for(context, answers)
            try:
                claim_rules.check_date(rules, day, await today(context, answers))
            except ClaimProblem:
                pass
            else:
                await _dated(update, context, answers, {**cur, "by_meeting": True}, day)
                return
    await go(update, context, "date", cur=cur)


async def take_date(
    update: Update, context: PanelContext, answers: dict[str, Any], day: date
) -> None:
    t = context.t
    rules = await policy_for(context, answers)
    try:
        claim_rules.check_date(rules, day, await today(context, answers))
    except ClaimProblem as problem:
        await reply(update, say(t, problem.code, days=rules.max_age_days))
        return
    cur = dict(answers.get("cur") or {})
    cur.pop("by_meeting", None)
    await _dated(update, context, answers, cur, day)


async def _dated(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any], day: date
) -> None:
    cur["spent_on"] = day.isoformat()
    if cur["kind"] in expense_kinds.NO_RECEIPT:
        await line_done(update, context, answers, cur)
    else:
        await go(update, context, "receipts", cur=cur)


async def line_done(
    update: Update, context: PanelContext, answers: dict[str, Any], cur: dict[str, Any]
) -> None:
    """The item goes into the list. It stays the one being changed (`cur`, `edit`), so Back
    from the next question opens it again rather than an empty item."""
    lines_ = list(answers.get("lines") or [])
    edit = answers.get("edit")
    if isinstance(edit, int) and 0 <= edit < len(lines_):
        lines_[edit] = cur
    else:
        lines_.append(cur)
        edit = len(lines_) - 1
    nxt = "summary" if answers.get("note_asked") else "note"
    await go(update, context, nxt, lines=lines_, cur=cur, edit=edit)
