"""A coordinator takes a member off their panel: "Remove someone" under the /members roster,
then a name, then a yes. The service checks the role at every tap (bot/services/removal.py), so a
forged button gets a polite refusal and changes nothing. The person removed is told through the
outbox, in their own language (`removed_notice`)."""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import PanelContext
from bot.db import Member, Panel
from bot.delivery import Delivery, Outgoing
from bot.i18n import N_, Translator, translator
from bot.services import access, removal
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, button, reply
from handlers.people.buttons import REMOVE, AskToRemove, KeepEveryone, ListRemovable, RemoveMember

# Telegram shows at most 100 buttons under one message; one row is kept for "No".
MAX_NAMES = 99
ONLY_COORDINATORS = N_("Only a coordinator of this panel can do that.")
# The taps: list who can be removed, ask about one, yes, and no (which changes nothing).
ACTIONS = tuple(kind.ACTION for kind in (ListRemovable, AskToRemove, RemoveMember, KeepEveryone))


def remove_button(t: Translator, panel_id: int) -> InlineKeyboardButton:
    """Put under the roster: the way in to removing someone."""
    return button(t("Remove someone from the panel"), ListRemovable(panel_id).pack())


async def _actor(update: Update, context: PanelContext) -> access.Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


def _name(t: Translator, name: str | None) -> str:
    return name or t("No name yet")


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    if KeepEveryone.unpack(query.data):
        await query.answer()
        await query.edit_message_reply_markup(None)
        await reply(update, context.t("OK. Nobody was removed."))
        return
    tapped = read(query.data, ListRemovable, AskToRemove, RemoveMember)
    if tapped is None or max(vars(tapped).values()) >= 10**18:
        await answer_expired(query, context)
        return
    actor = await _actor(update, context)
    try:
        if isinstance(tapped, ListRemovable):
            await _list(update, context, actor, tapped.panel)
        elif isinstance(tapped, AskToRemove):
            await _confirm(update, context, actor, tapped.panel, tapped.member)
        else:
            await _remove(update, context, actor, tapped.panel, tapped.member)
    except access.NotAllowed:
        await context.session.rollback()
        await query.answer(context.t(ONLY_COORDINATORS), show_alert=True)
    except LookupError:
        await context.session.rollback()
        await answer_expired(query, context)


async def _list(update: Update, context: PanelContext, actor: access.Actor, panel_id: int) -> None:
    assert update.callback_query is not None
    t = context.t
    people = await removal.removable(context.session, actor, panel_id)
    await update.callback_query.answer()
    if not people:
        await reply(update, t("There is nobody you can remove from this panel."))
        return
    rows = [
        [button(_name(t, p.name), AskToRemove(panel_id, p.member_id).pack())]
        for p in people[:MAX_NAMES]
    ]
    rows.append([button(t("No, keep everyone"), KeepEveryone().pack())])
    await reply(update, t("Who should leave the panel? Tap a name."), reply_markup=_keys(rows))


async def _confirm(
    update: Update, context: PanelContext, actor: access.Actor, panel_id: int, member_id: int
) -> None:
    assert update.callback_query is not None
    t = context.t
    person, panel = await removal.person_in_panel(context.session, actor, panel_id, member_id)
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    name = _name(t, person.name)
    text = "\n".join(
        [
            t("Remove {name} from {panel}?", name=escape(name), panel=escape(panel)),
            t("We will tell them. We keep their expense claims, so they can still be paid."),
        ]
    )
    rows = [
        [button(t("Yes, remove {name}", name=name), RemoveMember(panel_id, member_id).pack())],
        [button(t("No, keep them"), KeepEveryone().pack())],
    ]
    await reply(update, text, reply_markup=_keys(rows))


async def _remove(
    update: Update, context: PanelContext, actor: access.Actor, panel_id: int, member_id: int
) -> None:
    assert update.callback_query is not None
    person, panel = await removal.remove_member(
        context.session, actor, panel_id, member_id, now=context.runtime.clock.now()
    )
    await context.session.commit()
    context.wake_outbox()
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    name = escape(_name(context.t, person.name))
    await reply(
        update,
        context.t("{name} is no longer in {panel}. We told them.", name=name, panel=escape(panel)),
    )


def _keys(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows)


async def removed_notice(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
    """What the person removed reads, in their own language."""
    member = await session.get(Member, row.member_id) if row.member_id else None
    panel = await session.get(Panel, int(row.payload["panel_id"]))
    if member is None or panel is None:
        return None
    t = translator(member.language or panel.default_language, member.easy_read)
    return Outgoing(
        text="\n".join(
            [
                t("You are no longer in {panel}.", panel=escape(panel.name)),
                t("We took you off the panel."),
                t("We keep your expense claims. Money we owe you will still be paid."),
                t("If you think this is a mistake, please talk to the panel's coordinator."),
            ]
        )
    )


def register(delivery: Delivery) -> None:
    delivery.register(Kind.MEMBERSHIP_REMOVED, removed_notice)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=rf"^{REMOVE}:")]
