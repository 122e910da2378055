"""/newpoll's last step: the question as members will see it, with its plain-language check and
how many people get it, then Send (or a kind reason and the step to change)."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Panel, Poll
from bot.i18n import N_, Translator
from bot.services import glossary, plain_language, poll_asking, poll_rules, text_versions
from bot.services.poll_rules import PollDraft, PollError
from handlers import forms
from handlers.chat import text_versions as versions
from handlers.chat.common import button, reply
from handlers.chat.plain_words import plain_language_report
from handlers.forms import Form
from handlers.polls import newpoll_versions
from handlers.polls.asked import actor_of
from handlers.polls.buttons import NewPollAnswer
from handlers.polls.messages import button_lines, closing_time, question_text

PROBLEMS = {
    "question": N_("Please type a question of up to 300 letters."),
    "options": N_(
        "Please type 2 to 10 choices with a comma between them. Each can be up to 60 letters."
    ),
    "closes": N_("Please type a number of days from 1 to 60, like 3."),
    "nobody": N_("Nobody would get this question yet. Choose other people, or add members."),
    "kind": N_("Please tap one of the buttons."),
    "audience": N_(
        "Too few people would get this question. With so few, others could tell who said "
        "what. Choose more people, or ask with names."
    ),
    "vq": newpoll_versions.QUESTION_PROBLEM,
    "vo": versions.WRONG_COUNT,
}
# Where a refusal on sending takes the coordinator back to (the step that can put it right).
PROBLEM_STEPS = {"nobody": "who", "audience": "anon", "options": "options", "question": "question"}


def choices_problem(t: Translator, choices: list[str]) -> str | None:
    """What is wrong with the typed choices, one mistake at a time, or None."""
    if len(choices) < 2:
        return t(
            "Please type at least 2 choices, with a comma between them. "
            "Like this: Morning, Afternoon, Evening"
        )
    if len(choices) > poll_rules.MAX_OPTIONS:
        return t("You typed {n} choices. You can have up to 10. Please type fewer.", n=len(choices))
    too_long = next((c for c in choices if len(c) > poll_rules.MAX_OPTION), None)
    if too_long is not None:
        return t(
            "This choice is too long: {choice}\nEach choice can be up to 60 letters.",
            choice=escape(too_long[:80]),
        )
    repeated = poll_rules.repeated_choice(choices)
    if repeated is not None:
        return t(
            'You typed "{choice}" twice. Please type each choice only once.',
            choice=escape(repeated),
        )
    return None


def data(step: str, value: str | int) -> str:
    """A /newpoll button answering this step."""
    return NewPollAnswer(step, str(value)).pack()


async def zone(context: PanelContext, answers: dict[str, Any]) -> str:
    panel = await context.session.get(Panel, int(answers.get("panel_id") or 0))
    return panel.timezone if panel else "Europe/London"


def poll_draft(answers: dict[str, Any], now: datetime, where: str) -> PollDraft:
    """The question as typed so far. It closes on the panel's next whole hour after the days
    chosen: "13:42" reads like a mistake."""
    closes_at = poll_rules.next_whole_hour(
        now + timedelta(days=int(answers.get("days") or 0)), where
    )
    return PollDraft(
        panel_id=int(answers.get("panel_id") or 0),
        question=str(answers.get("question") or ""),
        kind=str(answers.get("type") or ""),
        options=tuple(answers.get("options") or ()),
        anonymous=bool(answers.get("anonymous", True)),
        closes_at=closes_at,
        meeting_id=int(answers["meeting_id"]) if answers.get("meeting_id") else None,
    )


async def preview(
    update: Update, context: PanelContext, form: Form, answers: dict[str, Any]
) -> None:
    t = context.t
    now = context.runtime.clock.now()
    where = await zone(context, answers)
    draft = poll_draft(answers, now, where)
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
        question_text(t, unsaved, where),
        "",
        *button_lines(t, unsaved),
        "",
        plain_language_report(t, plain_language.check(checked, glossary.load(), t.language)),
        "",
        t.ngettext("{n} person will get it.", "{n} people will get it.", len(people)),
    ]
    rows = [
        [button(t("Send"), data("preview", "send"))],
        [button(t(versions.ADD), data("preview", "lang"))],
        [button(t("Change the question"), data("preview", "edit"))],
        forms.back_and_stop(t, form, answers),
    ]
    added = newpoll_versions.previews(t, unsaved, answers.get("translations") or {}, where)
    if not added:
        await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
        return
    await reply(update, "\n".join(lines))
    for text in added[:-1]:
        await reply(update, text)
    await reply(update, added[-1], reply_markup=InlineKeyboardMarkup(rows))


async def send(update: Update, context: PanelContext, form: Form, answers: dict[str, Any]) -> None:
    t = context.t
    actor = await actor_of(context, update)
    now = context.runtime.clock.now()
    where = await zone(context, answers)
    try:
        poll, count = await poll_asking.create(
            context.session, actor, poll_draft(answers, now, where), now=now
        )
    except PollError as error:
        await context.session.rollback()
        await reply(update, t(PROBLEMS.get(error.code, PROBLEMS["closes"])))
        await forms.go(update, context, form, PROBLEM_STEPS.get(error.code, "closes"))
        return
    await text_versions.save(
        context.session,
        text_versions.POLL,
        poll.id,
        original=t.language,
        versions=answers.get("translations") or {},
    )
    await forms.discard(context, form)
    await reply(
        update,
        t.ngettext(
            "Sent. {n} person will get the question.",
            "Sent. {n} people will get the question.",
            count,
        )
        + "\n"
        + t("It closes on {when}.", when=closing_time(t, poll, where))
        + "\n"
        + t("Type /results to see the answers."),
    )
