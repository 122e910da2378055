"""One budget for everything the bot sends, within Telegram's limits.

Telegram allows about 30 messages a second in all and one a second in each chat; edits count
too. Going over gets a 429 with a `retry_after`. The outbox waits for a slot here before each
send or edit. Live answers to people never queue behind the outbox, but they are counted, and
while the outbox sends they may take only a share of each second's budget, so reminders and
broadcasts always keep moving.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.send_window import Send, SendWindow

log = logging.getLogger(__name__)

# The pace aims at Telegram's 30 a second; bot/send_window.py makes sure no second holds more.
GLOBAL_RATE = 30.0
PER_CHAT_INTERVAL = 1.0
# The next message to a chat goes this long after Telegram ACCEPTED the previous one, not
# after it was started: a slow answer must not squeeze two into the same second.
CHAT_MARGIN = 0.05
# While the outbox is sending, live answers may take at most this share of each second's
# budget; beyond it they wait for the next second's share (never for the outbox's queue).
LIVE_SHARE = 0.5
# How many of each second's 30 the outbox leaves unused for live answers. None: when the outbox
# has filled the second, a live answer waits only until the oldest send is a second old (about
# one send's spacing, 33 ms). Leaving one cost the broadcast 3% of its rate (bench/README.md).
LIVE_ROOM = 0
# One chat that has had this many live answers within the last second may use only half of the
# live budget: one person's flood of answers must leave room for everyone else's.
BUSY_CHAT = 5
# A 429 for this many different chats within a second means the bot as a whole is too fast.
CHATS_FOR_GLOBAL_PAUSE = 3
# A live answer refused with 429 waits and goes again, this many times, if the wait is short.
LIVE_RETRIES = 5
LIVE_MAX_WAIT = 60.0


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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
        margin: float = CHAT_MARGIN,
        live_share: float = LIVE_SHARE,
        tolerance: float = 0.010,
    ):
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self.margin = margin
        self.live_share = live_share
        self.tolerance = tolerance
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_free_at: dict[int, float] = {}
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, users
        self._live: deque[tuple[float, int | None]] = deque()  # when, and to which chat
        self._live_per_chat: dict[int, int] = {}
        self._outbox_seen = float("-inf")  # when the outbox last asked for a slot
        self._refusals: deque[tuple[float, int]] = deque()
        self._lock = asyncio.Lock()
        self.window = SendWindow()

    # ---------------------------------------------------------------- what Telegram tells us

    def pause(self, seconds: float, chat_id: int | None = None, *, live: bool = False) -> None:
        """Telegram said to wait. A refusal for one chat pauses that chat only, unless several
        of the outbox's sends were refused at once: then it is too fast and everything waits.
        Refused live answers (`live`) never pause the outbox: beyond their share of the budget
        they are the ones over the limit, and the outbox must keep its share."""
        now = time.monotonic()
        if chat_id is None:
            self._paused_until = max(self._paused_until, now + seconds)
            return
        self._chat_free_at[chat_id] = max(self._chat_free_at.get(chat_id, 0.0), now + seconds)
        if live:
            return
        self._refusals.append((now, chat_id))
        while self._refusals and now - self._refusals[0][0] > 1.0:
            self._refusals.popleft()
        if len({chat for _, chat in self._refusals}) >= CHATS_FOR_GLOBAL_PAUSE:
            self._paused_until = max(self._paused_until, now + seconds)

    def outbox_wait(self) -> float:
        """How long the outbox's next send would wait for the global budget now."""
        now = time.monotonic()
        return max(0.0, self._paused_until - now, self._next_slot - now)

    def chat_paused_for(self, chat_id: int) -> float:
        return max(0.0, self._chat_free_at.get(chat_id, 0.0) - time.monotonic())

    # ---------------------------------------------------------------------- live answers

    def live_wait(self, chat_id: int | None = None) -> float:
        """How long a live answer would wait now: 0 while live answers are within their cap.
        The cap is the whole budget while the outbox is idle, and its share while it sends. A
        chat already given BUSY_CHAT answers within the second gets only half of that cap."""
        now = time.monotonic()
        while self._live and now - self._live[0][0] >= 1.0:
            _, chat = self._live.popleft()
            if chat is not None:
                left = self._live_per_chat[chat] - 1
                if left:
                    self._live_per_chat[chat] = left
                else:
                    del self._live_per_chat[chat]
        outbox_busy = now - self._outbox_seen < 1.0
        cap = max(1, int(self.live_share * self.rate if outbox_busy else self.rate))
        if chat_id is not None and self._live_per_chat.get(chat_id, 0) >= BUSY_CHAT:
            cap = max(1, cap // 2)
        if len(self._live) < cap:
            return 0.0
        return self._live[-cap][0] + 1.0 - now

    async def live_turn(self, chat_id: int | None = None) -> Send:
        """A live answer goes at once if within its cap (it never queues behind the outbox);
        it moves the outbox's next slot back, so the two together stay within the budget.
        The caller marks the returned send done when Telegram has answered it."""
        while True:
            wait = max(self.live_wait(chat_id), self.window.wait())
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        send = self.window.start()
        now = time.monotonic()
        self._live.append((now, chat_id))
        if chat_id is not None:
            self._live_per_chat[chat_id] = self._live_per_chat.get(chat_id, 0) + 1
        self._next_slot = max(self._next_slot, now) + 1.0 / self.rate
        return send

    def chat_used(self, chat_id: int) -> None:
        """Telegram answered a call in this chat: the next one waits a second from now."""
        free_at = time.monotonic() + self.per_chat_interval + self.margin
        self._chat_free_at[chat_id] = max(self._chat_free_at.get(chat_id, 0.0), free_at)

    # --------------------------------------------------------------------- outbox sends

    @asynccontextmanager
    async def slot(
        self, chat_id: int, hold: asyncio.Semaphore | None = None
    ) -> AsyncIterator[None]:
        """Wait for this chat's turn and a global slot, then send inside the block. One call at
        a time per chat; the chat's next turn counts from when this one was answered. `hold` is
        taken once the chat's turn has come (not while a paused chat waits) and kept to the end
        of the block: the outbox uses it to record each send before the next one starts."""
        lock, users = self._chat_locks.get(chat_id, (asyncio.Lock(), 0))
        self._chat_locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                while True:
                    wait = self.chat_paused_for(chat_id)
                    if wait > 0:
                        await asyncio.sleep(wait)
                    if hold is not None:
                        await hold.acquire()
                    send = await self._global_slot()
                    # A live answer or a refusal may have taken this chat's turn meanwhile.
                    if self.chat_paused_for(chat_id) <= 0:
                        break
                    send.cancel()
                    if hold is not None:
                        hold.release()
                try:
                    yield
                finally:
                    send.done()
                    self.chat_used(chat_id)
                    if hold is not None:
                        hold.release()
        finally:
            lock, users = self._chat_locks[chat_id]
            if users > 1:
                self._chat_locks[chat_id] = (lock, users - 1)
            else:
                del self._chat_locks[chat_id]

    async def acquire(self, chat_id: int) -> None:
        """A slot for a send whose answer is not waited for here (tests and benches)."""
        async with self.slot(chat_id):
            pass

    async def _global_slot(self) -> Send:
        self._outbox_seen = time.monotonic()
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                if now < self._next_slot:
                    await asyncio.sleep(self._next_slot - now)
                    continue
                full = self.window.wait(room_for=1 + LIVE_ROOM, now=now)
                if full <= 0:
                    break
                await asyncio.sleep(full)
            late = now - self._next_slot
            start = self._next_slot if late <= self.tolerance else now
            self._next_slot = start + 1.0 / self.rate
            return self.window.start()


# Set while the outbox sends, so LiveSends neither books those calls again nor retries them.
FROM_OUTBOX: contextvars.ContextVar[bool] = contextvars.ContextVar("from_outbox", default=False)
COUNTED = frozenset(
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
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    ]
)


class LiveSends(BaseRateLimiter[None]):
    """PTB's hook on every Bot API call the bot makes outside the outbox (live answers).

    Each one is counted in the shared budget and marks its chat as used, so the outbox does not
    send to that chat in the same second. One that Telegram refuses with 429 waits the time
    Telegram gives and goes again: it was not accepted, so it is sent once."""

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
        if FROM_OUTBOX.get():
            return await callback(*args, **kwargs)
        chat = data.get("chat_id")
        chat_id = chat if isinstance(chat, int) else None
        counted = endpoint in COUNTED
        attempt = 0
        while True:
            send = await self.limiter.live_turn(chat_id) if counted else None
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_seconds(error)
                if attempt >= LIVE_RETRIES or seconds > LIVE_MAX_WAIT:
                    raise
                attempt += 1
                self.limiter.pause(seconds, chat_id, live=True)
                log.info("Telegram asked to wait %.1fs before %s: waiting", seconds, endpoint)
                # Spread out: answers refused in the same second must not all come back at once.
                await asyncio.sleep(seconds * (1 + random.random()))
            finally:
                if send is not None:
                    send.done()
                if counted and chat_id is not None:
                    self.limiter.chat_used(chat_id)
