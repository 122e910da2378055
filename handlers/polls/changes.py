"""A coordinator's buttons for a question already sent (bot.services.poll_changes), under its
results, its "too few answers" card and its closing notice:

    Keep it open longer / Open it again -> three closing times -> "It now closes on ..."
    Remind people who have not answered -> "We are reminding N people"

Buttons: "pc:1:l:<poll>", "pc:1:t:<poll>:<minute>", "pc:1:r:<poll>". A forged or stale one
(another panel's question, a time gone by) gets the kind "no longer works"; the service audits
a refused role.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import poll_changes
from bot.services.access import Actor, NotAllowed
from bot.services.poll_rules import PollError
from handlers.chat import button_data
from handlers.chat.common import answer_expired, button, remove_buttons, reply
from handlers.polls.asked import actor_of
from handlers.polls.buttons import (
    CHANGES,
    REMIND,
    CloseAt,
    KeepOpen,
    RemindWaiting,
)
from handlers.polls.messages import plain_time

WHEN = N_("When should the question close? Tap a time.")
REFUSED_REMINDERS = {
    "closed": N_("This question is closed. Open it again first, then remind people."),
    "nobody": N_("Everyone who was asked has answered. There is nobody to remind."),
    "too_soon": N_("A reminder went less than an hour ago. Please wait a little, then try again."),
}


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = button_data.read(query.data, KeepOpen, CloseAt, RemindWaiting)
    if tapped is None or tapped.poll >= 10**18:
        await answer_expired(query, context)
        return
    actor = await actor_of(context, update)
    try:
        if isinstance(tapped, KeepOpen):
            await _offer_times(update, context, actor, tapped.poll)
        elif isinstance(tapped, CloseAt):
            await _close_at(update, context, actor, tapped)
        else:
            await _remind(update, context, actor, tapped.poll)
    except (NotAllowed, PollError):
        await context.session.rollback()
        await answer_expired(query, context)


async def _offer_times(update: Update, context: PanelContext, actor: Actor, poll_id: int) -> None:
    query = update.callback_query
    assert query is not None
    t, now = context.t, context.runtime.clock.now()
    poll = await poll_changes.managed(context.session, actor, poll_id)
    zone = await poll_changes.zone_of(context.session, poll)
    await query.answer()
    rows = [
        [button(plain_time(t, at, zone), CloseAt(poll.id, _minute(at)).pack())]
        for at in poll_changes.offers(poll, zone, now)
    ]
    if not rows:
        await reply(update, t("This question already closes as late as it can."))
        return
    await reply(update, t(WHEN), reply_markup=InlineKeyboardMarkup(rows))


async def _close_at(update: Update, context: PanelContext, actor: Actor, tapped: CloseAt) -> None:
    query = update.callback_query
    assert query is not None
    t, now = context.t, context.runtime.clock.now()
    if tapped.minute >= 10**12:
        raise PollError("closes_at")
    closes_at = datetime.fromtimestamp(tapped.minute * 60, UTC)
    done = await poll_changes.set_closing(context.session, actor, tapped.poll, closes_at, now=now)
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)  # one time is chosen: the others go
    zone = await poll_changes.zone_of(context.session, done.poll)
    when = plain_time(t, done.poll.closes_at, zone)
    lines = [
        t("The question now closes on {when}.", when=when)
        if done.was_open
        else t("The question is open again. It now closes on {when}.", when=when)
    ]
    if done.asked_again:
        lines.append(
            t.ngettext(
                "{n} answer was not kept, because too few people had answered to keep it "
                "anonymous. We are asking that person to answer again.",
                "{n} answers were not kept, because too few people had answered to keep them "
                "anonymous. We are asking those people to answer again.",
                done.asked_again,
            )
        )
    markup = InlineKeyboardMarkup([[button(t(REMIND), RemindWaiting(done.poll.id).pack())]])
    await reply(update, "\n".join(lines), reply_markup=markup)


async def _remind(update: Update, context: PanelContext, actor: Actor, poll_id: int) -> None:
    query = update.callback_query
    assert query is not None
    t, now = context.t, context.runtime.clock.now()
    try:
        waiting = await poll_changes.remind(context.session, actor, poll_id, now=now)
    except PollError as error:
        await context.session.rollback()
        await query.answer()
        await reply(update, t(REFUSED_REMINDERS.get(error.code, REFUSED_REMINDERS["closed"])))
        return
    await query.answer()
    await reply(
        update,
        t.ngettext(
            "We are sending a reminder to the {n} person who has not answered yet.",
            "We are sending a reminder to the {n} people who have not answered yet.",
            waiting,
        ),
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=rf"^{CHANGES}:")]
