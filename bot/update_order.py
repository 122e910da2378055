"""Different people's updates are handled side by side; one person's, one at a time and in order.

Handling updates strictly one after another leaves the bot waiting on the database and on Telegram
most of the time (a profile of 200 members at once showed half the wall time idle in `epoll`).
Running them side by side fills that wait. Per-person order keeps what people expect: a tap is
handled before the message typed after it, and one person's conversation step never races itself.

Fairness: one person may have at most `per_person` updates waiting. Beyond that their updates are
dropped, so a flood (a stuck key, a script, 1,400 pasted lines) cannot fill PTB's own bound and
hold up everyone else (bench/flood.py). The first dropped update of a flood is handled anyway,
out of turn, as a notice: `handlers/guards/flood.py` sees `is_notice` and tells the person once, in
their language; the rest are dropped silently until their queue has emptied.

Most of a flood is dropped before python-telegram-bot decodes it: decoding 1,400 updates into
objects cost about 0.4 s, during which nobody else's update was even read (bench/flood.py).
`thin` looks at the raw getUpdates answer (bot/telegram_http.py) and keeps, of one person's
updates, only as many as they have room for plus one (the one that may become the notice).

Retries keep their place: an update kept for another go while the database is out of reach
(`handlers/guards/errors.py`) waits in its person's place, without taking a slot, and is handled
again before anything that person sent after it.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def person_key(update: object) -> int:
    """Whose update this is: the person (or chat) it comes from; 0 for updates with neither."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


def raw_person_key(update: dict[str, Any]) -> int:
    """`person_key` for an update as Telegram sends it, before it is decoded: the sender, else
    the chat; 0 when neither can be found (such updates are always kept)."""
    for name, value in update.items():
        if name == "update_id" or not isinstance(value, dict):
            continue
        for holder in (value.get("from"), value.get("user"), value.get("chat")):
            if isinstance(holder, dict) and isinstance(holder.get("id"), int):
                return int(holder["id"])
        message = value.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"].get("id") or 0)
    return 0


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    # PTB's own bound only caps how many updates may wait in memory; `people_at_once` is the real
    # limit, taken after the person's lock, so one person sending fifty messages waits in their
    # own queue instead of filling every slot.
    WAITING_AT_MOST = 1024
    # About a minute of one person's fastest typing or tapping; nobody needs more waiting.
    PER_PERSON = 20

    def __init__(self, people_at_once: int, per_person: int = PER_PERSON) -> None:
        super().__init__(self.WAITING_AT_MOST)
        self._slots = asyncio.Semaphore(people_at_once)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._per_person = per_person
        self._told: set[int] = set()  # people told about this flood; forgotten when it ends
        self._notices: set[int] = set()  # ids of the updates being handled as that notice
        self._handling: set[int] = set()  # ids of the updates this processor is handling now
        self._again: dict[int, tuple[float, Callable[[], Awaitable[Any]]]] = {}
        self.dropped = 0

    def handle_again(
        self, update: object, seconds: float, again: Callable[[], Awaitable[Any]]
    ) -> bool:
        """Have `again()` handle `update` once more after `seconds`, in its person's place: their
        later updates wait until it is done. False when this processor is not handling `update`
        (the caller then schedules the retry itself)."""
        if id(update) not in self._handling:
            return False
        self._again[id(update)] = (seconds, again)
        return True

    def thin(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Of one batch from getUpdates, what is worth decoding: each person's updates up to the
        room they have left plus one (handled as the notice, or dropped if they were told). The
        last update is always kept: python-telegram-bot asks for the next batch after it, so
        dropping it would have the same updates sent again."""
        room: dict[int, int] = {}
        kept = []
        for position, update in enumerate(updates):
            key = raw_person_key(update)
            if key and position < len(updates) - 1:
                left = room.setdefault(key, self._per_person - self._users.get(key, 0) + 1)
                if left <= 0:
                    self.dropped += 1
                    continue
                room[key] = left - 1
            kept.append(update)
        return kept

    def is_notice(self, update: object) -> bool:
        """Whether this update stands for a flood's dropped updates (handlers/guards/flood.py)."""
        return id(update) in self._notices

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = person_key(update)
        if key and self._users.get(key, 0) >= self._per_person:
            await self._over_the_limit(key, update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await self._handle(update, coroutine)
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]
                self._told.discard(key)

    async def _over_the_limit(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        if key in self._told:
            self.dropped += 1
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: nothing to undo, no "never awaited" warning
            return
        self._told.add(key)
        self._notices.add(id(update))
        try:  # out of turn (no lock): the notice should not wait for the flood
            await self._handle(update, coroutine)
        finally:
            self._notices.discard(id(update))

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update in a slot; while it is kept for another go, wait without a slot
        (others are handled meanwhile) and handle it again."""
        self._handling.add(id(update))
        try:
            async with self._slots:
                await coroutine
            while (kept := self._again.pop(id(update), None)) is not None:
                seconds, again = kept
                await asyncio.sleep(seconds)
                async with self._slots:
                    await again()
        finally:
            self._handling.discard(id(update))
            self._again.pop(id(update), None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
