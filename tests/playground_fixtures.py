"""The playground as tests start it: the real bot, the emulator and the page in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.playground.server import Playground

# The demo's people (bot.playground.demo), by the chat id the page uses for each.
PRIYA, AGNIESZKA, AMINA = 1001, 1002, 1003


@pytest.fixture
async def playground(database_url: str, tmp_path: Path) -> AsyncIterator[Playground]:
    server = Playground(database_url, tmp_path / "data", port=0)
    await server.start()
    yield server
    await server.stop()


async def wait_view(
    http: aiohttp.ClientSession,
    base: str,
    chat_id: int,
    wanted: Callable[[dict[str, Any]], Any],
    timeout: float = 10.0,  # noqa: ASYNC109
) -> dict[str, Any]:
    """Follow a chat through the long-polling view until `wanted(view)` is true."""
    import time

    deadline = time.monotonic() + timeout
    version = -1
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        wait = max(0.1, deadline - time.monotonic())
        query = "" if version < 0 else f"?after_version={version}&timeout={wait:.1f}"
        async with http.get(f"{base}_emulator/chats/{chat_id}/view{query}") as response:
            view = (await response.json())["result"]
        if wanted(view):
            return view
        version = view["version"]
    texts = [m["text"] for m in view.get("messages", [])]
    raise AssertionError(f"chat {chat_id} never showed what was expected; it has: {texts}")
