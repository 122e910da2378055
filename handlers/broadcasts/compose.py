"""/broadcast (and the coordinators' "Send news" button): tell many members something, step by
step, on the form engine.

Who -> the message (text, or a photo or file with words) -> the plain-language check (Edit or
Send anyway) -> versions in other languages -> important or not -> now or later -> a preview
exactly as members will see it -> Send.

The answers live in the form's draft, so a restart, a menu tap or a command loses nothing: the
next /broadcast offers to carry on. Every step that names a panel, meeting or broadcast is
checked again in the service."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import access, broadcasts, drafts, glossary, members, plain_language, typed_times
from bot.services.broadcast_audience import InvalidBroadcast
from handlers import forms
from handlers.broadcasts import questions
from handlers.broadcasts.questions import AT, CHECK, CONFIRM, TEXT, TYPING, VERSIONS, WHEN_HELP, WHO
from handlers.broadcasts.shared import actor, coordinated, zone
from handlers.chat import picker
from handlers.chat.common import reply
from handlers.chat.menu_labels import SEND_NEWS
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.chat.text import NOT_UNDERSTOOD, TAP_PLEASE

Answers = dict[str, Any]
EMPTY = N_("Please type your message, or send a photo or file with words under it.")
FAR = N_("Please choose a time in the next year.")
NOBODY = N_("Tap at least one panel, then Next.")
PROBLEMS = {
    "empty": EMPTY,
    "long": N_(
        "That is too long. Please keep it under 3500 characters, or 900 under a photo or file."
    ),
    "far": FAR,
    "nobody": NOBODY,
    "file": N_("Please send a photo or a file."),
}


def _written(answers: Answers) -> bool:
    return bool(answers.get("text") or answers.get("media_file_id"))


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    await questions.ask(update, context, FORM, step, answers)


async def answers_of(context: PanelContext) -> Answers | None:
    if context.member is None:
        return None
    draft = await drafts.get(context.session, context.member.id, FORM.name)
    return dict(draft.data or {}) if draft else None


async def new_broadcast(update: Update, context: PanelContext) -> None:
    panels = await coordinated(update, context)
    who = await actor(update, context)
    if panels and context.member is None and who.is_admin:
        # An admin named in PANELBOT_ADMINS may belong to no panel: the form's draft needs a
        # row of their own (no panel, no consent asked: they are not a member anywhere).
        await members.get_or_create(
            context.session, who.telegram_id, now=context.runtime.clock.now()
        )
        await context.reload_member(who.telegram_id)
    if not panels or context.member is None:
        access.refuse(context.session, who, "/broadcast")
        await reply(update, context.t(NO_PANEL_ROLE))
        return
    if await forms.carry_on_offered(update, context, FORM):
        return
    await _start(update, context)


async def _start(update: Update, context: PanelContext) -> None:
    """A new piece of news (also "Start again" after the offer to carry on)."""
    panels = await coordinated(update, context)
    if not panels or context.member is None:
        await reply(update, context.t(NO_PANEL_ROLE))
        return
    chosen = [panels[0][0]] if len(panels) == 1 else []
    await forms.go(update, context, FORM, WHO, panels=chosen, meeting=None, language=None)


# ------------------------------------------------------------------------------ typed words


def problem_words(error: InvalidBroadcast) -> str:
    return PROBLEMS.get(str(error), EMPTY)


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """Whatever a coordinator sends while writing news: words, a photo or a file."""
    message = update.effective_message
    assert message is not None
    answers = await answers_of(context)
    if answers is None:  # the step outlived its draft: nothing to carry on with
        await forms.discard(context, FORM)
        await reply(update, context.t(NOT_UNDERSTOOD))
        return
    if step == TEXT:
        if message.photo:
            file: tuple[str | None, str | None] = ("photo", message.photo[-1].file_id)
        elif message.document:
            file = ("document", message.document.file_id)
        elif message.text:
            file = (None, None)
        else:
            await reply(update, context.t(EMPTY))
            return
        await _take_message(update, context, message.text or message.caption or "", *file)
    elif message.text is None:
        await reply(update, context.t(TAP_PLEASE))
    elif step.startswith(TYPING):
        await _take_version(update, context, step.removeprefix(TYPING), message.text, answers)
    elif step == AT:
        await _take_time(update, context, message.text, answers)
    else:
        await reply(update, context.t(TAP_PLEASE))


async def _take_message(
    update: Update, context: PanelContext, text: str, media_kind: str | None, file_id: str | None
) -> None:
    t = context.t
    try:
        text = broadcasts.check_text(text, with_file=media_kind is not None)
    except InvalidBroadcast as error:
        await reply(update, t(problem_words(error)))
        return
    clear = not text or plain_language.check(text, glossary.load(), t.language).clear
    await forms.go(
        update,
        context,
        FORM,
        VERSIONS if clear else CHECK,
        text=text,
        media_kind=media_kind,
        media_file_id=file_id,
    )


async def _take_version(
    update: Update, context: PanelContext, language: str, text: str, answers: Answers
) -> None:
    try:
        version = broadcasts.check_text(text, with_file=bool(answers.get("media_kind")))
    except InvalidBroadcast as error:
        await reply(update, context.t(problem_words(error)))
        return
    added = {**(answers.get("translations") or {}), language: version}
    # Back to the list of languages: one step with the question it asked (not remembered).
    await forms.go(update, context, FORM, VERSIONS, remember=False, translations=added)


async def _take_time(update: Update, context: PanelContext, text: str, answers: Answers) -> None:
    t = context.t
    where = await zone(context, answers)
    now = context.runtime.clock.now()
    words = text.strip().split()
    moment = None
    if len(words) >= 2:
        day = picker.parse_date(" ".join(words[:-1]), picker.local_today(now, where), t.locale)
        at = typed_times.read_time(words[-1], t.language)
        if day is not None and at is not None:
            moment = picker.to_utc(day, at, where)
    if moment is None:
        await reply(update, t(WHEN_HELP))
        return
    if moment <= now or moment > now + broadcasts.MAX_AHEAD:
        await reply(update, t(FAR) if moment > now else t(WHEN_HELP))
        return
    await forms.go(update, context, FORM, CONFIRM, send_at=moment.isoformat())


FORM = forms.register(
    forms.Form(
        name="broadcast",
        prefix="bcast:",
        stopped=N_("OK. Your news was not sent."),
        draft=True,
        steps=(
            forms.Step(WHO, forms.Accepts.TAP, "Next"),
            forms.Step(TEXT, forms.Accepts.TEXT, "The meeting room has changed to room 4."),
            forms.Step(CHECK, forms.Accepts.TAP, "Send anyway"),
            forms.Step(VERSIONS, forms.Accepts.TAP, "Next"),
            # One step for each language a version is added in; the walk meets Welsh.
            forms.Step(TYPING + "cy", forms.Accepts.TEXT, "Mae'r ystafell wedi newid."),
            forms.Step(questions.IMPORTANT, forms.Accepts.TAP, "No"),
            forms.Step(questions.WHEN, forms.Accepts.TAP, "Choose a time"),
            forms.Step(AT, forms.Accepts.TEXT, "tomorrow 10:00"),
            forms.Step(CONFIRM, forms.Accepts.TAP, "Send"),
        ),
        opened_by=("/broadcast", SEND_NEWS),
        receive=receive,
        ask=_ask,
        start=_start,
        kept=N_("Your news is saved. Tap Send news to carry on with it."),
        carry_on=N_("You have news you did not finish. Do you want to carry on with it?"),
        really_stop=N_("Stop writing this news? What you wrote will be deleted."),
        worth_keeping=_written,
    )
)
