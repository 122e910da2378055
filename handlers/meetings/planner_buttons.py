"""/newmeeting's own buttons, "nm:1:<step>:<value>", and sending the meeting.

A button from an older question asks the current one again; anything forged gets the kind
"this button no longer works". Back and Stop are the form engine's ("fm:" buttons). The meetings
service checks the coordinator's role again when the meeting is created.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import func, select
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import PanelContext
from bot.db import Rsvp
from bot.i18n import N_
from bot.services import access, drafts, meeting_changes
from bot.services import text_versions as versions_store
from bot.services.access import NotAllowed
from bot.services.meeting_rules import ACCESS_OPTIONS, MeetingError
from handlers import forms
from handlers.chat import picker
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, remove_buttons, reply
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.chat.text import TAP_PLEASE
from handlers.meetings import planner_versions
from handlers.meetings.button_records import (
    PLANNER_BUTTONS,
    PlannerAnswer,
    PlannerCalendar,
    PlannerLanguage,
)
from handlers.meetings.planner_asking import (
    access_rows,
    allowed,
    begin,
    close,
    coordinated,
    date_rows,
    form,
    go,
    take_time,
    today,
)
from handlers.meetings.planner_rules import (
    KIND,
    LENGTH_LABELS,
    PAST_DAY,
    TEXT_PROBLEMS,
    WHERE_LABELS,
    Forged,
    Step,
    current_step,
    first_missing,
    meeting_draft,
    next_step,
)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, *PLANNER_BUTTONS)
    member = context.member
    draft = await drafts.get(context.session, member.id, KIND) if member else None
    if tapped is None or draft is None:
        assert query.from_user is not None
        actor, panels = await coordinated(context, query.from_user.id)
        # A planner button from someone who plans nothing, or naming a panel not theirs: forged.
        mine = {str(panel_id) for panel_id, _ in panels}
        first = _step_of(tapped) if tapped else ""
        foreign = isinstance(tapped, PlannerAnswer) and first == Step.PANEL
        foreign = foreign and isinstance(tapped, PlannerAnswer) and tapped.value not in mine
        if not panels or foreign:
            access.refuse(context.session, actor, "nm:" + first[:20])
        await answer_expired(query, context)
        return
    answers = dict(draft.data or {})
    current = current_step(draft.step)
    try:
        step = Step(_step_of(tapped))
    except ValueError:
        await answer_expired(query, context)
        return
    if step != current:
        # A button from an older question: ask the one they are really at.
        await query.answer()
        await go(update, context, current)
        return
    try:
        await _on_step_button(update, context, query, step, answers, tapped)
    except Forged:
        await answer_expired(query, context)


def _step_of(tapped: PlannerAnswer | PlannerCalendar | PlannerLanguage) -> str:
    if isinstance(tapped, PlannerAnswer):
        return tapped.step
    return Step.DATE if isinstance(tapped, PlannerCalendar) else Step.PREVIEW


async def _on_step_button(
    update: Update,
    context: PanelContext,
    query: CallbackQuery,
    step: Step,
    answers: dict[str, Any],
    tapped: PlannerAnswer | PlannerCalendar | PlannerLanguage,
) -> None:
    t = context.t
    value = tapped.value if isinstance(tapped, PlannerAnswer) else ""
    if step == Step.PANEL:
        assert query.from_user is not None
        actor, panels = await coordinated(context, query.from_user.id)
        if not (value.isascii() and value.isdigit() and len(value) <= 12) or int(value) not in {
            panel_id for panel_id, _ in panels
        }:
            access.refuse(context.session, actor, "nm:panel", None)
            raise Forged
        await close(query, context)
        await go(update, context, Step.TITLE, panel_id=int(value))
    elif step == Step.DATE:
        picked = [tapped.what, tapped.value] if isinstance(tapped, PlannerCalendar) else [value]
        await _on_calendar(update, context, query, answers, picked)
    elif step == Step.TIME:
        at = picker.read_time_pick(value)
        if at is None:
            raise Forged
        await query.answer()
        problem = await take_time(update, context, answers, at)
        if problem:
            await reply(update, t(problem))
        else:
            with contextlib.suppress(BadRequest):
                await remove_buttons(query, context)
    elif step == Step.LENGTH:
        if (
            not (value.isascii() and value.isdigit() and len(value) <= 12)
            or int(value) not in LENGTH_LABELS
        ):
            raise Forged
        await close(query, context)
        await go(update, context, Step.WHERE, duration=int(value))
    elif step == Step.WHERE:
        if value not in WHERE_LABELS:
            raise Forged
        await close(query, context)
        await go(update, context, next_step(step, {"where": value}), where=value)
    elif step in (Step.MAP, Step.AGENDA) and value == "skip":
        await close(query, context)
        skipped: dict[str, Any] = {"map_url" if step == Step.MAP else "agenda": None}
        await go(update, context, next_step(step, answers), **skipped)
    elif step == Step.ACCESS:
        await _on_access(update, context, query, answers, value)
    elif step == Step.PAPERS and value in ("done", "none"):
        await close(query, context)
        if value == "none":
            await go(update, context, Step.PAID, papers=[])
        else:
            await go(update, context, Step.PAID)
    elif step == Step.PAID and value in ("yes", "no"):
        await close(query, context)
        await go(update, context, Step.PREVIEW, paid=value == "yes")
    elif step == Step.PREVIEW and value == "send":
        await close(query, context)
        await _send(update, context, answers)
    elif step == Step.PREVIEW and (
        value in ("lang", "vdone") or isinstance(tapped, PlannerLanguage)
    ):
        assert not isinstance(tapped, PlannerCalendar)
        await close(query, context)
        if not await planner_versions.on_button(update, context, tapped):
            await go(update, context, Step.PREVIEW)
    elif step == Step.PREVIEW and value == "again":
        await close(query, context)
        await forms.discard(context, form())
        planned = await allowed(update, context)
        if planned is not None:
            await begin(update, context, planned)
    else:
        raise Forged


async def _on_calendar(
    update: Update,
    context: PanelContext,
    query: CallbackQuery,
    answers: dict[str, Any],
    args: list[str],
) -> None:
    pick = picker.read_pick(args)
    if pick is None:
        raise Forged
    what, when = pick
    _, first_day = await today(context, answers)
    t = context.t
    if what == "noop" or when is None:
        await query.answer()
    elif what == "month":
        await query.answer()
        shown = picker.clamp_month(when, first_day)
        with contextlib.suppress(BadRequest):  # "not modified": a second tap on the same arrow
            await query.edit_message_reply_markup(
                InlineKeyboardMarkup(date_rows(t, first_day, shown, answers))
            )
    elif when > picker.last_offered_day(first_day):
        raise Forged  # the calendar never offers days that far ahead
    elif when < first_day:
        # A calendar drawn yesterday: that day cannot be chosen now.
        await query.answer(t(PAST_DAY), show_alert=True)
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(
                InlineKeyboardMarkup(date_rows(t, first_day, first_day, answers))
            )
    else:
        await close(query, context)
        await go(update, context, Step.TIME, date=when.isoformat(), starts_at=None)


async def _on_access(
    update: Update,
    context: PanelContext,
    query: CallbackQuery,
    answers: dict[str, Any],
    value: str,
) -> None:
    if value == "done":
        await close(query, context)
        await go(update, context, Step.AGENDA)
        return
    if value not in ACCESS_OPTIONS:
        raise Forged
    member = context.member
    assert member is not None
    chosen = set(answers.get("access") or [])
    chosen.symmetric_difference_update({value})
    answers["access"] = [option for option in ACCESS_OPTIONS if option in chosen]
    await drafts.save(
        context.session,
        member.id,
        KIND,
        step=Step.ACCESS.value,
        now=context.runtime.clock.now(),
        access=answers["access"],
    )
    await context.session.commit()
    await query.answer()
    await query.edit_message_reply_markup(InlineKeyboardMarkup(access_rows(context.t, answers)))


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t, session, member = context.t, context.session, context.member
    assert member is not None
    missing = first_missing(answers)
    if missing is not None:
        await go(update, context, missing, remember=False)
        return
    actor = await access.actor_for(
        session, member.telegram_id, context.runtime.settings.panelbot_admins
    )
    try:
        meeting = await meeting_changes.create(
            session,
            actor,
            int(answers["panel_id"]),
            meeting_draft(answers),
            now=context.runtime.clock.now(),
        )
    except NotAllowed:
        await session.rollback()
        await forms.discard(context, form())
        await reply(update, t(NO_PANEL_ROLE))
        return
    except MeetingError as error:
        await session.rollback()
        problem = str(error)
        fix, say = {
            "past": (Step.DATE, N_("The start time has already gone. Please choose a new day.")),
            "title": (Step.TITLE, TEXT_PROBLEMS[Step.TITLE]),
            "length": (Step.LENGTH, TEXT_PROBLEMS[Step.LENGTH]),
            "far": (Step.DATE, TEXT_PROBLEMS[Step.DATE]),
        }.get(problem, (Step.ACCESS, TAP_PLEASE))
        await reply(update, t(say))
        await go(update, context, fix)
        return
    await versions_store.save(
        session,
        versions_store.MEETING,
        meeting.id,
        original=t.language,
        versions=answers.get("translations") or {},
    )
    invited = await session.scalar(
        select(func.count()).select_from(Rsvp).where(Rsvp.meeting_id == meeting.id)
    )
    await forms.discard(context, form())  # commits the meeting and ends the form together
    await reply(
        update,
        t.ngettext(
            "Sent. {n} member will get the invitation.",
            "Sent. {n} members will get the invitation.",
            int(invited or 0),
        ),
    )
