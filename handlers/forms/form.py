"""What a form is, and the registry of every form: which one a person has open, and where."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.context import PanelContext
from bot.services import anonymous
from bot.services.members import MemberView

Answers = dict[str, Any]
Ask = Callable[[Update, PanelContext, str, Answers], Awaitable[None]]
Start = Callable[[Update, PanelContext], Awaitable[None]]
Cleanup = Callable[[PanelContext], Awaitable[None]]
Receive = Callable[[Update, PanelContext, str], Awaitable[None]]  # (update, context, step)


class Accepts(enum.Enum):
    """What a step takes from a person."""

    TAP = "tap"  # a button under the question
    TEXT = "text"  # typed words (a tap on a button may be offered too)
    FILE = "file"  # a photo or a document (receipts, meeting papers)


@dataclass(frozen=True)
class Step:
    """One question of a form. `example` is what a person might give to get past it: typed
    words, or the catalogue id of the button to tap. The walk test (tests/test_form_walk.py)
    answers every form with these, so a new step is tested without a new test."""

    name: str
    accepts: Accepts
    example: str


class Where(enum.Enum):
    """Where a form's step is kept while it is open."""

    MEMBER = "member"  # members.conversation_step: "<prefix><step>"
    HELD = "held"  # in memory only (anonymous flows: bot.services.anonymous)


@dataclass(frozen=True)
class Form:
    """One form. `name` is also its draft's kind; `prefix` marks its step.

    Messages are catalogue ids (N_): `stopped` is said after /cancel or Stop, `kept` when a
    menu tap or command leaves a form whose draft is kept, `carry_on` offers that draft back,
    `really_stop` asks before throwing away what `worth_keeping` says the person made.
    A form with `receive` gets every message sent while it is open (not commands or menu
    taps: handlers/forms/rules.py) from the engine's one handler, so it needs no filter."""

    name: str
    prefix: str
    stopped: str
    where: Where = Where.MEMBER
    draft: bool = False
    steps: tuple[Step, ...] = ()  # in the order a person meets them (the walk test reads this)
    opened_by: tuple[str, ...] = ()  # commands ("/claim") and menu labels (N_) that open it
    receive: Receive | None = None  # the engine's one message handler hands it typed words/files
    ask: Ask | None = None  # asks a step again (Back, carry on)
    start: Start | None = None  # begins the form afresh ("Start again")
    kept: str | None = None
    carry_on: str | None = None
    really_stop: str | None = None
    worth_keeping: Callable[[Answers], bool] = field(default=lambda answers: False)
    after_stop: Cleanup | None = None  # after the draft is gone (files nothing needs)
    # What the person made, in their own words, shown under "Carry on?" (a meeting's title),
    # so they know which half-done thing is meant.
    reminder: Callable[[Answers], str | None] | None = None


_FORMS: dict[str, Form] = {}


def register(form: Form) -> Form:
    """Add a form at import time. Names and prefixes must not clash: a clash would send one
    form's answers to another."""
    for other in _FORMS.values():
        if other.name == form.name and other is not form:
            raise ValueError(f"two forms are called {form.name!r}")
        if other is not form and (
            other.prefix.startswith(form.prefix) or form.prefix.startswith(other.prefix)
        ):
            raise ValueError(f"form prefixes clash: {other.prefix!r} and {form.prefix!r}")
    _FORMS[form.name] = form
    return form


def registered() -> tuple[Form, ...]:
    return tuple(_FORMS.values())


def by_name(name: str) -> Form | None:
    return _FORMS.get(name)


@dataclass(frozen=True)
class OpenForm:
    form: Form
    step: str  # without the prefix


def open_form(member: MemberView | None) -> OpenForm | None:
    """The form this person has open, if any: a held (anonymous) step first, then their row."""
    if member is None:
        return None
    held = anonymous.step(member.telegram_id)
    for marker, where in ((held, Where.HELD), (member.conversation_step, Where.MEMBER)):
        if not marker:
            continue
        for form in _FORMS.values():
            if form.where is where and marker.startswith(form.prefix):
                return OpenForm(form, marker.removeprefix(form.prefix))
    return None
