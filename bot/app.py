"""Builds the PTB Application: settings, database, clock, handlers and the outbox tick.

Migrations are applied before this runs (`bot.cli`), so start-up never races a schema change.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from bot import storage
from bot.clock import Clock
from bot.config import Settings
from bot.context import PanelbotApplication, PanelContext, load_person
from bot.db.engine import Database
from bot.delivery import Delivery, LiveSends, RateLimiter
from bot.runtime import Runtime
from bot.services import chores, route_keys
from bot.telegram_http import AiohttpRequest, UpdatesRequest
from bot.update_order import PerPersonUpdateProcessor
from handlers import (
    broadcasts,
    claims,
    feedback,
    forms,
    glossary,
    joining,
    meetings,
    polls,
    requests,
)
from handlers.chat import menu_labels as labels
from handlers.chat.button_data import check_registry
from handlers.chat.commands import publish_commands
from handlers.forms import rules as form_rules
from handlers.guards import errors, flood, outbox_alerts, private_chats, reachability
from handlers.home import menu, start
from handlers.people import admin, member_removal, privacy, roster

log = logging.getLogger(__name__)

OUTBOX_TICK_SECONDS = 1.0
# Housekeeping (retention, unneeded receipt files) once a day, first a few minutes after start.
CHORES_EVERY = timedelta(days=1)
CHORES_FIRST = timedelta(minutes=5)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    db: Database | None = None,
    tick_seconds: float | None = OUTBOX_TICK_SECONDS,
) -> PanelbotApplication:
    """The whole bot. `tick_seconds=None` leaves the outbox tick off (tests drive it by hand)."""
    runtime = Runtime(
        settings=settings,
        db=db
        or Database.from_url(
            settings.database_url, pool_size=settings.panelbot_concurrent_updates + 4
        ),
        clock=clock or Clock(),
    )
    # One budget for everything the bot sends: the outbox paces itself, live answers book a slot.
    limiter = RateLimiter()
    processor = PerPersonUpdateProcessor(settings.panelbot_concurrent_updates)
    builder: Any = (
        ApplicationBuilder()
        .rate_limiter(LiveSends(limiter))
        .request(AiohttpRequest())
        .get_updates_request(UpdatesRequest(processor.thin, pool_size=1))
        .application_class(PanelbotApplication)
        .token(settings.token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .context_types(ContextTypes(context=PanelContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(processor)
    )
    application: PanelbotApplication = builder.build()
    application.runtime = runtime
    runtime.delivery = Delivery(
        application.bot,
        runtime.db,
        runtime.clock,
        limiter=limiter,
        lease=timedelta(seconds=settings.panelbot_outbox_lease_seconds),
    )
    meetings.register(runtime.delivery, runtime.clock)
    polls.register(runtime.delivery, runtime.clock)
    feedback.register(runtime.delivery)
    requests.register(runtime.delivery)  # members' questions to coordinators, with Reply
    route_keys.configure(storage.reply_key(settings), storage.old_reply_keys(settings))
    claims.register_notices(runtime.delivery)
    member_removal.register(runtime.delivery)
    broadcasts.register_delivery(runtime.delivery, runtime.clock)
    outbox_alerts.register(runtime.delivery, runtime.clock, settings.panelbot_admins)

    # Handler order matters: group -1 runs first for every update, then the first match in
    # group 0 wins. Group -1 loads the person and their language, then may end the update there
    # (`_before_any_feature`). Typed answers to any open form reach it through the form engine
    # (first in the list); the catch-all fallbacks come last.
    application.add_handler(TypeHandler(Update, _before_any_feature), group=-1)
    features = (
        forms.handlers(),
        reachability.handlers(),
        joining.handlers(),  # before start: /start half-way through joining carries on joining
        start.handlers(),
        meetings.handlers(),
        glossary.handlers(),
        polls.handlers(),
        feedback.handlers(),
        requests.handlers(),
        claims.handlers(),
        broadcasts.handlers(),
        menu.handlers(_menu_routes(), after_menu=broadcasts.show_latest),
        privacy.handlers(),
        roster.handlers(),
        member_removal.handlers(),
        admin.handlers(),
    )
    for feature_handlers in features:
        application.add_handlers(feature_handlers)
    check_registry()  # every button's data fits Telegram's 64 bytes; prefixes are unique
    application.add_handlers(errors.fallback_handlers())
    application.add_error_handler(errors.on_error)

    if tick_seconds is not None:
        assert application.job_queue is not None
        application.job_queue.run_repeating(
            _outbox_tick, interval=tick_seconds, first=tick_seconds, name="outbox"
        )
        application.outbox_waker = lambda: _start_drain(application)
        application.job_queue.run_repeating(
            _daily_chores, interval=CHORES_EVERY, first=CHORES_FIRST, name="chores"
        )
        # Anonymous content is written by this job alone, at moments tied to no member.
        every = settings.panelbot_anonymous_flush_seconds
        application.job_queue.run_repeating(
            _anonymous_tick, interval=every, first=every, name="anonymous"
        )
    return application


def _menu_routes() -> menu.Routes:
    """What each big menu button opens: the menu itself knows no feature."""
    return {
        labels.MEETINGS: meetings.meetings_command,
        labels.EXPLAIN: glossary.ask_for_word,
        labels.FEEDBACK: feedback.start,
        labels.EXPENSES: claims.start_claim,
        labels.SETTINGS: joining.show_settings,
        labels.HELP: start.help_command,
        labels.SEND_NEWS: broadcasts.new_broadcast,
    }


async def _daily_chores(context: PanelContext) -> None:
    """Finance records past their retention go, then receipt files nothing needs."""
    runtime: Runtime = context.application.runtime  # type: ignore[attr-defined]
    report = await chores.run_daily(
        runtime.db, runtime.settings.panelbot_data_dir, runtime.clock.now()
    )
    if report.expired_claims or report.orphan_files:
        log.info(
            "Chores: %s kept claims past retention deleted, %s unneeded receipt files removed",
            report.expired_claims,
            report.orphan_files,
        )


async def _anonymous_tick(context: PanelContext) -> None:
    try:
        runtime: Runtime = context.runtime
        written = await runtime.flush_anonymous()
    except Exception:  # kept in memory for the next run; the log shows no values (engine.py)
        log.exception("Could not write anonymous content; will try again")
        return
    if written:
        log.info("Wrote %s pieces of anonymous content in groups", written)
        _start_drain(context.application)


async def _before_any_feature(update: object, context: PanelContext) -> None:
    """Runs before every feature handler, in this order: who is writing and in which language;
    the one notice for a flood's dropped updates (handlers/guards/flood.py); nothing personal
    outside a private chat, and edits never taken as commands or answers
    (handlers/guards/private_chats.py).
    The last two end the update (ApplicationHandlerStop) when they apply. Then the form
    engine's rules (handlers/forms/rules.py): /cancel stops any form, and a menu tap or a
    command leaves the open form so that it does what was tapped."""
    await load_person(update, context)
    await flood.tell_once(update, context)
    await private_chats.keep_personal_things_private(update, context)
    if isinstance(update, Update):
        await form_rules.before_features(update, context)


async def _outbox_tick(context: PanelContext) -> None:
    """Start a drain in the background unless one is running: the tick itself never overlaps,
    so a long broadcast does not fill the log with skipped runs."""
    _start_drain(context.application)


def _start_drain(application: Any) -> None:
    delivery = application.runtime.delivery
    assert delivery is not None
    if not delivery.busy:
        application.create_task(_drain(delivery), name="outbox-drain")


async def _drain(delivery: Delivery) -> None:
    report = await delivery.drain()
    if report.claimed:
        log.info(
            "Outbox: %s sent, %s retrying, %s unreachable, %s failed",
            report.sent,
            report.retrying,
            report.unreachable,
            report.failed,
        )


async def _post_init(application: Any) -> None:
    runtime: Runtime = application.runtime
    await publish_commands(application.bot, runtime.settings.panelbot_default_language)
    await runtime.flush_anonymous()  # checks in, and asks again for answers a dead process held


async def _post_shutdown(application: Any) -> None:
    runtime: Runtime = application.runtime
    try:
        # A stop asked for (not a kill): write what may be written as at the daily write.
        await runtime.flush_anonymous(everything=True)
    except Exception:
        log.exception("Could not write anonymous content before stopping")
    await runtime.db.dispose()
