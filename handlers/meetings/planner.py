"""/newmeeting: a coordinator makes a meeting, one short question at a time, on the form engine.

Everything answered so far lives in a draft row (`bot.services.drafts`), so a restart, a menu tap
or a long pause loses nothing: /newmeeting then offers to carry on. Back and Stop are under every
question; Stop asks first once an agenda or papers would be thrown away.

    panel? -> title -> date -> time -> length -> where -+-> address -> map -+-> access -> agenda
                                                        |      (both) <-----+-> online -^
                                                        +-> online ----------------------^
    agenda -> papers -> paid -> preview -> Send

planner_asking.py asks the questions, planner_buttons.py takes the taps and sends the meeting,
planner_typing.py takes typed words and papers, planner_rules.py holds the pure rules.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.i18n import N_
from handlers import forms
from handlers.forms import Accepts, Form, register
from handlers.forms import Step as Question
from handlers.meetings.button_records import PLANNER
from handlers.meetings.planner_asking import allowed, ask, begin
from handlers.meetings.planner_buttons import on_button
from handlers.meetings.planner_rules import KIND, LENGTH_LABELS, PREFIX, WHERE_LABELS, Step
from handlers.meetings.planner_typing import receive


def _worth_keeping(answers: dict[str, Any]) -> bool:
    """An agenda or papers took the coordinator time to make: Stop asks before losing them."""
    return bool(answers.get("agenda") or answers.get("papers"))


async def new_meeting(update: Update, context: PanelContext) -> None:
    panels = await allowed(update, context)
    if panels is None:
        return
    if await forms.carry_on_offered(update, context, FORM):
        return
    await begin(update, context, panels)


FORM = register(
    Form(
        name=KIND,
        prefix=PREFIX,
        stopped=N_("OK. The meeting was not made."),
        draft=True,
        steps=(
            Question(Step.PANEL, Accepts.TAP, "Carers Voice"),
            Question(Step.TITLE, Accepts.TEXT, "Planning the summer day"),
            Question(Step.DATE, Accepts.TEXT, "25/12/2026"),
            Question(Step.TIME, Accepts.TEXT, "2pm"),
            Question(Step.LENGTH, Accepts.TEXT, LENGTH_LABELS[120]),
            Question(Step.WHERE, Accepts.TAP, WHERE_LABELS["both"]),
            Question(Step.ADDRESS, Accepts.TEXT, "Town Hall, Room 2"),
            Question(Step.MAP, Accepts.TEXT, "https://maps.example.org/town-hall"),
            Question(Step.ONLINE, Accepts.TEXT, "https://meet.example.org/panel"),
            Question(Step.ACCESS, Accepts.TAP, "Done"),
            Question(Step.AGENDA, Accepts.TEXT, "Ideas for the summer day"),
            Question(Step.PAPERS, Accepts.FILE, "No papers"),
            Question(Step.PAID, Accepts.TAP, "Yes"),
            Question(Step.PREVIEW, Accepts.TAP, "Send"),
        ),
        opened_by=("/newmeeting",),
        receive=receive,
        ask=ask,
        start=new_meeting,
        kept=N_("Your meeting is saved. Type /newmeeting to carry on with it."),
        carry_on=N_("You have a meeting you did not finish. Do you want to carry on with it?"),
        really_stop=N_("Stop making this meeting? Everything you added for it will be lost."),
        worth_keeping=_worth_keeping,
        reminder=lambda answers: answers.get("title"),
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("newmeeting", new_meeting, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_button, pattern=rf"^{PLANNER}:"),
    ]
