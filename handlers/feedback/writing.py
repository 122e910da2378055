"""Give feedback at any time (/feedback or the menu button): anonymous or named, text or a voice
note; coordinators reply through the bot and the member can answer back, still anonymous.

Steps on the member row: "fb:<mode>:<panel>" while writing, "fbr:<id>" while a coordinator types
or records a reply, "fbb:<tag>" while a member answers back (a keyed hash, never the message id,
which would sit next to their name). Replies and answers back can be voice notes.
Buttons: "fb:1:m:<mode>", "fb:1:p:<mode>:<panel>", "fb:1:r:<id>" (coordinator: reply),
"fb:1:b:<id>" (member: answer back).
"""

from __future__ import annotations

import contextlib
import logging
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Feedback
from bot.i18n import N_, Translator, translator
from bot.services import access, anonymous, feedback, feedback_checks, feedback_settings, profile
from bot.services.access import NotAllowed
from bot.services.feedback import FeedbackError
from bot.services.feedback_settings import Helpline
from handlers.anonymous_steps import HeldStep, enter_anonymous_step, leave_anonymous_step
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.forms import Form, Where, register
from handlers.glossary import NO_PANEL_ROLE
from handlers.poll_messages import FEEDBACK, FEEDBACK_VERSION

log = logging.getLogger(__name__)

WRITING, REPLYING, BACK = "fb:", "fbr:", "fbb:"
WRITING_FORM = register(
    Form(name="feedback", prefix=WRITING, stopped=N_("OK. Nothing was sent."), where=Where.HELD)
)
REPLYING_FORM = register(
    Form(name="feedback_reply", prefix=REPLYING, stopped=N_("OK. Nothing was sent."))
)
ANSWER_BACK_FORM = register(
    Form(name="answer_back", prefix=BACK, stopped=N_("OK. Nothing was sent."), where=Where.HELD)
)
TYPED = ~filters.COMMAND | filters.Regex(r"^/cancel\b")
MODE_LABELS = {
    "anon": N_("Anonymous. No reply needed"),
    "reply": N_("Anonymous. I'd like a reply"),
    "named": N_("With my name"),
}
# Built-in urgent help for UK panels; a panel can set its own with /helplines.
DEFAULT_HELPLINES = (
    N_("Samaritans, any time, day or night: call 116 123 (free)."),
    N_("NHS 111, for urgent health help: call 111."),
    N_("In an emergency, call 999."),
)
NOT_JOINED = N_("To join a panel, open the invite link from your coordinator.")
# Anonymous messages wait in memory to be written with others (bot.services.anonymous_writes).
HELD_NOTE = N_(
    "Until then, only the bot's memory holds it. If the bot stops first, your message is "
    "lost. We cannot tell you, because we keep nothing that leads to you."
)


def _data(*args: str | int) -> str:
    return callback_data(FEATURE_ID, FEEDBACK_VERSION, *args)


FEATURE_ID = FEEDBACK


def _id(value: str) -> int | None:
    return int(value) if value.isdecimal() and value.isascii() and len(value) < 19 else None


async def start(update: Update, context: PanelContext) -> None:
    """The "Give feedback" button and /feedback: choose how, with each choice explained."""
    t = context.t
    member = context.member
    if member is None or member.consent != "given" or not update.effective_user:
        await reply(update, t(NOT_JOINED))
        return
    if not await feedback.active_panels(context.session, update.effective_user.id):
        await reply(update, t(NOT_JOINED))
        return
    lines = [
        t("💬 Tell us what you think. You can send words or a voice note."),
        "",
        t("<b>Anonymous. No reply needed:</b> we keep nothing that leads back to you."),
        t(
            "<b>Anonymous. I'd like a reply:</b> the bot keeps a private note of your chat, "
            "only to send you the reply. Coordinators never see who you are."
        ),
        t("<b>With my name:</b> coordinators see your name. Choose this to get credit."),
        "",
        t("How do you want to send it?"),
    ]
    rows = [[button(t(label), _data("m", mode))] for mode, label in MODE_LABELS.items()]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def _ask_to_write(update: Update, context: PanelContext, mode: str, panel_id: int) -> None:
    await enter_anonymous_step(context, f"{WRITING}{mode}:{panel_id}")
    t = context.t
    lines = [t("Type your message and send it. Or send a voice note.")]
    if mode != "named":
        lines.append(t("A voice note can be known by your voice. Words are safer."))
    lines.append(t("To stop, type /cancel."))
    await reply(update, "\n".join(lines))


async def _close(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    args = parse_callback(query.data, FEATURE_ID, FEEDBACK_VERSION)
    t = context.t
    if not args or context.member is None:
        if args:  # someone who never joined has no messages or panels: a forged button
            actor = await access.actor_for(
                context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
            )
            access.refuse(context.session, actor, "fb:" + args[0][:20])
        await answer_expired(query, context)
        return
    op, rest = args[0], args[1:]
    user_id = update.effective_user.id
    if op in ("m", "p") and rest and rest[0] in MODE_LABELS:
        mode = rest[0]
        panels = await feedback.active_panels(context.session, user_id)
        if op == "p" and len(rest) == 2 and _id(rest[1]) in {p for p, _ in panels}:
            await _close(update, context)
            await _ask_to_write(update, context, mode, int(rest[1]))
        elif op == "m" and len(panels) == 1:
            await _close(update, context)
            await _ask_to_write(update, context, mode, panels[0][0])
        elif op == "m" and panels:
            await _close(update, context)
            rows = [[button(name[:60], _data("p", mode, pid))] for pid, name in panels[:30]]
            await reply(
                update, t("Which panel is it for?"), reply_markup=InlineKeyboardMarkup(rows)
            )
        else:
            await answer_expired(query, context)
        return
    feedback_id = _id(rest[0]) if len(rest) == 1 else None
    if op == "r" and feedback_id is not None:
        actor = await access.actor_for(
            context.session, user_id, context.runtime.settings.panelbot_admins
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
        await profile.set_step(context.session, user_id, f"{REPLYING}{item.id}")
        await context.session.commit()
        await reply(
            update,
            t("Type your reply to message #{n}.", n=item.number)
            + "\n"
            + t("You can also send a voice note.")
            + "\n"
            + t("The bot sends it to the person who wrote. You will not see who they are.")
            + "\n"
            + t("To stop, type /cancel."),
        )
    elif op == "b" and feedback_id is not None:
        if not await feedback.owns(context.session, user_id, feedback_id):
            # Not their message: a forged button.
            actor = await access.actor_for(
                context.session, user_id, context.runtime.settings.panelbot_admins
            )
            access.refuse(context.session, actor, "answer back on another's message")
            await answer_expired(query, context)
            return
        await query.answer()
        owned = await context.session.get(Feedback, feedback_id)
        await enter_anonymous_step(context, f"{BACK}{feedback_id}")
        named = owned is not None and owned.member_id is not None
        lines = [
            t("Type your answer and send it.")
            if named
            else t("Type your answer and send it. It stays anonymous."),
            t("You can also send a voice note."),
        ]
        if not named:
            lines.append(t("A voice note can be known by your voice. Words are safer."))
        await reply(update, "\n".join([*lines, t("To stop, type /cancel.")]))
    else:
        await answer_expired(query, context)


def helpline_lines(t: Translator, lines: list[Helpline] | None) -> list[str]:
    header = t("If you need help now:")
    if lines is None:
        return [header, *(t(line) for line in DEFAULT_HELPLINES)]
    return [header, *(t.quote(f"{escape(h.name)}: {escape(h.number)}") for h in lines)]


class _Step(filters.MessageFilter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and (member.conversation_step or "").startswith(self.prefix))


async def _stop(context: PanelContext) -> None:
    assert context.member is not None
    await profile.set_step(context.session, context.member.telegram_id, None)
    await context.session.commit()


def _cancelled(message: Message) -> bool:
    return (message.text or "").strip().casefold().startswith("/cancel")


async def on_writing(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None and update.effective_user is not None
    t = context.t
    step = anonymous.step(member.telegram_id).removeprefix(WRITING)
    mode, _, panel = step.partition(":")
    panel_id = _id(panel)
    if mode not in MODE_LABELS or panel_id is None:
        await leave_anonymous_step(context)
        await reply(update, t("Sorry, I lost track. Tap Give feedback to start again."))
        return
    if _cancelled(message):
        await leave_anonymous_step(context)
        await reply(update, t("OK. Nothing was sent."))
        return
    text = message.text
    voice = message.voice.file_id if message.voice else None
    if not (text and text.strip()) and voice is None:
        await reply(update, t("Please type your message, or send a voice note."))
        return
    if mode != "named":
        await _hold(update, context, mode, panel_id, text, voice)
        return
    try:
        item = await feedback.submit(
            context.session,
            update.effective_user.id,
            panel_id,
            mode,
            now=context.runtime.clock.now(),
            text=text,
            voice_file_id=voice,
        )
    except (NotAllowed, FeedbackError):
        await context.session.rollback()
        await leave_anonymous_step(context)
        await reply(update, t("Sorry, I could not pass this on. Please tell your coordinator."))
        return
    await leave_anonymous_step(context)
    if mode == "named":
        lines = [t("Thank you. We passed on your message with your name.")]
    else:
        lines = [
            t("Thank you. We passed on your message as Anonymous message #{n}.", n=item.number)
        ]
    if mode == "reply":
        lines.append(t("When a coordinator replies, I will send it to you here."))
    elif mode == "anon":
        lines.append(t("We kept nothing that leads back to you, so nobody can reply."))
    lines += ["", *helpline_lines(t, await feedback_settings.helplines(context.session, panel_id))]
    await reply(update, "\n".join(lines))


async def _hold(
    update: Update,
    context: PanelContext,
    mode: str,
    panel_id: int,
    text: str | None,
    voice: str | None,
) -> None:
    """An anonymous message waits in memory, to be written with others (anonymous_writes):
    nothing about it is written now, so nothing in the database shows when it was sent."""
    t = context.t
    user = update.effective_user
    assert user is not None
    try:
        held = feedback_checks.anonymous_message(
            await feedback.active_panels(context.session, user.id),
            user.id,
            panel_id,
            text,
            voice,
            reply=mode == "reply",
        )
    except (NotAllowed, FeedbackError):
        await leave_anonymous_step(context)
        await reply(update, t("Sorry, I could not pass this on. Please tell your coordinator."))
        return
    context.runtime.hold.add_message(held)
    await leave_anonymous_step(context)
    lines = [t("Thank you. We will pass on your message soon, as an anonymous message.")]
    lines.append(t(HELD_NOTE))
    if mode == "reply":
        lines.append(t("When a coordinator replies, I will send it to you here."))
    else:
        lines.append(t("We kept nothing that leads back to you, so nobody can reply."))
    lines += ["", *helpline_lines(t, await feedback_settings.helplines(context.session, panel_id))]
    await reply(update, "\n".join(lines))


async def on_reply_text(update: Update, context: PanelContext) -> None:
    """A coordinator's reply, relayed straight to the member (never through a stored row that
    would link the chat to the message)."""
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None and update.effective_user is not None
    t = context.t
    feedback_id = _id((member.conversation_step or "").removeprefix(REPLYING))
    if _cancelled(message) or feedback_id is None:
        await _stop(context)
        await reply(update, t("OK. Nothing was sent."))
        return
    voice = message.voice.file_id if message.voice else None
    if not (message.text and message.text.strip()) and voice is None:
        await reply(update, t("Please type your message, or send a voice note."))
        return
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    try:
        relay = await feedback.reply(
            context.session,
            actor,
            feedback_id,
            message.text,
            now=context.runtime.clock.now(),
            voice_file_id=voice,
        )
    except (NotAllowed, FeedbackError):
        await context.session.rollback()
        await _stop(context)
        await reply(update, t("Sorry, this reply cannot be sent."))
        return
    await _stop(context)
    them = translator(relay.language or "en", relay.easy_read)
    heading = them(N_("💬 A coordinator replied to your message #{n}:"), n=relay.feedback.number)
    answer_back = (
        them(N_("You can answer back. It stays anonymous."))
        if relay.feedback.member_id is None
        else them(N_("You can answer back."))
    )
    rows = [[button(them(N_("Answer back")), _data("b", relay.feedback.id))]]
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
            parts = [escape(part) for part in feedback.chunks((message.text or "").strip())]
            parts[0] = heading + "\n\n" + parts[0]
            parts[-1] += "\n\n" + answer_back
            for index, text in enumerate(parts):
                last = index == len(parts) - 1
                await context.bot.send_message(
                    relay.chat_id, text, parse_mode="HTML", reply_markup=markup if last else None
                )
    except TelegramError:
        log.warning("A feedback reply could not be delivered")  # never which chat
        await reply(update, t("Sorry, the reply could not be delivered. They may have left."))
        return
    await reply(
        update,
        t("Sent. Your reply went to the person who wrote message #{n}.", n=relay.feedback.number),
    )


async def on_back_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None and update.effective_user is not None
    t = context.t
    feedback_id = _id(anonymous.step(member.telegram_id).removeprefix(BACK))
    if _cancelled(message) or feedback_id is None:
        await leave_anonymous_step(context)
        await reply(update, t("OK. Nothing was sent."))
        return
    voice = message.voice.file_id if message.voice else None
    if not (message.text and message.text.strip()) and voice is None:
        await reply(update, t("Please type your message, or send a voice note."))
        return
    owned = await context.session.get(Feedback, feedback_id)
    if owned is not None and owned.member_id is None:
        try:
            held = await feedback_checks.answer_back(
                context.session, update.effective_user.id, owned, message.text, voice
            )
        except (NotAllowed, FeedbackError):
            await leave_anonymous_step(context)
            await reply(update, t("Sorry, this cannot be sent."))
            return
        context.runtime.hold.add_message(held)
        await leave_anonymous_step(context)
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
            message.text,
            now=context.runtime.clock.now(),
            voice_file_id=voice,
        )
    except (NotAllowed, FeedbackError):
        await context.session.rollback()
        await leave_anonymous_step(context)
        await reply(update, t("Sorry, this cannot be sent."))
        return
    await leave_anonymous_step(context)
    if item.member_id is not None:
        await reply(update, t("Thank you. We passed on your message with your name."))
    else:
        await reply(update, t("Sent. It is still anonymous."))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("feedback", start, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^fb:"),
        MessageHandler(private & TYPED & HeldStep(WRITING), on_writing),
        MessageHandler(private & TYPED & _Step(REPLYING), on_reply_text),
        MessageHandler(private & TYPED & HeldStep(BACK), on_back_text),
    ]
