"""News already sent or waiting to go: /broadcasts for coordinators (cancel one still waiting,
see who could not be reached), and the latest news in a member's /menu."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import BroadcastStatus
from bot.i18n import N_, translator
from bot.services import access, broadcasts
from bot.services.access import NotAllowed
from handlers.broadcasts.buttons import CancelNews, WhoWasNotReached
from handlers.broadcasts.copies import copy_for, waiting_line
from handlers.broadcasts.shared import actor, zone
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, button, remove_buttons, reply
from handlers.chat.plain_words import NO_PANEL_ROLE

STATUS_WORDS = {
    BroadcastStatus.SCHEDULED: N_("Waiting to go"),
    BroadcastStatus.SENDING: N_("Sending"),
    BroadcastStatus.DONE: N_("Sent"),
    BroadcastStatus.CANCELLED: N_("Cancelled"),
}


async def list_broadcasts(update: Update, context: PanelContext) -> None:
    t = context.t
    who = await actor(update, context)
    if not await access.coordinated_panels(context.session, who):
        access.refuse(context.session, who, "/broadcasts")
        await reply(update, t(NO_PANEL_ROLE))
        return
    found = await broadcasts.listing(context.session, who, now=context.runtime.clock.now())
    if not found:
        await reply(update, t("You have not sent any news yet. To send some, type /broadcast."))
        return
    for broadcast, figures in found:
        where = await zone(context, broadcast.audience)
        words = " ".join(broadcast.text.split())
        status = broadcast.status
        if status == BroadcastStatus.SENDING and broadcast.finished_at is not None:
            status = BroadcastStatus.DONE  # reported sent; some copies wait for quiet hours
        lines = [
            f"<b>{escape(words[:60])}{'…' if len(words) > 60 else ''}</b>",
            t(
                "{status}: {when}",
                status=t(STATUS_WORDS[status]),
                when=t.datetime(broadcast.send_at, where, style="medium"),
            ),
        ]
        if figures.total:
            lines.append(
                t(
                    "Delivered {sent} of {total}. Could not reach {unreachable}. Failed {failed}.",
                    sent=figures.delivered,
                    total=figures.total,
                    unreachable=figures.unreachable,
                    failed=figures.failed,
                )
            )
        waiting = waiting_line(t, figures)
        if waiting:
            lines.append(waiting)
        rows: list[list[InlineKeyboardButton]] = []
        if broadcast.status == BroadcastStatus.SCHEDULED:
            # Not the form's Stop: this news is written and waiting to go.
            rows.append([button(t("Cancel this message"), CancelNews(broadcast.id).pack())])
        if figures.unreachable:
            rows.append(
                [button(t("Who could not be reached?"), WhoWasNotReached(broadcast.id).pack())]
            )
        await reply(
            update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
        )


async def on_button(update: Update, context: PanelContext) -> None:
    """ "Cancel this message" and "Who could not be reached?" under a sent or waiting one."""
    query = update.callback_query
    assert query is not None
    t = context.t
    tapped = read(query.data, CancelNews, WhoWasNotReached)
    if tapped is None:
        await answer_expired(query, context)
        return
    who = await actor(update, context)
    broadcast_id = tapped.broadcast
    try:
        if isinstance(tapped, WhoWasNotReached):
            names = await broadcasts.unreachable_names(context.session, who, broadcast_id)
            await query.answer()
            lines = [t("These people could not be reached. They may have blocked the bot.")]
            lines += [escape(n) for n in names[:100]]
            await reply(update, "\n".join(lines))
            return
        cancelled = await broadcasts.cancel(
            context.session, who, broadcast_id, now=context.runtime.clock.now()
        )
    except NotAllowed:
        await answer_expired(query, context)
        return
    await context.session.commit()
    await query.answer()
    if cancelled:
        await remove_buttons(query, context)
    await reply(
        update,
        t("Cancelled. Nobody will get it.")
        if cancelled
        else t("It has already started, so it cannot be cancelled."),
    )


async def show_latest(update: Update, context: PanelContext) -> None:
    """The newest broadcast this member got, so it is always easy to find again."""
    member = context.member
    if member is None:
        return
    found = await broadcasts.latest_for(context.session, member.id)
    if found is None:
        return
    broadcast, sent_at = found
    language = member.language or "en"
    copy = copy_for(broadcast, language, member.easy_read)
    t = translator(language, member.easy_read)
    where = await zone(context, broadcast.audience)
    heading = t("Latest news, sent {when}:", when=t.datetime(sent_at, where, style="medium"))
    delivery = context.runtime.delivery
    assert delivery is not None and update.effective_chat is not None
    await reply(update, heading)
    await delivery.send_now(update.effective_chat.id, copy)
