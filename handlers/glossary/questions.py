"""A member who still does not understand a word asks their coordinators about it: a one-step
form on the member's row ("glask:<entry id>"); the question goes to each coordinator in their
own language, with Reply (bot/services/member_requests.py, handlers/requests)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import glossary, member_requests
from handlers import forms
from handlers.chat.common import reply
from handlers.forms import Accepts, Form, Step, register
from handlers.forms.form import Answers

ASKING_QUESTION = "glask:"  # + entry id: waiting for the member's question about that word


def _term(entry_id: str, language: str) -> str:
    found = glossary.load().get(entry_id, language)
    return found[0].term if found else entry_id


async def start(update: Update, context: PanelContext, entry_id: str) -> None:
    """ "I still don't understand" under a word: the next thing typed is the question."""
    step = entry_id[:26]
    await forms.wait(context, FORM, step)
    await _ask(update, context, step, {})


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    t = context.t
    await reply(
        update,
        t(
            "What would you like to ask about “{term}”? Type your question. "
            "We will send it to your coordinator.",
            term=escape(_term(step, context.scope.language or "en")),
        ),
        reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)]),
    )


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    message = update.effective_message
    assert message is not None
    question = message.text or ""
    if not question.strip():  # a photo, a sticker, a voice note: asked again, still waiting
        await _ask(update, context, step, {})
        return
    await forms.discard(context, FORM)
    await _send_question(update, context, step, question)


FORM = register(
    Form(
        name="word_question",
        prefix=ASKING_QUESTION,
        stopped=N_("OK. Nothing was sent."),
        steps=(Step("question", Accepts.TEXT, "Does everyone have to vote?"),),
        receive=_receive,
        ask=_ask,
    )
)


async def _send_question(
    update: Update, context: PanelContext, entry_id: str, question: str
) -> None:
    """Pass a member's question about a word to their coordinators (bot/services/
    member_requests.py): each gets it in their language, with Reply."""
    member = context.member
    assert member is not None
    told = await member_requests.ask(
        context.session,
        member_id=member.id,
        kind=member_requests.WORD,
        about=entry_id,
        text=question,
        now=context.runtime.clock.now(),
    )
    await context.session.commit()
    if told:
        await reply(
            update,
            context.t(
                "Thank you. We sent your question to your coordinator. They will get back to you."
            ),
        )
    else:
        await reply(
            update,
            context.t(
                "Your panel has no coordinator in panelbot yet. Please ask at your next meeting."
            ),
        )
