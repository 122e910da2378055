"""/helplines and /minanswers: a panel's feedback settings. A coordinator of several panels
taps which panel; what they typed waits in a draft meanwhile (help lines do not fit in a
button). Button: "ps:1:<h|m>:<panel id>". The role is checked again in the service on the tap.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import access, drafts, feedback_settings
from bot.services.access import NotAllowed
from bot.services.feedback import FeedbackError
from bot.services.small_numbers import MIN_ANSWERS
from handlers.chat.button_data import read
from handlers.chat.common import (
    answer_expired,
    button,
    remove_buttons,
    reply,
)
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.feedback.button_records import (
    SETTING_BUTTONS,
    SETTINGS,
    HelplinesOfPanel,
    MinAnswersOfPanel,
)
from handlers.feedback.shared import helpline_lines

KIND = "panel_setting"
COMMANDS = {"h": "helplines", "m": "minanswers"}
WHICH_PANEL = N_("Which panel? Tap one.")
HELPLINES_FORMAT = N_("Please write one help line on each line, like this:")
MIN_FORMAT = N_("Please type a number of 3 or more, like /minanswers 5.")
NOT_BELOW = N_("It cannot be below 3. This keeps answers anonymous.")


def _given(text: str | None) -> str:
    """What follows the command, on the same line or on the lines below."""
    first, _, rest = (text or "").partition("\n")
    same_line = first.partition(" ")[2].strip()
    return "\n".join(part for part in (same_line, rest.strip()) if part)


def _check(op: str, given: str) -> bool:
    """Whether the typed value can be used, before anyone is asked which panel."""
    if not given or (op == "h" and given.casefold() == "default"):
        return True
    if op == "m":
        return given.isascii() and given.isdecimal() and MIN_ANSWERS <= int(given[:6]) <= 1000
    try:
        feedback_settings.parse_helplines(given)
    except FeedbackError:
        return False
    return True


async def _bad_input(update: Update, context: PanelContext, op: str) -> None:
    t = context.t
    if op == "h":
        example = "\n/helplines\nSamaritans: 116 123\nNHS 111: 111"
        await reply(update, t(HELPLINES_FORMAT) + example)
    else:
        await reply(update, t(MIN_FORMAT) + "\n" + t(NOT_BELOW))


async def _command(update: Update, context: PanelContext, op: str) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    t = context.t
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    panels = await access.coordinated_panels(context.session, actor)
    if not panels:
        access.refuse(context.session, actor, "/helplines" if op == "h" else "/minanswers")
        await reply(update, t(NO_PANEL_ROLE))
        return
    given = _given(message.text)
    if not _check(op, given):
        await _bad_input(update, context, op)
        return
    if len(panels) == 1:
        await _apply(update, context, actor, op, panels[0][0], given)
        return
    member = context.member
    if member is None:  # an admin who is on no panel: nowhere to keep the typed value
        await reply(update, t(NO_PANEL_ROLE))
        return
    await drafts.discard(context.session, member.id, KIND)
    await drafts.save(
        context.session,
        member.id,
        KIND,
        step=op,
        now=context.runtime.clock.now(),
        given=given,
    )
    await context.session.commit()
    rows = [
        [button(name[:60], SETTING_BUTTONS[op](panel_id).pack())] for panel_id, name in panels[:30]
    ]
    await reply(update, t(WHICH_PANEL), reply_markup=InlineKeyboardMarkup(rows))


async def _apply(
    update: Update,
    context: PanelContext,
    actor: access.Actor,
    op: str,
    panel_id: int,
    given: str,
) -> bool:
    """Change (if something was typed) and show one panel's setting. False if not allowed."""
    t = context.t
    try:
        if op == "h" and given.casefold() == "default":
            await feedback_settings.set_helplines(context.session, actor, panel_id, None)
        elif op == "h" and given:
            parsed = feedback_settings.parse_helplines(given)
            await feedback_settings.set_helplines(context.session, actor, panel_id, parsed)
        elif op == "m" and given:
            await feedback_settings.set_min_answers(context.session, actor, panel_id, int(given))
        lines, min_answers = await feedback_settings.coordinator_settings(
            context.session, actor, panel_id
        )
    except NotAllowed:
        await context.session.rollback()
        return False
    except FeedbackError:
        await context.session.rollback()
        await _bad_input(update, context, op)
        return True
    if op == "h":
        shown = [t("Members see this after they send feedback:"), ""]
        shown += helpline_lines(t, lines)
        shown += ["", t("To change them, type /helplines and then one line for each.")]
        await reply(update, "\n".join(shown))
    else:
        await reply(
            update,
            t("Results of new questions show from {n} answers.", n=min_answers)
            + "\n"
            + t(MIN_FORMAT),
        )
    return True


async def helplines_command(update: Update, context: PanelContext) -> None:
    """/helplines shows the help lines members see; "/helplines" followed by lines like
    "Samaritans: 116 123" sets them; "/helplines default" goes back to the UK ones."""
    await _command(update, context, "h")


async def min_answers_command(update: Update, context: PanelContext) -> None:
    """/minanswers N: how many answers a new question needs before results show (3 or more)."""
    await _command(update, context, "m")


async def on_panel_chosen(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    tapped = read(query.data, HelplinesOfPanel, MinAnswersOfPanel)
    if tapped is None or tapped.panel >= 10**18:
        await answer_expired(query, context)
        return
    op, panel_id = tapped.ACTION, tapped.panel
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
    given = ""
    member = context.member
    if member is not None:
        draft = await drafts.get(context.session, member.id, KIND)
        if draft is not None and draft.step == op:
            given = str((draft.data or {}).get("given") or "")
    if not await _apply(update, context, actor, op, panel_id, given):
        await query.answer(context.t(NO_PANEL_ROLE), show_alert=True)
        return
    if member is not None:
        await drafts.discard(context.session, member.id, KIND)
        await context.session.commit()
    await query.answer()
    await remove_buttons(query, context)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("helplines", helplines_command, filters=private),
        CommandHandler("minanswers", min_answers_command, filters=private),
        CallbackQueryHandler(on_panel_chosen, pattern=rf"^{SETTINGS}:"),
    ]
