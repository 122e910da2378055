"""What the running bot shares between updates: settings, database, clock and delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database

if TYPE_CHECKING:
    from bot.delivery import Delivery


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    delivery: Delivery | None = field(default=None)
