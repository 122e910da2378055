"""The error handler and the replies for things the bot did not expect."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import PanelContext
from handlers.common import answer_expired, reply

log = logging.getLogger(__name__)


async def on_error(update: object, context: PanelContext) -> None:
    log.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if context.scope.language is None and update.effective_user is not None:
        from bot.i18n import resolve_language

        context.scope.language = resolve_language(
            None,
            update.effective_user.language_code,
            None,
            context.runtime.settings.panelbot_default_language,
        )
    _ = context.t
    try:
        await reply(
            update,
            _("Sorry, something went wrong on our side. Nothing you sent is lost.")
            + "\n"
            + _("Please try again in a minute. If it keeps happening, type /help."),
        )
    except TelegramError:
        log.warning("Could not tell the person about the error", exc_info=True)


async def not_understood(update: Update, context: PanelContext) -> None:
    await reply(
        update,
        context.t("Sorry, I did not understand that. Type /help to see what I can do."),
    )


async def stale_button(update: Update, context: PanelContext) -> None:
    assert update.callback_query is not None
    await answer_expired(update.callback_query, context)


def fallback_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Registered last: anything no feature claimed gets a kind answer."""
    return [
        CallbackQueryHandler(stale_button),
        MessageHandler(filters.ChatType.PRIVATE, not_understood),
    ]
