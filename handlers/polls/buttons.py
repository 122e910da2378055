"""What the question (poll) buttons carry (handlers/chat/button_data.py): answering (pa), results
(pr), making a question (np), "You said, we did" (wd) and a coordinator's changes to a question
already sent (pc). The bytes are those of the buttons made
before the records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from bot.db import Poll
from bot.i18n import N_, Translator
from bot.services.poll_rules import is_open
from handlers.chat.button_data import ButtonData, Longest, button_data

ANSWER, RESULTS, NEW_POLL, WE_DID, CHANGES = "pa", "pr", "np", "wd", "pc"


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


@button_data(CHANGES, 1, "l")
@dataclass(frozen=True)
class KeepOpen(ButtonData):
    """ "Keep it open longer" or "Open it again": offers closing times."""

    poll: int


@button_data(CHANGES, 1, "t")
@dataclass(frozen=True)
class CloseAt(ButtonData):
    """One closing time offered: minutes since 1970 in UTC (a panel's whole hour may be half
    past in UTC)."""

    poll: int
    minute: int


@button_data(CHANGES, 1, "r")
@dataclass(frozen=True)
class RemindWaiting(ButtonData):
    """ "Remind people who have not answered"."""

    poll: int


KEEP_OPEN = N_("Keep it open longer")
OPEN_AGAIN = N_("Open it again")
REMIND = N_("Remind people who have not answered")


def change_rows(t: Translator, poll: Poll, now: datetime) -> list[tuple[str, str]]:
    """(label, data) of a coordinator's buttons for a question: a new closing time, and while
    it is open a reminder. On the results, the "too few answers" card and the closing notice."""
    if not is_open(poll, now):
        return [(t(OPEN_AGAIN), KeepOpen(poll.id).pack())]
    return [
        (t(KEEP_OPEN), KeepOpen(poll.id).pack()),
        (t(REMIND), RemindWaiting(poll.id).pack()),
    ]
