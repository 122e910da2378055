"""What the question (poll) buttons carry (handlers/chat/button_data.py): answering (pa), results
(pr), making a question (np) and "You said, we did" (wd). The bytes are those of the buttons made
before the records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

ANSWER, RESULTS, NEW_POLL, WE_DID = "pa", "pr", "np", "wd"


@button_data(ANSWER, 1, "")
@dataclass(frozen=True)
class AnswerTap(ButtonData):
    """A tap under a question: "c" choose, "t" tick, "d" done, "r" rate (each with the choice,
    the ticks as bits, or the rating), "w" type my answer, "s" skip (with 0)."""

    op: Annotated[str, Longest(1)]
    poll: int
    value: int = 0


@button_data(RESULTS, 1, "")
@dataclass(frozen=True)
class ResultsTap(ButtonData):
    """A coordinator's tap on a question's results: "v" see, "s" share, "x" download."""

    op: Annotated[str, Longest(1)]
    poll: int


@button_data(NEW_POLL, 1, "")
@dataclass(frozen=True)
class NewPollAnswer(ButtonData):
    """A tap answering /newpoll's step: a panel's id, a kind, "yes", "send"..."""

    step: Annotated[str, Longest(8)]
    value: Annotated[str, Longest(20)]


@button_data(WE_DID, 1, "")
@dataclass(frozen=True)
class WeDidTap(ButtonData):
    """ "You said, we did" before it goes: "send", "edit", "lang" or "vdone"."""

    choice: Annotated[str, Longest(5)]


@button_data(WE_DID, 1, "vl")
@dataclass(frozen=True)
class WeDidLanguage(ButtonData):
    language: Annotated[str, Longest(8)]
