"""The error handler and the replies for things the bot did not expect."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from sqlalchemy import exc
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.context import PanelContext
from bot.i18n import N_
from bot.update_order import PerPersonUpdateProcessor
from handlers.chat.common import answer_expired, reply

log = logging.getLogger(__name__)

# When the database is out of reach, the update is kept in memory and handled again after each
# of these waits; the person is told once, and only told "something went wrong" at the end.
DATABASE_RETRY_SECONDS: tuple[float, ...] = (5.0, 15.0, 45.0, 120.0)
DATABASE_BUSY = N_("Sorry, I cannot get to my records just now. I will try again soon.")
_RETRIES = "database_retries"  # bot_data: update_id -> attempts so far


def database_out_of_reach(error: BaseException | None) -> bool:
    """Lost or refused connections, a locked SQLite file, an exhausted pool: worth waiting for."""
    if isinstance(error, exc.DBAPIError) and (
        error.connection_invalidated or error.statement is None  # None: failed to connect
    ):
        return True
    return isinstance(
        error, exc.OperationalError | exc.InterfaceError | exc.TimeoutError | ConnectionError
    )


async def _handle_again(update: Update, context: PanelContext, attempt: int) -> None:
    await context.application.process_update(update)
    retries: dict[int, int] = context.application.bot_data.get(_RETRIES, {})
    if retries.get(update.update_id) == attempt + 1:  # no new failure: handled, forget it
        del retries[update.update_id]


async def _handle_again_later(
    update: Update, context: PanelContext, seconds: float, attempt: int
) -> None:
    await asyncio.sleep(seconds)
    await context.application.update_processor.process_update(
        update, _handle_again(update, context, attempt)
    )


def _keep_for_retry(update: Update, context: PanelContext) -> int | None:
    """Schedule another go at this update; the attempt number, or None when out of attempts."""
    retries: dict[int, int] = context.application.bot_data.setdefault(_RETRIES, {})
    attempt = retries.get(update.update_id, 0)
    if attempt >= len(DATABASE_RETRY_SECONDS):
        retries.pop(update.update_id, None)
        return None
    retries[update.update_id] = attempt + 1
    seconds = DATABASE_RETRY_SECONDS[attempt]
    # The retry keeps the update's place in its person's queue (bot/update_order.py), so what
    # they sent after it is handled after it, and never at the same time.
    processor = context.application.update_processor
    if isinstance(processor, PerPersonUpdateProcessor) and processor.handle_again(
        update, seconds, partial(_handle_again, update, context, attempt)
    ):
        return attempt
    context.application.create_task(  # not in that queue: still one person at a time
        _handle_again_later(update, context, seconds, attempt),
        name=f"retry-update-{update.update_id}",
    )
    return attempt


async def on_error(update: object, context: PanelContext) -> None:
    if isinstance(update, Update) and database_out_of_reach(context.error):
        # Keep the update once per go, and stop PTB from running the next handler groups on it
        # (ApplicationHandlerStop from an error handler does that): the database may be back a
        # moment later, and the update would then be handled now and again by the retry.
        if context.scope.kept_for_retry:
            raise ApplicationHandlerStop
        context.scope.kept_for_retry = True
        attempt = _keep_for_retry(update, context)
        if attempt is not None:
            log.warning("Database out of reach; will handle update %s again", update.update_id)
            if attempt == 0 and update.effective_chat is not None:
                await _tell(update, context, DATABASE_BUSY)
            raise ApplicationHandlerStop
    # The statement's values are never in the message (hide_parameters, bot/db/engine.py), so
    # nobody's anonymous words reach the log.
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
            _(
                "Sorry, something went wrong on our side. "
                "What you just sent may not have been saved."
            )
            + "\n"
            + _("Please send it again in a minute. If it keeps happening, type /help."),
        )
    except TelegramError:
        log.warning("Could not tell the person about the error", exc_info=True)


async def _tell(update: Update, context: PanelContext, message: str) -> None:
    """A short notice in the person's app language: their settings may be out of reach too."""
    from bot.i18n import resolve_language, translator

    user = update.effective_user
    language = context.scope.language or resolve_language(
        None,
        user.language_code if user else None,
        None,
        context.runtime.settings.panelbot_default_language,
    )
    try:
        await reply(update, translator(language)(message))
    except TelegramError:
        log.warning("Could not tell the person the database is out of reach", exc_info=True)


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
