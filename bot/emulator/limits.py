"""Telegram's flood limits for the emulator: what makes it answer 429 with a `retry_after`.

Two modes. The lenient one (`strict_limits=True`, the emulator's original) counts new messages
only, allows a burst of three in one chat and refills one a second. The Telegram one
(`FloodLimits.telegram()`) is what the sending side must live with: 30 messages a second in all
and one a second in each chat, edits counted like sends, no burst.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field


class FloodRefused(Exception):
    """The call goes over a limit: answer 429 and say how many whole seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too Many Requests: retry after {retry_after}")
        self.retry_after = retry_after


@dataclass
class FloodLimits:
    global_per_second: int = 30
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    count_edits: bool = False
    _recent: deque[float] = field(default_factory=deque, repr=False)
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict, repr=False)

    @classmethod
    def telegram(cls) -> FloodLimits:
        """30 a second overall, one a second per chat, edits counted too."""
        return cls(chat_burst=1.0, count_edits=True)

    def applies_to(self, *, is_send: bool, is_edit: bool) -> bool:
        return is_send or (is_edit and self.count_edits)

    def check(self, chat_id: int | None) -> None:
        """Count one call now, or raise FloodRefused without counting it."""
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.global_per_second:
            raise FloodRefused(max(1, math.ceil(1.0 - (now - self._recent[0]))))
        if chat_id is not None:
            tokens, last = self._buckets.get(chat_id, (self.chat_burst, now))
            tokens = min(self.chat_burst, tokens + (now - last) * self.chat_per_second)
            if tokens < 1.0:
                raise FloodRefused(max(1, math.ceil((1.0 - tokens) / self.chat_per_second)))
            self._buckets[chat_id] = (tokens - 1.0, now)
        self._recent.append(now)
