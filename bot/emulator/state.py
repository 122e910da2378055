"""The emulator's state, which every area of the Bot API reads and changes: the chats with their
users and messages, the queue of updates, the request log, and change tracking (a version
number and wait_for(), so tests and pages wait for events instead of polling)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from bot.emulator.limits import FloodLimits
from bot.emulator.params import Params
from bot.emulator.records import (
    JSON,
    ApiCall,
    ApiError,
    ChatState,
    HoldGate,
    QueuedFault,
    StoredFile,
    bad_request,
)

T = TypeVar("T")


class EmulatorState:
    """The data behind one emulated bot; the Bot API areas are mixins on top of it."""

    def __init__(
        self,
        bot_username: str = "panelbot_test_bot",
        bot_first_name: str = "Panelbot",
        *,
        strict_limits: bool | FloodLimits = False,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.limits: FloodLimits | None = None
        self.on_accept: Callable[[ApiCall], None] | None = None
        self.strict_limits = strict_limits
        self.bot_id = 0  # learnt from the token of the first request
        # Tokens answered 401 Unauthorized, as Telegram answers a revoked or mistyped token.
        self.refused_tokens: set[str] = set()
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self._version = 0
        self._changed = asyncio.Event()
        self._chats: dict[int, ChatState] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_000_001)
        self._poll_generation = 0
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._calls: list[ApiCall] = []
        self._callback_answers: dict[str, JSON | None] = {}
        self._inline_results: dict[str, list[JSON] | None] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> text
        self._default_menu_button: JSON | None = None
        self._webhook: JSON = {}
        self._faults: dict[str, deque[QueuedFault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._gate: HoldGate | None = None
        self._polls: dict[str, tuple[int, int]] = {}  # poll id -> (chat id, message id)

    @property
    def strict_limits(self) -> bool:
        return self.limits is not None

    @strict_limits.setter
    def strict_limits(self, value: bool | FloodLimits) -> None:
        """True: the lenient limits; a FloodLimits (FloodLimits.telegram()): those."""
        self.limits = value if isinstance(value, FloodLimits) else FloodLimits() if value else None

    # ----------------------------------------------------------------------- change tracking

    @property
    def version(self) -> int:
        """Increases on every state change (new update, message, edit, answer...)."""
        return self._version

    def _notify(self) -> None:
        self._version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float,  # noqa: ASYNC109 - a plain timeout is the clearest API for tests
    ) -> T | None:
        """Wait (event-driven) until predicate() is truthy; return it, or None on timeout/stop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stopping:
                return None
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the emulator stops."""
        await self.wait_for(lambda: self._stopping, seconds)

    # ------------------------------------------------------------------------ chats & users

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _maybe_chat_id(params: Params) -> int | None:
        try:
            return params.get_int("chat_id")
        except ApiError:
            return None

    def _chat(self, params: Params) -> ChatState:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = self._maybe_chat_id(params)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _user_chat(self, user_id: int) -> ChatState:
        chat = self._chats.get(user_id)
        if chat is None:
            raise KeyError(f"unknown user {user_id}; call add_user() first")
        return chat

    def _group_chat(self, chat_id: int) -> ChatState:
        chat = self._chats.get(chat_id)
        if chat is None or chat.kind == "private":
            raise KeyError(f"unknown group {chat_id}; call add_group() first")
        return chat

    def _queue_update(self, kind: str, payload: JSON) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    # ---------------------------------------------------------------------------- inspection

    def messages(
        self, chat_id: int, include_deleted: bool = False, *, include_user: bool = False
    ) -> list[JSON]:
        """The bot's messages in a chat as they are now (with edit_history/deleted), oldest
        first; include_user=True adds the user's messages (for transcripts)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [
            stored.view()
            for stored in chat.messages.values()
            if (include_deleted or not stored.deleted) and (include_user or stored.from_bot)
        ]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        chat = self._chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        return stored.view() if stored else None

    def calls(self, method: str | None = None) -> list[ApiCall]:
        if method is None:
            return list(self._calls)
        return [call for call in self._calls if call.method.lower() == method.lower()]

    def delivered_count(self, chat_id: int | None = None) -> int:
        """Messages the bot successfully sent (including ones it deleted later)."""
        chats = self._chats.values() if chat_id is None else [self._chats.get(chat_id)]
        return sum(
            sum(1 for stored in chat.messages.values() if stored.from_bot)
            for chat in chats
            if chat is not None
        )

    def chat_actions(self, chat_id: int) -> list[str]:
        return list(self._user_chat(chat_id).actions)

    def users(self) -> list[JSON]:
        return [copy.deepcopy(c.user) for c in self._chats.values() if c.kind == "private"]
