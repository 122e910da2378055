"""Joining a panel from an invite link: `/start <code>`, then the questions table in order, one
question at a time, on the form engine ("joining").

The answers go straight into their columns; the member row says "joining:<step>" while the
form is open and the draft keeps the steps passed, for Back. Someone who leaves half-way (a
menu tap, another command, a restart) types /start to carry on where they were. Stop or
/cancel ends it: they have not joined, and what they answered is not kept.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Role
from bot.i18n import N_, resolve_language
from bot.services import drafts, onboarding, profile, questions
from bot.services.panels import InviteStatus
from bot.services.profile import InvalidAnswer
from bot.services.questions import Kind, Question
from handlers import forms
from handlers.chat.commands import publish_commands_for_person
from handlers.chat.common import answer_expired, remove_buttons, reply
from handlers.chat.menu_labels import menu_keyboard
from handlers.forms import Accepts, Form, Step
from handlers.forms.engine import TRAIL
from handlers.joining import asking
from handlers.joining.asking import DONE, JOINING, KEPT_NAME, OTHER, TELEGRAM_NAME, WHY

INVITE_PROBLEMS = {
    InviteStatus.UNKNOWN: N_(
        "This invite link does not work. Please check it, or ask your coordinator for a new one."
    ),
    InviteStatus.EXPIRED: N_(
        "This invite link is too old. Please ask your coordinator for a new one."
    ),
    InviteStatus.REVOKED: N_(
        "This invite link has been turned off. Please ask your coordinator for a new one."
    ),
    InviteStatus.USED_UP: N_(
        "This invite link has been used too many times. Please ask your coordinator for a new one."
    ),
}
STOPPED = N_(
    "OK. You have not joined the panel. We have not kept your answers. "
    "To join later, open your invite link again."
)
KEPT = N_("You have not finished joining. To carry on, type /start.")


def _example(row: Question) -> str:
    """What the walk test gives to get past a step: typed words, or a button's label."""
    if row.kind is Kind.TEXT:
        return {"name": "Sam", "quiet": "22:00-07:00"}.get(row.step, "Some words")
    if row.kind is Kind.MANY:
        return "Done"
    return row.options[0].label


async def _ask(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    member = context.member
    row = questions.question(step)
    assert member is not None and row is not None
    me = await profile.get_member(context.session, member.telegram_id)
    panel, coordinator = "", False
    joining = await onboarding.joining_panel(context.session, me)
    if joining:
        panel, coordinator = joining[0].name, joining[1].role != Role.MEMBER
    last = forms.back_and_stop(context.t, FORM, answers)
    await asking.ask(
        update, context.t, row, JOINING, me, last, panel=panel, coordinator=coordinator
    )


async def _stop_joining(context: PanelContext) -> None:
    member = context.member
    if member is not None:
        await onboarding.stop_joining(context.session, member.telegram_id)
        await context.session.commit()
        await context.reload_member(member.telegram_id)


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    message, member = update.effective_message, context.member
    row = questions.question(step)
    if message is None or member is None or row is None:
        return
    if not await _invite_still_works(update, context, member.telegram_id):
        return
    if not await asking.take_typed(update, context, row):
        if row.typed is None:
            await _ask(update, context, step, await _answers(context))
        return
    await _next(update, context, row)


FORM = forms.register(
    Form(
        name=onboarding.JOINING,
        prefix=onboarding.PREFIX,
        stopped=STOPPED,
        draft=True,
        steps=tuple(
            Step(q.step, Accepts.TEXT if q.kind is Kind.TEXT else Accepts.TAP, _example(q))
            for q in questions.walk()
        ),
        opened_by=("/start",),
        receive=_receive,
        ask=_ask,
        kept=KEPT,
        after_stop=_stop_joining,
    )
)


async def _answers(context: PanelContext) -> dict[str, Any]:
    assert context.member is not None
    draft = await drafts.get(context.session, context.member.id, onboarding.JOINING)
    return dict(draft.data or {}) if draft else {}


async def start_with_code(update: Update, context: PanelContext) -> None:
    user = update.effective_user
    assert user is not None and context.args
    language = resolve_language(None, user.language_code, None)
    result = await onboarding.begin(
        context.session,
        user.id,
        context.args[0],
        now=context.runtime.clock.now(),
        language=context.scope.language or language,
    )
    await context.session.commit()
    if result.status != InviteStatus.OK:
        await reply(update, context.t(INVITE_PROBLEMS[result.status]))
        return
    await context.reload_member(user.id)
    panel = escape(result.panel_name or "")
    if result.already_member:
        text = context.t("You are already in {panel}.", panel=panel)
        await reply(update, text, reply_markup=menu_keyboard(context.t))
        await publish_commands_for_person(context)
        return
    if result.joined:
        text = context.t("Welcome to {panel}! You are now a member.", panel=panel)
        await reply(update, text, reply_markup=menu_keyboard(context.t))
        await publish_commands_for_person(context)
        return
    assert result.step is not None
    await forms.go(update, context, FORM, result.step)


async def resume(update: Update, context: PanelContext) -> None:
    """/start half-way through joining: ask their current question again."""
    member = context.member
    assert member is not None
    if not await _invite_still_works(update, context, member.telegram_id):
        return
    draft = await drafts.get(context.session, member.id, onboarding.JOINING)
    step = draft.step if draft else questions.walk()[0].step
    await reply(update, context.t("Welcome back. Let us carry on where you left off."))
    await forms.go(update, context, FORM, step, remember=False)


async def _invite_still_works(update: Update, context: PanelContext, user_id: int) -> bool:
    """Asked before every joining step: an invite revoked or expired since the person opened it
    stops their joining here, with the same plain words as opening such a link."""
    try:
        await onboarding.check_joining(context.session, user_id, now=context.runtime.clock.now())
    except onboarding.InviteNoLongerValid as stopped:
        await context.session.commit()
        await context.reload_member(user_id)
        if update.callback_query is not None:
            await update.callback_query.answer()
        await reply(update, context.t(INVITE_PROBLEMS[stopped.status]))
        return False
    return True


async def on_tap(update: Update, context: PanelContext, row: Question, value: str) -> None:
    """A tap on a joining question's button ("ob:1:j:<step>:<value>")."""
    query = update.callback_query
    member = context.member
    assert query is not None and query.from_user is not None
    opened = forms.open_form(member)
    if member is None or opened is None or opened.form is not FORM:
        await answer_expired(query, context)
        return
    if not await _invite_still_works(update, context, member.telegram_id):
        return
    current = questions.question(opened.step)
    if row.step != opened.step and not (current and current.side_of == row.step):
        # An older question's button: ask the one they are really at.
        await query.answer()
        await _ask(update, context, opened.step, await _answers(context))
        return
    if value == WHY and row.why:
        await query.answer()
        await reply(update, context.t(row.why))
        return
    try:
        if await _answer(update, context, row, value):
            return
    except InvalidAnswer:
        await answer_expired(query, context)
        return
    await query.answer()
    await remove_buttons(query, context)
    await _next(update, context, row)


async def _answer(update: Update, context: PanelContext, row: Question, value: str) -> bool:
    """Store a tapped answer. True when the tap was handled here and the question stays."""
    query = update.callback_query
    assert query is not None and query.from_user is not None and context.member is not None
    session, user_id, t = context.session, query.from_user.id, context.t
    if row.step == "consent":
        return await _consent(update, context, value)
    if row.kind is Kind.READ:
        if value not in {o.value for o in row.options}:
            raise InvalidAnswer(row.step)
    elif row.kind is Kind.MANY and value == OTHER and row.side:
        await query.answer()
        await remove_buttons(query, context)
        await forms.go(update, context, FORM, row.side)
        return True
    elif row.kind is Kind.MANY and value != DONE:
        assert row.tapped is not None
        me = await row.tapped(session, user_id, value)
        await session.commit()
        await query.answer()
        rows = asking.choose_many(t, row, JOINING, me)
        last = forms.back_and_stop(t, FORM, await _answers(context))
        await query.edit_message_reply_markup(InlineKeyboardMarkup([*rows, last]))
        return True
    elif row.offer_name and value in (TELEGRAM_NAME, KEPT_NAME):
        me = await profile.get_member(session, user_id)
        name = me.display_name if value == KEPT_NAME else query.from_user.first_name
        assert row.typed is not None
        await row.typed(session, user_id, name or "")
    elif row.kind is not Kind.MANY:
        if row.tapped is None:
            raise InvalidAnswer(row.step)
        await row.tapped(session, user_id, value)
        if row.step == "language":
            context.scope.language = value
    return False


async def _consent(update: Update, context: PanelContext, value: str) -> bool:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    session, user_id, now, t = (
        context.session,
        query.from_user.id,
        context.runtime.clock.now(),
        context.t,
    )
    if value == "more":
        await query.answer()
        row = questions.question("consent")
        assert row is not None
        rows = asking.buttons(t, row, JOINING, await profile.get_member(session, user_id))
        last = forms.back_and_stop(t, FORM, await _answers(context))
        await reply(
            update, asking.consent_details(t), reply_markup=InlineKeyboardMarkup([*rows, last])
        )
        return True
    if value == "no":
        await onboarding.refuse_consent(session, user_id, now=now)
        await session.commit()
        await context.reload_member(user_id)
        await query.answer()
        await remove_buttons(query, context)
        lines = [
            t("That is OK. We have not kept your details."),
            t("We only remember that you said no, so we do not ask again."),
            t("If you change your mind, open your invite link again."),
        ]
        await reply(update, "\n\n".join(lines))
        return True
    if value != "yes":
        raise InvalidAnswer("consent")
    await onboarding.give_consent(session, user_id, now=now)
    return False


async def _next(update: Update, context: PanelContext, row: Question) -> None:
    """After an answer: the next question, back from a side step, or the end of joining."""
    member = context.member
    assert member is not None
    await context.refresh_member(member.telegram_id)  # easy read may have changed
    step = questions.after(row.step)
    if row.side_of is not None and step is not None:
        await _leave_side_step(context, member.id, step)
        await forms.go(update, context, FORM, step, remember=False)
        return
    if step is not None:
        await forms.go(update, context, FORM, step)
        return
    await _finish(update, context, member.telegram_id)


async def _leave_side_step(context: PanelContext, member_id: int, main: str) -> None:
    """Back from a side step to its question: the trail forgets the side trip, so Back from
    there goes to the question before it."""
    draft = await drafts.get(context.session, member_id, onboarding.JOINING)
    if draft is None:
        return
    trail = list((draft.data or {}).get(TRAIL) or [])
    if trail and trail[-1] == main:
        trail.pop()
        now = context.runtime.clock.now()
        changes = {TRAIL: trail}
        await drafts.save(
            context.session, member_id, onboarding.JOINING, step=draft.step, now=now, **changes
        )


async def _finish(update: Update, context: PanelContext, user_id: int) -> None:
    session, now = context.session, context.runtime.clock.now()
    try:
        panel = await onboarding.finish(session, user_id, now=now)
    except onboarding.InviteNoLongerValid as stopped:
        await session.commit()
        await context.reload_member(user_id)
        await reply(update, context.t(INVITE_PROBLEMS[stopped.status]))
        return
    await session.commit()
    member = await context.reload_member(user_id)
    t = context.t
    name = escape(member.display_name or "") if member else ""
    coordinator = bool(member and member.roles & {Role.COORDINATOR, Role.ADMIN})
    panel_name = escape(panel.name if panel else "")
    lines = [t("All done, {name}!", name=name)]
    if coordinator:
        lines.append(t("You are now a coordinator of {panel}.", panel=panel_name))
        lines.append(
            t("Type /members to see who is in your panel. Type /invite for a new invite link.")
        )
    else:
        lines.append(t("You are now a member of {panel}.", panel=panel_name))
    lines.append(t("Here is your menu. Tap a button."))
    lines.append(t("You can change your answers at any time in Settings."))
    await reply(update, "\n\n".join(lines), reply_markup=menu_keyboard(t))
    await asking.payment_notice(update, context, user_id)  # "Not sure" about payment
    await publish_commands_for_person(context)  # a coordinator's list has their commands


class _Joining(filters.MessageFilter):
    """This person opened an invite link and has not finished joining."""

    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and member.joining)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start_with_code, has_args=True),
        CommandHandler("start", resume, filters=private & _Joining(), has_args=False),
    ]
