"""What the news modules share: who is asking, the panels they coordinate, the time zone news is
typed and shown in, and the news buttons' data."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram import Update

from bot.context import PanelContext
from bot.db import Panel
from bot.i18n import N_, Translator
from bot.services import access, broadcast_audience
from bot.services.broadcast_audience import Audience

REFUSED = N_("You cannot send news to that group.")


async def actor(update: Update, context: PanelContext) -> access.Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


async def coordinated(update: Update, context: PanelContext) -> list[tuple[int, str]]:
    """The panels this person may send news to: (id, name)."""
    return await access.coordinated_panels(context.session, await actor(update, context))


async def zone(context: PanelContext, audience: dict[str, Any]) -> ZoneInfo:
    """The time zone of the (first) panel reached: times are typed and shown in it."""
    panel_ids = await broadcast_audience.panels_of(context.session, Audience.from_json(audience))
    found = await context.session.scalar(select(Panel.timezone).where(Panel.id.in_(panel_ids)))
    return ZoneInfo(found or "Europe/London")


def when_words(t: Translator, send_at: str | None, where: ZoneInfo) -> str:
    if not send_at:
        return t("now")
    return t.datetime(datetime.fromisoformat(send_at), where, style="medium")
