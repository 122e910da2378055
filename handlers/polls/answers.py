"""Answering polls: a tap on an answer, a typed reply, or Skip.

Buttons: "pa:1:<op>:<poll>:<arg>" (c choose, t toggle, d done, r rate, w write, s skip).
Choices of a "several choices" question live only in the buttons themselves until Done, so
nothing about an answer is stored anywhere before it is stored anonymously.

"Type my answer" opens a one-step form on the engine (handlers/forms) whose step, "pa:<poll>",
is held in memory (Where.HELD, bot.services.anonymous), never on the member's row: a change to
that row would show when they answered.
"""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import PanelContext
from bot.db import Poll
from bot.i18n import N_, translator
from bot.languages import LAUNCH_LANGUAGES
from bot.outgoing import keyboard
from bot.services import poll_answers, poll_rules
from bot.services.poll_answers import Outcome
from handlers import forms
from handlers.chat.common import answer_expired, remove_buttons, reply
from handlers.forms import Accepts, Form, Step, Where
from handlers.polls.buttons import ANSWER, AnswerTap
from handlers.polls.messages import (
    RATING_WORDS,
    answer_buttons,
    localised,
)

ANSWERING = "pa:"
OUTCOMES = {
    Outcome.SAVED: N_("Thank you. We got your answer."),
    Outcome.HELD: N_(
        "Thank you. We got your answer. We save it later with other people's answers. "
        "Then nobody can tell which is yours. If something goes wrong first, we will ask "
        "you again."
    ),
    Outcome.SKIPPED: N_("OK. You skipped this question."),
    Outcome.ALREADY: N_("You have already answered this question. Thank you."),
    Outcome.CLOSED: N_("Sorry, this question has closed."),
    Outcome.NOT_ASKED: N_("This question is not for you. Type /help to see what you can do."),
    Outcome.INVALID: N_("Please tap one of the answers."),
}
TEXT = "text"
WRITE_PROMPT = N_("Type your answer and send it.")
TYPE_HINTS = {
    "one": N_("Please type the number of your answer, like 2."),
    "many": N_("Please type the numbers of your answers, like 1, 3."),
    "rating": N_("Please type a number from 1 to 5. 1 is very poor. 5 is very good."),
    "text": N_("Please type your answer in words."),
}


def _is_number(text: str) -> bool:
    return text.isdecimal() and len(text) < 4


def parse_typed(poll: Poll, text: str) -> dict[str, Any] | None:
    """A typed answer as the service wants it, or None if it cannot be understood.
    Numbers may be in any script (int() reads Arabic-Indic digits too)."""
    text = text.strip()
    if poll.kind == "text":
        return {"text": text} if text else None
    if poll.kind == "rating":
        if _is_number(text) and int(text) in poll_rules.RATINGS:
            return {"rating": int(text)}
        for language in LAUNCH_LANGUAGES:
            t = translator(language)
            for value, word in RATING_WORDS.items():
                if t(word).casefold() == text.casefold():
                    return {"rating": value}
        return None
    lowered = [o.casefold() for o in poll.options]
    picked: list[int] = []
    pieces = text.replace(",", " ").split() if poll.kind == "many" else [text]
    if poll.kind == "many" and not all(_is_number(p) for p in pieces):
        pieces = [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]
    for piece in pieces:
        if _is_number(piece) and 1 <= int(piece) <= len(poll.options):
            picked.append(int(piece) - 1)
        elif piece.casefold() in lowered:
            picked.append(lowered.index(piece.casefold()))
        else:
            return None
    return {"choices": picked} if picked else None


async def _remove_buttons(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(BadRequest):
            await remove_buttons(query, context)


async def _record(update: Update, context: PanelContext, poll_id: int, **answer: Any) -> Outcome:
    assert update.effective_user is not None
    outcome, _ = await poll_answers.answer(
        context.session,
        update.effective_user.id,
        poll_id,
        now=context.runtime.clock.now(),
        hold=context.runtime.hold,
        **answer,
    )
    return outcome


async def on_answer_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    tapped = AnswerTap.unpack(query.data)
    t = context.t
    if (
        tapped is None
        or tapped.op not in ("c", "t", "d", "r", "w", "s")
        or max(tapped.poll, tapped.value) >= 10**18
    ):
        await answer_expired(query, context)
        return
    op, poll_id, arg = tapped.op, tapped.poll, tapped.value
    poll = await context.session.get(Poll, poll_id)
    if poll is None:
        await answer_expired(query, context)
        return
    if op in ("t", "w") and not await poll_answers.is_asked(
        context.session, poll, update.effective_user.id
    ):
        await query.answer(t(OUTCOMES[Outcome.NOT_ASKED]), show_alert=True)
        return
    if op == "t":
        if not 0 <= arg < 2 ** len(poll.options) or poll.kind != "many":
            await answer_expired(query, context)
            return
        with contextlib.suppress(BadRequest):
            shown, _ = await localised(context.session, poll, t.language)  # their choices
            await query.edit_message_reply_markup(keyboard(answer_buttons(t, shown, arg)))
        await query.answer()  # after the edit, so the ticks are there when the spinner stops
        return
    if op == "w":
        await query.answer()
        member = context.member
        if member is None:
            return
        # Which poll someone is typing for stays off their row (a held form: memory only).
        await forms.wait(context, ANSWERING_FORM, str(poll.id))
        await reply(
            update,
            t(WRITE_PROMPT if poll.kind == TEXT else TYPE_HINTS[poll.kind]),
            reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, ANSWERING_FORM)]),
        )
        return
    answer: dict[str, Any]
    if op == "c":
        answer = {"choices": [arg]}
    elif op == "d":
        if arg == 0:
            await query.answer(t("Tap at least one answer, or tap Skip."), show_alert=True)
            return
        answer = {"choices": [i for i in range(len(poll.options)) if arg & (1 << i)]}
    elif op == "r":
        answer = {"rating": arg}
    else:
        answer = {"skip": True}
    outcome = await _record(update, context, poll_id, **answer)
    if outcome == Outcome.INVALID:
        await query.answer(t(OUTCOMES[outcome]), show_alert=True)
        return
    await query.answer()
    await _remove_buttons(update, context)
    await reply(update, t(OUTCOMES[outcome]))


def _poll_id(step: str) -> int | None:
    return int(step) if step.isdecimal() and step.isascii() and len(step) < 19 else None


async def on_typed_answer(update: Update, context: PanelContext, step: str) -> None:
    """Typed words while "Type my answer" is open (the engine's one message handler)."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    t = context.t
    poll_id = _poll_id(step)
    poll = await context.session.get(Poll, poll_id) if poll_id else None
    if poll is None:
        await forms.discard(context, ANSWERING_FORM)
        await reply(update, t(OUTCOMES[Outcome.NOT_ASKED]))
        return
    shown, _ = await localised(context.session, poll, t.language)  # their language's choices
    answer = (
        (parse_typed(shown, message.text) or parse_typed(poll, message.text))
        if message.text
        else None
    )
    if answer is None:
        await reply(update, t(TYPE_HINTS[poll.kind]))
        return
    outcome = await _record(update, context, poll.id, **answer)
    if outcome == Outcome.INVALID:
        await reply(update, t(TYPE_HINTS[poll.kind]))
        return
    await forms.discard(context, ANSWERING_FORM)
    await reply(update, t(OUTCOMES[outcome]))


ANSWERING_FORM = forms.register(
    Form(
        name="poll_answer",
        prefix=ANSWERING,
        stopped=N_("OK. You can answer later with the buttons on the question."),
        where=Where.HELD,
        # The step is the poll's number: "pa:<poll>". Opened by "Type my answer" on a question.
        steps=(Step("answer", Accepts.TEXT, "2"),),
        receive=on_typed_answer,
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(on_answer_button, pattern=rf"^{ANSWER}:")]
