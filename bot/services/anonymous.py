"""Anonymous content waits here, in this process's memory, until it can be written in a group.

Why (README, "Anonymous feedback: what we promise"): whoever holds the database sees more than
its tables. PostgreSQL's `xmin` and write-ahead log, SQLite's `-wal` file and two backups all
show which rows were written together and in what order. An answer written when the person
taps it sits next to that person's own rows, whatever the tables say. So nothing anonymous is
written when a person sends it. It is held here and written later by `anonymous_writes.flush`,
in a random order, in a group that comes from at least k people (k: the panel's threshold),
at a moment tied to no one's action (a periodic job, the daily write, a poll's closing).

Held here, per process:
- poll answers (who is known, to mark them answered in the same write as the group);
- anonymous messages and answers back (who sent them is kept only to count different people);
- words "Explain a word" could not explain (who asked is kept only to count different people);
- where a person is in an anonymous flow (typing a poll answer, writing feedback, typing a
  word), which must not be on their row in `members`.
A process killed while holding loses what it holds; see `anonymous_writes` for what happens then.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime

HELD_PREFIX = "held:"  # poll_participants.state while an answer waits here: "held:<token>"

# Where people are in an anonymous flow, by Telegram id. Module-wide because a filter (which
# has no runtime) reads it; one process serves one bot.
_steps: dict[int, str] = {}


def set_step(telegram_id: int, step: str) -> None:
    _steps[telegram_id] = step


def step(telegram_id: int) -> str:
    return _steps.get(telegram_id, "")


def clear_step(telegram_id: int) -> None:
    _steps.pop(telegram_id, None)


@dataclass(frozen=True)
class HeldAnswer:
    poll_id: int
    member_id: int  # to mark them "answered" in the same write as the group, never stored with it
    choices: tuple[int, ...] = ()
    rating: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class HeldMessage:
    panel_id: int
    sender: int  # Telegram id, only to count different people; never written
    text: str | None
    voice_file_id: str | None = None
    route_to: int | None = None  # the chat to seal as the way back ("I'd like a reply")
    back_on: int | None = None  # the message this answers back about


@dataclass(frozen=True)
class HeldWord:
    panel_ids: tuple[int, ...]
    word: str
    asker: int  # Telegram id, only to count different people; never written


@dataclass
class Hold:
    """What this process holds. `token` names the process in `poll_participants.state`."""

    token: str = field(default_factory=lambda: secrets.token_hex(5))
    answers: dict[int, list[HeldAnswer]] = field(default_factory=dict)
    messages: dict[int, list[HeldMessage]] = field(default_factory=dict)
    words: list[HeldWord] = field(default_factory=list)
    daily_done_on: date | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def state(self) -> str:
        return HELD_PREFIX + self.token

    def add_answer(self, answer: HeldAnswer) -> None:
        self.answers.setdefault(answer.poll_id, []).append(answer)

    def add_message(self, message: HeldMessage) -> None:
        self.messages.setdefault(message.panel_id, []).append(message)

    def add_word(self, word: HeldWord) -> None:
        self.words.append(word)

    def holds_answer(self, poll_id: int, member_id: int) -> bool:
        return any(a.member_id == member_id for a in self.answers.get(poll_id, []))

    def forget(self, telegram_id: int) -> None:
        """/forgetme: no way back to this person is sealed later, and their flow step goes.
        What they said stays: once written it is anonymous, as it would have been already."""
        clear_step(telegram_id)
        for panel_id, held in self.messages.items():
            self.messages[panel_id] = [
                replace(m, route_to=None) if m.route_to == telegram_id else m for m in held
            ]

    def is_empty(self) -> bool:
        return not (self.answers or self.messages or self.words)

    def daily_due(self, now: datetime, hour: int) -> bool:
        """Once a day at `hour` (UTC): everything still waiting is written. Noted when due."""
        if self.daily_done_on is None:  # just started: the next daily write, not one now
            self.daily_done_on = now.date() if now.hour >= hour else date.min
            return False
        if now.hour < hour or self.daily_done_on == now.date():
            return False
        self.daily_done_on = now.date()
        return True


def different(people: list[int]) -> int:
    return len(set(people))
