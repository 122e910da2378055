"""/newmeeting's questions as a coordinator sees them, and the moves between them.

Every question ends with the form engine's row (Back from the second question on, and Stop);
`go` saves an answer, remembers the question left for Back and asks the next one.
"""

from __future__ import annotations

import contextlib
from datetime import date, time
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import PanelContext
from bot.db import Panel
from bot.i18n import Translator
from bot.services import access, glossary, members, plain_language
from bot.services.meeting_rules import ACCESS_OPTIONS
from handlers import forms
from handlers.chat import picker, text_versions
from handlers.chat.common import button, remove_buttons, reply
from handlers.chat.plain_words import NO_PANEL_ROLE, plain_language_report
from handlers.forms import Form
from handlers.forms.form import by_name
from handlers.meetings import planner_versions
from handlers.meetings.button_records import calendar_data
from handlers.meetings.messages import ACCESS_WORDS, invitation_text
from handlers.meetings.planner_rules import (
    CLOCKS_CHANGE,
    DEFAULT_ZONE,
    KIND,
    LENGTH_LABELS,
    PAST_TIME,
    QUESTIONS,
    WHERE_LABELS,
    Step,
    current_step,
    data,
    first_missing,
    meeting_draft,
    unsaved_meeting,
)


def form() -> Form:
    """The /newmeeting form (planner.py declares it with this module's `ask`)."""
    found = by_name(KIND)
    assert found is not None, "handlers.meetings.planner registers the meeting form"
    return found


async def go(
    update: Update, context: PanelContext, step: Step, *, remember: bool = True, **answers: Any
) -> None:
    """Save the answers, move the draft (and the person's step) on, and ask the next question."""
    await forms.go(update, context, form(), step.value, remember=remember, **answers)


async def coordinated(
    context: PanelContext, telegram_id: int
) -> tuple[access.Actor, list[tuple[int, str]]]:
    actor = await access.actor_for(
        context.session, telegram_id, context.runtime.settings.panelbot_admins
    )
    return actor, await access.coordinated_panels(context.session, actor)


async def allowed(update: Update, context: PanelContext) -> list[tuple[int, str]] | None:
    """The panels this person plans meetings for; None (and a kind refusal) when none."""
    user = update.effective_user
    assert user is not None
    actor, panels = await coordinated(context, user.id)
    if not panels:
        access.refuse(context.session, actor, "/newmeeting")
        await reply(update, context.t(NO_PANEL_ROLE))
        return None
    if context.member is None:  # a deployment admin who has never joined a panel
        await members.get_or_create(context.session, user.id, now=context.runtime.clock.now())
        await context.session.commit()
        await context.reload_member(user.id)
    return panels


async def begin(update: Update, context: PanelContext, panels: list[tuple[int, str]]) -> None:
    if len(panels) == 1:
        await go(update, context, Step.TITLE, panel_id=panels[0][0], panels=1)
    else:
        await go(update, context, Step.PANEL, panels=len(panels))


async def zone_of(context: PanelContext, answers: dict[str, Any]) -> ZoneInfo:
    panel = await context.session.get(Panel, int(answers.get("panel_id") or 0))
    return ZoneInfo(panel.timezone if panel else DEFAULT_ZONE)


async def today(context: PanelContext, answers: dict[str, Any]) -> tuple[ZoneInfo, date]:
    zone = await zone_of(context, answers)
    return zone, picker.local_today(context.runtime.clock.now(), zone)


async def close(query: CallbackQuery, context: PanelContext) -> None:
    """The question is answered: take its buttons away so they are not tapped again."""
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)


def engine_row(t: Translator, answers: dict[str, Any]) -> list[InlineKeyboardButton]:
    """Back (when there is a question before this one) and Stop: under every question."""
    return forms.back_and_stop(t, form(), answers)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def access_rows(t: Translator, answers: dict[str, Any]) -> list[list[InlineKeyboardButton]]:
    chosen = answers.get("access") or []
    rows = [
        [
            button(
                ("✓ " if option in chosen else "") + _capital(t(ACCESS_WORDS[option])),
                data(Step.ACCESS, option),
            )
        ]
        for option in ACCESS_OPTIONS
    ]
    rows.append([button(t("Done"), data(Step.ACCESS, "done"))])
    rows.append(engine_row(t, answers))
    return rows


def date_rows(
    t: Translator, today: date, shown: date, answers: dict[str, Any]
) -> list[list[InlineKeyboardButton]]:
    rows = picker.month_rows(today, shown.year, shown.month, t.locale, calendar_data)
    rows.append(engine_row(t, answers))
    return rows


def paper_rows(t: Translator, answers: dict[str, Any]) -> list[list[InlineKeyboardButton]]:
    return [[button(t("Done"), data(Step.PAPERS, "done"))], engine_row(t, answers)]


async def ask(update: Update, context: PanelContext, name: str, answers: dict[str, Any]) -> None:
    """Ask one question (again): the engine calls this for Back and Carry on too."""
    step, t = current_step(name), context.t
    if step == Step.PREVIEW:
        await _preview(update, context, answers)
        return
    rows: list[list[InlineKeyboardButton]] = []
    text = t(QUESTIONS[step]) if step in QUESTIONS else ""
    if step == Step.PANEL:
        assert update.effective_user is not None
        _, panels = await coordinated(context, update.effective_user.id)
        rows = [[button(name[:60], data(step, panel_id))] for panel_id, name in panels[:30]]
    elif step == Step.DATE:
        _, first_day = await today(context, answers)
        chosen = answers.get("date")
        shown = date.fromisoformat(chosen) if chosen else first_day
        shown = shown if shown >= first_day else first_day
        rows = date_rows(t, first_day, shown, answers)
        await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))
        return
    elif step == Step.TIME:
        if not answers.get("date"):
            await go(update, context, Step.DATE, remember=False)
            return
        zone = await zone_of(context, answers)
        day = date.fromisoformat(answers["date"])
        now = context.runtime.clock.now()
        text = t(
            "What time does it start on {day}? Tap a time, or type one like 14:30 or 2pm.",
            day=t.date(day),
        )
        times = [
            at
            for at in picker.COMMON_TIMES
            if (moment := picker.to_utc(day, at, zone)) is not None and moment > now
        ]
        rows = picker.time_rows(t.locale, lambda value: data(step, value), times)
    elif step == Step.LENGTH:
        buttons = [button(t(label), data(step, n)) for n, label in LENGTH_LABELS.items()]
        rows = [buttons[:2], buttons[2:]]
    elif step == Step.WHERE:
        rows = [[button(t(label), data(step, key))] for key, label in WHERE_LABELS.items()]
    elif step in (Step.MAP, Step.AGENDA):
        rows = [[button(t("Skip"), data(step, "skip"))]]
    elif step == Step.ACCESS:
        await reply(update, text, reply_markup=InlineKeyboardMarkup(access_rows(t, answers)))
        return
    elif step == Step.PAPERS:
        if answers.get("papers"):
            rows = [[button(t("Done"), data(step, "done"))]]
        else:
            rows = [[button(t("No papers"), data(step, "none"))]]
    elif step == Step.PAID:
        rows = [[button(t("Yes"), data(step, "yes")), button(t("No"), data(step, "no"))]]
    rows.append(engine_row(t, answers))
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))


async def _preview(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    missing = first_missing(answers)
    if missing is not None:
        await go(update, context, missing, remember=False)
        return
    panel = await context.session.get(Panel, int(answers["panel_id"]))
    zone = panel.timezone if panel else DEFAULT_ZONE
    draft = meeting_draft(answers)
    await reply(update, invitation_text(t, unsaved_meeting(draft), zone))
    for version in planner_versions.previews(t, unsaved_meeting(draft), answers, str(zone)):
        await reply(update, version)
    checked = "\n".join(part for part in (draft.title, draft.agenda) if part)
    lines = [
        t("That is the invitation, as members will see it."),
        "",
        plain_language_report(t, plain_language.check(checked, glossary.load(), t.language)),
    ]
    if draft.papers:
        lines += [
            "",
            t.ngettext("You added {n} paper.", "You added {n} papers.", len(draft.papers)),
        ]
    lines += [
        "",
        t("Tap Send to invite everyone in {panel}.", panel=escape(panel.name if panel else "")),
    ]
    rows = [
        [button(t("Send"), data(Step.PREVIEW, "send"))],
        [button(t(text_versions.ADD), data(Step.PREVIEW, "lang"))],
        [button(t("Start again"), data(Step.PREVIEW, "again"))],
        engine_row(t, answers),
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def take_time(
    update: Update, context: PanelContext, answers: dict[str, Any], at: time
) -> str | None:
    """Move on with the start time; or the message saying why it cannot be used."""
    zone = await zone_of(context, answers)
    moment = picker.to_utc(date.fromisoformat(answers["date"]), at, zone)
    if moment is None:
        return CLOCKS_CHANGE
    if moment <= context.runtime.clock.now():
        return PAST_TIME
    await go(update, context, Step.LENGTH, starts_at=moment.isoformat(), time=f"{at:%H:%M}")
    return None
