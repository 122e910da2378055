"""What the /start buttons carry (handlers/chat/button_data.py), "start:1:<action>". The bytes are
those of the buttons made before the records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.chat.button_data import ButtonData, button_data

START = "start"


@button_data(START, 1, "language")
@dataclass(frozen=True)
class StartLanguage(ButtonData):
    """ "Choose a language" for someone who has not joined yet."""


@button_data(START, 1, "help")
@dataclass(frozen=True)
class StartHelp(ButtonData):
    """ "What can you do?"."""
