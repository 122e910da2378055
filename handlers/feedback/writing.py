"""Writing feedback (/feedback or the menu button): choose how (anonymous or named), which panel
if there are several, then one message, typed or a voice note.

The writing step is held in memory only (bot.services.anonymous), never on the member's row:
"fb:<mode>:<panel>". Anonymous messages wait in memory too, to be written with others."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import feedback, feedback_checks, feedback_settings
from bot.services.access import NotAllowed
from bot.services.feedback import FeedbackError
from handlers import forms
from handlers.chat.common import button, remove_buttons, reply
from handlers.chat.menu_labels import FEEDBACK
from handlers.feedback.button_records import HowToSend, SendToPanel
from handlers.feedback.shared import (
    HELD_NOTE,
    NOTHING_SENT,
    VOICE_KNOWN,
    WORDS_OR_VOICE,
    helpline_lines,
    number,
    stop_only,
    words_or_voice,
)
from handlers.forms import Accepts, Form, Step, Where, register
from handlers.forms.form import Answers

WRITING = "fb:"
MODE_LABELS = {
    "anon": N_("Anonymous. No reply needed"),
    "reply": N_("Anonymous. I'd like a reply"),
    "named": N_("With my name"),
}
NOT_JOINED = N_("To join a panel, open the invite link from your coordinator.")
CANNOT_PASS_ON = N_("Sorry, I could not pass this on. Please tell your coordinator.")
CHOOSING = "how"  # a step of the form's list only: the choice is made on buttons, nothing held


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
    rows = [[button(t(label), HowToSend(mode).pack())] for mode, label in MODE_LABELS.items()]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def choose(update: Update, context: PanelContext, tapped: HowToSend | SendToPanel) -> bool:
    """A tap on how to send or on which panel. False if the button is not valid."""
    assert update.effective_user is not None
    mode = tapped.mode
    panels = await feedback.active_panels(context.session, update.effective_user.id)
    if isinstance(tapped, SendToPanel) and tapped.panel in {p for p, _ in panels}:
        await _close(update, context)
        await _write(update, context, f"{mode}:{tapped.panel}")
    elif isinstance(tapped, HowToSend) and len(panels) == 1:
        await _close(update, context)
        await _write(update, context, f"{mode}:{panels[0][0]}")
    elif isinstance(tapped, HowToSend) and panels:
        await _close(update, context)
        rows = [[button(name[:60], SendToPanel(mode, pid).pack())] for pid, name in panels[:30]]
        await reply(
            update, context.t("Which panel is it for?"), reply_markup=InlineKeyboardMarkup(rows)
        )
    else:
        return False
    return True


async def _close(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)


async def _write(update: Update, context: PanelContext, step: str) -> None:
    await forms.wait(context, FORM, step)
    await _ask(update, context, step, {})


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    if step == CHOOSING:
        await start(update, context)
        return
    t = context.t
    lines = [t("Type your message and send it. Or send a voice note.")]
    if not step.startswith("named:"):
        lines.append(t(VOICE_KNOWN))
    await reply(update, "\n".join(lines), reply_markup=stop_only(t, FORM))


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    t = context.t
    mode, _, panel = step.partition(":")
    panel_id = number(panel)
    if mode not in MODE_LABELS or panel_id is None:
        await forms.discard(context, FORM)
        await reply(update, t("Sorry, I lost track. Tap Give feedback to start again."))
        return
    given = words_or_voice(message)
    if given is None:
        await reply(update, t(WORDS_OR_VOICE), reply_markup=stop_only(t, FORM))
        return
    text, voice = given
    if mode != "named":
        await _hold(update, context, mode, panel_id, text, voice)
        return
    try:
        await feedback.submit(
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
        await forms.discard(context, FORM)
        await reply(update, t(CANNOT_PASS_ON))
        return
    await forms.discard(context, FORM)
    lines = [t("Thank you. We passed on your message with your name.")]
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
        await forms.discard(context, FORM)
        await reply(update, t(CANNOT_PASS_ON))
        return
    context.runtime.hold.add_message(held)
    await forms.discard(context, FORM)
    lines = [t("Thank you. We will pass on your message soon, as an anonymous message.")]
    lines.append(t(HELD_NOTE))
    if mode == "reply":
        lines.append(t("When a coordinator replies, I will send it to you here."))
    else:
        lines.append(t("We kept nothing that leads back to you, so nobody can reply."))
    lines += ["", *helpline_lines(t, await feedback_settings.helplines(context.session, panel_id))]
    await reply(update, "\n".join(lines))


FORM = register(
    Form(
        name="feedback",
        prefix=WRITING,
        stopped=NOTHING_SENT,
        where=Where.HELD,
        # The message's held step is "<mode>:<panel>", e.g. "anon:3" (a step "anon" with the
        # panel after it); "how" is only a choice on buttons (nothing is held until it is made).
        steps=(
            Step(CHOOSING, Accepts.TAP, MODE_LABELS["anon"]),
            Step("anon", Accepts.TEXT, "The lift is broken again."),
        ),
        opened_by=("/feedback", FEEDBACK),
        receive=_receive,
        ask=_ask,
        start=start,
    )
)
