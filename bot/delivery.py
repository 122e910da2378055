"""The one place that sends to Telegram in bulk: outbox rows become messages here.

It keeps within Telegram's limits (a global budget of 28.5 messages a second shared with the
bot's live answers, one message a second per chat), waits exactly as long as a `RetryAfter`
says, marks people who blocked the bot as unreachable, retries network faults with back-off,
and records every outcome on the row.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import warnings
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from bot.clock import Clock
from bot.db import OutboxStatus
from bot.db.engine import Database
from bot.services import members, outbox
from bot.services.outbox import ClaimedMessage

log = logging.getLogger(__name__)

# Telegram allows about 30 messages a second to different chats. Every message the bot sends
# (live answers too, see LiveSends) is booked against 28.5 a second: close to the limit, with
# room for the odd second in which timing bunches sends together.
GLOBAL_RATE = 28.5
PER_CHAT_INTERVAL = 1.0
MAX_FLOOD_WAITS = 5
# Bad requests that mean the person is gone rather than the message being wrong.
GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")


@dataclass
class Outgoing:
    """A message ready to send: what a renderer makes of an outbox row."""

    text: str | None = None
    parse_mode: str | None = "HTML"
    buttons: list[list[dict[str, str]]] | None = None
    photo: str | None = None
    voice: str | None = None  # a voice note's file_id (anonymous feedback passed on)
    document: str | bytes | None = None
    filename: str | None = None
    disable_notification: bool = False
    # A file sent straight after the message (a calendar file with an invitation).
    follow_up: bytes | None = None
    follow_up_name: str | None = None
    follow_up_caption: str | None = None


# A renderer turns a claimed row into a message at send time, in the person's current language.
# Returning None means "no longer needed" (for example the meeting was cancelled).
Renderer = Callable[[AsyncSession, ClaimedMessage], Awaitable[Outgoing | None]]
# A task row sends nothing: it does work in the database when due (a broadcast's start adds one
# row per member). It runs in the same transaction that marks it done, so a crash repeats it whole.
Task = Callable[[AsyncSession, ClaimedMessage], Awaitable[None]]
# Told of each row's outcome (broadcast progress); and run after each drain (final reports).
Observer = Callable[[ClaimedMessage, str], Awaitable[None]]
AfterDrain = Callable[[], Awaitable[None]]


async def render_prepared(_session: AsyncSession, message: ClaimedMessage) -> Outgoing:
    """The `message` kind: the payload is already the finished message."""
    p = message.payload
    return Outgoing(
        text=p.get("text"),
        parse_mode=p.get("parse_mode", "HTML"),
        buttons=p.get("buttons"),
        photo=p.get("photo"),
        document=p.get("document"),
        filename=p.get("filename"),
        disable_notification=bool(p.get("silent", False)),
    )


class RateLimiter:
    """An even pace of `rate` sends a second overall, and one a second per chat.

    Each send is booked one interval after the previous booking (a virtual schedule, as in
    GCRA). A sender that wakes a few milliseconds late keeps its slot instead of pushing every
    later send back, so a busy event loop does not slowly lower the rate; but time lost to a
    longer stall is not made up in a burst, so no second ever holds more than `rate` + 1 sends.
    """

    def __init__(
        self,
        rate: float = GLOBAL_RATE,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        *,
        tolerance: float = 0.010,
    ):
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self.tolerance = tolerance
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._next_for_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Telegram said to wait: nobody sends until then."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def book_now(self) -> None:
        """A live answer to someone goes at once; the outbox's next send moves back a slot."""
        self._next_slot = max(self._next_slot, time.monotonic()) + 1.0 / self.rate

    async def acquire_chat(self, chat_id: int) -> None:
        """Only the one-a-second spacing for a chat: for edits, which are not new messages."""
        wait_chat = self._next_for_chat.get(chat_id, 0.0) - time.monotonic()
        if wait_chat > 0:
            await asyncio.sleep(wait_chat)
        self._next_for_chat[chat_id] = time.monotonic() + self.per_chat_interval

    async def acquire(self, chat_id: int) -> None:
        wait_chat = self._next_for_chat.get(chat_id, 0.0) - time.monotonic()
        if wait_chat > 0:
            await asyncio.sleep(wait_chat)
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                if now >= self._next_slot:
                    break
                await asyncio.sleep(self._next_slot - now)
            late = now - self._next_slot
            start = self._next_slot if late <= self.tolerance else now
            self._next_slot = start + 1.0 / self.rate
        self._next_for_chat[chat_id] = time.monotonic() + self.per_chat_interval


# Set while the outbox sends, so LiveSends does not book those messages a second time.
_FROM_OUTBOX: contextvars.ContextVar[bool] = contextvars.ContextVar("from_outbox", default=False)
_SENDS = frozenset(
    [
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendPoll",
        "sendSticker",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendLocation",
        "sendContact",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    ]
)


class LiveSends(BaseRateLimiter[None]):
    """PTB's hook on every Bot API call: live answers to people are booked against the same
    budget as the outbox, so a broadcast slows down a little to make room for them instead of
    both together going over Telegram's limit. Live answers themselves never wait."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Any],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        if endpoint in _SENDS and not _FROM_OUTBOX.get():
            self.limiter.book_now()
        return await callback(*args, **kwargs)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0
    done: int = 0  # task rows run
    outcomes: dict[str, str] = field(default_factory=dict)

    def add(self, other: DeliveryReport) -> None:
        for name in (
            "claimed",
            "sent",
            "unreachable",
            "failed",
            "retrying",
            "cancelled",
            "done",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.outcomes.update(other.outcomes)


def _keyboard(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button["text"], callback_data=button.get("callback_data"), url=button.get("url")
                )
                for button in row
            ]
            for row in rows
        ]
    )


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Delivery:
    """Claims due outbox rows and sends them. Safe to run in several processes at once."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        renderers: dict[str, Renderer] | None = None,
        batch_size: int = 200,
        lease: timedelta = timedelta(minutes=2),
        concurrency: int = 32,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.renderers: dict[str, Renderer] = {"message": render_prepared, **(renderers or {})}
        self.tasks: dict[str, Task] = {}
        self.observers: list[Observer] = []
        self.after_drain: list[AfterDrain] = []
        self.batch_size = batch_size
        self.lease = lease
        self._slots = asyncio.Semaphore(concurrency)
        # A few rows are rendered ahead of the limiter, not a whole batch at once: a burst of
        # database work would stall the event loop and bunch up sends that were evenly paced.
        self._rendering = asyncio.Semaphore(4)
        self._running = asyncio.Lock()
        self._stopping = False

    def request_stop(self) -> None:
        """Finish the batch in hand, then stop: on shutdown the rest waits safely in the outbox."""
        self._stopping = True

    def resume(self) -> None:
        self._stopping = False

    @property
    def busy(self) -> bool:
        return self._running.locked()

    def register(self, kind: str, renderer: Renderer) -> None:
        self.renderers[kind] = renderer

    def register_task(self, kind: str, task: Task) -> None:
        self.tasks[kind] = task

    async def run_once(self) -> DeliveryReport:
        """Claim one batch and send it. Returns what happened to each row."""
        async with self.db.session() as session:
            claimed = await outbox.claim_due(
                session, now=self.clock.now(), limit=self.batch_size, lease=self.lease
            )
        report = DeliveryReport(claimed=len(claimed))
        by_chat: dict[int, list[ClaimedMessage]] = defaultdict(list)
        for message in claimed:
            by_chat[message.chat_id].append(message)
        # One task per chat keeps each person's messages in order; chats run side by side.
        # Flood waits can make a batch outlast its lease, so the lease is renewed while it runs.
        heartbeat = asyncio.create_task(self._keep_leased([m.id for m in claimed]))
        try:
            await asyncio.gather(*(self._send_chat(rows, report) for rows in by_chat.values()))
        finally:
            heartbeat.cancel()
        return report

    async def _keep_leased(self, row_ids: list[int]) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            async with self.db.session() as session:
                await outbox.renew_lease(session, row_ids, until=self.clock.now() + self.lease)

    async def drain(self, *, max_batches: int = 1000) -> DeliveryReport:
        """Send everything due now. The JobQueue tick calls this; overlapping ticks skip."""
        total = DeliveryReport()
        if self._running.locked():
            return total
        async with self._running:
            for _ in range(max_batches):
                if self._stopping:
                    break
                report = await self.run_once()
                total.add(report)
                # A task may just have added rows that are due now: look again.
                if report.claimed < self.batch_size and not report.done:
                    break
            for hook in self.after_drain:
                try:
                    await hook()
                except Exception:  # a report that cannot be sent must not stop the outbox
                    log.exception("After-drain hook failed")
        return total

    async def _send_chat(self, rows: list[ClaimedMessage], report: DeliveryReport) -> None:
        for index, message in enumerate(rows):
            outcome = await self._deliver(message)
            report.outcomes[message.key] = outcome
            setattr(report, outcome, getattr(report, outcome) + 1)
            for observer in self.observers:
                try:
                    await observer(message, outcome)
                except Exception:
                    log.exception("Outbox observer failed on %s", message.key)
            if outcome == "retrying":
                # Keep this person's order: their later rows wait until this one has gone.
                async with self.db.session() as session:
                    until = await outbox.due_time(session, message.id)
                    await outbox.postpone(
                        session, [rest.id for rest in rows[index + 1 :]], until=until
                    )
                return
            if outcome == "unreachable":
                # The person blocked the bot: the rest of their rows would fail the same way.
                for rest in rows[index + 1 :]:
                    async with self.db.session() as session:
                        await outbox.mark_unreachable(session, rest.id, error="blocked earlier")
                    report.outcomes[rest.key] = "unreachable"
                    report.unreachable += 1
                return

    async def _run_task(self, task: Task, message: ClaimedMessage) -> str:
        try:
            async with self.db.session() as session:
                if await outbox.status_of(session, message.id) != OutboxStatus.PENDING:
                    return "cancelled"
                await task(session, message)
                await outbox.mark_sent(
                    session, message.id, now=self.clock.now(), telegram_message_id=None
                )
        except Exception as error:
            log.exception("Outbox task %s failed", message.key)
            return await self._retry(message, f"task: {error!r}"[:500])
        return "done"

    async def _deliver(self, message: ClaimedMessage) -> str:
        task = self.tasks.get(message.kind)
        if task is not None:
            return await self._run_task(task, message)
        async with self._rendering, self.db.session() as session:
            renderer = self.renderers.get(message.kind)
            if renderer is None:
                await outbox.mark_failed(
                    session, message.id, error=f"no renderer for {message.kind}"
                )
                return "failed"
            if await outbox.status_of(session, message.id) != OutboxStatus.PENDING:
                return "cancelled"  # cancelled while it waited in this batch
            try:
                outgoing = await renderer(session, message)
            except Exception as error:  # a bug in one renderer must not stall the outbox
                log.exception("Could not render outbox row %s", message.key)
                await session.rollback()
                await outbox.mark_failed(session, message.id, error=f"render: {error!r}"[:500])
                return "failed"
            if outgoing is None:
                await outbox.mark_cancelled(session, message.id, reason="no longer needed")
                return "cancelled"
        flood_waits = 0
        while True:
            await self.limiter.acquire(message.chat_id)
            try:
                async with self._slots:
                    sent = await self._send(message.chat_id, outgoing)
            except RetryAfter as error:
                seconds = _retry_seconds(error)
                self.limiter.pause(seconds)
                flood_waits += 1
                log.warning("Telegram asked to wait %.1fs (row %s)", seconds, message.key)
                if flood_waits <= MAX_FLOOD_WAITS:
                    continue
                return await self._retry(message, str(error), delay=seconds)
            except Forbidden as error:
                return await self._unreachable(message, str(error))
            except BadRequest as error:
                if any(gone in error.message.lower() for gone in GONE):
                    return await self._unreachable(message, str(error))
                async with self.db.session() as session:
                    await outbox.mark_failed(session, message.id, error=str(error))
                log.error("Telegram refused outbox row %s: %s", message.key, error)
                return "failed"
            except (NetworkError, TelegramError) as error:
                # NetworkError covers timeouts and Telegram's 5xx answers: worth another try.
                return await self._retry(message, str(error) or type(error).__name__)
            async with self.db.session() as session:
                await outbox.mark_sent(
                    session,
                    message.id,
                    now=self.clock.now(),
                    telegram_message_id=sent.message_id,
                    day_only=bool(message.payload.get(outbox.DAY_ONLY)),
                )
            return "sent"

    async def _retry(
        self, message: ClaimedMessage, error: str, *, count: bool = True, delay: float | None = None
    ) -> str:
        async with self.db.session() as session:
            will_retry = await outbox.retry_later(
                session,
                message,
                now=self.clock.now(),
                error=error,
                count_attempt=count,
                delay=timedelta(seconds=delay) if delay is not None else None,
            )
        return "retrying" if will_retry else "failed"

    async def _unreachable(self, message: ClaimedMessage, error: str) -> str:
        async with self.db.session() as session:
            await outbox.mark_unreachable(session, message.id, error=error)
            await members.mark_unreachable(session, message.chat_id, now=self.clock.now())
        return "unreachable"

    async def send_now(self, chat_id: int, outgoing: Outgoing) -> Message:
        """Send a rendered message as a live answer (a preview): LiveSends books it in the shared
        budget, so it never queues behind a broadcast's waiting copies."""
        await self.limiter.acquire_chat(chat_id)
        return await self._send_booked(chat_id, outgoing)

    async def _send(self, chat_id: int, outgoing: Outgoing) -> Message:
        token = _FROM_OUTBOX.set(True)
        try:
            return await self._send_booked(chat_id, outgoing)
        finally:
            _FROM_OUTBOX.reset(token)

    async def _send_booked(self, chat_id: int, outgoing: Outgoing) -> Message:
        markup = _keyboard(outgoing.buttons)
        common: dict[str, Any] = {
            "chat_id": chat_id,
            "reply_markup": markup,
            "disable_notification": outgoing.disable_notification,
            "parse_mode": outgoing.parse_mode,
        }
        if outgoing.photo is not None:
            return await self.bot.send_photo(photo=outgoing.photo, caption=outgoing.text, **common)
        if outgoing.voice is not None:
            return await self.bot.send_voice(voice=outgoing.voice, caption=outgoing.text, **common)
        if outgoing.document is not None:
            return await self.bot.send_document(
                document=outgoing.document,
                filename=outgoing.filename,
                caption=outgoing.text,
                **common,
            )
        sent = await self.bot.send_message(text=outgoing.text or "", **common)
        if outgoing.follow_up is not None:
            await self._send_follow_up(chat_id, outgoing)
        return sent

    async def _send_follow_up(self, chat_id: int, outgoing: Outgoing) -> None:
        """The message itself is delivered; a failed attachment must not send it again, so it
        is retried here (flood waits honoured) a few times, then given up with a log line."""
        _FROM_OUTBOX.set(True)  # this task's own context: the message itself was booked
        for _ in range(MAX_FLOOD_WAITS):
            await self.limiter.acquire(chat_id)
            try:
                await self.bot.send_document(
                    chat_id=chat_id,
                    document=outgoing.follow_up,  # type: ignore[arg-type]
                    filename=outgoing.follow_up_name,
                    caption=outgoing.follow_up_caption,
                    disable_notification=True,
                )
                return
            except RetryAfter as error:
                self.limiter.pause(_retry_seconds(error))
            except (NetworkError, TimedOut):
                await asyncio.sleep(1)
            except TelegramError:
                break
        log.warning("Could not send the attachment to %s", chat_id)
