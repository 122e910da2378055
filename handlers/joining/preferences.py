"""/settings: every answer from joining, listed and changed by the questions table, one question
at a time on the form engine ("settings"). Each answer ends with the settings list again."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.db import Member
from bot.i18n import N_, Translator
from bot.services import meeting_notices, member_requests, profile, questions
from bot.services.profile import InvalidAnswer
from bot.services.questions import Kind, Question
from handlers import forms
from handlers.chat.common import (
    answer_expired,
    button,
    remove_buttons,
    reply,
)
from handlers.chat.menu_labels import SETTINGS as SETTINGS_LABEL
from handlers.forms import Form
from handlers.joining import asking
from handlers.joining.asking import DONE, OTHER, SETTINGS, TELEGRAM_NAME, WHY
from handlers.joining.buttons import SETTING, ChangeSetting
from handlers.joining.language import confirm_language
from handlers.people.buttons import ListPanelsToLeave

PREFIX = "settings:"  # the member row while a setting waits for its answer
NEWS = "news"  # the settings item that turns news on or off (so no question is called news)


def _is_member(context: PanelContext) -> bool:
    member = context.member
    return member is not None and member.consent == "given"


async def _ask(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    member, row = context.member, questions.question(step)
    assert member is not None and row is not None
    me = await profile.get_member(context.session, member.telegram_id)
    last = forms.back_and_stop(context.t, FORM, answers)
    await asking.ask(update, context.t, row, SETTINGS, me, last)


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    """Typed words while a setting waits: the answer, or a kind word on what to do."""
    message, member, row = update.effective_message, context.member, questions.question(step)
    if message is None or member is None or row is None:
        return
    if not await asking.take_typed(update, context, row):
        if row.typed is None:
            await _ask(update, context, step, {})
        return
    await _saved(update, context, member.telegram_id, row)


FORM = forms.register(
    Form(
        name="settings",
        prefix=PREFIX,
        stopped=N_("OK. Nothing has changed."),
        opened_by=("/settings", SETTINGS_LABEL),
        receive=_receive,
        ask=_ask,
    )
)


def _answer_in_words(t: Translator, row: Question, me: Member) -> str:
    """A row's stored answer as the settings list shows it."""
    value = row.value(me) if row.value else None
    labels = {o.value: (o.label if row.literal else t(o.label)) for o in row.options}
    if isinstance(value, bool):
        return t("On") if value else t("Off")
    if isinstance(value, list):
        words = [labels.get(v, escape(v)) for v in value]
        side = questions.question(row.side) if row.side else None
        extra = side.value(me) if side and side.value else None
        return ", ".join([*words, *([escape(extra)] if extra else [])]) or t("None")
    if isinstance(value, dict):
        return "–".join(str(v) for v in value.values())
    if value is None or value == "":
        return t("Not chosen yet") if row.kind is Kind.TAP else t("None")
    return labels.get(str(value)) or escape(str(value))


async def show_settings(update: Update, context: PanelContext, *, saved: bool = False) -> None:
    """The person's settings with a button for each; after a change, "Saved." heads the same
    message, so one message confirms the change and shows where things stand."""
    t = context.t
    if not _is_member(context):
        await reply(update, t("To join a panel, open the invite link from your coordinator."))
        return
    assert context.member is not None
    me = await profile.get_member(context.session, context.member.telegram_id)
    rows = questions.settings()
    shown = [
        t(row.shown[0], **{row.shown[1]: _answer_in_words(t, row, me)}) for row in rows if row.shown
    ]
    news = t("Off") if me.broadcasts_muted else t("On")
    lines = [
        *([t("Saved."), ""] if saved else []),
        t("Your settings:"),
        "",
        *shown,
        t("News from coordinators: {answer}", answer=news),
        "",
        t("Tap what you want to change."),
        t("To see all your data, type /mydata. To delete it, type /forgetme."),
    ]
    buttons = [[button(t(row.setting or ""), ChangeSetting(row.step).pack())] for row in rows]
    turn = t("Turn news on") if me.broadcasts_muted else t("Turn news off")
    buttons.append([button(turn, ChangeSetting(NEWS).pack())])
    buttons.append([button(t("Leave a panel"), ListPanelsToLeave().pack())])
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons))


async def on_item(update: Update, context: PanelContext) -> None:
    """A tap on the settings list: ask that question again, or turn news on or off."""
    query = update.callback_query
    assert query is not None
    tapped = ChangeSetting.unpack(query.data)
    row = questions.question(tapped.item) if tapped else None
    if tapped is None or not _is_member(context) or context.member is None:
        await answer_expired(query, context)
        return
    if tapped.item == NEWS:  # coordinators' news can be muted; important messages still come
        await query.answer()
        me = await profile.get_member(context.session, context.member.telegram_id)
        me.broadcasts_muted = not me.broadcasts_muted
        await context.session.commit()
        await remove_buttons(query, context)
        await show_settings(update, context, saved=True)
        return
    if row is None or row.setting is None:
        await answer_expired(query, context)
        return
    await query.answer()
    await _open(update, context, row)


async def _open(update: Update, context: PanelContext, row: Question) -> None:
    assert context.member is not None
    await profile.set_step(context.session, context.member.telegram_id, PREFIX + row.step)
    await context.session.commit()
    await context.refresh_member(context.member.telegram_id)
    await _ask(update, context, row.step, {})


async def on_tap(update: Update, context: PanelContext, row: Question, value: str) -> None:
    """A tap on a question asked from /settings ("ob:1:s:<step>:<value>")."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    if not _is_member(context) or (row.setting is None and row.side_of is None):
        await answer_expired(query, context)
        return
    if value == WHY and row.why:
        await query.answer()
        await reply(update, context.t(row.why))
        return
    user_id, session, t = query.from_user.id, context.session, context.t
    # "Not sure: please talk to me" newly chosen tells the coordinators (asking.payment_notice).
    was_unsure = row.step == "payment" and await member_requests.payment_unsure(session, user_id)
    try:
        if row.kind is Kind.MANY and value == OTHER and row.side:
            side = questions.question(row.side)
            assert side is not None
            await query.answer()
            await _open(update, context, side)
            return
        if row.kind is Kind.MANY and value != DONE:
            assert row.tapped is not None
            me = await row.tapped(session, user_id, value)
            await session.commit()
            await query.answer()
            rows = [*asking.choose_many(t, row, SETTINGS, me), forms.back_and_stop(t, FORM, {})]
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
            return
        if row.offer_name and value == TELEGRAM_NAME:
            assert row.typed is not None
            await row.typed(session, user_id, query.from_user.first_name)
        elif row.kind is not Kind.MANY:
            if row.tapped is None:
                raise InvalidAnswer(row.step)
            await row.tapped(session, user_id, value)
    except InvalidAnswer:
        await answer_expired(query, context)
        return
    if row.step == "language":
        context.scope.language = value
        await session.commit()
        await context.reload_member(user_id)
        await confirm_language(update, context, value)
    if row.step == "payment" and not was_unsure:
        await asking.payment_notice(update, context, user_id)
    await _saved(update, context, user_id, row)


async def _saved(update: Update, context: PanelContext, user_id: int, row: Question) -> None:
    await profile.set_step(context.session, user_id, None)
    if row.reminders_follow:  # reminder choice or quiet hours: upcoming reminders follow
        me = await profile.get_member(context.session, user_id)
        await meeting_notices.refresh_member(context.session, me, now=context.runtime.clock.now())
    await context.session.commit()
    await context.refresh_member(user_id)
    if update.callback_query:
        await update.callback_query.answer()
        await remove_buttons(update.callback_query, context)
    await show_settings(update, context, saved=True)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("settings", show_settings),
        CallbackQueryHandler(on_item, pattern=rf"^{SETTING}:"),
    ]
