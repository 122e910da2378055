"""What a broadcast looks like to members, and the coordinator's progress and final report.

Members' copies are rendered when the outbox sends them, in each member's language (their own
version if the coordinator wrote one, else the original). The coordinator's confirmation message
is edited as copies go, at most once every few seconds, and becomes the final report once
nothing is left to go now. Copies waiting for members' quiet hours to end are counted apart; when
the last of them has gone, the coordinator gets one short message with the final figure.
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
from handlers.broadcasts.buttons import WhoWasNotReached
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


def waiting_line(t: Translator, figures: broadcasts.Figures) -> str | None:
    """The members whose copy waits for their quiet hours, in progress, report and /broadcasts."""
    if not figures.waiting:
        return None
    return t.ngettext(
        "{n} person is waiting for their quiet hours to end.",
        "{n} people are waiting for their quiet hours to end.",
        figures.waiting,
        n=figures.waiting,
    )


def progress_text(t: Translator, figures: broadcasts.Figures) -> str:
    """Copies going now, counted against those that can go now: a copy waiting for quiet hours
    is on its own line, so the count never seems stuck."""
    going = figures.going_now
    lines = [
        t("Sending: {done} of {total}", done=figures.done, total=going),
        progress_bar(figures.done, going),
    ]
    if figures.waiting:
        lines += [t("Delivered: {n}", n=figures.delivered), waiting_line(t, figures) or ""]
    return "\n".join(lines)


def _figure_lines(t: Translator, figures: broadcasts.Figures) -> list[str]:
    lines = [
        t("Delivered: {n}", n=figures.delivered),
        t("Could not reach: {n}", n=figures.unreachable),
        t("Failed: {n}", n=figures.failed),
    ]
    if figures.skipped:
        lines.append(t("Turned off news: {n}", n=figures.skipped))
    return lines


def final_text(t: Translator, figures: broadcasts.Figures) -> str:
    lines = [t("Your message has finished sending."), "", *_figure_lines(t, figures)]
    waiting = waiting_line(t, figures)
    if waiting:
        lines += ["", waiting, t("You will get a short message when it has gone to them.")]
    return "\n".join(lines)


def later_text(t: Translator, figures: broadcasts.Figures) -> str:
    """The final figure, once the copies that waited for quiet hours have gone."""
    lines = [
        t("Your message has now gone to the people who were waiting for their quiet hours."),
        "",
        *_figure_lines(t, figures),
    ]
    return "\n".join(lines)


def final_buttons(t: Translator, broadcast_id: int, figures: broadcasts.Figures) -> Any:
    if not figures.unreachable:
        return None
    return InlineKeyboardMarkup(
        [[button(t("Who could not be reached?"), WhoWasNotReached(broadcast_id).pack())]]
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
            if broadcast is None or broadcast.finished_at is not None:
                return  # already reported: copies that waited for quiet hours get a message
            figures = await broadcasts.figures(session, broadcast_id, now=self.clock.now())
            t = _person(await session.get(Member, broadcast.created_by or 0))
        await self._edit(broadcast, progress_text(t, figures))

    async def after_drain(self) -> None:
        """Broadcasts with nothing left to go now get their final report, once. Copies that wait
        for quiet hours are counted in it; when the last has gone the final figure is queued."""
        async with self.delivery.db.session() as session:
            ids = await broadcasts.sending(session)
        for broadcast_id in ids:
            now = self.clock.now()
            async with self.delivery.db.session() as session:
                figures = await broadcasts.figures(session, broadcast_id, now=now)
                if not figures.settled:
                    continue
                broadcast = await session.get(Broadcast, broadcast_id)
                if broadcast is None:
                    continue
                if broadcast.finished_at is not None:
                    # Reported already: done once the copies that waited have gone.
                    if not figures.waiting:
                        await broadcasts.finish(session, broadcast_id, now=now, tell_at=now)
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
                if figures.waiting:
                    await broadcasts.reported(session, broadcast_id, now=now)
                else:
                    await broadcasts.finish(session, broadcast_id, now=now)
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

    async def final_figure(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        broadcast_id = int(row.payload["broadcast_id"])
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return None
        figures = await broadcasts.figures(session, broadcast_id, now=clock.now())
        t = _person(await session.get(Member, broadcast.created_by or 0))
        markup = final_buttons(t, broadcast_id, figures)
        rows = [
            [{"text": b.text, "callback_data": str(b.callback_data)} for b in line]
            for line in (markup.inline_keyboard if markup else ())
        ]
        return Outgoing(text=later_text(t, figures), buttons=rows or None)

    reporter = Reporter(delivery, clock)
    delivery.register(Kind.BROADCAST, member_copy)
    delivery.register(Kind.BROADCAST_FINAL, final_figure)
    delivery.register_task(Kind.BROADCAST_START, start)
    delivery.observers.append(reporter.on_outcome)
    delivery.after_drain.append(reporter.after_drain)
