"""/newpanel and /invite: admins make panels, coordinators get invite links for their panel.

The role is checked again in the service for every action, so a forged button gets a polite
"no" and never a link.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.db import Invite, Panel
from bot.i18n import N_
from bot.services import access, panels
from bot.services.access import Actor, NotAllowed
from handlers.chat.button_data import read
from handlers.chat.common import (
    answer_expired,
    button,
    remove_buttons,
    reply,
)
from handlers.people.buttons import INVITE, InviteFor, InviteForDays

# How long an invite from `/invite 7` may last, in days.
MAX_INVITE_DAYS = 365

ONLY_COORDINATORS = N_(
    "Only coordinators can do this. If you need an invite link, ask your coordinator."
)
ONLY_ADMINS = N_("Only admins can make a new panel. An admin is a person who runs panelbot.")


async def _actor(update: Update, context: PanelContext) -> Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


def _link(context: PanelContext, code: str) -> str:
    return escape(panels.invite_link(context.bot.username, code))


def _bold(text: str) -> str:
    return f"<b>{escape(text)}</b>"


# ------------------------------------------------------------------------------ /newpanel


async def new_panel(update: Update, context: PanelContext) -> None:
    _ = context.t
    actor = await _actor(update, context)
    if not actor.is_admin:
        access.refuse(context.session, actor, "/newpanel")
        await reply(update, _(ONLY_ADMINS))
        return
    name = " ".join(context.args or [])
    if not name:
        await reply(
            update,
            _("To make a new panel, type /newpanel and then its name.")
            + "\n"
            + _("For example: /newpanel Carers Voice"),
        )
        return
    settings = context.runtime.settings
    try:
        new = await panels.create_panel(
            context.session,
            actor,
            name,
            now=context.runtime.clock.now(),
            timezone=settings.panelbot_timezone,
            language=settings.panelbot_default_language,
        )
    except NotAllowed:
        await reply(update, _(ONLY_ADMINS))
        return
    except ValueError:
        # The time zone and language come from validated settings, so only the name can be wrong.
        await reply(update, _("That name is too long. Please use up to 200 letters."))
        return
    await context.session.commit()
    tz = new.panel.timezone
    assert new.coordinator_invite.expires_at is not None
    await reply(
        update,
        "\n".join(
            [
                _("The new panel {name} is ready.", name=_bold(new.panel.name)),
                "",
                _("Send this link to people you want to invite as members:"),
                _link(context, new.member_invite.code),
                "",
                _("This link makes people coordinators. Only send it to people who run the panel:"),
                _link(context, new.coordinator_invite.code),
                _(
                    "It works for one person only, until {date}.",
                    date=_.date(new.coordinator_invite.expires_at.astimezone(ZoneInfo(tz))),
                ),
            ]
        ),
    )


# -------------------------------------------------------------------------------- /invite


def _parse_days(args: list[str]) -> tuple[bool, int | None]:
    """(understood, days until the invite expires); no days means the link keeps working."""
    if not args:
        return True, None
    if (
        len(args) == 1
        and args[0].isascii()
        and args[0].isdigit()
        and len(args[0]) <= 3
        and 1 <= int(args[0]) <= MAX_INVITE_DAYS
    ):
        return True, int(args[0])
    return False, None


async def invite(update: Update, context: PanelContext) -> None:
    _ = context.t
    actor = await _actor(update, context)
    choices = await access.coordinated_panels(context.session, actor)
    if not choices:
        if actor.is_admin:
            await reply(update, _("There are no panels yet. Make one with /newpanel."))
        else:
            access.refuse(context.session, actor, "/invite")
            await reply(update, _(ONLY_COORDINATORS))
        return
    understood, days = _parse_days(context.args or [])
    if not understood:
        await reply(
            update,
            _("Please type how many days the link should work, like /invite 7.")
            + "\n"
            + _("Or type /invite on its own for a link that keeps working."),
        )
        return
    if len(choices) == 1:
        await _send_invite(update, context, actor, choices[0][0], days)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [button(name, (InviteForDays(panel_id, days) if days else InviteFor(panel_id)).pack())]
            for panel_id, name in choices
        ]
    )
    await reply(update, _("Which panel is the invite for? Tap one."), reply_markup=keyboard)


async def choose_panel(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, InviteFor, InviteForDays)
    if tapped is None or tapped.panel >= 10**12:
        await answer_expired(query, context)
        return
    days = tapped.days if isinstance(tapped, InviteForDays) else None
    if days is not None and not 1 <= days <= MAX_INVITE_DAYS:
        await answer_expired(query, context)
        return
    actor = await _actor(update, context)
    if await _send_invite(update, context, actor, tapped.panel, days, refuse_in_chat=False):
        await query.answer()
        # Remove the buttons so the list cannot be tapped again by mistake.
        await remove_buttons(query, context)
    else:
        await query.answer(context.t(ONLY_COORDINATORS), show_alert=True)


async def _send_invite(
    update: Update,
    context: PanelContext,
    actor: Actor,
    panel_id: int,
    days: int | None,
    *,
    refuse_in_chat: bool = True,
) -> bool:
    """Make a member invite and send its link. False (and nothing written) if not allowed."""
    _ = context.t
    now = context.runtime.clock.now()
    try:
        new: Invite = await panels.create_invite(
            context.session,
            actor,
            panel_id,
            now=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
    except (NotAllowed, LookupError):
        await context.session.rollback()
        if refuse_in_chat:
            await reply(update, _(ONLY_COORDINATORS))
        return False
    panel = await context.session.get(Panel, panel_id)
    assert panel is not None
    await context.session.commit()
    lines = [
        _("Here is a new invite link for {panel}.", panel=_bold(panel.name)),
        _("Send it to the person you want to invite. They open it to join the panel."),
        "",
        _link(context, new.code),
    ]
    if new.expires_at is not None:
        last_day = context.t.date(new.expires_at.astimezone(ZoneInfo(panel.timezone)))
        lines += ["", _("The link stops working on {date}.", date=last_day)]
    await reply(update, "\n".join(lines))
    return True


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    # Private chats only: an invite link posted in a group could be used by anyone there.
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("newpanel", new_panel, filters=private),
        CommandHandler("invite", invite, filters=private),
        CallbackQueryHandler(choose_panel, pattern=rf"^{INVITE}:"),
    ]
