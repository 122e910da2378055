"""What the meeting buttons carry (handlers/chat/button_data.py): a meeting's own buttons
("mt:1:<action>:<meeting>[:...]") and the planner's ("nm:1:<step>:<value>"). The bytes are those of
the buttons made before the records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

MEETING, PLANNER = "mt", "nm"
# Which message an answer was tapped on (AnswerOn.on): the invitation, a change notice, a
# reminder or a /meetings card.
ON_INVITATION, ON_CHANGE, ON_REMINDER, ON_LIST = "i", "c", "r", "m"


@button_data(MEETING, 1, "rsvp")
@dataclass(frozen=True)
class AnswerInvitation(ButtonData):
    """An answer button made before AnswerOn: still in people's chats."""

    meeting: int
    answer: Annotated[str, Longest(8)]  # bot.db.Answer


@button_data(MEETING, 1, "rsvp")
@dataclass(frozen=True)
class AnswerOn(ButtonData):
    """An answer tapped on a message that becomes the meeting's live card: `on` says which
    (handlers/meetings/cards.py), so the card keeps that message's first line."""

    meeting: int
    on: Annotated[str, Longest(1)]
    answer: Annotated[str, Longest(8)]  # bot.db.Answer


@button_data(MEETING, 1, "sup")
@dataclass(frozen=True)
class ToggleSupport(ButtonData):
    meeting: int
    need: Annotated[str, Longest(16)]  # bot.services.meeting_rules.SUPPORT_OPTIONS


@button_data(MEETING, 1, "supother")
@dataclass(frozen=True)
class OtherSupport(ButtonData):
    meeting: int


@button_data(MEETING, 1, "supdone")
@dataclass(frozen=True)
class SupportDone(ButtonData):
    meeting: int


@button_data(MEETING, 1, "ics")
@dataclass(frozen=True)
class CalendarFile(ButtonData):
    meeting: int


@button_data(MEETING, 1, "came")
@dataclass(frozen=True)
class DidYouCome(ButtonData):
    meeting: int
    answer: Annotated[str, Longest(3)]  # "yes" or "no"


@button_data(MEETING, 1, "att")
@dataclass(frozen=True)
class WhoIsComing(ButtonData):
    meeting: int


@button_data(MEETING, 1, "move")
@dataclass(frozen=True)
class MoveMeeting(ButtonData):
    meeting: int


@button_data(MEETING, 1, "cancel")
@dataclass(frozen=True)
class AskToCancel(ButtonData):
    meeting: int


@button_data(MEETING, 1, "cancelyes")
@dataclass(frozen=True)
class CancelMeeting(ButtonData):
    meeting: int


@button_data(MEETING, 1, "keep")
@dataclass(frozen=True)
class KeepMeeting(ButtonData):
    meeting: int


@button_data(MEETING, 1, "repeat")
@dataclass(frozen=True)
class AskToRepeat(ButtonData):
    meeting: int


@button_data(MEETING, 1, "rep")
@dataclass(frozen=True)
class RepeatMeeting(ButtonData):
    meeting: int
    every: Annotated[str, Longest(5)]  # "week" or "month"
    times: int


# The planner (/newmeeting): "nm:1:<step>:<value>", a month of the calendar, a language.
@button_data(PLANNER, 1, "")
@dataclass(frozen=True)
class PlannerAnswer(ButtonData):
    """A tap answering the planner's step: a panel's id, a time, "skip", "done", "send"..."""

    step: Annotated[str, Longest(8)]  # handlers/meetings/planner_rules.py Step
    value: Annotated[str, Longest(20)]


@button_data(PLANNER, 1, "date")
@dataclass(frozen=True)
class PlannerCalendar(ButtonData):
    """A tap on the calendar (handlers/chat/picker.py): "m" and a month, or "d" and a day."""

    what: Annotated[str, Longest(1)]
    value: Annotated[str, Longest(10)]


@button_data(PLANNER, 1, "preview:vl")
@dataclass(frozen=True)
class PlannerLanguage(ButtonData):
    """A language to add a version of the invitation in."""

    language: Annotated[str, Longest(8)]


PLANNER_BUTTONS = (PlannerAnswer, PlannerCalendar, PlannerLanguage)


def calendar_data(*args: str) -> str:
    """The month picker's arguments (handlers/chat/picker.py) as a planner button."""
    if len(args) == 2:
        return PlannerCalendar(args[0], args[1]).pack()
    return PlannerAnswer("date", args[0]).pack()  # "x": a blank or a label
