"""A member's own data: see it (/mydata), delete it (/forgetme), and leave a panel (/leave).

The services do the work and write the audit entries; these handlers only ask, explain and
confirm, in the person's own language.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.i18n import LANGUAGE_NAMES, N_, Translator
from bot.services import membership, receipts
from bot.services.profile import format_quiet_hours
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.roster import access_in_words, panel_id_from, payment_in_words, role_in_words

EXPORT_FILENAME = "my-panelbot-data.json"
FORGET, LEAVE, VERSION = "forget", "leave", 1

NOTHING_STORED = N_("We do not keep anything about you. There is nothing to show or delete.")
REMINDER_WORDS = {
    "all": N_("All reminders"),
    "day_before": N_("Only the day before"),
    "none": N_("No reminders"),
}


# ------------------------------------------------------------------------------------ /mydata


def summary(t: Translator, export: dict[str, Any]) -> str:
    """The export in words a person can read. The JSON file has every detail."""
    name = export.get("name")
    language = export.get("language")
    reminders = export.get("reminders")
    quiet = export.get("quiet_hours")
    language_name = LANGUAGE_NAMES.get(language, escape(language)) if language else ""
    hours = format_quiet_hours(*quiet) if quiet else None
    needs = access_in_words(t, export.get("access_needs") or [], export.get("access_other"))
    lines = [
        t("Here is what we keep about you."),
        "",
        t("Name: {name}", name=escape(name) if name else t("No name yet")),
        t("Language: {language}", language=language_name or t("Not chosen yet")),
        t("Easy read: on") if export.get("easy_read") else t("Easy read: off"),
        t(
            "Reminders: {choice}",
            choice=t(REMINDER_WORDS[reminders]) if reminders in REMINDER_WORDS else "",
        ),
        t("Quiet hours: {hours}", hours=hours) if hours else t("Quiet hours: none"),
        t("Access needs: {needs}", needs="; ".join(needs)) if needs else t("Access needs: none"),
        t("Payment: {choice}", choice=payment_in_words(t, export.get("payment"))),
        "",
    ]
    panels = export.get("panels") or []
    if panels:
        lines.append(t("Your panels:"))
        for panel in panels:
            status = role_in_words(t, panel["role"]) if panel["active"] else t("you left")
            lines.append(t.arrange(f"• {t.isolate(escape(panel['panel']))}: {status}"))
    else:
        lines.append(t("You are not in a panel yet."))
    lines += [
        "",
        t("The file below has all of it."),
        t("To delete it all, type /forgetme."),
    ]
    return "\n".join(lines)


async def my_data(update: Update, context: PanelContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    export = await membership.export_member(context.session, user.id)
    if export is None:
        await reply(update, context.t(NOTHING_STORED))
        return
    await reply(update, summary(context.t, export))
    data = json.dumps(export, indent=2, ensure_ascii=False).encode("utf-8")
    await chat.send_document(document=data, filename=EXPORT_FILENAME)


# ---------------------------------------------------------------------------------- /forgetme


async def ask_to_forget(update: Update, context: PanelContext) -> None:
    t = context.t
    if context.member is None:
        await reply(update, t(NOTHING_STORED))
        return
    text = "\n".join(
        [
            t("If you say yes, we will delete:"),
            "• " + t("your name and your settings"),
            "• " + t("your access needs and how you want to be paid"),
            "• " + t("your place in every panel"),
            "• " + t("messages waiting to be sent to you"),
            "",
            t("We keep a record of what happened in each panel."),
            t("It will not show who you are any more."),
            "",
            t("You cannot undo this. Do you want to delete everything?"),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [
            [button(t("Yes, delete everything"), callback_data(FORGET, VERSION, "yes"))],
            [button(t("No, keep my data"), callback_data(FORGET, VERSION, "no"))],
        ]
    )
    await reply(update, text, reply_markup=keyboard)


async def confirm_forget(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    args = parse_callback(query.data, FORGET, VERSION)
    if args not in (["yes"], ["no"]):
        await answer_expired(query, context)
        return
    # The translator was chosen before anything is deleted, so the answer stays in their
    # language even though their saved choice is gone.
    t = context.t
    await query.answer()
    await remove_buttons(query)
    if args == ["no"]:
        await reply(update, t("OK. Nothing was deleted."))
        return
    member_id = context.member.id if context.member else None
    forgotten = await membership.forget_member(
        context.session, query.from_user.id, now=context.runtime.clock.now()
    )
    await context.session.commit()
    if forgotten and member_id is not None:
        receipts.forget_files(context.runtime.settings.panelbot_data_dir, member_id)
    if not forgotten:
        await reply(update, t(NOTHING_STORED))
        return
    await reply(
        update,
        "\n".join(
            [
                t("Done. We deleted your data."),
                t("Do you want to come back one day? Ask a coordinator for a new invite link."),
            ]
        ),
    )


# ------------------------------------------------------------------------------------- /leave


async def ask_which_panel_to_leave(update: Update, context: PanelContext) -> None:
    """One button per panel the person is in. Others (like /settings) may call this too."""
    user = update.effective_user
    if user is None:
        return
    t = context.t
    panels = await membership.my_panels(context.session, user.id)
    if not panels:
        await reply(update, t("You are not in any panel."))
        return
    rows = [[button(name, callback_data(LEAVE, VERSION, panel_id))] for panel_id, name, _ in panels]
    rows.append([button(t("No, I want to stay"), callback_data(LEAVE, VERSION, "stay"))])
    await reply(
        update,
        t("Which panel do you want to leave? Tap its name."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def leave(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    t = context.t
    args = parse_callback(query.data, LEAVE, VERSION)
    staying = args == ["stay"]
    panel_id = panel_id_from(args)
    if not staying and panel_id is None:
        await answer_expired(query, context)
        return
    await query.answer()
    await remove_buttons(query)
    if panel_id is None:
        await reply(update, t("OK. Nothing has changed."))
        return
    name = await membership.leave_panel(
        context.session, query.from_user.id, panel_id, now=context.runtime.clock.now()
    )
    await context.session.commit()
    if name is None:
        await reply(update, t("You are not in that panel any more."))
        return
    await reply(
        update,
        "\n".join(
            [
                t("You have left {panel}.", panel=escape(name)),
                t("We will not send you messages about it any more."),
                t("To join again, ask the coordinator for a new invite link."),
            ]
        ),
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("mydata", my_data),
        CommandHandler("forgetme", ask_to_forget),
        CommandHandler("leave", ask_which_panel_to_leave),
        CallbackQueryHandler(confirm_forget, pattern=rf"^{FORGET}:"),
        CallbackQueryHandler(leave, pattern=rf"^{LEAVE}:"),
    ]
