"""What every part of the claim form shares: its name, its problems in plain words, the draft
and the move to the next step (on the form engine)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update

from bot.context import PanelContext
from bot.db import Panel
from bot.i18n import N_, Translator
from bot.services import drafts, money, receipt_files
from bot.services.drafts import DraftView
from handlers import forms
from handlers.chat import picker
from handlers.forms.form import Form, by_name

KIND = "claim"  # the form's name, and its draft's kind
PREFIX = "claim:"
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
    # Each step says what it wants (handlers/claims/typed.py adds the step's own question).
    "tap_meeting": N_("Please tap the meeting this claim is for, or tap Not for a meeting."),
    "tap_panel": N_("Please tap the panel this claim is for."),
    "tap_kind": N_("Please tap what you want to claim."),
    "tap_summary": N_("Please use the buttons under your claim: send it, or change it."),
    "money_typed": N_("That looks like money. We work out the money for you."),
    "more_than_0": N_("It must be more than 0."),
    "two_places": N_("Please use at most 2 numbers after the point."),
    "over_limit_rated": N_(
        "That comes to {amount}, more than {limit} for one item. "
        "Please check the number, or ask your coordinator."
    ),
    "too_long": N_("Please keep it short: under 300 letters."),
    "in_words": N_("Please type it in words."),
    "time": N_("Paid time cannot be claimed for this meeting. Please remove it."),
    "meeting": N_("That meeting is not one of yours. Please choose again."),
    "lines": N_("Please add at least one item."),
    "decided": N_("This claim has changed. Type /claim to start again."),
}


def say(t: Translator, code: str, **values: object) -> str:
    """The plain message for a problem (looked up by code, so extraction sees only PROBLEMS)."""
    return t(PROBLEMS[code], **values)


def claim_form() -> Form:
    """The claim form as registered (handlers/claims/form.py declares it)."""
    form = by_name(KIND)
    assert form is not None
    return form


async def current(context: PanelContext) -> DraftView | None:
    assert context.member is not None
    return await drafts.get(context.session, context.member.id, KIND)


async def go(
    update: Update, context: PanelContext, step: str, *, remember: bool = True, **changes: Any
) -> dict[str, Any]:
    """Save the answers, move to `step` (remembered for Back), commit, then ask its question."""
    return await forms.go(update, context, claim_form(), step, remember=remember, **changes)


async def forget_receipts(context: PanelContext) -> None:
    """The receipts of a claim that was never sent are not kept."""
    assert context.member is not None
    await receipt_files.collect_orphans(
        context.session, context.runtime.settings.panelbot_data_dir, member_id=context.member.id
    )


def worth_keeping(answers: dict[str, Any]) -> bool:
    """Stopping asks first once there is an item or a receipt to lose."""
    cur = answers.get("cur") or {}
    return bool(answers.get("lines") or cur.get("receipts"))


async def today(context: PanelContext, answers: dict[str, Any]) -> date:
    panel = await context.session.get(Panel, int(answers["panel_id"]))
    zone = ZoneInfo(panel.timezone if panel else context.runtime.settings.panelbot_timezone)
    return picker.local_today(context.runtime.clock.now(), zone)
