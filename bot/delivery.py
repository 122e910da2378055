"""The one place that sends to Telegram in bulk: outbox rows become messages here.

It keeps within Telegram's limits through the shared budget (bot/rate_budget.py), waits exactly
as long as a `RetryAfter` says, marks people who blocked the bot as unreachable, retries network
faults with back-off, and records every outcome on the row. Each send is recorded before the next
one starts, so a crash can repeat at most the one message Telegram had just accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.clock import Clock
from bot.db import OutboxStatus
from bot.db.engine import Database
from bot.db.sqlite_workers import SqliteWorkers
from bot.outgoing import Outgoing, Renderer, render_prepared, send_follow_up, send_message
from bot.rate_budget import FROM_OUTBOX, LiveSends, RateLimiter, retry_seconds
from bot.services import members, outbox, outbox_recovery
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind

# Re-exported: the app and features import these from here.
__all__ = ["Delivery", "DeliveryReport", "LiveSends", "Outgoing", "RateLimiter", "Renderer"]

log = logging.getLogger(__name__)

MAX_FLOOD_WAITS = 5
# Bad requests that mean the person is gone rather than the message being wrong.
GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")

# A task row sends nothing: it does work in the database when due (a broadcast's start adds one
# row per member). It runs in the same transaction that marks it done, so a crash repeats it whole.
Task = Callable[[AsyncSession, ClaimedMessage], Awaitable[None]]
# Told of each row's outcome (broadcast progress); and run after each drain (final reports).
Observer = Callable[[ClaimedMessage, str], Awaitable[None]]
AfterDrain = Callable[[], Awaitable[None]]


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
        in_flight: int = 1,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.renderers: dict[str, Renderer] = {Kind.MESSAGE: render_prepared, **(renderers or {})}
        self.tasks: dict[str, Task] = {}
        self.observers: list[Observer] = []
        self.after_drain: list[AfterDrain] = []
        self.batch_size = batch_size
        self.lease = lease
        # Sends accepted by Telegram but not yet recorded: what a crash could send twice.
        self._recording = asyncio.Semaphore(in_flight)
        # A few rows are rendered ahead of the limiter, not a whole batch at once: a burst of
        # database work would stall the event loop and bunch up sends that were evenly paced.
        self._rendering = asyncio.Semaphore(4)
        self._running = asyncio.Lock()
        self._stopping = False
        self._started = False
        self._sqlite_workers: SqliteWorkers | None = None
        self._outage = True  # rows may have given up before this process started

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
                await outbox.renew_lease(session, row_ids, now=self.clock.now(), lease=self.lease)

    async def drain(self, *, max_batches: int = 1000) -> DeliveryReport:
        """Send everything due now. The JobQueue tick calls this; overlapping ticks skip."""
        total = DeliveryReport()
        if self._running.locked():
            return total
        async with self._running:
            if not self._started:
                await self._release_dead_leases()
            for _ in range(max_batches):
                if self._stopping:
                    break
                report = await self.run_once()
                total.add(report)
                # A task may just have added rows that are due now: look again.
                if report.claimed < self.batch_size and not report.done:
                    break
            await self._after_outage(total)
            for hook in self.after_drain:
                try:
                    await hook()
                except Exception:  # a report that cannot be sent must not stop the outbox
                    log.exception("After-drain hook failed")
        return total

    async def _after_outage(self, report: DeliveryReport) -> None:
        """Rows that gave up while Telegram was down go back in the queue once it answers again
        (and once after start-up, for rows that gave up before a restart)."""
        if report.claimed and not report.sent and (report.retrying or report.failed):
            self._outage = True
        if not report.sent or not self._outage:
            return
        self._outage = False
        async with self.db.session() as session:
            again = await outbox_recovery.redrive(session, now=self.clock.now())
        if again:
            log.warning("Telegram answers again: %s rows that gave up are queued again", again)

    async def _release_dead_leases(self) -> None:
        """On SQLite, rows leased by a process that is gone are freed at start-up rather than
        waiting out the lease. Whether any other process is alive is the kernel's word (a lock
        file beside the database), so a second living worker's rows are never taken."""
        self._started = True
        database = self.db.engine.url.database
        if self.db.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return
        workers = SqliteWorkers(Path(database))
        self._sqlite_workers = workers
        if workers.try_alone():
            async with self.db.session() as session:
                released = await outbox.release_leases(session)
            if released:
                log.info("Released %s outbox rows leased by an earlier process", released)
        await workers.join()

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
            async with self.limiter.slot(message.chat_id, hold=self._recording):
                try:
                    sent = await self._send(message.chat_id, outgoing)
                except TelegramError as error:
                    refused: TelegramError | None = error
                else:
                    refused = None
                    # Recorded before the next send starts: a crash now repeats this one only.
                    async with self.db.session() as session:
                        await outbox.mark_sent(
                            session,
                            message.id,
                            now=self.clock.now(),
                            telegram_message_id=sent.message_id,
                            day_only=bool(message.payload.get(outbox.DAY_ONLY)),
                        )
            if refused is None:
                if outgoing.follow_up is not None:
                    await self._send_follow_up(message.chat_id, outgoing)
                return "sent"
            if isinstance(refused, RetryAfter):
                seconds = retry_seconds(refused)
                self.limiter.pause(seconds, message.chat_id)
                flood_waits += 1
                log.warning("Telegram asked to wait %.1fs (row %s)", seconds, message.key)
                if flood_waits <= MAX_FLOOD_WAITS:
                    continue
                return await self._retry(message, str(refused), delay=seconds)
            return await self._refused(message, refused)

    async def _refused(self, message: ClaimedMessage, error: TelegramError) -> str:
        if isinstance(error, Forbidden):
            return await self._unreachable(message, str(error))
        if isinstance(error, BadRequest):
            if any(gone in error.message.lower() for gone in GONE):
                return await self._unreachable(message, str(error))
            async with self.db.session() as session:
                await outbox.mark_failed(session, message.id, error=str(error))
            log.error("Telegram refused outbox row %s: %s", message.key, error)
            return "failed"
        # NetworkError covers timeouts and Telegram's 5xx answers: worth another try.
        return await self._retry(message, str(error) or type(error).__name__)

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
        """Send a rendered message as a live answer (a preview): it never queues behind a
        broadcast's copies; LiveSends counts it and waits out a 429."""
        sent = await send_message(self.bot, chat_id, outgoing)
        if outgoing.follow_up is not None:
            await send_follow_up(self.bot, chat_id, outgoing)
        return sent

    async def _send(self, chat_id: int, outgoing: Outgoing) -> Message:
        token = FROM_OUTBOX.set(True)
        try:
            return await send_message(self.bot, chat_id, outgoing)
        finally:
            FROM_OUTBOX.reset(token)

    async def _send_follow_up(self, chat_id: int, outgoing: Outgoing) -> None:
        """The message itself is delivered and recorded; a failed attachment must not send it
        again, so it is retried here (flood waits honoured) a few times, then given up."""
        token = FROM_OUTBOX.set(True)
        try:
            for _ in range(MAX_FLOOD_WAITS):
                try:
                    async with self.limiter.slot(chat_id):
                        await send_follow_up(self.bot, chat_id, outgoing)
                    return
                except RetryAfter as error:
                    self.limiter.pause(retry_seconds(error), chat_id)
                except (NetworkError, TimedOut):
                    await asyncio.sleep(1)
                except TelegramError:
                    break
        finally:
            FROM_OUTBOX.reset(token)
        log.warning("Could not send the attachment to %s", chat_id)
