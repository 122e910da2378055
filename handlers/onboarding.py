"""Joining a panel from an invite link: `/start <code>`, then one question at a time.

The step lives on the member row, so someone who leaves half-way picks up where they were.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Role
from bot.i18n import N_, resolve_language
from bot.languages import LAUNCH_LANGUAGES
from bot.services import onboarding, profile
from bot.services.onboarding import Step
from bot.services.panels import InviteStatus
from bot.services.profile import InvalidAnswer
from handlers import steps
from handlers.chat.menu_labels import menu_keyboard
from handlers.common import answer_expired, parse_callback, remove_buttons, reply

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


def _joining_step(value: str | None) -> Step | None:
    try:
        return Step(value) if value else None
    except ValueError:
        return None


class _AwaitingText(filters.MessageFilter):
    """True while the person is at a step that waits for typed words."""

    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and _joining_step(member.conversation_step) in onboarding.TEXT_STEPS)


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
    member = await context.reload_member(user.id)
    panel = escape(result.panel_name or "")
    if result.already_member:
        await reply(
            update,
            context.t("You are already in {panel}.", panel=panel),
            reply_markup=menu_keyboard(context.t),
        )
        return
    if result.joined:
        await reply(
            update,
            context.t("Welcome to {panel}! You are now a member.", panel=panel),
            reply_markup=menu_keyboard(context.t),
        )
        return
    assert member is not None
    await steps.ask(update, context, Step.LANGUAGE, steps.JOINING)


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


async def resume(update: Update, context: PanelContext) -> bool:
    """If the person is half-way through joining, ask their current question again."""
    member = context.member
    step = _joining_step(member.conversation_step if member else None)
    if step is None or member is None:
        return False
    if not await _invite_still_works(update, context, member.telegram_id):
        return True
    await reply(update, context.t("Welcome back. Let us carry on where you left off."))
    await _ask(update, context, step)
    return True


async def _ask(update: Update, context: PanelContext, step: Step) -> None:
    member = context.member
    assert member is not None
    panel_name, coordinator = "", False
    me = await profile.get_member(context.session, member.telegram_id)
    joining = await onboarding.joining_panel(context.session, me)
    if joining:
        panel_name, coordinator = joining[0].name, joining[1].role != Role.MEMBER
    await steps.ask(
        update,
        context,
        step,
        steps.JOINING,
        panel_name=panel_name,
        coordinator=coordinator,
        access_needs=list(me.access_needs or []),
    )


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    args = parse_callback(query.data, steps.FEATURE, steps.VERSION)
    if not args or len(args) != 3 or _joining_step(args[1]) is None:
        await answer_expired(query, context)
        return
    mode, step, value = args[0], Step(args[1]), args[2]
    if mode == steps.SETTINGS:
        from handlers import preferences

        await preferences.on_setting_button(update, context, step, value)
        return
    member = context.member
    current = _joining_step(member.conversation_step if member else None)
    if current is None:
        await answer_expired(query, context)
        return
    if not await _invite_still_works(update, context, query.from_user.id):
        return
    if step != current and not (step == Step.ACCESS and current == Step.ACCESS_OTHER):
        # An older question's button: ask the one they are really at.
        await query.answer()
        await _ask(update, context, current)
        return
    if value == "why" and step in steps.WHY:
        await query.answer()
        await reply(update, context.t(steps.WHY[step]))
        return
    await _answer(update, context, step, value)


async def _answer(update: Update, context: PanelContext, step: Step, value: str) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    user_id, session, now = query.from_user.id, context.session, context.runtime.clock.now()
    next_step: Step | None
    try:
        if step == Step.LANGUAGE:
            if value not in LAUNCH_LANGUAGES:
                raise InvalidAnswer("language")
            me = await profile.get_member(session, user_id)
            me.language = value
            context.scope.language = value
            next_step = Step.ABOUT
        elif step == Step.ABOUT:
            next_step = Step.CONSENT
        elif step == Step.CONSENT:
            if value == "more":
                await query.answer()
                await reply(
                    update,
                    steps.consent_details(context.t),
                    reply_markup=InlineKeyboardMarkup(steps.consent_buttons(context.t, "j")),
                )
                return
            if value == "no":
                await onboarding.refuse_consent(session, user_id, now=now)
                await session.commit()
                await query.answer()
                await remove_buttons(query, context)
                await reply(
                    update,
                    "\n\n".join(
                        [
                            context.t("That is OK. We have not kept your details."),
                            context.t("We only remember that you said no, so we do not ask again."),
                            context.t("If you change your mind, open your invite link again."),
                        ]
                    ),
                )
                return
            if value != "yes":
                raise InvalidAnswer("consent")
            await onboarding.give_consent(session, user_id, now=now)
            next_step = Step.NAME
        elif step == Step.NAME:
            if value != "tg":
                raise InvalidAnswer("name")
            await profile.set_name(session, user_id, query.from_user.first_name)
            next_step = Step.EASY_READ
        elif step == Step.EASY_READ:
            if value not in ("yes", "no"):
                raise InvalidAnswer("easy_read")
            await profile.set_easy_read(session, user_id, value == "yes")
            next_step = Step.REMINDERS
        elif step == Step.REMINDERS:
            await profile.set_reminders(session, user_id, value)
            next_step = Step.QUIET
        elif step == Step.QUIET:
            if value != "none" and value not in steps.QUIET_PRESETS:
                raise InvalidAnswer("quiet")
            await profile.set_quiet_hours(session, user_id, steps.QUIET_PRESETS.get(value))
            next_step = Step.ACCESS
        elif step == Step.ACCESS:
            if value == "done":
                next_step = Step.PAYMENT
            elif value == "other":
                next_step = Step.ACCESS_OTHER
            else:
                me = await profile.toggle_access_need(session, user_id, value)
                await session.commit()
                await query.answer()
                markup = InlineKeyboardMarkup(steps.access_rows(context.t, "j", me.access_needs))
                await query.edit_message_reply_markup(markup)
                return
        else:  # PAYMENT
            await profile.set_payment(session, user_id, value)
            next_step = None
    except InvalidAnswer:
        await answer_expired(query, context)
        return
    await query.answer()
    await remove_buttons(query, context)
    await _go_to(update, context, user_id, next_step)


async def _go_to(update: Update, context: PanelContext, user_id: int, step: Step | None) -> None:
    session, now = context.session, context.runtime.clock.now()
    if step is None:
        try:
            panel = await onboarding.finish(session, user_id, now=now)
        except onboarding.InviteNoLongerValid as stopped:
            await session.commit()
            await context.reload_member(user_id)
            await reply(update, context.t(INVITE_PROBLEMS[stopped.status]))
            return
        await session.commit()
        member = await context.reload_member(user_id)
        await _welcome(update, context, panel.name if panel else "", member)
        return
    await onboarding.move_to(session, user_id, step)
    await session.commit()
    await context.reload_member(user_id)
    await _ask(update, context, step)


async def _welcome(update: Update, context: PanelContext, panel_name: str, member: Any) -> None:
    t = context.t
    name = escape(member.display_name or "") if member else ""
    coordinator = bool(member and member.roles & {Role.COORDINATOR, Role.ADMIN})
    lines = [t("All done, {name}!", name=name)]
    if coordinator:
        lines.append(t("You are now a coordinator of {panel}.", panel=escape(panel_name)))
        lines.append(
            t("Type /members to see who is in your panel. Type /invite for a new invite link.")
        )
    else:
        lines.append(t("You are now a member of {panel}.", panel=escape(panel_name)))
    lines.append(t("Here is your menu. Tap a button."))
    lines.append(t("You can change your answers at any time in Settings."))
    await reply(update, "\n\n".join(lines), reply_markup=menu_keyboard(t))


async def on_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    user = update.effective_user
    member = context.member
    assert message is not None and user is not None and member is not None
    step = _joining_step(member.conversation_step)
    assert step is not None
    if not await _invite_still_works(update, context, user.id):
        return
    session = context.session
    try:
        if step == Step.NAME:
            await profile.set_name(session, user.id, message.text or "")
            next_step = Step.EASY_READ
        elif step == Step.QUIET:
            await profile.set_quiet_hours(
                session, user.id, profile.parse_quiet_hours(message.text or "")
            )
            next_step = Step.ACCESS
        else:
            await profile.set_access_other(session, user.id, message.text or "")
            next_step = Step.ACCESS
    except InvalidAnswer:
        await reply(update, context.t(TEXT_PROBLEMS[step]))
        return
    await _go_to(update, context, user.id, next_step)


TEXT_PROBLEMS = {
    Step.NAME: N_("Please type a name with letters in it. It can be up to 40 characters."),
    Step.QUIET: N_("Please type two times with a dash, like 22:00-07:00. Or tap a button."),
    Step.ACCESS_OTHER: N_("Please type what you need in words. It can be up to 500 characters."),
}


async def not_text(update: Update, context: PanelContext) -> None:
    """A photo, sticker or file where the question wanted words: say so, ask again."""
    await reply(update, context.t("Please type your answer in words. Or tap a button."))


async def text_at_button_step(update: Update, context: PanelContext) -> None:
    await reply(update, context.t("Please tap one of the buttons."))
    member = context.member
    step = _joining_step(member.conversation_step if member else None)
    if step:
        await _ask(update, context, step)


class _AtButtonStep(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        step = _joining_step(member.conversation_step if member else None)
        return step is not None and step not in onboarding.TEXT_STEPS


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start_with_code, has_args=True),
        CallbackQueryHandler(on_button, pattern=r"^ob:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & _AwaitingText(), on_text),
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & _AwaitingText(), not_text),
        MessageHandler(private & ~filters.COMMAND & _AtButtonStep(), text_at_button_step),
    ]
