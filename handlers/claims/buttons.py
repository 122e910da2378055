"""What the claims buttons carry (handlers/chat/button_data.py): the claim form (cl), a
coordinator's review (rv), a member's own claims (cx) and the finance export (ex). The bytes are
those of the buttons made before the records, so buttons already in people's chats keep working."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

FORM, REVIEW, MINE, EXPORT = "cl", "rv", "cx", "ex"


# The claim form: "cl:1:<step letter>:<value>".
@button_data(FORM, 1, "m")
@dataclass(frozen=True)
class ClaimForMeeting(ButtonData):
    meeting: int  # 0: not for a meeting


@button_data(FORM, 1, "p")
@dataclass(frozen=True)
class ClaimForPanel(ButtonData):
    panel: int


@button_data(FORM, 1, "k")
@dataclass(frozen=True)
class ClaimKind(ButtonData):
    kind: Annotated[str, Longest(12)]  # an expense kind's code, or "time"


@button_data(FORM, 1, "q")
@dataclass(frozen=True)
class ClaimQuantity(ButtonData):
    """A quantity offered in one tap: the meeting's length in hours, or one session."""

    value: Annotated[str, Longest(8)]  # a plain decimal, like "1.5"


@button_data(FORM, 1, "d")
@dataclass(frozen=True)
class ClaimDay(ButtonData):
    day: Annotated[str, Longest(5)]  # "today", "yest", or "pick" (show the calendar)


@button_data(FORM, 1, "d:pk")
@dataclass(frozen=True)
class ClaimCalendar(ButtonData):
    """A tap on the calendar: "m" and a month to show, or "d" and the day chosen."""

    what: Annotated[str, Longest(1)]
    value: Annotated[str, Longest(10)]


@button_data(FORM, 1, "d:pk:x")
@dataclass(frozen=True)
class ClaimCalendarBlank(ButtonData):
    """A blank or a label in the calendar: nothing to do."""


@button_data(FORM, 1, "r")
@dataclass(frozen=True)
class ClaimReceipts(ButtonData):
    choice: Annotated[str, Longest(4)]  # "done" or "none" (I have no receipt)


@button_data(FORM, 1, "n:skip")
@dataclass(frozen=True)
class ClaimNoNote(ButtonData):
    pass


@button_data(FORM, 1, "s")
@dataclass(frozen=True)
class ClaimSummary(ButtonData):
    choice: Annotated[str, Longest(6)]  # "send", "add", "note" (or an old "cancel")


@button_data(FORM, 1, "s:edit")
@dataclass(frozen=True)
class ClaimChangeItem(ButtonData):
    position: int


@button_data(FORM, 1, "s:del")
@dataclass(frozen=True)
class ClaimRemoveItem(ButtonData):
    position: int


def calendar_data(*args: str) -> str:
    """The month picker's arguments (handlers/chat/picker.py) as a claim form button."""
    if len(args) == 2:
        return ClaimCalendar(args[0], args[1]).pack()
    return ClaimCalendarBlank().pack()


FORM_BUTTONS = (
    ClaimForMeeting,
    ClaimForPanel,
    ClaimKind,
    ClaimQuantity,
    ClaimDay,
    ClaimCalendar,
    ClaimCalendarBlank,
    ClaimReceipts,
    ClaimNoNote,
    ClaimSummary,
    ClaimChangeItem,
    ClaimRemoveItem,
)


# A coordinator reviewing claims: "rv:1:<action>:<id>".
@button_data(REVIEW, 1, "a")
@dataclass(frozen=True)
class ApproveClaim(ButtonData):
    claim: int


@button_data(REVIEW, 1, "r")
@dataclass(frozen=True)
class RejectItem(ButtonData):
    line: int


@button_data(REVIEW, 1, "q")
@dataclass(frozen=True)
class AskAboutItem(ButtonData):
    line: int


@button_data(REVIEW, 1, "p")
@dataclass(frozen=True)
class AskHowPaid(ButtonData):
    claim: int


@button_data(REVIEW, 1, "pm")
@dataclass(frozen=True)
class MarkPaid(ButtonData):
    claim: int
    method: Annotated[str, Longest(12)]  # a payment method's code


@button_data(REVIEW, 1, "n")
@dataclass(frozen=True)
class NextClaim(ButtonData):
    after: int  # the claim just shown (0: from the start)


@button_data(REVIEW, 1, "v")
@dataclass(frozen=True)
class ShowClaim(ButtonData):
    """Back from "How was it paid?" to the card's own buttons."""

    claim: int


REVIEW_BUTTONS = (
    ApproveClaim,
    RejectItem,
    AskAboutItem,
    AskHowPaid,
    MarkPaid,
    NextClaim,
    ShowClaim,
)


# A member's own claims: "cx:1:<action>:<id>".
@button_data(MINE, 1, "w")
@dataclass(frozen=True)
class TakeClaimBack(ButtonData):
    claim: int


@button_data(MINE, 1, "a")
@dataclass(frozen=True)
class AnswerQuestion(ButtonData):
    line: int


@button_data(MINE, 1, "q")
@dataclass(frozen=True)
class AskAboutClaim(ButtonData):
    """The member asks their coordinators a question about one of their claims."""

    claim: int


# The finance export: "ex:1:<panel>:<period>:<format>" (no action word: it has one button kind).
@button_data(EXPORT, 1, "")
@dataclass(frozen=True)
class DownloadClaims(ButtonData):
    panel: int
    period: Annotated[str, Longest(5)]  # handlers/claims/export.py PERIODS
    format: Annotated[str, Longest(4)]  # "csv" or "xlsx"
