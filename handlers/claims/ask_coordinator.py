"""A member's question about one of their claims ("Ask a question" under it in /expenses): a
one-step form on the engine (its marker is "claimq:<claim id>"); the question goes to the
claim's panel's coordinators with Reply (bot/services/member_requests.py, handlers/requests)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import member_requests, my_claims
from handlers import forms
from handlers.chat.common import answer_expired, reply
from handlers.chat.text import printable
from handlers.forms import Accepts, Form, Step, register
from handlers.forms.form import Answers

ASKING = "claimq:"  # + the claim's id
IN_WORDS = N_("Please type your question in words. It can be up to 1500 characters.")


async def start(update: Update, context: PanelContext, claim_id: int) -> None:
    """ "Ask a question" under a claim: the next thing typed is the question."""
    query = update.callback_query
    assert query is not None and context.member is not None
    try:
        await my_claims.check_own(context.session, context.member.telegram_id, claim_id)
    except LookupError:
        await answer_expired(query, context)
        return
    await query.answer()
    await forms.wait(context, FORM, str(claim_id))
    await _ask(update, context, str(claim_id), {})


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    t = context.t
    await reply(
        update,
        t("What would you like to ask about claim {n}? Type your question.", n=step)
        + "\n"
        + t("We will send it to your coordinator."),
        reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)]),
    )


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    member, message, t = context.member, update.effective_message, context.t
    assert member is not None and message is not None
    words = printable(message.text or "")
    if not words or len(words) > member_requests.MAX_TEXT:
        await reply(
            update, t(IN_WORDS), reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)])
        )
        return
    claim_id = int(step) if step.isascii() and step.isdecimal() and len(step) < 19 else 0
    try:
        told = await my_claims.ask_about(
            context.session, member.telegram_id, claim_id, words, context.runtime.clock.now()
        )
    except LookupError:
        await context.session.rollback()
        await forms.discard(context, FORM)
        await reply(update, t("This claim is not one of yours. Type /expenses to see yours."))
        return
    await forms.discard(context, FORM)  # commits the question with its notices
    if told:
        await reply(
            update,
            t("Thank you. We sent your question to your coordinator. They will get back to you."),
        )
    else:
        await reply(
            update,
            t("Your panel has no coordinator in panelbot yet. Please ask at your next meeting."),
        )


FORM = register(
    Form(
        name="claim_question",
        prefix=ASKING,
        stopped=N_("OK. Nothing was sent."),
        steps=(Step("question", Accepts.TEXT, "When will I be paid?"),),
        receive=_receive,
        ask=_ask,
    )
)
