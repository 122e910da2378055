"""Admins are told in the bot when messages fail for good (a refusal, or giving up after a long
Telegram outage), at most once an hour, in their own language."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Member
from bot.delivery import Delivery, Outgoing
from bot.i18n import translator
from bot.services import outbox_recovery
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind


class FailureAlerts:
    def __init__(self, delivery: Delivery, clock: Clock, admins: frozenset[int]) -> None:
        self.delivery = delivery
        self.clock = clock
        self.admins = admins
        self.failed = 0

    async def on_outcome(self, row: ClaimedMessage, outcome: str) -> None:
        if outcome == "failed" and row.kind != Kind.OUTBOX_FAILED:
            self.failed += 1

    async def after_drain(self) -> None:
        if not self.failed:
            return
        failed, self.failed = self.failed, 0
        async with self.delivery.db.session() as session:
            await outbox_recovery.tell_admins(
                session, self.admins, failed=failed, now=self.clock.now()
            )


async def render_alert(session: AsyncSession, row: ClaimedMessage) -> Outgoing:
    member = await session.get(Member, row.member_id) if row.member_id else None
    t = translator(member.language or "en" if member else "en", bool(member and member.easy_read))
    n = int(row.payload.get("failed", 0))
    return Outgoing(
        text="\n".join(
            [
                t.ngettext("{n} message could not be sent.", "{n} messages could not be sent.", n),
                t("If Telegram was not working, I will try again when it works."),
                t("The bot's log says more."),
            ]
        )
    )


def register(delivery: Delivery, clock: Clock, admins: frozenset[int]) -> None:
    alerts = FailureAlerts(delivery, clock, admins)
    delivery.register(Kind.OUTBOX_FAILED, render_alert)
    delivery.observers.append(alerts.on_outcome)
    delivery.after_drain.append(alerts.after_drain)
