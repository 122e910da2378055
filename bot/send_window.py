"""The guard under the send budget: never more than Telegram's 30 messages in any second.

The budget (bot/rate_budget.py) paces sends evenly, but pacing alone cannot promise the count:
answers come back late, the event loop wakes late, live answers go at once. Telegram counts a
message at some moment between the bot starting to send it and Telegram's answer, so if fewer
than `limit` sends were answered within the last second or are still on their way, a send that
starts now cannot be the 31st of any second. The guard waits for that, which costs a send only
the round trip it already took, and lets the pace run close to the full 30.
"""

from __future__ import annotations

import time
from collections import deque

TELEGRAM_PER_SECOND = 30
# A send that never reports its answer (a test that books a slot and sends nothing, a task
# cancelled mid-send) stops counting after this long: longer than any read timeout.
FORGET_AFTER = 60.0


class Send:
    """One counted send: when it started and when Telegram answered (None while on its way)."""

    __slots__ = ("answered", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.answered: float | None = None

    def done(self) -> None:
        if self.answered is None:
            self.answered = time.monotonic()

    def cancel(self) -> None:
        """Booked but not sent after all: it does not count."""
        self.answered = float("-inf")


class SendWindow:
    def __init__(self, limit: int = TELEGRAM_PER_SECOND) -> None:
        self.limit = limit
        self._sends: deque[Send] = deque()

    def _prune(self, now: float) -> None:
        kept = deque(
            s
            for s in self._sends
            if (s.answered is None and now - s.started < FORGET_AFTER)
            or (s.answered is not None and now - s.answered < 1.0)
        )
        self._sends = kept

    def wait(self, room_for: int = 1, now: float | None = None) -> float:
        """How long until `room_for` more sends may start: 0 if they may start now."""
        now = time.monotonic() if now is None else now
        self._prune(now)
        over = len(self._sends) + room_for - self.limit
        if over <= 0:
            return 0.0
        answered = sorted(s.answered for s in self._sends if s.answered is not None)
        if len(answered) < over:
            return 0.005  # waiting on sends still on their way: look again shortly
        return answered[over - 1] + 1.0 - now + 0.001

    def start(self) -> Send:
        send = Send(time.monotonic())
        self._sends.append(send)
        return send
