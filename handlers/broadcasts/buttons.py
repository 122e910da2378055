"""What the news (broadcast) buttons carry (handlers/chat/button_data.py), "bc:1:<action>[:...]".
The bytes are those of the buttons made before the records, so buttons already in people's chats
keep working."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

NEWS = "bc"


@button_data(NEWS, 1, "")
@dataclass(frozen=True)
class NewsChoice(ButtonData):
    """A tap that carries nothing else: "meet", "lang", "next", "anyway", "vlist", "vdone",
    "now", "later", "own", "send" (and "stop", "edit" from before the form engine)."""

    choice: Annotated[str, Longest(6)]


@button_data(NEWS, 1, "p")
@dataclass(frozen=True)
class NewsPanel(ButtonData):
    """Tick or untick a panel to send to."""

    panel: int


@button_data(NEWS, 1, "m")
@dataclass(frozen=True)
class NewsMeeting(ButtonData):
    """Send to the people invited to this meeting."""

    meeting: int


@button_data(NEWS, 1, "l")
@dataclass(frozen=True)
class NewsLanguage(ButtonData):
    """Send to the people who speak this language."""

    language: Annotated[str, Longest(8)]


@button_data(NEWS, 1, "v")
@dataclass(frozen=True)
class NewsVersion(ButtonData):
    """Type a version of the news in this language."""

    language: Annotated[str, Longest(8)]


@button_data(NEWS, 1, "imp")
@dataclass(frozen=True)
class NewsImportant(ButtonData):
    answer: Annotated[str, Longest(1)]  # "y" or "n"


@button_data(NEWS, 1, "cancel")
@dataclass(frozen=True)
class CancelNews(ButtonData):
    broadcast: int


@button_data(NEWS, 1, "who")
@dataclass(frozen=True)
class WhoWasNotReached(ButtonData):
    broadcast: int


COMPOSING = (NewsChoice, NewsPanel, NewsMeeting, NewsLanguage, NewsVersion, NewsImportant)
RETIRED = frozenset({NewsChoice("stop"), NewsChoice("edit")})  # Cancel and Edit, before the engine


def said(tapped: ButtonData | None) -> str:
    """The action a tap asked for, for the record of a refusal."""
    if isinstance(tapped, NewsChoice):
        return tapped.choice
    return tapped.ACTION if tapped else ""
