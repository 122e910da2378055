"""What the running bot shares between updates: settings, database, clock and delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.services.anonymous import Hold

if TYPE_CHECKING:
    from bot.delivery import Delivery


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    delivery: Delivery | None = field(default=None)
    # Anonymous content waiting to be written in a group (bot.services.anonymous).
    hold: Hold = field(default_factory=Hold)

    async def flush_anonymous(self, *, everything: bool = False) -> int:
        """Write the anonymous content that may be written now (the periodic job calls this;
        tests call it where that job would have run). `everything`: as at the daily write or
        a stop: all messages and words (poll answers keep their own rules)."""
        from bot.services import anonymous_writes

        return await anonymous_writes.flush(
            self.hold,
            self.db,
            self.clock.now(),
            interval=timedelta(seconds=self.settings.panelbot_anonymous_flush_seconds),
            daily_hour=self.settings.panelbot_anonymous_daily_hour,
            stopping=everything,
        )
