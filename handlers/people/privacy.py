"""A member's own data: see it (/mydata), delete it (/forgetme), and leave a panel (/leave).

The services do the work and write the audit entries; these handlers only ask, explain and
confirm, in the person's own language.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import time
from html import escape
from pathlib import Path
from typing import Any

from babel.dates import format_interval
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.i18n import N_, Translator
from bot.languages import LANGUAGE_NAMES
from bot.services import forgetting, membership, receipt_files
from bot.services import my_data as my_data_service
from handlers.chat.button_data import read
from handlers.chat.common import (
    answer_expired,
    button,
    remove_buttons,
    reply,
)
from handlers.people.buttons import (
    FORGET,
    LEAVE,
    DeleteEverything,
    KeepMyData,
    LeavePanel,
    ListPanelsToLeave,
    StayInPanels,
)
from handlers.people.roster import access_in_words, panel_id_from, payment_in_words, role_in_words

EXPORT_FILENAME = "my-panelbot-data.json"
RECEIPTS_FILENAME = "my-receipts.zip"
# Languages whose speakers read clock times as 22:00 rather than 10 pm.
TWENTY_FOUR_HOUR = frozenset({"pl"})

NOTHING_STORED = N_("We do not keep anything about you. There is nothing to show or delete.")
REMINDER_WORDS = {
    "all": N_("All reminders"),
    "day_before": N_("Only the day before"),
    "none": N_("No reminders"),
}


# ------------------------------------------------------------------------------------ /mydata


def quiet_hours_in_words(t: Translator, quiet: dict[str, str] | None) -> str | None:
    """ "10 pm – 7 am" (or "22:00–07:00" in Polish), written the reader's way by Babel."""
    if not quiet:
        return None
    start, end = (time.fromisoformat(quiet[key]) for key in ("from", "to"))
    if t.language in TWENTY_FOUR_HOUR:
        skeleton = "Hm"
    else:
        skeleton = "h" if start.minute == 0 and end.minute == 0 else "hm"
    return format_interval(start, end, skeleton, locale=t.locale)


def summary(t: Translator, export: dict[str, Any]) -> str:
    """The export in words a person can read. The JSON file has every detail."""
    name = export.get("name")
    language = export.get("language")
    reminders = export.get("reminders")
    language_name = LANGUAGE_NAMES.get(language, escape(language)) if language else ""
    hours = quiet_hours_in_words(t, export.get("quiet_hours"))
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
    claims = export.get("claims") or []
    kept_receipts = sum(len(item["receipts"]) for c in claims for item in c["items"])
    answered = sum(1 for a in export.get("meeting_answers") or [] if a["answer"])
    lines += [
        "",
        t("Answers to meeting invitations: {n}", n=answered),
        t("Forms you have not finished: {n}", n=len(export.get("unfinished_forms") or [])),
        t("Messages with your name: {n}", n=len(export.get("feedback_with_your_name") or [])),
        t(
            "Poll answers with your name: {n}",
            n=len(export.get("your_answers_with_your_name") or []),
        ),
        t("Claims: {n}. Receipts: {receipts}.", n=len(claims), receipts=kept_receipts),
        "",
        t("Anonymous messages and answers are not here. Nobody can link them to you, not even us."),
        t("The file below has all of it."),
        t("To delete it all, type /forgetme."),
    ]
    return "\n".join(lines)


def receipts_zip(data_dir: Path, files: list[tuple[str, str]]) -> bytes | None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            if (data_dir / path).is_file():
                archive.write(data_dir / path, name)
        if not archive.namelist():
            return None
    return buffer.getvalue()


async def my_data(update: Update, context: PanelContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    export = await my_data_service.export_member(context.session, user.id)
    if export is None:
        await reply(update, context.t(NOTHING_STORED))
        return
    await reply(update, summary(context.t, export))
    data = json.dumps(export, indent=2, ensure_ascii=False).encode("utf-8")
    await chat.send_document(document=data, filename=EXPORT_FILENAME)
    files = await my_data_service.receipt_files(context.session, user.id)
    archive = receipts_zip(context.runtime.settings.panelbot_data_dir, files) if files else None
    if archive is not None:
        await chat.send_document(
            document=archive,
            filename=RECEIPTS_FILENAME,
            caption=context.t("Your receipts, named by claim and item."),
        )


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
            "• " + t("claims that are not approved or paid"),
            "",
            t("We keep a record of what happened in each panel."),
            t("It will not show who you are any more."),
            t("Approved and paid claims are payment records. We keep them without your name."),
            retention_in_words(t, context.runtime.settings.panelbot_finance_retention_years),
            "",
            t("You cannot undo this. Do you want to delete everything?"),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [
            [button(t("Yes, delete everything"), DeleteEverything().pack())],
            [button(t("No, keep my data"), KeepMyData().pack())],
        ]
    )
    await reply(update, text, reply_markup=keyboard)


async def confirm_forget(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    tapped = read(query.data, DeleteEverything, KeepMyData)
    if tapped is None:
        await answer_expired(query, context)
        return
    # The translator was chosen before anything is deleted, so the answer stays in their
    # language even though their saved choice is gone.
    t = context.t
    await query.answer()
    await remove_buttons(query, context)
    if isinstance(tapped, KeepMyData):
        await reply(update, t("OK. Nothing was deleted."))
        return
    settings = context.runtime.settings
    forgotten = await forgetting.forget_member(
        context.session,
        query.from_user.id,
        now=context.runtime.clock.now(),
        retention_years=settings.panelbot_finance_retention_years,
    )
    await context.session.commit()
    context.runtime.hold.forget(query.from_user.id)
    if forgotten is None:
        await reply(update, t(NOTHING_STORED))
        return
    # Receipts of deleted claims go now; those of kept finance records stay with them.
    await receipt_files.collect_orphans(
        context.session, settings.panelbot_data_dir, member_id=forgotten.member_id
    )
    lines = [t("Done. We deleted your data.")]
    if forgotten.kept_claims:
        lines += [
            t.ngettext(
                "We kept {n} approved or paid claim. It does not show your name.",
                "We kept {n} approved or paid claims. They do not show your name.",
                forgotten.kept_claims,
            ),
            retention_in_words(t, settings.panelbot_finance_retention_years),
        ]
    lines.append(t("Do you want to come back one day? Ask a coordinator for a new invite link."))
    await reply(update, "\n".join(lines))


def retention_in_words(t: Translator, years: int) -> str:
    return t.ngettext(
        "Payment records must be kept for {n} year. Then we delete them.",
        "Payment records must be kept for {n} years. Then we delete them.",
        years,
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
    rows = [[button(name, LeavePanel(panel_id).pack())] for panel_id, name, _ in panels]
    rows.append([button(t("No, I want to stay"), StayInPanels().pack())])
    await reply(
        update,
        t("Which panel do you want to leave? Tap its name."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def leave(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    t = context.t
    tapped = read(query.data, LeavePanel, StayInPanels, ListPanelsToLeave)
    if isinstance(tapped, ListPanelsToLeave):  # "Leave a panel" in /settings
        await query.answer()
        await ask_which_panel_to_leave(update, context)
        return
    staying = isinstance(tapped, StayInPanels)
    panel_id = panel_id_from(tapped.panel if isinstance(tapped, LeavePanel) else None)
    if not staying and panel_id is None:
        await answer_expired(query, context)
        return
    await query.answer()
    await remove_buttons(query, context)
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
