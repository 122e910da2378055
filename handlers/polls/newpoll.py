"""/newpoll: a coordinator asks the panel a question, one short step at a time.

    panel? -> question -> type -+-> choices -+-> anonymous? -> closes -> who -> (meeting) -> preview
                                +------------+

A form on the engine (handlers/forms): the answers so far live in its draft (kind "poll"), so a
menu tap, a command or a restart loses nothing and /newpoll offers it back. Back and Stop are
the engine's. Buttons are "np:1:<step>:<value>"; the polls service checks the coordinator's role
again on sending. After the preview, versions in other languages: see newpoll_versions.
"""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.i18n import N_
from bot.languages import LAUNCH_LANGUAGES
from bot.services import access, drafts, poll_asking, poll_rules
from bot.services.access import NotAllowed
from handlers import forms
from handlers.chat.common import answer_expired, button, remove_buttons, reply
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.forms import Accepts, Form, Step
from handlers.polls import newpoll_versions
from handlers.polls.asked import actor_of
from handlers.polls.buttons import NEW_POLL, NewPollAnswer
from handlers.polls.newpoll_preview import (
    PROBLEMS,
    choices_problem,
    data,
    preview,
    send,
    zone,
)

KIND, PREFIX = "poll", "newpoll:"
# After the preview: a language, then the question (and choices) in it. See text_versions.
VERSION_STEPS = ("vlang", "vq", "vo")
TEXT_STEPS = ("question", "options", "closes", "vq", "vo")
KIND_LABELS = {
    "one": N_("One choice"),
    "many": N_("Several choices"),
    "rating": N_("A rating from 1 to 5"),
    "text": N_("Free text"),
}
CLOSES = {"1": N_("In 1 day"), "3": N_("In 3 days"), "7": N_("In 1 week"), "14": N_("In 2 weeks")}
QUESTIONS = {
    "panel": N_("Which panel is this question for?"),
    "question": N_("What do you want to ask? Type the question. Keep it short and clear."),
    "kind": N_("How should people answer?"),
    "options": N_(
        "Type the choices with a comma between them, like this: Morning, Afternoon, Evening. "
        "You can have 2 to 10 choices."
    ),
    "anon": N_("Should answers be anonymous? Anonymous means nobody can see who said what."),
    "closes": N_("When should the question close? Tap one, or type a number of days."),
    "who": N_("Who should get the question?"),
    "meeting": N_("Which meeting? The people who came, or said they are coming, get it."),
}
TAP_PLEASE = N_("Please tap one of the buttons above.")
NO_MEETINGS = N_("There are no meetings from the last or next 30 days.")
# Which draft answer each tap step sets, so going Back shows the earlier choice ticked.
CHOSEN = {"kind": "type", "anon": "anonymous", "closes": "days", "panel": "panel_id"}


def _ticked(label: str, value: str, answers: dict[str, Any], step: str) -> str:
    earlier = answers.get(CHOSEN.get(step, ""))
    if step == "anon" and earlier is not None:
        earlier = "yes" if earlier else "no"
    return ("✓ " if earlier is not None and str(earlier) == value else "") + label


async def new_poll(update: Update, context: PanelContext) -> None:
    t = context.t
    member = context.member
    actor = await actor_of(context, update)
    panels = await access.coordinated_panels(context.session, actor)
    if member is None or not panels:
        access.refuse(context.session, actor, "/newpoll")
        await reply(update, t(NO_PANEL_ROLE))
        return
    if await forms.carry_on_offered(update, context, FORM):
        return
    if len(panels) == 1:
        await forms.go(update, context, FORM, "question", panel_id=panels[0][0])
    else:
        await forms.go(update, context, FORM, "panel")


async def ask(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    t = context.t
    if step == "preview":
        await preview(update, context, FORM, answers)
        return
    last_row = forms.back_and_stop(t, FORM, answers)
    if step in VERSION_STEPS:
        await newpoll_versions.ask(update, context, step, answers, data, last_row)
        return
    choices: list[tuple[str, str]] = []  # (label, value)
    if step == "panel":
        actor = await actor_of(context, update)
        panels = await access.coordinated_panels(context.session, actor)
        choices = [(name[:60], str(pid)) for pid, name in panels[:30]]
    elif step == "kind":
        choices = [(t(label), kind) for kind, label in KIND_LABELS.items()]
    elif step == "anon":
        choices = [(t("Anonymous"), "yes"), (t("With names"), "no")]
    elif step == "closes":
        choices = [(t(label), days) for days, label in CLOSES.items()]
    elif step == "who":
        choices = [(t("The whole panel"), "panel"), (t("The people at a meeting"), "meeting")]
    elif step == "meeting":
        actor = await actor_of(context, update)
        found = await poll_asking.meetings_for_audience(
            context.session, actor, int(answers["panel_id"]), context.runtime.clock.now()
        )
        local = ZoneInfo(await zone(context, answers))
        choices = [
            (f"{t.date(at.astimezone(local), style='short')} {title}"[:60], str(mid))
            for mid, title, at in found
        ]
        if not choices:
            await reply(update, t(NO_MEETINGS))
            await forms.go(update, context, FORM, "who", remember=False)
            return
    rows: list[list[InlineKeyboardButton]] = [
        [button(_ticked(label, value, answers, step), data(step, value))]
        for label, value in choices
    ]
    rows.append(last_row)
    await reply(update, t(QUESTIONS[step]), reply_markup=InlineKeyboardMarkup(rows))


async def _close(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)


async def _refuse_forged(update: Update, context: PanelContext, step: str, value: str) -> None:
    """Only coordinators have a question draft: a tap without one from someone who coordinates
    nothing, or naming another panel's panel or meeting, is forged."""
    actor = await actor_of(context, update)
    mine = {pid for pid, _ in await access.coordinated_panels(context.session, actor)}
    foreign = await access.names_foreign(
        context.session,
        mine,
        panel=value if step == "panel" else None,
        meeting=value if step == "meeting" else None,
    )
    if not mine or foreign:
        access.refuse(context.session, actor, "np:" + step[:20])


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = NewPollAnswer.unpack(query.data)
    member = context.member
    if tapped is None or member is None:
        if member is None:  # a stranger has no draft: a forged tap
            access.refuse(context.session, await actor_of(context, update), "np")
        await answer_expired(query, context)
        return
    step, value = tapped.step, tapped.value
    number = value.isdecimal() and value.isascii() and len(value) < 19
    draft = await drafts.get(context.session, member.id, KIND)
    if draft is None:
        await _refuse_forged(update, context, step, value)
        await answer_expired(query, context)
        return
    answers = dict(draft.data or {})
    if step != draft.step:
        # An older question's button: ask the current one again.
        await query.answer()
        await ask(update, context, draft.step, answers)
        return
    following: str | None = None
    changes: dict[str, Any] = {}
    try:
        if step == "panel" and number:
            actor = await actor_of(context, update)
            await access.require_coordinator(context.session, actor, int(value))
            following, changes = "question", {"panel_id": int(value)}
        elif step == "kind" and value in KIND_LABELS:
            following = "options" if value in ("one", "many") else "anon"
            changes = {"type": value}
        elif step == "anon" and value in ("yes", "no"):
            following, changes = "closes", {"anonymous": value == "yes"}
        elif step == "closes" and value in CLOSES:
            following, changes = "who", {"days": int(value)}
        elif step == "who" and value == "panel":
            following, changes = "preview", {"meeting_id": None}
        elif step == "who" and value == "meeting":
            following = "meeting"
        elif step == "meeting" and number:
            following, changes = "preview", {"meeting_id": int(value)}
        elif step == "preview" and value in ("lang", "edit"):
            following = "vlang" if value == "lang" else "question"
        elif step == "vlang" and value in LAUNCH_LANGUAGES:
            following, changes = "vq", {"vlang": value}
        elif step == "vlang" and value == "done":
            following = "preview"
        elif step == "preview" and value == "send":
            await _close(update, context)
            await send(update, context, FORM, answers)
            return
    except (NotAllowed, ValueError):
        await context.session.rollback()
        await query.answer(context.t(NO_PANEL_ROLE), show_alert=True)
        return
    if following is None:
        await answer_expired(query, context)
        return
    await _close(update, context)
    await forms.go(update, context, FORM, following, **changes)


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """Typed words while /newpoll is open (the engine's one message handler)."""
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None
    t = context.t
    draft = await drafts.get(context.session, member.id, KIND)
    if draft is None:
        await forms.discard(context, FORM)
        await reply(update, t("Sorry, I lost track. Type /newpoll to start again."))
        return
    step, text = draft.step, (message.text or "").strip()
    if step not in TEXT_STEPS or not message.text:
        await reply(update, t(TAP_PLEASE if step not in TEXT_STEPS else PROBLEMS[step]))
        return
    answers = dict(draft.data or {})
    if step == "question":
        question = " ".join(text.split())
        if not question or len(question) > poll_rules.MAX_QUESTION:
            await reply(update, t(PROBLEMS[step]))
            return
        following = "preview" if answers.get("type") and "days" in answers else "kind"
        await forms.go(update, context, FORM, following, question=question)
    elif step == "options":
        options = poll_rules.split_choices(text)
        problem = choices_problem(t, options)
        if problem:
            await reply(update, problem)
            return
        await forms.go(update, context, FORM, "anon", options=options)
    elif step in ("vq", "vo"):
        added = await newpoll_versions.take(update, context, step, text, answers)
        if added is not None:
            following = (
                "vo" if step == "vq" and answers.get("type") in ("one", "many") else "preview"
            )
            await forms.go(update, context, FORM, following, translations=added)
    else:
        days = text.split()[0] if text.split() else ""
        if not (days.isdecimal() and len(days) < 3 and 1 <= int(days) <= 60):
            await reply(update, t(PROBLEMS[step]))
            return
        await forms.go(update, context, FORM, "who", days=int(days))


FORM = forms.register(
    Form(
        name=KIND,
        prefix=PREFIX,
        stopped=N_("OK. The question was not sent."),
        draft=True,
        steps=(
            Step("panel", Accepts.TAP, "Carers Voice"),  # only for coordinators of two panels
            Step("question", Accepts.TEXT, "Was the room warm enough?"),
            Step("kind", Accepts.TAP, KIND_LABELS["one"]),
            Step("options", Accepts.TEXT, "Yes, No, Not sure"),  # or one on each line
            Step("anon", Accepts.TAP, N_("Anonymous")),
            Step("closes", Accepts.TEXT, "3"),  # or tap CLOSES' labels
            Step("who", Accepts.TAP, N_("The whole panel")),
            Step("meeting", Accepts.TAP, "Planning day"),  # for the people at a meeting
            Step("preview", Accepts.TAP, N_("Add a version in another language")),
            Step("vlang", Accepts.TAP, "Polski"),
            Step("vq", Accepts.TEXT, "Który dzień Ci pasuje?"),
            Step("vo", Accepts.TEXT, "Tak, Nie, Nie wiem"),
        ),
        opened_by=("/newpoll",),
        receive=receive,
        ask=ask,
        start=new_poll,
        kept=N_("Your question is saved. Type /newpoll to carry on with it."),
        carry_on=N_("You have a question you did not finish. Do you want to carry on with it?"),
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("newpoll", new_poll, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_button, pattern=rf"^{NEW_POLL}:"),
    ]
