"""/language: choose the language the bot writes in, by tapping its name."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.i18n import translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import members
from handlers.chat.commands import publish_commands_for_chat, publish_commands_for_person
from handlers.chat.common import answer_expired, remove_buttons, reply
from handlers.chat.languages import language_keyboard
from handlers.chat.menu_labels import keyboard_for
from handlers.chat.shared_buttons import LANGUAGE, ChooseLanguage


async def ask_language(update: Update, context: PanelContext) -> None:
    await reply(
        update,
        context.t("Which language would you like? Tap one."),
        reply_markup=language_keyboard(),
    )


async def choose_language(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    tapped = ChooseLanguage.unpack(query.data)
    if tapped is None or tapped.language not in LAUNCH_LANGUAGES:
        await answer_expired(query, context)
        return
    language = tapped.language
    await members.set_language(
        context.session, query.from_user.id, language, now=context.runtime.clock.now()
    )
    await context.session.commit()
    context.scope.language = language
    await context.reload_member(query.from_user.id)
    await query.answer()
    # Remove the buttons so an old list cannot be tapped again by mistake.
    await remove_buttons(query, context)
    await confirm_language(update, context, language)


async def confirm_language(update: Update, context: PanelContext, language: str) -> None:
    """Said in the new language, with the big menu in it at once (for people in a panel), and
    the command list in it too."""
    _, member = translator(language), context.member
    in_a_panel = member is not None and (member.roles or member.is_admin)
    keyboard = keyboard_for(_, member) if in_a_panel else None
    await reply(update, _("OK. I will write to you in English from now on."), reply_markup=keyboard)
    if member is not None:
        await publish_commands_for_person(context, language)
    else:
        await publish_commands_for_chat(context.bot, update.effective_chat.id, language)  # type: ignore[union-attr]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("language", ask_language),
        CallbackQueryHandler(choose_language, pattern=rf"^{LANGUAGE}:"),
    ]
