"""/newmeeting's typed answers and papers: the form engine hands every message sent while the
form is open to `receive` (commands and menu taps never reach it: handlers/forms/rules.py)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.services import drafts, typed_times
from bot.services.drafts import DraftView
from bot.services.meeting_rules import MAX_TITLE
from handlers import forms
from handlers.chat import picker
from handlers.chat.common import button, reply
from handlers.chat.text import NOT_UNDERSTOOD, TAP_PLEASE, printable
from handlers.meetings import planner_versions
from handlers.meetings.planner_asking import engine_row, form, go, paper_rows, take_time, today
from handlers.meetings.planner_rules import (
    FILE_PLEASE,
    KIND,
    MAX_AGENDA,
    MAX_PAPERS,
    MAX_PLACE,
    PAST_DAY,
    TEXT_PROBLEMS,
    TEXT_STEPS,
    WORDS_PLEASE,
    Step,
    clean_link,
    current_step,
    data,
    next_step,
    parse_length,
)


async def _draft_or_reset(update: Update, context: PanelContext) -> DraftView | None:
    """The draft; if it has gone (sent or stopped elsewhere), end the form and say so."""
    member = context.member
    draft = await drafts.get(context.session, member.id, KIND) if member else None
    if draft is None and member is not None:
        await forms.discard(context, form())
        await reply(update, context.t(NOT_UNDERSTOOD))
    return draft


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """Typed words go to the question being asked; files and photos are papers."""
    message = update.effective_message
    assert message is not None
    if message.text is not None:
        await _on_text(update, context, message.text)
    else:
        await _on_file(update, context)


async def _on_text(update: Update, context: PanelContext, text: str) -> None:
    draft = await _draft_or_reset(update, context)
    if draft is None:
        return
    step, answers = current_step(draft.step), dict(draft.data or {})
    if step == Step.PREVIEW and answers.get("vfield"):
        if await planner_versions.take(update, context, answers, text):
            await go(update, context, Step.PREVIEW)
        return
    if step == Step.PAPERS:
        await reply(update, context.t(FILE_PLEASE))
        return
    if step not in TEXT_STEPS:
        await reply(update, context.t(TAP_PLEASE))
        return
    problem = await _take_text(update, context, step, answers, text)
    if problem:
        await reply(update, context.t(problem))


async def _take_text(
    update: Update, context: PanelContext, step: Step, answers: dict[str, Any], text: str
) -> str | None:
    """Move on with a typed answer; or the message saying what to type instead."""
    if step == Step.TITLE:
        title = " ".join(printable(text).split())
        if not title or len(title) > MAX_TITLE:
            return TEXT_PROBLEMS[step]
        await go(update, context, next_step(step, answers), title=title)
    elif step == Step.DATE:
        _, first_day = await today(context, answers)
        day = picker.parse_date(text, first_day, context.t.locale)
        if day is None or day > picker.last_offered_day(first_day):
            return TEXT_PROBLEMS[step]  # not a date, or beyond the calendar's last month
        if day < first_day:
            return PAST_DAY
        await go(update, context, Step.TIME, date=day.isoformat(), starts_at=None)
    elif step == Step.TIME:
        at = typed_times.read_time(text, context.t.language)
        if at is None:
            return TEXT_PROBLEMS[step]
        return await take_time(update, context, answers, at)
    elif step == Step.LENGTH:
        minutes = parse_length(text)
        if minutes is None:
            return TEXT_PROBLEMS[step]
        await go(update, context, Step.WHERE, duration=minutes)
    elif step == Step.ADDRESS:
        address = ", ".join(printable(text).splitlines())
        if not address or len(address) > MAX_PLACE:
            return TEXT_PROBLEMS[step]
        await go(update, context, Step.MAP, address=address)
    elif step in (Step.MAP, Step.ONLINE):
        link = clean_link(text)
        if link is None:
            return TEXT_PROBLEMS[step]
        field = "map_url" if step == Step.MAP else "online_url"
        changes: dict[str, Any] = {field: link}
        await go(update, context, next_step(step, answers), **changes)
    else:  # Step.AGENDA
        agenda = printable(text)
        if not agenda or len(agenda) > MAX_AGENDA:
            return TEXT_PROBLEMS[step]
        await go(update, context, Step.PAPERS, agenda=agenda)
    return None


async def _on_file(update: Update, context: PanelContext) -> None:
    """A document or photo: a paper at the papers step, otherwise a kind word about what to do."""
    message = update.effective_message
    assert message is not None
    draft = await _draft_or_reset(update, context)
    if draft is None:
        return
    step, t = current_step(draft.step), context.t
    if step == Step.PAPERS and not (message.document or message.photo):
        await reply(update, t(FILE_PLEASE))
        return
    if step != Step.PAPERS:
        await reply(update, t(WORDS_PLEASE if step in TEXT_STEPS else TAP_PLEASE))
        return
    answers = dict(draft.data or {})
    papers = list(answers.get("papers") or [])
    if len(papers) >= MAX_PAPERS:
        await reply(
            update,
            t.ngettext(
                "You can add up to {n} paper. Tap Done.",
                "You can add up to {n} papers. Tap Done.",
                MAX_PAPERS,
            ),
            reply_markup=InlineKeyboardMarkup(
                [[button(t("Done"), data(step, "done"))], engine_row(t, answers)]
            ),
        )
        return
    if message.document:
        paper = {
            "kind": "document",
            "file_id": message.document.file_id,
            "name": (message.document.file_name or "document")[:200],
        }
    else:
        paper = {
            "kind": "photo",
            "file_id": message.photo[-1].file_id,
            "name": f"photo-{len(papers) + 1}.jpg",
        }
    papers.append(paper)
    assert context.member is not None
    await drafts.save(
        context.session,
        context.member.id,
        KIND,
        step=step.value,
        now=context.runtime.clock.now(),
        papers=papers,
    )
    await context.session.commit()
    lines = [
        t.ngettext(
            "Got it. You have added {n} paper.", "Got it. You have added {n} papers.", len(papers)
        ),
        t("Send more, or tap Done."),
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(paper_rows(t, answers)))
