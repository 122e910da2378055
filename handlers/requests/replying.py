"""A coordinator's Reply under a member's question or request: a one-step form on the engine
(its marker is "rqr:<request id>") where the coordinator types the answer; the answer goes to the
member in the bot, in the member's language, through the outbox.

A second Reply after someone answered is told, kindly, who answered and when, and may still send
a follow-up: a member can need more than one answer (the interpreter is booked, then where to
meet them), and a coordinator who knows who answered will not repeat it by accident."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.i18n import N_, translator
from bot.services import access, member_requests
from bot.services.access import NotAllowed
from handlers import forms
from handlers.chat.common import answer_expired, reply
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.chat.request_buttons import ReplyToRequest
from handlers.forms import Accepts, Form, Step, register
from handlers.forms.form import Answers
from handlers.requests import words

REPLYING = "rqr:"  # + the request's id
NOTHING_SENT = N_("OK. Nothing was sent.")
GONE = N_("This question is no longer here. The person may have left the panel.")
IN_WORDS = N_("Please type your answer in words.")


def _number(step: str) -> int | None:
    return int(step) if step.isascii() and step.isdecimal() and len(step) < 19 else None


async def on_button(update: Update, context: PanelContext) -> None:
    """Reply: the next thing the coordinator types is the answer."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    tapped = ReplyToRequest.unpack(query.data)
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    if tapped is None or context.member is None or tapped.request >= 10**18:
        if tapped is not None:  # someone who never joined: a forged button
            access.refuse(context.session, actor, "rq:" + tapped.ACTION)
        await answer_expired(query, context)
        return
    t = context.t
    try:
        found = await member_requests.for_coordinator(context.session, actor, tapped.request)
    except NotAllowed:
        await query.answer(t(NO_PANEL_ROLE), show_alert=True)
        return
    except LookupError:
        await query.answer(t(GONE), show_alert=True)
        return
    await query.answer()
    await forms.wait(context, FORM, str(found.id))
    await _ask(update, context, str(found.id), {})


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    t = context.t
    number = _number(step)
    found = await member_requests.load(context.session, number) if number is not None else None
    if found is None:
        await reply(update, t(GONE))
        return
    name = escape(found.asker_name or "?")
    lines = []
    if found.answered_at is not None:
        member = context.member
        if member is not None and found.answered_by_id == member.id:
            lines.append(t("You answered this already. You can send a follow-up."))
        else:
            lines.append(
                t(
                    "{name} already answered this. You can still send a follow-up.",
                    name=escape(found.answered_by or "?"),
                )
            )
    lines.append(
        t(
            "Type your answer to {name} about {what}. The bot sends it to them.",
            name=name,
            what=await words.about(context.session, t, found),
        )
    )
    await reply(
        update, "\n".join(lines), reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)])
    )


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    t = context.t
    number = _number(step)
    if number is None:
        await forms.discard(context, FORM)
        await reply(update, t(NOTHING_SENT))
        return
    text = (message.text or "").strip()
    if not text:  # a photo, a sticker, a voice note: asked again, still waiting
        await reply(
            update, t(IN_WORDS), reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)])
        )
        return
    if len(text) > member_requests.MAX_REPLY:
        await reply(
            update,
            t(
                "Please make it shorter: up to {n} characters. Nothing was sent yet.",
                n=member_requests.MAX_REPLY,
            ),
            reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)]),
        )
        return
    session, now = context.session, context.runtime.clock.now()
    actor = await access.actor_for(
        session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    try:
        found = await member_requests.answer(session, actor, number, text, now=now)
    except (NotAllowed, LookupError) as refused:
        await session.rollback()
        await forms.discard(context, FORM)
        await reply(update, t(NO_PANEL_ROLE if isinstance(refused, NotAllowed) else GONE))
        return
    them = translator(found.asker_language or "en", found.asker_easy_read)
    body = await words.answered(session, them, found, text)
    await member_requests.send_answer(session, found, body, now=now, coordinator_id=actor.member_id)
    await forms.discard(context, FORM)  # commits the answer and its message together
    await reply(
        update,
        t("Sent. {name} gets your answer in the bot.", name=escape(found.asker_name or "?")),
    )


FORM = register(
    Form(
        name="request_reply",
        prefix=REPLYING,
        stopped=NOTHING_SENT,
        steps=(Step("reply", Accepts.TEXT, "Yes. We will send the papers in easy read."),),
        receive=_receive,
        ask=_ask,
    )
)
