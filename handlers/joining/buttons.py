"""What the joining and /settings buttons carry (handlers/chat/button_data.py): an answer to one of
the questions (ob), and the settings list (set). The bytes are those of the buttons made before the
records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

QUESTION, SETTING = "ob", "set"


@button_data(QUESTION, 1, "j")
@dataclass(frozen=True)
class JoiningAnswer(ButtonData):
    """A tap on a question while joining (bot/services/questions.py): its step and the value."""

    step: Annotated[str, Longest(16)]
    value: Annotated[str, Longest(24)]  # an option's value, "why", "other", "done", "tg"...


@button_data(QUESTION, 1, "s")
@dataclass(frozen=True)
class SettingsAnswer(ButtonData):
    """A tap on a question asked again from /settings."""

    step: Annotated[str, Longest(16)]
    value: Annotated[str, Longest(24)]


@button_data(SETTING, 1, "")
@dataclass(frozen=True)
class ChangeSetting(ButtonData):
    """A tap on the /settings list: a question's step, or "news" (turn news on or off)."""

    item: Annotated[str, Longest(16)]
