"""/export for coordinators: approved claims for finance as CSV or XLSX, with the receipts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.db import Panel
from bot.i18n import N_
from bot.services import claim_export, claim_rules
from bot.services.access import NotAllowed, coordinated_panels, refuse
from handlers.chat import picker
from handlers.chat.common import answer_expired, button, reply
from handlers.claims.buttons import EXPORT, DownloadClaims
from handlers.claims.review import ONLY_COORDINATORS, acting, refuse_stranger, refused

PERIODS = {
    "month": N_("This month"),
    "last": N_("Last month"),
    "year": N_("This tax year"),
}


def period(name: str, today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    if name == "last":
        end = first - timedelta(days=1)
        return end.replace(day=1), end
    if name == "year":
        return claim_rules.tax_year_start(today), today
    return first, today


async def export_command(update: Update, context: PanelContext) -> None:
    t = context.t
    if context.member is None:
        await refuse_stranger(update, context, "/export")
        await reply(update, t(ONLY_COORDINATORS))
        return
    actor = await acting(context)
    panels = await coordinated_panels(context.session, actor)
    if not panels:
        refuse(context.session, actor, "/export")
        await reply(update, t(ONLY_COORDINATORS))
        return
    rows = []
    for panel_id, name in panels[:5]:
        for key, label in PERIODS.items():
            for fmt in ("csv", "xlsx"):
                text = (
                    f"{name[:24]}: {t(label)}, {fmt.upper()}"
                    if len(panels) > 1
                    else f"{t(label)}, {fmt.upper()}"
                )
                rows.append([button(text, DownloadClaims(panel_id, key, fmt).pack())])
    await reply(
        update,
        t("Which claims do you want to download? Tap one."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def on_export(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = DownloadClaims.unpack(query.data)
    if (
        tapped is None
        or tapped.period not in PERIODS
        or tapped.format not in ("csv", "xlsx")
        or context.member is None
    ):
        if context.member is None:
            await refuse_stranger(update, context, "ex")
        await answer_expired(query, context)
        return
    t, panel_id = context.t, tapped.panel
    panel = await context.session.get(Panel, panel_id)
    if panel is None:
        await answer_expired(query, context)
        return
    today = picker.local_today(context.runtime.clock.now(), ZoneInfo(panel.timezone))
    start, end = period(tapped.period, today)
    actor = await acting(context)
    try:
        export = await claim_export.collect(
            context.session,
            actor,
            panel_id,
            start,
            end,
            now=context.runtime.clock.now(),
            fmt=tapped.format,
        )
    except NotAllowed:
        await refused(update, context)
        return
    await context.session.commit()  # the audit entry for this export
    await query.answer()
    stem = claim_export.file_stem(panel_id, start, end)
    content = (
        claim_export.to_csv(export) if tapped.format == "csv" else claim_export.to_xlsx(export)
    )
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        InputFile(content, filename=f"{stem}.{tapped.format}"),
        caption=t.ngettext("{n} line in this file.", "{n} lines in this file.", len(export.rows)),
    )
    archive = claim_export.receipts_zip(export, context.runtime.settings.panelbot_data_dir)
    if archive is not None:
        await chat.send_document(
            InputFile(archive, filename=f"{stem}-receipts.zip"),
            caption=t("The receipts, named by claim."),
        )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("export", export_command, filters=private),
        CallbackQueryHandler(on_export, pattern=rf"^{EXPORT}:"),
    ]
