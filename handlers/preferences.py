"""/settings: see and change every onboarding answer, at any time."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.i18n import N_
from bot.languages import LANGUAGE_NAMES
from bot.services import meetings, profile
from bot.services.onboarding import Step
from bot.services.profile import InvalidAnswer, format_quiet_hours
from handlers import steps
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.forms import Form, register

# conversation_step while a setting waits for typed text, e.g. "settings:name".
PREFIX = "settings:"
FORM = register(Form(name="settings", prefix=PREFIX, stopped=N_("OK. Nothing has changed.")))
TEXT_SETTINGS = {Step.NAME, Step.QUIET, Step.ACCESS_OTHER}
ITEMS = {
    "name": (Step.NAME, N_("Change my name")),
    "easy": (Step.EASY_READ, N_("Easy read on or off")),
    "reminders": (Step.REMINDERS, N_("Reminders")),
    "quiet": (Step.QUIET, N_("Quiet hours")),
    "access": (Step.ACCESS, N_("Access needs")),
    "payment": (Step.PAYMENT, N_("How I am paid")),
}


def _is_member(context: PanelContext) -> bool:
    member = context.member
    return member is not None and member.consent == "given"


async def show_settings(update: Update, context: PanelContext, *, saved: bool = False) -> None:
    """The person's settings with a button for each; after a change, "Saved." heads the same
    message, so one message confirms the change and shows where things stand."""
    t = context.t
    if not _is_member(context):
        await reply(update, t("To join a panel, open the invite link from your coordinator."))
        return
    assert context.member is not None
    me = await profile.get_member(context.session, context.member.telegram_id)
    needs = [t(steps.ACCESS_LABELS[n]) for n in me.access_needs or []]
    if me.access_other:
        needs.append(escape(me.access_other))
    none = t("None")
    lines = [
        *([t("Saved."), ""] if saved else []),
        t("Your settings:"),
        "",
        t("Name: {name}", name=escape(me.display_name or "")),
        t("Language: {language}", language=LANGUAGE_NAMES.get(me.language or "en", "English")),
        t("Easy read: {answer}", answer=t("On") if me.easy_read else t("Off")),
        t("Reminders: {answer}", answer=t(steps.REMINDER_LABELS[str(me.reminders)])),
        t("News from coordinators: {answer}", answer=t("Off") if me.broadcasts_muted else t("On")),
        t("Quiet hours: {answer}", answer=format_quiet_hours(me.quiet_start, me.quiet_end) or none),
        t("Access needs: {answer}", answer=", ".join(needs) or none),
        t(
            "Payment: {answer}",
            answer=t(steps.PAYMENT_LABELS[str(me.payment)]) if me.payment else t("Not chosen yet"),
        ),
        "",
        t("Tap what you want to change."),
        t("To see all your data, type /mydata. To delete it, type /forgetme."),
    ]
    rows = [[button(t(label), callback_data("set", 1, key))] for key, (_, label) in ITEMS.items()]
    rows.insert(1, [button(t("Change the language"), callback_data("set", 1, "language"))])
    news = t("Turn news on") if me.broadcasts_muted else t("Turn news off")
    rows.append([button(news, callback_data("set", 1, "news"))])
    rows.append([button(t("Leave a panel"), callback_data("set", 1, "leave"))])
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def on_item(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, "set", 1)
    if not args or not _is_member(context):
        await answer_expired(query, context)
        return
    await query.answer()
    key = args[0]
    if key == "language":
        from handlers.language import ask_language

        await ask_language(update, context)
    elif key == "news":
        # Coordinators' news can be muted; important messages still come.
        me = await profile.get_member(context.session, context.member.telegram_id)  # type: ignore[union-attr]
        me.broadcasts_muted = not me.broadcasts_muted
        await context.session.commit()
        await remove_buttons(query, context)
        await show_settings(update, context, saved=True)
    elif key == "leave":
        from handlers import privacy

        await privacy.ask_which_panel_to_leave(update, context)
    elif key in ITEMS:
        step = ITEMS[key][0]
        assert context.member is not None
        me = await profile.get_member(context.session, context.member.telegram_id)
        if step in TEXT_SETTINGS:
            me.conversation_step = PREFIX + step.value
            await context.session.commit()
        await steps.ask(update, context, step, steps.SETTINGS, access_needs=list(me.access_needs))
    else:
        await answer_expired(query, context)


async def on_setting_button(update: Update, context: PanelContext, step: Step, value: str) -> None:
    """A tap on a question asked from /settings (callback mode "s")."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    if not _is_member(context):
        await answer_expired(query, context)
        return
    if value == "why" and step in steps.WHY:
        await query.answer()
        await reply(update, context.t(steps.WHY[step]))
        return
    user_id, session = query.from_user.id, context.session
    try:
        if step == Step.NAME and value == "tg":
            await profile.set_name(session, user_id, query.from_user.first_name)
        elif step == Step.EASY_READ and value in ("yes", "no"):
            await profile.set_easy_read(session, user_id, value == "yes")
        elif step == Step.REMINDERS:
            await profile.set_reminders(session, user_id, value)
        elif step == Step.QUIET and (value == "none" or value in steps.QUIET_PRESETS):
            await profile.set_quiet_hours(session, user_id, steps.QUIET_PRESETS.get(value))
        elif step == Step.ACCESS and value == "other":
            await profile.set_step(session, user_id, PREFIX + Step.ACCESS_OTHER.value)
            await session.commit()
            await query.answer()
            await steps.ask(update, context, Step.ACCESS_OTHER, steps.SETTINGS)
            return
        elif step == Step.ACCESS and value != "done":
            me = await profile.toggle_access_need(session, user_id, value)
            await session.commit()
            await query.answer()
            rows = steps.access_rows(context.t, steps.SETTINGS, me.access_needs)
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
            return
        elif step == Step.PAYMENT:
            await profile.set_payment(session, user_id, value)
        elif not (step == Step.ACCESS and value == "done"):
            raise InvalidAnswer(step.value)
    except InvalidAnswer:
        await answer_expired(query, context)
        return
    await _saved(update, context, user_id)


async def _saved(
    update: Update, context: PanelContext, user_id: int, *, reminders_may_change: bool = True
) -> None:
    await profile.set_step(context.session, user_id, None)
    if reminders_may_change:  # reminder choice or quiet hours: upcoming reminders follow
        me = await profile.get_member(context.session, user_id)
        await meetings.refresh_member(context.session, me, now=context.runtime.clock.now())
    await context.session.commit()
    await context.refresh_member(user_id)
    if update.callback_query:
        await update.callback_query.answer()
        await remove_buttons(update.callback_query, context)
    await show_settings(update, context, saved=True)


def _setting_step(value: str | None) -> Step | None:
    if not value or not value.startswith(PREFIX):
        return None
    try:
        return Step(value.removeprefix(PREFIX))
    except ValueError:
        return None


class _AwaitingSettingText(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and _setting_step(member.conversation_step))


async def on_text(update: Update, context: PanelContext) -> None:
    from handlers.onboarding import TEXT_PROBLEMS

    message, member = update.effective_message, context.member
    assert message is not None and member is not None
    step = _setting_step(member.conversation_step)
    assert step is not None
    text = message.text or ""
    try:
        if step == Step.NAME:
            await profile.set_name(context.session, member.telegram_id, text)
        elif step == Step.QUIET:
            hours = profile.parse_quiet_hours(text)
            await profile.set_quiet_hours(context.session, member.telegram_id, hours)
        else:
            await profile.set_access_other(context.session, member.telegram_id, text)
    except InvalidAnswer:
        await reply(update, context.t(TEXT_PROBLEMS[step]))
        return
    await _saved(update, context, member.telegram_id, reminders_may_change=step == Step.QUIET)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("settings", show_settings),
        CallbackQueryHandler(on_item, pattern=r"^set:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & _AwaitingSettingText(), on_text),
    ]
