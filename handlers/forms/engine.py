"""The engine's moves: go to a step, go back, stop, keep a form for later and offer it back."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html import escape
from typing import Annotated, Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.i18n import N_, Translator
from bot.services import anonymous, drafts, profile
from bot.services.members import MemberView
from handlers.chat.button_data import ButtonData, Longest, button_data
from handlers.chat.common import (
    EXPIRED_BUTTON,
    answer_expired,
    button,
    remove_buttons,
    reply,
)
from handlers.chat.menu_labels import keyboard_for
from handlers.forms.form import Answers, Form, OpenForm, Where, by_name, open_form

FEATURE, VERSION = "fm", 1
TRAIL = "_back"  # in the draft: the steps before this one, newest last (Back pops it)

BACK = N_("Back")
STOP = N_("Stop")
YES_STOP = N_("Yes, stop")
NO_CARRY_ON = N_("No, carry on")
CARRY_ON = N_("Carry on")
START_AGAIN = N_("Start again")
NOTHING_TO_STOP = N_("There is nothing to stop. Here is your menu.")


@button_data(FEATURE, VERSION, "go")
@dataclass(frozen=True)
class FormMove(ButtonData):
    """Back, Stop, Yes stop, No carry on (stay), Carry on (on), Start again (new)."""

    move: Annotated[str, Longest(4)]
    form: Annotated[str, Longest(24)]


MOVES = frozenset({"back", "stop", "sure", "stay", "on", "new"})


def _data(move: str, form: Form) -> str:
    return FormMove(move, form.name).pack()


def stop_buttons(t: Translator, form: Form) -> list[InlineKeyboardButton]:
    """The row under a form's first question: only Stop."""
    return [button(t(STOP), _data("stop", form))]


def back_and_stop(t: Translator, form: Form, answers: Answers) -> list[InlineKeyboardButton]:
    """The row under every question: Back when there is a step before this one, and Stop."""
    row = [button(t(BACK), _data("back", form))] if answers.get(TRAIL) else []
    return row + stop_buttons(t, form)


def _menu(t: Translator, member: MemberView | None) -> ReplyKeyboardMarkup | None:
    """The menu comes back for people in a panel; someone who has not joined has none."""
    in_a_panel = member is not None and (member.roles or member.is_admin)
    return keyboard_for(t, member) if in_a_panel else None


def _forget_view_step(context: PanelContext) -> None:
    """This update's view of the person says no form is open any more (filters read it)."""
    view = context.scope.member
    if view is not None and view.conversation_step is not None:
        context.scope.member = dataclasses.replace(view, conversation_step=None)


async def _set_member_step(context: PanelContext, form: Form, step: str | None) -> None:
    member = context.member
    assert member is not None
    await profile.set_step(
        context.session, member.telegram_id, form.prefix + step if step is not None else None
    )
    view = context.scope.member
    if view is not None:
        marker = form.prefix + step if step is not None else None
        context.scope.member = dataclasses.replace(view, conversation_step=marker)


async def go(
    update: Update,
    context: PanelContext,
    form: Form,
    step: str,
    *,
    remember: bool = True,
    **changes: Any,
) -> Answers:
    """Save the answers, move to `step`, commit, then ask its question. The step left is
    remembered for Back unless `remember` is False (a step that loops on itself, or a summary
    reached from an edit)."""
    member = context.member
    assert member is not None
    draft = await drafts.get(context.session, member.id, form.name)
    trail = list((draft.data if draft else {}).get(TRAIL) or [])
    if remember and draft is not None and draft.step != step:
        trail.append(draft.step)
    return await _move(update, context, form, step, trail, changes)


async def _back(update: Update, context: PanelContext, form: Form) -> None:
    member = context.member
    assert member is not None
    draft = await drafts.get(context.session, member.id, form.name)
    trail = list((draft.data if draft else {}).get(TRAIL) or [])
    if draft is None or not trail:
        await reply(update, context.t(EXPIRED_BUTTON))
        return
    await _move(update, context, form, trail.pop(), trail, {})


async def _move(
    update: Update,
    context: PanelContext,
    form: Form,
    step: str,
    trail: list[str],
    changes: dict[str, Any],
) -> Answers:
    """Save the draft at `step` with its trail, mark the form open there, commit, ask."""
    member = context.member
    assert member is not None and form.ask is not None
    saved = await drafts.save(
        context.session,
        member.id,
        form.name,
        step=step,
        now=context.runtime.clock.now(),
        **changes,
        **{TRAIL: trail},
    )
    await _set_member_step(context, form, step)
    await context.session.commit()
    answers = dict(saved.data or {})
    await form.ask(update, context, step, answers)
    return answers


async def discard(context: PanelContext, form: Form) -> None:
    """End the form: its draft goes, its step is cleared, then its own clean-up runs."""
    member = context.member
    assert member is not None
    if form.draft:
        await drafts.discard(context.session, member.id, form.name)
    if form.where is Where.HELD:
        anonymous.clear_step(member.telegram_id)
    else:
        await _set_member_step(context, form, None)
    await context.session.commit()
    if form.after_stop is not None:
        await form.after_stop(context)


async def wait(context: PanelContext, form: Form, step: str) -> None:
    """A one-step form (no draft) waits for the person's next message, which reaches its
    `receive`. Any other form left open is left (its draft kept), so the words go here only.
    A held form's step is kept in memory, never on the person's row (bot.services.anonymous):
    the row is written only to clear another form's step, which says nothing about this one."""
    member = context.member
    assert member is not None and not form.draft
    if form.where is Where.HELD:
        if member.conversation_step:
            await profile.set_step(context.session, member.telegram_id, None)
            await context.session.commit()
            _forget_view_step(context)
        anonymous.set_step(member.telegram_id, form.prefix + step)
        return
    anonymous.clear_step(member.telegram_id)
    await _set_member_step(context, form, step)
    await context.session.commit()


async def _answers(context: PanelContext, form: Form) -> Answers:
    member = context.member
    if member is None or not form.draft:
        return {}
    draft = await drafts.get(context.session, member.id, form.name)
    return dict(draft.data or {}) if draft else {}


async def stop(update: Update, context: PanelContext, opened: OpenForm | None) -> None:
    """/cancel or Stop. Asks first where stopping would throw away what the person made."""
    t = context.t
    if opened is None:
        await reply(update, t(NOTHING_TO_STOP), reply_markup=_menu(t, context.member))
        return
    form = opened.form
    if form.really_stop and form.worth_keeping(await _answers(context, form)):
        keyboard = InlineKeyboardMarkup(
            [
                [
                    button(t(YES_STOP), _data("sure", form)),
                    button(t(NO_CARRY_ON), _data("stay", form)),
                ]
            ]
        )
        await reply(update, t(form.really_stop), reply_markup=keyboard)
        return
    await _stopped(update, context, form)


async def _stopped(update: Update, context: PanelContext, form: Form) -> None:
    await discard(context, form)
    t = context.t
    await reply(update, t(form.stopped), reply_markup=_menu(t, context.member))


async def pause(
    update: Update, context: PanelContext, opened: OpenForm, *, quietly: bool = False
) -> None:
    """A menu tap or a command mid-form: leave the form, keeping its draft for later."""
    member = context.member
    assert member is not None
    form = opened.form
    if form.where is Where.HELD:
        anonymous.clear_step(member.telegram_id)
        return
    await _set_member_step(context, form, None)
    await context.session.commit()
    if form.draft and form.kept and not quietly:
        await reply(update, context.t(form.kept))


async def carry_on_offered(
    update: Update, context: PanelContext, form: Form, *, start_again: str | None = None
) -> bool:
    """When a person opens a form they left half-done: "Carry on?" with the draft kept.
    True if it was offered (the caller then waits for the answer). `start_again` is the data of
    a feature's own "Start again" button, for a form opened with something already chosen (a
    claim for one meeting); by default the form's `start` begins afresh."""
    member = context.member
    if member is None or not form.draft or form.carry_on is None:
        return False
    draft = await drafts.get(context.session, member.id, form.name)
    if draft is None:
        return False
    t = context.t
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(t(CARRY_ON), _data("on", form)),
                button(t(START_AGAIN), start_again or _data("new", form)),
            ]
        ]
    )
    text = t(form.carry_on)
    made = form.reminder(dict(draft.data or {})) if form.reminder else None
    if made:
        text += "\n" + t.quote(escape(made))
    await reply(update, text, reply_markup=keyboard)
    return True


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = FormMove.unpack(query.data)
    form = by_name(tapped.form) if tapped else None
    if tapped is None or form is None or context.member is None:
        await answer_expired(query, context)
        return
    action = tapped.move
    opened = open_form(context.member)
    here = opened is not None and opened.form is form
    draft = await drafts.get(context.session, context.member.id, form.name) if form.draft else None
    if action in ("back", "stop", "sure", "stay") and not here:
        await answer_expired(query, context)
        return
    if (
        (action in ("on", "new") and draft is None)
        or (action in ("back", "stay", "on") and form.ask is None)
        or (action == "new" and form.start is None)
        or action not in MOVES
    ):
        await answer_expired(query, context)
        return
    await query.answer()
    await remove_buttons(query, context)
    if action == "back":
        await _back(update, context, form)
    elif action == "stop":
        await stop(update, context, opened)
    elif action == "sure":
        await _stopped(update, context, form)
    elif action == "stay" and opened is not None and form.ask is not None:
        await form.ask(update, context, opened.step, await _answers(context, form))
    elif action == "on" and draft is not None and form.ask is not None:
        if opened is not None and opened.form is not form:
            await pause(update, context, opened)
        await _set_member_step(context, form, draft.step)
        await context.session.commit()
        await form.ask(update, context, draft.step, dict(draft.data or {}))
    elif action == "new" and form.start is not None:
        await discard(context, form)
        await form.start(update, context)


class _FormWaiting(filters.MessageFilter):
    """A form that takes its messages from the engine is open for this person."""

    def filter(self, message: Message) -> bool:
        opened = open_form(current_member())
        return opened is not None and opened.form.receive is not None


async def _receive(update: Update, context: PanelContext) -> None:
    opened = open_form(context.member)
    if opened is not None and opened.form.receive is not None:
        await opened.form.receive(update, context, opened.step)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Registered before every feature: the open form gets its messages whatever the order of
    the features' own handlers (commands and menu taps never reach here: rules.py)."""
    waiting = filters.ChatType.PRIVATE & ~filters.COMMAND & _FormWaiting()
    return [
        CallbackQueryHandler(on_button, pattern=rf"^{FEATURE}:"),
        MessageHandler(waiting, _receive),
    ]
