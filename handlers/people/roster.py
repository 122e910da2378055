"""/members: a coordinator sees who is in their panel and what each person needs.

Only what a coordinator needs to get a meeting ready: name, role, whether they finished joining,
access needs and how they want to be paid. The service checks the role, so a forged button with
another panel's id gets only a polite refusal.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.i18n import N_, Translator
from bot.services import access, membership
from bot.services.membership import RosterEntry
from bot.services.vocabularies import payments
from handlers.chat.common import answer_expired, button, reply
from handlers.chat.text import pack
from handlers.people import member_removal
from handlers.people.buttons import ROSTER, RosterOf

VERSION = 1

# Words for the codes the services store. Neutral wording, so they read well both to the
# member (/mydata) and to their coordinator (/members).
ACCESS_WORDS = {
    "step_free": N_("Step-free access"),
    "hearing_loop": N_("Hearing loop"),
    "bsl": N_("BSL interpreter"),
    "large_print": N_("Large print"),
    "easy_read": N_("Easy read papers"),
    "quiet_space": N_("A quiet space"),
    "support_worker": N_("A support worker or carer comes too"),
}
ROLE_WORDS = {
    "member": N_("Member"),
    "coordinator": N_("Coordinator"),
    "admin": N_("Admin"),
}
NOT_ALLOWED = N_("Sorry, only the coordinators of a panel can see who is in it.")


def access_in_words(t: Translator, needs: list[str], other: str | None) -> list[str]:
    """Each need in words; unknown codes are skipped, the person's own words are escaped."""
    words = [t(ACCESS_WORDS[need]) for need in needs if need in ACCESS_WORDS]
    if other:
        words.append(t("Other: {text}", text=escape(other)))
    return words


def payment_in_words(t: Translator, payment: str | None) -> str:
    return t(payments.choice_in_words(payment))


def role_in_words(t: Translator, role: str) -> str:
    return t(ROLE_WORDS[role]) if role in ROLE_WORDS else escape(role)


def describe(t: Translator, entry: RosterEntry) -> str:
    name = escape(entry.name) if entry.name else t("No name yet")
    needs = access_in_words(t, entry.access_needs, entry.access_other)
    lines = [
        f"<b>{name}</b> ({role_in_words(t, str(entry.role))})",
        t("Finished joining") if entry.onboarded else t("Still joining"),
        t("Needs: {needs}", needs="; ".join(needs)) if needs else t("Needs: nothing"),
        t("Payment: {choice}", choice=payment_in_words(t, entry.payment)),
    ]
    return "\n".join(lines)


def panel_id_from(panel: int | None) -> int | None:
    """A panel button's panel as a database id, or None if it cannot be one."""
    return panel if panel is not None and panel < 10**18 else None


async def _refuse(update: Update, context: PanelContext) -> None:
    await reply(update, context.t(NOT_ALLOWED))


async def _show_roster(
    update: Update, context: PanelContext, actor: access.Actor, panel_id: int
) -> None:
    t = context.t
    try:
        # The service decides who may see a roster; a forged panel id stops here.
        entries = await membership.roster(
            context.session, actor, panel_id, now=context.runtime.clock.now()
        )
    except access.NotAllowed:
        await _refuse(update, context)
        return
    await context.session.commit()  # the audit entry for this read
    names = dict(await access.coordinated_panels(context.session, actor))
    if panel_id not in names:  # an admin tapping a panel that has since gone
        await _refuse(update, context)
        return
    header = "\n".join(
        [
            "<b>" + t("Members of {panel}", panel=escape(names[panel_id])) + "</b>",
            t.ngettext("{n} person", "{n} people", len(entries)),
        ]
    )
    if not entries:
        await reply(update, header + "\n\n" + t("No one has joined this panel yet."))
        return
    messages = pack(header, [describe(t, entry) for entry in entries])
    for text in messages[:-1]:
        await reply(update, text)
    # The way to remove someone (handlers/people/member_removal.py) sits under the last part.
    keyboard = InlineKeyboardMarkup([[member_removal.remove_button(t, panel_id)]])
    await reply(update, messages[-1], reply_markup=keyboard)


async def _actor(update: Update, context: PanelContext) -> access.Actor | None:
    user = update.effective_user
    if user is None:
        return None
    return await access.actor_for(
        context.session, user.id, context.runtime.settings.panelbot_admins
    )


async def members_command(update: Update, context: PanelContext) -> None:
    actor = await _actor(update, context)
    if actor is None:
        return
    panels = await access.coordinated_panels(context.session, actor)
    if not panels:
        access.refuse(context.session, actor, "/members")
        await _refuse(update, context)
        return
    if len(panels) == 1:
        await _show_roster(update, context, actor, panels[0][0])
        return
    keyboard = InlineKeyboardMarkup(
        [[button(name, RosterOf(panel_id).pack())] for panel_id, name in panels]
    )
    await reply(update, context.t("Which panel? Tap one."), reply_markup=keyboard)


async def choose_panel(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = RosterOf.unpack(query.data)
    panel_id = panel_id_from(tapped.panel if tapped else None)
    if panel_id is None:
        await answer_expired(query, context)
        return
    actor = await _actor(update, context)
    if actor is None:
        await answer_expired(query, context)
        return
    await query.answer()
    await _show_roster(update, context, actor, panel_id)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("members", members_command),
        CallbackQueryHandler(choose_panel, pattern=rf"^{ROSTER}:"),
    ]
