"""/newpoll: a coordinator asks the panel a question, one short step at a time.

    panel? -> question -> type -+-> choices -+-> anonymous? -> closes -> who -> (meeting) -> preview
                                +------------+

Answers so far live in a draft row (kind "poll"); the person's `conversation_step`
("newpoll:<step>") sends their typed words here, so a restart loses nothing. Buttons are
"np:1:<step>:<value>"; the polls service checks the coordinator's role again on sending.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Panel, Poll
from bot.i18n import N_, Translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import (
    access,
    drafts,
    glossary,
    plain_language,
    poll_asking,
    poll_rules,
    profile,
    text_versions,
)
from bot.services.access import NotAllowed
from bot.services.poll_rules import PollDraft, PollError
from handlers import poll_versions
from handlers import text_versions as versions
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.forms import Form, register
from handlers.glossary import NO_PANEL_ROLE, plain_language_report
from handlers.poll_messages import question_text

FEATURE, VERSION, KIND, PREFIX = "np", 1, "poll", "newpoll:"
FORM = register(
    Form(name=KIND, prefix=PREFIX, stopped=N_("OK. The question was not sent."), draft=True)
)
STEPS = ("panel", "question", "kind", "options", "anon", "closes", "who", "meeting", "preview")
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
    "options": N_("Type the choices, one on each line. You can have 2 to 8 choices."),
    "anon": N_("Should answers be anonymous? Anonymous means nobody can see who said what."),
    "closes": N_("When should the question close? Tap one, or type a number of days."),
    "who": N_("Who should get the question?"),
    "meeting": N_("Which meeting? The people who came, or said they are coming, get it."),
}
PROBLEMS = {
    "question": N_("Please type a question of up to 300 letters."),
    "options": N_("Please type 2 to 8 choices, one on each line. Each can be up to 60 letters."),
    "closes": N_("Please type a number of days from 1 to 60, like 3."),
    "nobody": N_("Nobody would get this question yet. Choose other people, or add members."),
    "kind": N_("Please tap one of the buttons."),
    "audience": N_(
        "Too few people would get this question. With so few, others could tell who said "
        "what. Choose more people, or ask with names."
    ),
    "vq": poll_versions.QUESTION_PROBLEM,
    "vo": versions.WRONG_COUNT,
}
TAP_PLEASE = N_("Please tap one of the buttons above.")
CANCELLED = N_("OK. The question was not sent.")


def data(step: str, *args: str | int) -> str:
    return callback_data(FEATURE, VERSION, step, *args)


def _cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t("Cancel"), data("x", "cancel"))]


async def _actor(context: PanelContext, update: Update) -> access.Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


async def new_poll(update: Update, context: PanelContext) -> None:
    t = context.t
    member = context.member
    actor = await _actor(context, update)
    panels = await access.coordinated_panels(context.session, actor)
    if member is None or not panels:
        access.refuse(context.session, actor, "/newpoll")
        await reply(update, t(NO_PANEL_ROLE))
        return
    await drafts.discard(context.session, member.id, KIND)
    if len(panels) == 1:
        await _go(update, context, "question", panel_id=panels[0][0])
    else:
        await _go(update, context, "panel")


async def _go(update: Update, context: PanelContext, step: str, **answers: Any) -> None:
    member = context.member
    assert member is not None
    draft = await drafts.save(
        context.session, member.id, KIND, step=step, now=context.runtime.clock.now(), **answers
    )
    await profile.set_step(context.session, member.telegram_id, PREFIX + step)
    await context.session.commit()
    await _ask(update, context, step, dict(draft.data or {}))


async def _ask(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    t = context.t
    if step == "preview":
        await _preview(update, context, answers)
        return
    if step in VERSION_STEPS:
        await poll_versions.ask(update, context, step, answers, data)
        return
    rows: list[list[InlineKeyboardButton]] = []
    if step == "panel":
        actor = await _actor(context, update)
        panels = await access.coordinated_panels(context.session, actor)
        rows = [[button(name[:60], data(step, pid))] for pid, name in panels[:30]]
    elif step == "kind":
        rows = [[button(t(label), data(step, kind))] for kind, label in KIND_LABELS.items()]
    elif step == "anon":
        rows = [
            [button(t("Anonymous"), data(step, "yes"))],
            [button(t("With names"), data(step, "no"))],
        ]
    elif step == "closes":
        rows = [[button(t(label), data(step, days))] for days, label in CLOSES.items()]
    elif step == "who":
        rows = [
            [button(t("The whole panel"), data(step, "panel"))],
            [button(t("The people at a meeting"), data(step, "meeting"))],
        ]
    elif step == "meeting":
        actor = await _actor(context, update)
        found = await poll_asking.meetings_for_audience(
            context.session, actor, int(answers["panel_id"]), context.runtime.clock.now()
        )
        zone = ZoneInfo(await _zone(context, answers))
        rows = [
            [button(f"{t.date(at.astimezone(zone), style='short')} {title}"[:60], data(step, mid))]
            for mid, title, at in found
        ]
        if not rows:
            await reply(update, t("There are no meetings from the last or next 30 days."))
            await _go(update, context, "who")
            return
    rows.append(_cancel_row(t))
    await reply(update, t(QUESTIONS[step]), reply_markup=InlineKeyboardMarkup(rows))


async def _zone(context: PanelContext, answers: dict[str, Any]) -> str:
    panel = await context.session.get(Panel, int(answers.get("panel_id") or 0))
    return panel.timezone if panel else "Europe/London"


def _draft(answers: dict[str, Any], now: Any) -> PollDraft:
    return PollDraft(
        panel_id=int(answers.get("panel_id") or 0),
        question=str(answers.get("question") or ""),
        kind=str(answers.get("type") or ""),
        options=tuple(answers.get("options") or ()),
        anonymous=bool(answers.get("anonymous", True)),
        closes_at=now + timedelta(days=int(answers.get("days") or 0)),
        meeting_id=int(answers["meeting_id"]) if answers.get("meeting_id") else None,
    )


async def _preview(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    now = context.runtime.clock.now()
    draft = _draft(answers, now)
    unsaved = Poll(
        id=0,
        panel_id=draft.panel_id,
        question=draft.question,
        kind=draft.kind,
        options=list(draft.options),
        anonymous=draft.anonymous,
        closes_at=draft.closes_at,
        closed=False,
    )
    checked = "\n".join([draft.question, *draft.options])
    people = await poll_asking.recipients(context.session, draft.panel_id, draft.meeting_id)
    lines = [
        t("This is what members will see:"),
        "",
        question_text(t, unsaved, await _zone(context, answers)),
        "",
        plain_language_report(t, plain_language.check(checked, glossary.load(), t.language)),
        "",
        t.ngettext("{n} person will get it.", "{n} people will get it.", len(people)),
    ]
    rows = [
        [button(t("Send"), data("preview", "send"))],
        [button(t(versions.ADD), data("preview", "lang"))],
        [button(t("Change the question"), data("preview", "edit"))],
        _cancel_row(t),
    ]
    added = poll_versions.previews(
        t, unsaved, answers.get("translations") or {}, await _zone(context, answers)
    )
    if not added:
        await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
        return
    await reply(update, "\n".join(lines))
    for text in added[:-1]:
        await reply(update, text)
    await reply(update, added[-1], reply_markup=InlineKeyboardMarkup(rows))


async def _close(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    member = context.member
    if args is None or len(args) != 2 or member is None:
        if member is None:  # a stranger has no draft: a forged tap
            access.refuse(context.session, await _actor(context, update), "np")
        await answer_expired(query, context)
        return
    step, value = args
    t = context.t
    number = value.isdecimal() and value.isascii() and len(value) < 19
    draft = await drafts.get(context.session, member.id, KIND)
    if step == "x":
        await _close(update, context)
        await _cancel(update, context)
        return
    if draft is None:
        # Only coordinators have a question draft: a tap without one from someone who
        # coordinates nothing, or naming another panel's panel or meeting, is forged.
        actor = await _actor(context, update)
        mine = {pid for pid, _ in await access.coordinated_panels(context.session, actor)}
        foreign = await access.names_foreign(
            context.session,
            mine,
            panel=value if step == "panel" else None,
            meeting=value if step == "meeting" else None,
        )
        if not mine or foreign:
            access.refuse(context.session, actor, "np:" + step[:20])
        await answer_expired(query, context)
        return
    answers = dict(draft.data or {})
    if step != draft.step:
        # An older question's button: ask the current one again.
        await query.answer()
        await _ask(update, context, draft.step, answers)
        return
    try:
        if step == "panel" and number:
            actor = await _actor(context, update)
            await access.require_coordinator(context.session, actor, int(value))
            await _close(update, context)
            await _go(update, context, "question", panel_id=int(value))
        elif step == "kind" and value in KIND_LABELS:
            await _close(update, context)
            following = "options" if value in ("one", "many") else "anon"
            await _go(update, context, following, type=value)
        elif step == "anon" and value in ("yes", "no"):
            await _close(update, context)
            await _go(update, context, "closes", anonymous=value == "yes")
        elif step == "closes" and value in CLOSES:
            await _close(update, context)
            await _go(update, context, "who", days=int(value))
        elif step == "who" and value in ("panel", "meeting"):
            await _close(update, context)
            if value == "panel":
                await _go(update, context, "preview", meeting_id=None)
            else:
                await _go(update, context, "meeting")
        elif step == "meeting" and number:
            await _close(update, context)
            await _go(update, context, "preview", meeting_id=int(value))
        elif step == "preview" and value == "lang":
            await _close(update, context)
            await _go(update, context, "vlang")
        elif step == "vlang" and value in LAUNCH_LANGUAGES:
            await _close(update, context)
            await _go(update, context, "vq", vlang=value)
        elif step == "vlang" and value == "done":
            await _close(update, context)
            await _go(update, context, "preview")
        elif step == "preview" and value == "edit":
            await _close(update, context)
            await _go(update, context, "question")
        elif step == "preview" and value == "send":
            await _close(update, context)
            await _send(update, context, answers)
        else:
            await answer_expired(query, context)
    except (NotAllowed, ValueError):
        await context.session.rollback()
        await query.answer(t(NO_PANEL_ROLE), show_alert=True)


async def _cancel(update: Update, context: PanelContext) -> None:
    member = context.member
    assert member is not None
    await drafts.discard(context.session, member.id, KIND)
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()
    await reply(update, context.t(CANCELLED))


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    member = context.member
    assert member is not None
    actor = await _actor(context, update)
    now = context.runtime.clock.now()
    try:
        poll, count = await poll_asking.create(
            context.session, actor, _draft(answers, now), now=now
        )
    except PollError as error:
        await context.session.rollback()
        problem = {
            "nobody": "who",
            "audience": "anon",
            "options": "options",
            "question": "question",
        }.get(error.code, "closes")
        await reply(update, t(PROBLEMS.get(error.code, PROBLEMS["closes"])))
        await _go(update, context, problem)
        return
    await text_versions.save(
        context.session,
        text_versions.POLL,
        poll.id,
        original=t.language,
        versions=answers.get("translations") or {},
    )
    await drafts.discard(context.session, member.id, KIND)
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()
    await reply(
        update,
        t.ngettext(
            "Sent. {n} person will get the question.",
            "Sent. {n} people will get the question.",
            count,
        )
        + "\n"
        + t("Type /results to see the answers."),
    )
    assert poll.id


class _MakingAPoll(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and (member.conversation_step or "").startswith(PREFIX))


async def on_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None
    t = context.t
    draft = await drafts.get(context.session, member.id, KIND)
    if draft is None:
        await profile.set_step(context.session, member.telegram_id, None)
        await context.session.commit()
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
        await _go(update, context, following, question=question)
    elif step == "options":
        options = poll_rules.parse_options(text)
        if not 2 <= len(options) <= poll_rules.MAX_OPTIONS or any(
            len(o) > poll_rules.MAX_OPTION for o in options
        ):
            await reply(update, t(PROBLEMS[step]))
            return
        await _go(update, context, "anon", options=list(options))
    elif step in ("vq", "vo"):
        added = await poll_versions.take(update, context, step, text, answers)
        if added is not None:
            following = (
                "vo" if step == "vq" and answers.get("type") in ("one", "many") else "preview"
            )
            await _go(update, context, following, translations=added)
    else:
        days = text.split()[0] if text.split() else ""
        if not (days.isdecimal() and len(days) < 3 and 1 <= int(days) <= 60):
            await reply(update, t(PROBLEMS[step]))
            return
        await _go(update, context, "who", days=int(days))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("newpoll", new_poll, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^np:"),
        MessageHandler(private & ~filters.COMMAND & _MakingAPoll(), on_text),
    ]
