"""Replies to feedback: a coordinator's reply ("fbr:<feedback id>" on their row), relayed
straight to the member, and the member's answer back ("fbb:<feedback id>", held in memory only:
on their row, the message id would sit next to their name). Both can be voice notes."""

from __future__ import annotations

import logging
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import PanelContext
from bot.db import Feedback
from bot.i18n import N_, translator
from bot.services import access, feedback, feedback_checks
from bot.services.access import NotAllowed
from bot.services.feedback import FeedbackError
from handlers import forms
from handlers.chat.common import answer_expired, button, reply
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.feedback.button_records import AnswerBack
from handlers.feedback.shared import (
    HELD_NOTE,
    NOTHING_SENT,
    VOICE_KNOWN,
    VOICE_NOTE,
    WORDS_OR_VOICE,
    number,
    stop_only,
    words_or_voice,
)
from handlers.forms import Accepts, Form, Step, Where, register
from handlers.forms.form import Answers

log = logging.getLogger(__name__)

REPLYING, BACK = "fbr:", "fbb:"
CANNOT_SEND = N_("Sorry, this cannot be sent.")


async def open_reply(update: Update, context: PanelContext, feedback_id: int) -> None:
    """A coordinator's "Reply" under a message: the next thing they send is the reply."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    t = context.t
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    try:
        item, _ = await feedback.for_coordinator(context.session, actor, feedback_id)
    except (NotAllowed, FeedbackError):
        await query.answer(t(NO_PANEL_ROLE), show_alert=True)
        return
    if not await feedback.can_reply(context.session, item):
        await query.answer(t("This person asked for no reply."), show_alert=True)
        return
    await query.answer()
    await forms.wait(context, REPLY_FORM, str(item.id))
    await _ask_reply(update, context, str(item.id), {})


async def _ask_reply(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    t = context.t
    feedback_id = number(step)
    item = await context.session.get(Feedback, feedback_id) if feedback_id is not None else None
    lines = [
        t("Type your reply to message #{n}.", n=item.number if item else "?"),
        t(VOICE_NOTE),
        t("The bot sends it to the person who wrote. You will not see who they are."),
    ]
    await reply(update, "\n".join(lines), reply_markup=stop_only(t, REPLY_FORM))


async def _typed(
    update: Update, context: PanelContext, form: forms.Form, step: str
) -> tuple[int, str | None, str | None] | None:
    """Which message is answered (the step's id) and the words or voice note sent; None when
    the person was told what to do instead."""
    message = update.effective_message
    assert message is not None
    t = context.t
    feedback_id = number(step)
    if feedback_id is None:
        await forms.discard(context, form)
        await reply(update, t(NOTHING_SENT))
        return None
    given = words_or_voice(message)
    if given is None:
        await reply(update, t(WORDS_OR_VOICE), reply_markup=stop_only(t, form))
        return None
    text, voice = given
    return feedback_id, text, voice


async def _receive_reply(update: Update, context: PanelContext, step: str) -> None:
    """A coordinator's reply, relayed straight to the member (never through a stored row that
    would link the chat to the message)."""
    assert update.effective_user is not None
    t = context.t
    typed = await _typed(update, context, REPLY_FORM, step)
    if typed is None:
        return
    feedback_id, text, voice = typed
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    try:
        relay = await feedback.reply(
            context.session,
            actor,
            feedback_id,
            text,
            now=context.runtime.clock.now(),
            voice_file_id=voice,
        )
    except (NotAllowed, FeedbackError):
        await context.session.rollback()
        await forms.discard(context, REPLY_FORM)
        await reply(update, t("Sorry, this reply cannot be sent."))
        return
    await forms.discard(context, REPLY_FORM)
    them = translator(relay.language or "en", relay.easy_read)
    heading = them(N_("💬 A coordinator replied to your message #{n}:"), n=relay.feedback.number)
    answer_back = (
        them(N_("You can answer back. It stays anonymous."))
        if relay.feedback.member_id is None
        else them(N_("You can answer back."))
    )
    rows = [[button(them(N_("Answer back")), AnswerBack(relay.feedback.id).pack())]]
    markup = InlineKeyboardMarkup(rows)
    try:
        if voice is not None:  # sent by file id: the member hears it from the bot
            await context.bot.send_voice(
                relay.chat_id,
                voice,
                caption=heading + "\n\n" + answer_back,
                parse_mode="HTML",
                reply_markup=markup,
            )
        else:
            # A reply may be up to 10,000 characters: in parts, as Telegram takes 4096 at most.
            parts = [escape(part) for part in feedback.chunks((text or "").strip())]
            parts[0] = heading + "\n\n" + parts[0]
            parts[-1] += "\n\n" + answer_back
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await context.bot.send_message(
                    relay.chat_id, part, parse_mode="HTML", reply_markup=markup if last else None
                )
    except TelegramError:
        log.warning("A feedback reply could not be delivered")  # never which chat
        await reply(update, t("Sorry, the reply could not be delivered. They may have left."))
        return
    await reply(
        update,
        t("Sent. Your reply went to the person who wrote message #{n}.", n=relay.feedback.number),
    )


REPLY_FORM = register(
    Form(
        name="feedback_reply",
        prefix=REPLYING,
        stopped=NOTHING_SENT,
        steps=(Step("reply", Accepts.TEXT, "Thank you. We will fix the lift this week."),),
        receive=_receive_reply,
        ask=_ask_reply,
    )
)


async def open_answer_back(update: Update, context: PanelContext, feedback_id: int) -> None:
    """The member's "Answer back" under a reply: the next thing they send is their answer."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    user_id = update.effective_user.id
    if not await feedback.owns(context.session, user_id, feedback_id):
        # Not their message: a forged button.
        actor = await access.actor_for(
            context.session, user_id, context.runtime.settings.panelbot_admins
        )
        access.refuse(context.session, actor, "answer back on another's message")
        await answer_expired(query, context)
        return
    await query.answer()
    await forms.wait(context, ANSWER_BACK_FORM, str(feedback_id))
    await _ask_answer_back(update, context, str(feedback_id), {})


async def _named(context: PanelContext, feedback_id: int | None) -> Feedback | None:
    return await context.session.get(Feedback, feedback_id) if feedback_id is not None else None


async def _ask_answer_back(
    update: Update, context: PanelContext, step: str, answers: Answers
) -> None:
    t = context.t
    owned = await _named(context, number(step))
    named = owned is not None and owned.member_id is not None
    lines = [
        t("Type your answer and send it.")
        if named
        else t("Type your answer and send it. It stays anonymous."),
        t(VOICE_NOTE),
    ]
    if not named:
        lines.append(t(VOICE_KNOWN))
    await reply(update, "\n".join(lines), reply_markup=stop_only(t, ANSWER_BACK_FORM))


async def _receive_answer_back(update: Update, context: PanelContext, step: str) -> None:
    assert update.effective_user is not None
    t = context.t
    typed = await _typed(update, context, ANSWER_BACK_FORM, step)
    if typed is None:
        return
    feedback_id, text, voice = typed
    owned = await _named(context, feedback_id)
    if owned is not None and owned.member_id is None:
        try:
            held = await feedback_checks.answer_back(
                context.session, update.effective_user.id, owned, text, voice
            )
        except (NotAllowed, FeedbackError):
            await forms.discard(context, ANSWER_BACK_FORM)
            await reply(update, t(CANNOT_SEND))
            return
        context.runtime.hold.add_message(held)
        await forms.discard(context, ANSWER_BACK_FORM)
        await reply(
            update,
            t("Thank you. We will pass it on soon, still anonymous.") + "\n" + t(HELD_NOTE),
        )
        return
    try:
        item = await feedback.answer_back(
            context.session,
            update.effective_user.id,
            feedback_id,
            text,
            now=context.runtime.clock.now(),
            voice_file_id=voice,
        )
    except (NotAllowed, FeedbackError):
        await context.session.rollback()
        await forms.discard(context, ANSWER_BACK_FORM)
        await reply(update, t(CANNOT_SEND))
        return
    await forms.discard(context, ANSWER_BACK_FORM)
    if item.member_id is not None:
        await reply(update, t("Thank you. We passed on your message with your name."))
    else:
        await reply(update, t("Sent. It is still anonymous."))


ANSWER_BACK_FORM = register(
    Form(
        name="answer_back",
        prefix=BACK,
        stopped=NOTHING_SENT,
        where=Where.HELD,
        steps=(Step("answer", Accepts.TEXT, "Thank you. It works now."),),
        receive=_receive_answer_back,
        ask=_ask_answer_back,
    )
)
