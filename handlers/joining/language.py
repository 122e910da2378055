"""/language: choose the language the bot writes in, by tapping its name."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.i18n import translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import members
from handlers.chat.commands import publish_commands_for_chat
from handlers.chat.common import answer_expired, parse_callback, remove_buttons, reply
from handlers.chat.languages import LANGUAGE, VERSION, language_keyboard


async def ask_language(update: Update, context: PanelContext) -> None:
    await reply(
        update,
        context.t("Which language would you like? Tap one."),
        reply_markup=language_keyboard(),
    )


async def choose_language(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    args = parse_callback(query.data, LANGUAGE, VERSION)
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
        CallbackQueryHandler(choose_language, pattern=rf"^{LANGUAGE}:"),
    ]
