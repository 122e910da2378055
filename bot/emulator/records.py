"""What the emulator records: the requests the bot made, the chats, messages and files it holds,
and the error a Bot API method answers with. Plain data, shared by every part of the emulator."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


def words(text: str) -> frozenset[str]:
    """The space-separated names in `text`, as a set."""
    return frozenset(text.split())


class ApiError(Exception):
    """An error answer: HTTP status == error_code, as Telegram does."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class DroppedRequest(Exception):
    """A held request that must not take effect (client gone, or released with drop=True)."""


@dataclass
class ApiCall:
    """One request the bot made, in arrival order; mutated when its outcome is known."""

    method: str
    params: JSON
    time: float
    outcome: str = "pending"  # pending | held | ok | error | dropped
    status: int | None = None
    description: str | None = None
    result: Any = None
    finished: float | None = None
    bot_id: int | None = None  # which bot's token made it (several bots may share an emulator)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def duration(self) -> float | None:
        return None if self.finished is None else self.finished - self.time

    # Mapping-style access too, so tests can treat log entries as plain dicts.
    def __getitem__(self, key: str) -> Any:
        if key in ("ok", "duration") or key in self.__dataclass_fields__:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


@dataclass
class Upload:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredMessage:
    data: JSON  # exactly what the Bot API returns for this message
    from_bot: bool
    sent_at: float
    edit_history: list[JSON] = field(default_factory=list)
    deleted: bool = False
    reply_keyboard: JSON | None = None  # non-inline markup as sent (Telegram doesn't echo it)

    def view(self) -> JSON:
        result = copy.deepcopy(self.data)
        result["edit_history"] = copy.deepcopy(self.edit_history)
        result["deleted"] = self.deleted
        if self.reply_keyboard is not None:
            result["reply_keyboard"] = copy.deepcopy(self.reply_keyboard)
        return result


@dataclass
class ChatState:
    user: JSON
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    actions: list[str] = field(default_factory=list)
    menu_button: JSON | None = None
    kind: str = "private"  # or "group" / "supergroup": then `user` holds the group's id and title

    def chat_object(self) -> JSON:
        if self.kind != "private":
            return {"id": self.user["id"], "type": self.kind, "title": self.user["first_name"]}
        chat = {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if self.user.get(key):
                chat[key] = self.user[key]
        return chat

    def allocate_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class HoldGate:
    """Requests parked by hold() until release()."""

    methods: frozenset[str]
    event: asyncio.Event = field(default_factory=asyncio.Event)
    drop: bool = False
    calls: list[ApiCall] = field(default_factory=list)


@dataclass
class QueuedFault:
    """One error answer queued by fail_next()."""

    status: int
    retry_after: int | None
    description: str | None
