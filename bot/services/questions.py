"""The questions a person answers about themselves: ONE table, read by joining, /settings and
/mydata. A new question is one row here, a setter (bot/services/profile.py), a column with its
migration, and its words in the catalogues (README, "Adding a question").

Each row says what is asked and how it is answered; handlers/joining/ turns a row into a
message with buttons, the same way when joining and in /settings. The words are catalogue ids
(N_): the handlers translate them. An easy-read version of a question is written in the
English catalogue under the context "easy" (marked here with P_, written out in full so that
it is extracted).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Member
from bot.i18n import N_, P_
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import profile
from bot.services.vocabularies import payments

# (session, telegram id, the tapped value or the typed words) -> checks and stores the answer,
# or raises profile.InvalidAnswer.
Setter = Callable[[AsyncSession, int, str], Awaitable[Any]]


class Kind(enum.StrEnum):
    READ = "read"  # read it, tap Next
    TAP = "tap"  # tap one button
    TEXT = "text"  # type words (buttons may be offered too)
    MANY = "many"  # tick any buttons, then Done


@dataclass(frozen=True)
class Option:
    value: str  # what the setter gets (and the button carries)
    label: str  # catalogue id, or a language's own name when the row's labels are `literal`


@dataclass(frozen=True)
class Question:
    step: str
    kind: Kind
    asked: tuple[str, ...]  # the question, one catalogue id a line
    gap: str = "\n"  # between the lines
    easy: tuple[str, ...] = ()  # the lines' easy-read versions (P_ marks), where written
    for_coordinators: tuple[str, ...] = ()  # the lines instead, for someone joining to coordinate
    options: tuple[Option, ...] = ()
    literal: bool = False  # the labels are shown as they are (language names), two a row
    offer_name: bool = False  # a button "Call me <their Telegram first name>"
    why: str | None = None  # "Why do you ask?" answers this
    tapped: Setter | None = None
    typed: Setter | None = None
    mistake: str | None = None  # said when typed words cannot be used
    side: str | None = None  # a side step's name: the "Something else" button goes there
    side_of: str | None = None  # this is a side step of that step (not walked in order)
    setting: str | None = None  # the /settings button, or None: not changed in /settings
    shown: tuple[str, str] | None = None  # /settings line and its placeholder
    my_data: str | None = None  # the /mydata key
    value: Callable[[Member], Any] | None = None  # the stored answer, as /mydata shows it
    reminders_follow: bool = False  # changing it moves upcoming meeting reminders


ACCESS_LABELS = {
    "step_free": N_("Step-free access"),
    "hearing_loop": N_("Hearing loop"),
    "bsl": N_("BSL interpreter"),
    "large_print": N_("Large print"),
    "easy_read": N_("Easy read papers"),
    "quiet_space": N_("A quiet space"),
    "support_worker": N_("A support worker or carer is coming with me"),
}
REMINDER_LABELS = {
    "all": N_("All reminders"),
    "day_before": N_("Only the day before"),
    "none": N_("No reminders"),
}
QUIET_LABELS = {
    "none": N_("No, any time is fine"),
    "22-8": N_("Not from 10pm to 8am"),
    "21-9": N_("Not from 9pm to 9am"),
}

# What we keep, said plainly: the answers include access needs and how to be paid.
CONSENT_QUESTION = N_(
    "To help you, we need to keep your name and your answers. "
    "Your answers say what you need at meetings and how you want to be paid. Is that OK?"
)
ADVICE = N_("For free advice before you choose, ask Citizens Advice or your benefits adviser.")


def _options(labels: dict[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in labels.items())


def _quiet_hours(member: Member) -> dict[str, str | None] | None:
    if member.quiet_start is None:
        return None
    return {"from": clock(member.quiet_start), "to": clock(member.quiet_end)}


def clock(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


QUESTIONS: tuple[Question, ...] = (
    Question(
        step="language",
        kind=Kind.TAP,
        asked=(N_("Which language would you like? Tap one."),),
        options=tuple(Option(code, LANGUAGE_NAMES[code]) for code in LAUNCH_LANGUAGES),
        literal=True,
        tapped=profile.set_language,
        setting=N_("Change the language"),
        shown=(N_("Language: {language}"), "language"),
        my_data="language",
        value=lambda m: m.language,
    ),
    Question(
        step="about",
        kind=Kind.READ,
        asked=(
            N_("You are invited to join {panel}."),
            N_("In a panel, people who use services help to make them better."),
            N_("I will tell you about meetings. I can explain hard words."),
            N_("You can also share your views and claim your expenses here."),
        ),
        for_coordinators=(
            N_("You are invited to help run {panel} as a coordinator."),
            N_("In a panel, people who use services help to make them better."),
            N_("I will tell you about meetings. I can explain hard words."),
            N_("You can also share your views and claim your expenses here."),
        ),
        gap="\n\n",
        options=(Option("next", N_("Next")),),
    ),
    Question(
        step="consent",
        kind=Kind.TAP,
        asked=(CONSENT_QUESTION,),
        easy=(
            P_(
                "easy",
                "To help you, we need to keep your name and your answers. "
                "Your answers say what you need at meetings and how you want to be paid. "
                "Is that OK?",
            ),
        ),
        options=(
            Option("yes", N_("Yes, that is OK")),
            Option("no", N_("No")),
            Option("more", N_("Tell me more")),
        ),
        my_data="consent",
        value=lambda m: str(m.consent),
    ),
    Question(
        step="name",
        kind=Kind.TEXT,
        asked=(
            N_("What should we call you? Type a first name or a nickname."),
            N_("It does not have to be your full name."),
        ),
        easy=(P_("easy", "What should we call you? Type a first name or a nickname."),),
        offer_name=True,
        why=N_(
            "We use your name when we write to you and in meetings. "
            "It can be a nickname. Your panel's coordinators and admins see it."
        ),
        typed=profile.set_name,  # a tap on "Call me ..." gives it that name
        mistake=N_("Please type a name with letters in it. It can be up to 40 characters."),
        setting=N_("Change my name"),
        shown=(N_("Name: {name}"), "name"),
        my_data="name",
        value=lambda m: m.display_name,
    ),
    Question(
        step="easy_read",
        kind=Kind.TAP,
        asked=(N_("Would you like easy read messages? They are shorter and simpler."),),
        easy=(P_("easy", "Would you like easy read messages? They are shorter and simpler."),),
        options=(Option("yes", N_("Yes, easy read")), Option("no", N_("No, thank you"))),
        tapped=profile.choose_easy_read,
        setting=N_("Easy read on or off"),
        shown=(N_("Easy read: {answer}"), "answer"),
        my_data="easy_read",
        value=lambda m: m.easy_read,
    ),
    Question(
        step="reminders",
        kind=Kind.TAP,
        asked=(N_("How should we remind you about meetings?"),),
        easy=(P_("easy", "How should we remind you about meetings?"),),
        options=_options(REMINDER_LABELS),
        why=N_(
            "Reminders help you not miss a meeting. "
            "We can remind you a week before, a day before and 2 hours before."
        ),
        tapped=profile.set_reminders,
        setting=N_("Reminders"),
        shown=(N_("Reminders: {answer}"), "answer"),
        my_data="reminders",
        value=lambda m: str(m.reminders),
        reminders_follow=True,
    ),
    Question(
        step="quiet",
        kind=Kind.TEXT,
        asked=(
            N_("Are there times when we should not send you messages? For example at night."),
            N_("Tap one, or type your own times, like 22:00-07:00."),
        ),
        easy=(
            P_(
                "easy",
                "Are there times when we should not send you messages? For example at night.",
            ),
        ),
        options=_options(QUIET_LABELS),
        tapped=profile.choose_quiet_hours,
        typed=profile.type_quiet_hours,
        mistake=N_(
            "Sorry, I could not read those times. "
            "Please type two times, like 10pm to 7am or 22:00-07:00. Or tap a button."
        ),
        setting=N_("Quiet hours"),
        shown=(N_("Quiet hours: {answer}"), "answer"),
        my_data="quiet_hours",
        value=_quiet_hours,
        reminders_follow=True,
    ),
    Question(
        step="access",
        kind=Kind.MANY,
        asked=(
            N_("Do you need anything to take part in meetings? Tap all that apply, then Done."),
        ),
        easy=(
            P_(
                "easy",
                "Do you need anything to take part in meetings? Tap all that apply, then Done.",
            ),
        ),
        options=_options(ACCESS_LABELS),
        why=N_(
            "We tell the coordinator what you need. Then they can get it ready before the meeting."
        ),
        tapped=profile.toggle_access_need,
        side="access_other",
        setting=N_("Access needs"),
        shown=(N_("Access needs: {answer}"), "answer"),
        my_data="access_needs",
        value=lambda m: list(m.access_needs or []),
    ),
    Question(
        step="access_other",
        kind=Kind.TEXT,
        asked=(N_("Please type what you need. Keep it short."),),
        typed=profile.set_access_other,
        mistake=N_("Please type what you need in words. It can be up to 500 characters."),
        side_of="access",
        my_data="access_other",
        value=lambda m: m.access_other,
    ),
    Question(
        step="payment",
        kind=Kind.TAP,
        asked=(
            N_("How would you like to be paid for your time?"),
            N_("Payments can affect some benefits. Vouchers are not always safer."),
            ADVICE,
        ),
        gap="\n\n",
        easy=(
            P_("easy", "How would you like to be paid for your time?"),
            P_("easy", "Payments can affect some benefits. Vouchers are not always safer."),
            P_(
                "easy",
                "For free advice before you choose, ask Citizens Advice or your benefits adviser.",
            ),
        ),
        options=_options(payments.CHOICE_LABELS),
        why=N_(
            "Panels pay people for their time. "
            "We need to know how you want to get the money. You can change this later."
        ),
        tapped=profile.set_payment,
        setting=N_("How I am paid"),
        shown=(N_("Payment: {answer}"), "answer"),
        my_data="payment",
        value=lambda m: str(m.payment) if m.payment else None,
    ),
)


def table() -> tuple[Question, ...]:
    """The table as it is now (read at call time, so a test can add a row)."""
    return QUESTIONS


def question(step: str) -> Question | None:
    return next((q for q in table() if q.step == step), None)


def walk() -> tuple[Question, ...]:
    """Joining: every question in order, side steps left out."""
    return tuple(q for q in table() if q.side_of is None)


def after(step: str) -> str | None:
    """The step that follows `step` when joining (a side step goes back to its main step)."""
    row = question(step)
    if row is not None and row.side_of is not None:
        return row.side_of
    steps = [q.step for q in walk()]
    index = steps.index(step) + 1 if step in steps else len(steps)
    return steps[index] if index < len(steps) else None


def settings() -> tuple[Question, ...]:
    """/settings: the questions a member can answer again, in the table's order."""
    return tuple(q for q in table() if q.setting is not None)


def exported(member: Member) -> dict[str, Any]:
    """/mydata: every stored answer, under the table's keys, in the table's order."""
    return {
        q.my_data: q.value(member) for q in table() if q.my_data is not None and q.value is not None
    }
