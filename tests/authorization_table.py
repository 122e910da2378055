"""THE table of coordinator and admin actions, for tests/test_authorization_matrix.py.

Every row is tried by a member of the panel, by a coordinator of another panel and by a stranger
who never joined. A new coordinator action is covered by adding a row here; the coverage test
fails if a command or button prefix the bot registers is neither here nor in the lists of things
everyone may do.

Placeholders in `text`: {panel} (the victim panel's id) and {meeting} (a meeting in it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attempt:
    action: str  # a short name for failure messages
    via: str  # "command" (typed in the chat) or "button" (forged callback data)
    text: str

    def render(self, panel: int, meeting: int) -> str:
        return self.text.format(panel=panel, meeting=meeting)


MATRIX: tuple[Attempt, ...] = (
    # Admin only.
    Attempt("make a panel", "command", "/newpanel Takeover Panel"),
    # Invites and the roster.
    Attempt("invite link", "command", "/invite"),
    Attempt("invite link for 7 days", "command", "/invite 7"),
    Attempt("invite link by button", "button", "invite:1:{panel}"),
    Attempt("invite link by button, 30 days", "button", "invite:1:{panel}:30"),
    Attempt("see the roster", "command", "/members"),
    Attempt("see the roster by button", "button", "members:1:{panel}"),
    # Glossary and plain-language tools.
    Attempt("words nobody could explain", "command", "/jargon"),
    Attempt("add a term", "command", "/addterm PIP = a benefit we made up"),
    Attempt("remove a term", "command", "/removeterm PIP"),
    Attempt("check a text", "command", "/checktext Please come to the meeting."),
    # Meetings.
    Attempt("plan a meeting", "command", "/newmeeting"),
    Attempt("planner: choose a panel", "button", "nm:1:panel:{panel}"),
    Attempt("planner: carry on", "button", "nm:1:resume:go"),
    Attempt("planner: send the invitations", "button", "nm:1:preview:send"),
    Attempt("who is coming", "command", "/attendance"),
    Attempt("who is coming by button", "button", "mt:1:att:{meeting}"),
    Attempt("move a meeting", "button", "mt:1:move:{meeting}"),
    Attempt("ask to cancel a meeting", "button", "mt:1:cancel:{meeting}"),
    Attempt("cancel a meeting", "button", "mt:1:cancelyes:{meeting}"),
    Attempt("ask to repeat a meeting", "button", "mt:1:repeat:{meeting}"),
    Attempt("repeat a meeting weekly", "button", "mt:1:rep:{meeting}:week:4"),
    Attempt("repeat a meeting monthly", "button", "mt:1:rep:{meeting}:month:12"),
    Attempt("who is coming, meeting that does not exist", "button", "mt:1:att:999999"),
)

# Commands anyone may use (they only ever touch the person's own data), and why.
COMMANDS_FOR_EVERYONE = {
    "start": "joining and the main menu",
    "help": "help",
    "menu": "the big buttons",
    "language": "the person's own language",
    "settings": "the person's own answers",
    "explain": "the glossary",
    "meetings": "the person's own meetings",
    "mydata": "the person's own data",
    "forgetme": "deleting the person's own data",
    "leave": "leaving a panel",
}

# Callback-data features anyone may tap, and why. Features mixing both kinds list their
# coordinator actions in MATRIX and their member actions in ACTIONS_FOR_EVERYONE.
BUTTONS_FOR_EVERYONE = {
    "ob": "onboarding: the person's own answers",
    "set": "settings: the person's own answers",
    "lang": "the person's own language",
    "start": "the start menu",
    "gl": "glossary: show an entry, ask a coordinator",
    "forget": "deleting the person's own data",
    "leave": "leaving a panel",
}
# Sub-actions (the part after "feature:version:") anyone may tap, per mixed feature.
ACTIONS_FOR_EVERYONE = {
    "mt": {"rsvp", "sup", "supother", "supdone", "ics", "came", "keep"},
}

# A refusal must say one of these (in English; members here use English), never "something went
# wrong".
KIND_REFUSALS = (
    "Only coordinators can do this",
    "Only admins can make a new panel",
    "only the coordinators of a panel",
    "This button no longer works",
    "This meeting is not one of yours",
)


def matrix_commands() -> set[str]:
    return {a.text.split()[0].lstrip("/") for a in MATRIX if a.via == "command"}


def matrix_buttons() -> dict[str, set[str]]:
    """feature -> the sub-actions the matrix tries (second field after the version)."""
    found: dict[str, set[str]] = {}
    for attempt in MATRIX:
        if attempt.via == "button":
            parts = attempt.text.split(":")
            found.setdefault(parts[0], set()).add(parts[2] if len(parts) > 2 else "")
    return found
