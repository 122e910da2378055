"""What the people buttons carry (handlers/chat/button_data.py): leaving a panel (leave), deleting
one's own data (forget), removing someone (rm), invites (invite) and the roster (members). The bytes
are those of the buttons made before the records, so buttons already in people's chats keep
working."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.chat.button_data import ButtonData, button_data

LEAVE, FORGET, REMOVE, INVITE, ROSTER = "leave", "forget", "rm", "invite", "members"


@button_data(LEAVE, 1, "")
@dataclass(frozen=True)
class LeavePanel(ButtonData):
    panel: int


@button_data(LEAVE, 1, "stay")
@dataclass(frozen=True)
class StayInPanels(ButtonData):
    """ "No, I want to stay"."""


@button_data(LEAVE, 1, "ask")
@dataclass(frozen=True)
class ListPanelsToLeave(ButtonData):
    """ "Leave a panel" in /settings: the list of the person's panels."""


@button_data(FORGET, 1, "yes")
@dataclass(frozen=True)
class DeleteEverything(ButtonData):
    pass


@button_data(FORGET, 1, "no")
@dataclass(frozen=True)
class KeepMyData(ButtonData):
    pass


@button_data(REMOVE, 1, "l")
@dataclass(frozen=True)
class ListRemovable(ButtonData):
    """Under the roster: who can be removed from this panel."""

    panel: int


@button_data(REMOVE, 1, "a")
@dataclass(frozen=True)
class AskToRemove(ButtonData):
    panel: int
    member: int


@button_data(REMOVE, 1, "y")
@dataclass(frozen=True)
class RemoveMember(ButtonData):
    panel: int
    member: int


@button_data(REMOVE, 1, "x")
@dataclass(frozen=True)
class KeepEveryone(ButtonData):
    """ "No, keep everyone": changes nothing."""


@button_data(INVITE, 1, "")
@dataclass(frozen=True)
class InviteFor(ButtonData):
    """/invite's panel: a link that keeps working."""

    panel: int


@button_data(INVITE, 1, "")
@dataclass(frozen=True)
class InviteForDays(ButtonData):
    """/invite N's panel: a link that works for N days."""

    panel: int
    days: int


@button_data(ROSTER, 1, "")
@dataclass(frozen=True)
class RosterOf(ButtonData):
    panel: int
