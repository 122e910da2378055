"""What the feedback buttons carry (handlers/chat/button_data.py): writing, replying and answering
back (fb), and a coordinator's panel settings (ps). The bytes are those of the buttons made before
the records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

FEEDBACK, SETTINGS = "fb", "ps"


@button_data(FEEDBACK, 1, "m")
@dataclass(frozen=True)
class HowToSend(ButtonData):
    mode: Annotated[str, Longest(5)]  # handlers/feedback/writing.py MODE_LABELS


@button_data(FEEDBACK, 1, "p")
@dataclass(frozen=True)
class SendToPanel(ButtonData):
    mode: Annotated[str, Longest(5)]
    panel: int


@button_data(FEEDBACK, 1, "r")
@dataclass(frozen=True)
class ReplyToMessage(ButtonData):
    """A coordinator replies to a member's message."""

    feedback: int


@button_data(FEEDBACK, 1, "b")
@dataclass(frozen=True)
class AnswerBack(ButtonData):
    """The member answers a coordinator's reply."""

    feedback: int


FEEDBACK_BUTTONS = (HowToSend, SendToPanel, ReplyToMessage, AnswerBack)


@button_data(SETTINGS, 1, "h")
@dataclass(frozen=True)
class HelplinesOfPanel(ButtonData):
    """/helplines: the panel whose help lines to show or change."""

    panel: int


@button_data(SETTINGS, 1, "m")
@dataclass(frozen=True)
class MinAnswersOfPanel(ButtonData):
    """/minanswers: the panel whose answers needed to show or change."""

    panel: int


SETTING_BUTTONS = {"h": HelplinesOfPanel, "m": MinAnswersOfPanel}
