"""What a broadcast looks like to members, and the coordinator's progress and final report.

Members' copies are rendered when the outbox sends them, in each member's language (their own
version if the coordinator wrote one, else the original). The coordinator's confirmation message
is edited as copies go, at most once every few seconds, and becomes the final report at the end.
"""

from __future__ import annotations

import asyncio
import logging
import time
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.db import Broadcast, Member
from bot.delivery import Delivery, Outgoing
from bot.i18n import Translator, translator
from bot.rate_budget import FROM_OUTBOX, retry_seconds
from bot.services import broadcasts
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from handlers.broadcasts.shared import data
from handlers.chat.common import button
from handlers.chat.plain_words import explain_buttons

log = logging.getLogger(__name__)

PROGRESS_EVERY = 5.0  # seconds between edits of the coordinator's message
FINAL_TRIES = 5  # edits of the final report refused with 429 before a new message is sent
BAR = 10


def copy_for(broadcast: Broadcast, language: str, easy_read: bool = False) -> Outgoing:
    """One member's copy: their language's version if there is one, with glossary buttons."""
    t = translator(language, easy_read)
    text = (broadcast.translations or {}).get(language) or broadcast.text
    body = "\n\n".join(part for part in (t("📣 News from your coordinator"), escape(text)) if part)
    buttons = [
        [{"text": b.text, "callback_data": str(b.callback_data)} for b in row]
        for row in explain_buttons(t, list(broadcast.terms or []), language)
    ]
    return Outgoing(
        text=body,
        buttons=buttons or None,
        photo=broadcast.media_file_id if broadcast.media_kind == "photo" else None,
        document=broadcast.media_file_id if broadcast.media_kind == "document" else None,
    )


def _person(member: Member | None) -> Translator:
    if member is None:
        return translator("en")
    return translator(member.language or "en", member.easy_read)


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else BAR
    percent = round(100 * done / total) if total else 100
    return f"{'▓' * filled}{'░' * (BAR - filled)} {percent}%"


def progress_text(t: Translator, figures: broadcasts.Figures) -> str:
    return "\n".join(
        [
            t("Sending: {done} of {total}", done=figures.done, total=figures.total),
            progress_bar(figures.done, figures.total),
        ]
    )


def final_text(t: Translator, figures: broadcasts.Figures) -> str:
    lines = [
        t("Your message has finished sending."),
        "",
        t("Delivered: {n}", n=figures.delivered),
        t("Could not reach: {n}", n=figures.unreachable),
        t("Failed: {n}", n=figures.failed),
    ]
    if figures.skipped:
        lines.append(t("Turned off news: {n}", n=figures.skipped))
    return "\n".join(lines)


def final_buttons(t: Translator, broadcast_id: int, figures: broadcasts.Figures) -> Any:
    if not figures.unreachable:
        return None
    return InlineKeyboardMarkup(
        [[button(t("Who could not be reached?"), data("who", broadcast_id))]]
    )


class Reporter:
    """Edits coordinators' confirmation messages as their broadcasts go out."""

    def __init__(self, delivery: Delivery, clock: Clock) -> None:
        self.delivery = delivery
        self.clock = clock
        self._last_edit: dict[int, float] = {}

    async def _edit(
        self, broadcast: Broadcast, text: str, markup: Any = None, *, tries: int = 1
    ) -> bool:
        """Edit the coordinator's message; True once Telegram shows the text. The edit takes a
        slot in the shared budget and waits its turn in the chat; a refusal with 429 is tried
        again after the wait Telegram gives, up to `tries` times."""
        chat_id, message_id = broadcast.report_chat_id, broadcast.report_message_id
        if chat_id is None or message_id is None:
            return True  # nothing to show it in
        limiter = self.delivery.limiter
        token = FROM_OUTBOX.set(True)
        try:
            for _ in range(tries):
                try:
                    async with limiter.slot(chat_id):
                        await self.delivery.bot.edit_message_text(
                            text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                        )
                    return True
                except RetryAfter as error:
                    limiter.pause(retry_seconds(error), chat_id)
                except BadRequest as error:
                    # Already showing this text is shown; a deleted or too old message is not.
                    return "not modified" in error.message.lower()
                except NetworkError:
                    await asyncio.sleep(1)
                except TelegramError as error:
                    log.info("Could not update broadcast %s report: %s", broadcast.id, error)
                    return False
            return False
        finally:
            FROM_OUTBOX.reset(token)

    async def _send_report(self, broadcast: Broadcast, text: str, markup: Any) -> bool:
        """Editing keeps failing: the final report goes as a new message instead."""
        assert broadcast.report_chat_id is not None
        token = FROM_OUTBOX.set(True)
        try:
            async with self.delivery.limiter.slot(broadcast.report_chat_id):
                await self.delivery.bot.send_message(
                    broadcast.report_chat_id, text, reply_markup=markup
                )
            return True
        except TelegramError as error:
            log.warning("Could not send broadcast %s report: %s", broadcast.id, error)
            return False
        finally:
            FROM_OUTBOX.reset(token)

    async def on_outcome(self, row: ClaimedMessage, outcome: str) -> None:
        if row.kind != Kind.BROADCAST:
            return
        broadcast_id = int(row.payload["broadcast_id"])
        now = time.monotonic()
        if now - self._last_edit.get(broadcast_id, 0.0) < PROGRESS_EVERY:
            return
        self._last_edit[broadcast_id] = now
        async with self.delivery.db.session() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast is None:
                return
            figures = await broadcasts.figures(session, broadcast_id)
            t = _person(await session.get(Member, broadcast.created_by or 0))
        await self._edit(broadcast, progress_text(t, figures))

    async def after_drain(self) -> None:
        """Broadcasts with nothing left to send get their final report, once."""
        async with self.delivery.db.session() as session:
            ids = await broadcasts.sending(session)
        for broadcast_id in ids:
            async with self.delivery.db.session() as session:
                figures = await broadcasts.figures(session, broadcast_id)
                if figures.waiting:
                    continue
                broadcast = await session.get(Broadcast, broadcast_id)
                if broadcast is None:
                    continue
                t = _person(await session.get(Member, broadcast.created_by or 0))
            # Report first, then record it: a crash in between repeats an edit, never loses it.
            # Not shown yet (Telegram kept refusing): the next drain tries again.
            text, markup = final_text(t, figures), final_buttons(t, broadcast_id, figures)
            shown = await self._edit(broadcast, text, markup, tries=FINAL_TRIES)
            if not shown:
                shown = await self._send_report(broadcast, text, markup)
            if not shown:
                continue
            async with self.delivery.db.session() as session:
                await broadcasts.finish(session, broadcast_id, now=self.clock.now())
            self._last_edit.pop(broadcast_id, None)


def register(delivery: Delivery, clock: Clock) -> None:
    async def member_copy(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await broadcasts.for_copy(session, int(row.payload["broadcast_id"]), row.member_id)
        if found is None:
            return None
        broadcast, member = found
        return copy_for(broadcast, member.language or "en", member.easy_read)

    async def start(session: AsyncSession, row: ClaimedMessage) -> None:
        await broadcasts.start(session, int(row.payload["broadcast_id"]), now=clock.now())

    reporter = Reporter(delivery, clock)
    delivery.register(Kind.BROADCAST, member_copy)
    delivery.register_task(Kind.BROADCAST_START, start)
    delivery.observers.append(reporter.on_outcome)
    delivery.after_drain.append(reporter.after_drain)
