"""/review and /export for coordinators: one claim at a time with its receipts, and the finance
export. Every decision goes through bot/services/claim_review.py, which checks the role again."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.db import Claim, ClaimLine, ClaimStatus, LineStatus
from bot.i18n import N_
from bot.services import claim_review, profile
from bot.services.access import Actor, NotAllowed, actor_for, coordinated_panels, refuse
from bot.services.claim_rules import ClaimProblem
from handlers import forms
from handlers.chat.button_data import ButtonData, read
from handlers.chat.common import answer_expired, reply
from handlers.chat.live_card import take_buttons_off
from handlers.chat.text import printable, send_long
from handlers.claims import buttons as b
from handlers.claims import review_card
from handlers.forms import Accepts, Form, Step, register

# "review:r:<line>[:<card>]" (a reason) or "review:q:<line>[:<card>]" (a question); the card is
# the message the item's button was on, edited once the words are typed.
PREFIX = "review:"
STEP_LENGTH = 32  # members.conversation_step
DEALT_WITH = N_("This claim has already been dealt with.")
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
    text, rows = await review_card.card(context, t, claim)
    await send_long(update, text, InlineKeyboardMarkup(rows) if rows else None)


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
    try:
        await _tapped(update, context, tapped)
    except NotAllowed:
        await refused(update, context)
    except LookupError:
        await context.session.rollback()
        await answer_expired(query, context)
    except ClaimProblem:
        # An old card of a claim decided since: nothing acts twice, and the card catches up.
        await context.session.rollback()
        await query.answer(context.t(DEALT_WITH), show_alert=True)
        await _catch_up(update, context, tapped)


async def _tapped(update: Update, context: PanelContext, tapped: ButtonData) -> None:
    query = update.callback_query
    assert query is not None
    t = context.t
    actor = await acting(context)
    now = context.runtime.clock.now()
    if isinstance(tapped, b.ApproveClaim):
        claim = await claim_review.decide(context.session, actor, tapped.claim, "approve", now=now)
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
        await profile.set_step(context.session, actor.telegram_id, _step(action, target, query))
        await context.session.commit()
        await query.answer()
        ask = (
            t(
                "Why is item {n} not approved? Type a short reason. They will see it.",
                n=line.position,
            )
            if action == "r"
            else t("What do you want to ask about item {n}? Type your question.", n=line.position)
        )
        await reply(update, ask, reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)]))
    elif isinstance(tapped, b.AskHowPaid | b.ShowClaim):
        claim = await claim_review.claim_for_review(context.session, actor, tapped.claim, now)
        asking = isinstance(tapped, b.AskHowPaid)
        if asking and claim.status != ClaimStatus.APPROVED:
            raise ClaimProblem("not_approved")
        await context.session.commit()
        await query.answer()
        await review_card.show(update, context, claim, asking_how_paid=asking)
    elif isinstance(tapped, b.MarkPaid):
        claim = await claim_review.mark_paid(
            context.session, actor, tapped.claim, tapped.method, now=now
        )
        await context.session.commit()
        await query.answer(t("Claim {n} is marked as paid.", n=claim.id))
        await _after_decision(update, context, claim)
    elif isinstance(tapped, b.NextClaim):
        await query.answer()
        if query.message is not None and update.effective_chat is not None:
            # The claim left behind comes back with /review: its buttons here would be a
            # second live card for it.
            chat, card_id = update.effective_chat.id, query.message.message_id
            await take_buttons_off(update.get_bot(), chat, card_id)
        await _show_next(update, context, after=tapped.after)


def _step(action: str, line_id: int, query: CallbackQuery) -> str:
    """The open form's step: what the typed words are for, and the card to edit after them
    (left out when it would not fit the step's 32 characters)."""
    step = f"{PREFIX}{action}:{line_id}"
    if query.message is None:
        return step
    with_card = f"{step}:{query.message.message_id}"
    return with_card if len(with_card) <= STEP_LENGTH else step


async def _catch_up(update: Update, context: PanelContext, tapped: ButtonData) -> None:
    """An old card shows its claim as it is now, so its stale buttons go."""
    line = getattr(tapped, "line", None)
    if isinstance(tapped, b.ApproveClaim):
        line = tapped.claim  # the record's one field is the item's id
    claim_id = getattr(tapped, "claim", None) if line is None else None
    try:
        actor = await acting(context)
        if line is not None:
            found = await context.session.get(ClaimLine, line)
            claim_id = found.claim_id if found else None
        if claim_id is None:
            return
        claim = await claim_review.claim_for_review(
            context.session, actor, claim_id, context.runtime.clock.now()
        )
    except (NotAllowed, LookupError):
        await context.session.rollback()
        return
    await review_card.show(update, context, claim)


async def _after_decision(
    update: Update, context: PanelContext, claim: Claim, card_id: int | None = None
) -> None:
    """The claim's card shows it as it is now, in place; once it is finished (its final state,
    no buttons) the next claim comes as a new card."""
    actor = await acting(context)
    fresh = await claim_review.claim_for_review(
        context.session, actor, claim.id, context.runtime.clock.now()
    )
    await review_card.show(update, context, fresh, card_id=card_id)
    if review_card.finished(fresh):
        await _show_next(update, context, after=0 if fresh.status == ClaimStatus.PAID else claim.id)


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
    if (
        len(parts) not in (2, 3)
        or parts[0] not in ("r", "q")
        or not all(p.isascii() and p.isdigit() for p in parts[1:])
    ):
        await context.session.commit()
        return
    card_id = int(parts[2]) if len(parts) == 3 else None  # steps saved before cards have none
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
        await reply(update, t(DEALT_WITH))
        return
    await context.session.commit()
    await reply(
        update,
        t("Sent. They will see it in their language.")
        if decision == "ask"
        else t("Rejected. They will see your reason."),
    )
    await _after_decision(update, context, claim, card_id)


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
