"""/language: choose the language the bot writes in, by tapping its name."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.i18n import translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import members
from handlers.commands import publish_commands_for_chat
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)


def language_keyboard() -> InlineKeyboardMarkup:
    # Two per row: big enough to tap, short enough to see all six without scrolling.
    buttons = [
        button(LANGUAGE_NAMES[code], callback_data("lang", 1, code)) for code in LAUNCH_LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def ask_language(update: Update, context: PanelContext) -> None:
    await reply(
        update,
        context.t("Which language would you like? Tap one."),
        reply_markup=language_keyboard(),
    )


async def choose_language(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    args = parse_callback(query.data, "lang", 1)
    if not args or args[0] not in LAUNCH_LANGUAGES:
        await answer_expired(query, context)
        return
    language = args[0]
    await members.set_language(
        context.session, query.from_user.id, language, now=context.runtime.clock.now()
    )
    await context.session.commit()
    context.scope.language = language
    _ = translator(language)
    await query.answer()
    # Remove the buttons so an old list cannot be tapped again by mistake.
    await remove_buttons(query, context)
    await reply(update, _("OK. I will write to you in English from now on."))
    await publish_commands_for_chat(context.bot, query.from_user.id, language)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("language", ask_language),
        CallbackQueryHandler(choose_language, pattern=r"^lang:"),
    ]
