"""What the operator's set-up commands (bot/cli_panels.py, cli_members.py, cli_expenses.py)
share: acting as the operator, finding a panel, reading whole numbers, and printing dates and
tables."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Telegram user ids are positive and fit in the database's 64-bit column.
MAX_TELEGRAM_ID = 2**63 - 1


class CommandError(Exception):
    """A mistake in what the operator asked for, worded as one line."""


def whole_number(lowest: int, highest: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lowest or (highest is not None and value > highest):
            limit = f"from {lowest} to {highest}" if highest is not None else f"{lowest} or more"
            raise argparse.ArgumentTypeError(f"{text!r} must be {limit}")
        return value

    return parse


def server_operator() -> Any:
    """Whoever runs the server acts with full rights and no member record of their own."""
    from bot.services.access import Actor

    return Actor(telegram_id=0, member_id=None, is_admin=True)


async def existing_panel(session: AsyncSession, panel_id: int) -> Any:
    from bot.db import Panel

    panel = await session.get(Panel, panel_id)
    if panel is None:
        raise CommandError(f"there is no panel {panel_id}. See them with: panelbot panel list")
    return panel


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [list(header), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
