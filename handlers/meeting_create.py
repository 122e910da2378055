"""/newmeeting: a coordinator makes a meeting, one short question at a time.

Everything answered so far lives in a draft row (`bot.services.drafts`), and the person's
`conversation_step` ("meeting:<step>") sends their typed words and files here, so a restart or a
long pause loses nothing. Buttons are "nm:1:<step>:<value>"; a button from an older question asks
the current one again, and anything forged gets the kind "this button no longer works".
The meetings service checks the coordinator's role again when the meeting is created.

    panel? -> title -> date -> time -> length -> where -+-> address -> map -+-> access -> agenda
                                                        |      (both) <-----+-> online -^
                                                        +-> online ----------------------^
    agenda -> papers -> paid -> preview -> Send
"""

from __future__ import annotations

import contextlib
from datetime import date, time
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Panel, Rsvp
from bot.i18n import N_, Translator
from bot.services import access, drafts, glossary, meetings, members, plain_language, profile
from bot.services import text_versions as versions_store
from bot.services.access import NotAllowed
from bot.services.drafts import DraftView
from bot.services.meetings import ACCESS_OPTIONS, MAX_TITLE, MeetingError
from handlers import meeting_versions, picker, text_versions
from handlers.common import answer_expired, button, parse_callback, remove_buttons, reply
from handlers.forms import Form, register
from handlers.glossary import NO_PANEL_ROLE, plain_language_report
from handlers.meeting_form import (
    CLOCKS_CHANGE,
    DEFAULT_ZONE,
    FEATURE,
    FILE_PLEASE,
    KIND,
    LENGTH_LABELS,
    MAX_AGENDA,
    MAX_PAPERS,
    MAX_PLACE,
    NOT_UNDERSTOOD,
    PAST_DAY,
    PAST_TIME,
    PREFIX,
    QUESTIONS,
    TAP_PLEASE,
    TEXT_PROBLEMS,
    TEXT_STEPS,
    VERSION,
    WHERE_LABELS,
    WORDS_PLEASE,
    Forged,
    Step,
    clean_link,
    data,
    first_missing,
    meeting_draft,
    next_step,
    parse_length,
    previous_step,
    printable,
    unsaved_meeting,
)
from handlers.meeting_messages import ACCESS_WORDS, invitation_text

# ------------------------------------------------------------------------------ small helpers


FORM = register(
    Form(name=KIND, prefix=PREFIX, stopped=N_("OK. The meeting was not made."), draft=True)
)


async def _load(context: PanelContext) -> DraftView | None:
    member = context.member
    if member is None:
        return None
    return await drafts.get(context.session, member.id, KIND)


def _current(draft: DraftView) -> Step:
    try:
        return Step(draft.step)
    except ValueError:
        return Step.TITLE


async def _coordinated(
    context: PanelContext, telegram_id: int
) -> tuple[access.Actor, list[tuple[int, str]]]:
    actor = await access.actor_for(
        context.session, telegram_id, context.runtime.settings.panelbot_admins
    )
    return actor, await access.coordinated_panels(context.session, actor)


async def _zone(context: PanelContext, answers: dict[str, Any]) -> ZoneInfo:
    panel = await context.session.get(Panel, int(answers.get("panel_id") or 0))
    return ZoneInfo(panel.timezone if panel else DEFAULT_ZONE)


async def _today(context: PanelContext, answers: dict[str, Any]) -> tuple[ZoneInfo, date]:
    zone = await _zone(context, answers)
    return zone, picker.local_today(context.runtime.clock.now(), zone)


async def _close(query: CallbackQuery, context: PanelContext) -> None:
    """The question is answered: take its buttons away so they are not tapped again."""
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)


def _nav_row(t: Translator, step: Step, answers: dict[str, Any]) -> list[InlineKeyboardButton]:
    row = []
    if previous_step(step, answers) is not None:
        row.append(button(t("Back"), data(step, "back")))
    row.append(button(t("Cancel"), data(step, "cancel")))
    return row


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _access_rows(t: Translator, answers: dict[str, Any]) -> list[list[InlineKeyboardButton]]:
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
    rows.append(_nav_row(t, Step.ACCESS, answers))
    return rows


def _date_rows(
    t: Translator, today: date, shown: date, answers: dict[str, Any]
) -> list[list[InlineKeyboardButton]]:
    rows = picker.month_rows(
        today, shown.year, shown.month, t.locale, lambda *args: data(Step.DATE, *args)
    )
    rows.append(_nav_row(t, Step.DATE, answers))
    return rows


# ------------------------------------------------------------------------------ asking


async def _go(update: Update, context: PanelContext, step: Step, **answers: Any) -> None:
    """Save the answers, move the draft (and the person's step) on, and ask the next question."""
    member = context.member
    assert member is not None
    session = context.session
    draft = await drafts.save(
        session, member.id, KIND, step=step.value, now=context.runtime.clock.now(), **answers
    )
    saved = dict(draft.data or {})
    await profile.set_step(session, member.telegram_id, PREFIX + step.value)
    await session.commit()
    await _ask(update, context, step, saved)


async def _ask(update: Update, context: PanelContext, step: Step, answers: dict[str, Any]) -> None:
    t = context.t
    if step == Step.PREVIEW:
        await _preview(update, context, answers)
        return
    rows: list[list[InlineKeyboardButton]] = []
    text = t(QUESTIONS[step]) if step in QUESTIONS else ""
    if step == Step.PANEL:
        assert update.effective_user is not None
        _, panels = await _coordinated(context, update.effective_user.id)
        rows = [[button(name[:60], data(step, panel_id))] for panel_id, name in panels[:30]]
    elif step == Step.DATE:
        _, today = await _today(context, answers)
        chosen = answers.get("date")
        shown = date.fromisoformat(chosen) if chosen else today
        await reply(
            update,
            text,
            reply_markup=InlineKeyboardMarkup(
                _date_rows(t, today, shown if shown >= today else today, answers)
            ),
        )
        return
    elif step == Step.TIME:
        if not answers.get("date"):
            await _go(update, context, Step.DATE)
            return
        zone = await _zone(context, answers)
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
        await reply(update, text, reply_markup=InlineKeyboardMarkup(_access_rows(t, answers)))
        return
    elif step == Step.PAPERS:
        if answers.get("papers"):
            rows = [[button(t("Done"), data(step, "done"))]]
        else:
            rows = [[button(t("No papers"), data(step, "none"))]]
    elif step == Step.PAID:
        rows = [[button(t("Yes"), data(step, "yes")), button(t("No"), data(step, "no"))]]
    rows.append(_nav_row(t, step, answers))
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))


async def _preview(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    missing = first_missing(answers)
    if missing is not None:
        await _go(update, context, missing)
        return
    panel = await context.session.get(Panel, int(answers["panel_id"]))
    zone = panel.timezone if panel else DEFAULT_ZONE
    draft = meeting_draft(answers)
    await reply(update, invitation_text(t, unsaved_meeting(draft), zone))
    for version in meeting_versions.previews(t, unsaved_meeting(draft), answers, str(zone)):
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
        _nav_row(t, Step.PREVIEW, answers),
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


# ------------------------------------------------------------------------------ /newmeeting


async def new_meeting(update: Update, context: PanelContext) -> None:
    user = update.effective_user
    assert user is not None
    t = context.t
    actor, panels = await _coordinated(context, user.id)
    if not panels:
        access.refuse(context.session, actor, "/newmeeting")
        await reply(update, t(NO_PANEL_ROLE))
        return
    if context.member is None:  # a deployment admin who has never joined a panel
        await members.get_or_create(context.session, user.id, now=context.runtime.clock.now())
        await context.session.commit()
        await context.reload_member(user.id)
    draft = await _load(context)
    if draft is None:
        await _begin(update, context, panels)
        return
    title = (draft.data or {}).get("title")
    lines = [t("You have a meeting you did not finish.")]
    if title:
        lines.append(t("Title: {title}", title=escape(title)))
    lines.append(t("Do you want to carry on, or start again?"))
    rows = [
        [button(t("Carry on"), data("resume", "go"))],
        [button(t("Start again"), data("resume", "new"))],
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def _begin(update: Update, context: PanelContext, panels: list[tuple[int, str]]) -> None:
    if len(panels) == 1:
        await _go(update, context, Step.TITLE, panel_id=panels[0][0], panels=1)
    else:
        await _go(update, context, Step.PANEL, panels=len(panels))


async def _start_again(update: Update, context: PanelContext) -> None:
    member = context.member
    assert member is not None
    await drafts.discard(context.session, member.id, KIND)
    _, panels = await _coordinated(context, member.telegram_id)
    if not panels:
        await profile.set_step(context.session, member.telegram_id, None)
        await context.session.commit()
        await reply(update, context.t(NO_PANEL_ROLE))
        return
    await _begin(update, context, panels)


async def _cancel(update: Update, context: PanelContext, query: CallbackQuery) -> None:
    member = context.member
    assert member is not None
    await drafts.discard(context.session, member.id, KIND)
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()
    await _close(query, context)
    t = context.t
    await reply(
        update, t("Cancelled. Nothing was sent.") + "\n" + t("To make a meeting, type /newmeeting.")
    )


# ------------------------------------------------------------------------------ buttons


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    draft = await _load(context)
    if not args or len(args) < 2 or draft is None:
        assert query.from_user is not None
        actor, panels = await _coordinated(context, query.from_user.id)
        # A planner button from someone who plans nothing, or naming a panel not theirs: forged.
        mine = {str(panel_id) for panel_id, _ in panels}
        first, second = (args or ["", ""])[0], "".join((args or [])[1:2])
        foreign = first == Step.PANEL and second not in mine
        if not panels or foreign:
            access.refuse(context.session, actor, "nm:" + first[:20])
        await answer_expired(query, context)
        return
    answers = dict(draft.data or {})
    current = _current(draft)
    try:
        if args[0] == "resume":
            await _on_resume(update, context, query, current, args[1])
            return
        step = Step(args[0])
    except (ValueError, Forged):
        await answer_expired(query, context)
        return
    value, rest = args[1], args[2:]
    if value == "cancel":
        await _cancel(update, context, query)
        return
    if step != current:
        # A button from an older question: ask the one they are really at.
        await query.answer()
        await _go(update, context, current)
        return
    try:
        if value == "back":
            before = previous_step(step, answers)
            if before is None:
                raise Forged
            await _close(query, context)
            await _go(update, context, before)
        else:
            await _on_step_button(update, context, query, step, answers, [value, *rest])
    except Forged:
        await answer_expired(query, context)


async def _on_resume(
    update: Update, context: PanelContext, query: CallbackQuery, current: Step, value: str
) -> None:
    if value == "go":
        await _close(query, context)
        await _go(update, context, current)
    elif value == "new":
        await _close(query, context)
        await _start_again(update, context)
    else:
        raise Forged


async def _on_step_button(
    update: Update,
    context: PanelContext,
    query: CallbackQuery,
    step: Step,
    answers: dict[str, Any],
    args: list[str],
) -> None:
    t, value = context.t, args[0]
    if step == Step.PANEL:
        assert query.from_user is not None
        actor, panels = await _coordinated(context, query.from_user.id)
        if not (value.isascii() and value.isdigit() and len(value) <= 12) or int(value) not in {
            panel_id for panel_id, _ in panels
        }:
            access.refuse(context.session, actor, "nm:panel", None)
            raise Forged
        await _close(query, context)
        await _go(update, context, Step.TITLE, panel_id=int(value))
    elif step == Step.DATE:
        await _on_calendar(update, context, query, answers, args)
    elif step == Step.TIME:
        at = picker.read_time_pick(value)
        if at is None:
            raise Forged
        await query.answer()
        problem = await _take_time(update, context, answers, at)
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
        await _close(query, context)
        await _go(update, context, Step.WHERE, duration=int(value))
    elif step == Step.WHERE:
        if value not in WHERE_LABELS:
            raise Forged
        await _close(query, context)
        await _go(update, context, next_step(step, {"where": value}), where=value)
    elif step in (Step.MAP, Step.AGENDA) and value == "skip":
        await _close(query, context)
        field = "map_url" if step == Step.MAP else "agenda"
        await _go(update, context, next_step(step, answers), **{field: None})
    elif step == Step.ACCESS:
        await _on_access(update, context, query, answers, value)
    elif step == Step.PAPERS and value in ("done", "none"):
        await _close(query, context)
        if value == "none":
            await _go(update, context, Step.PAID, papers=[])
        else:
            await _go(update, context, Step.PAID)
    elif step == Step.PAID and value in ("yes", "no"):
        await _close(query, context)
        await _go(update, context, Step.PREVIEW, paid=value == "yes")
    elif step == Step.PREVIEW and value == "send":
        await _close(query, context)
        await _send(update, context, answers)
    elif step == Step.PREVIEW and value in ("lang", "vl", "vdone"):
        await _close(query, context)
        if not await meeting_versions.on_button(update, context, args):
            await _go(update, context, Step.PREVIEW)
    elif step == Step.PREVIEW and value == "again":
        await _close(query, context)
        await _start_again(update, context)
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
    _, today = await _today(context, answers)
    t = context.t
    if what == "noop" or when is None:
        await query.answer()
    elif what == "month":
        await query.answer()
        shown = picker.clamp_month(when, today)
        with contextlib.suppress(BadRequest):  # "not modified": a second tap on the same arrow
            await query.edit_message_reply_markup(
                InlineKeyboardMarkup(_date_rows(t, today, shown, answers))
            )
    elif when > picker.last_offered_day(today):
        raise Forged  # the calendar never offers days that far ahead
    elif when < today:
        # A calendar drawn yesterday: that day cannot be chosen now.
        await query.answer(t(PAST_DAY), show_alert=True)
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(
                InlineKeyboardMarkup(_date_rows(t, today, today, answers))
            )
    else:
        await _close(query, context)
        await _go(update, context, Step.TIME, date=when.isoformat(), starts_at=None)


async def _on_access(
    update: Update,
    context: PanelContext,
    query: CallbackQuery,
    answers: dict[str, Any],
    value: str,
) -> None:
    if value == "done":
        await _close(query, context)
        await _go(update, context, Step.AGENDA)
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
    await query.edit_message_reply_markup(InlineKeyboardMarkup(_access_rows(context.t, answers)))


async def _take_time(
    update: Update, context: PanelContext, answers: dict[str, Any], at: time
) -> str | None:
    """Move on with the start time; or the message saying why it cannot be used."""
    zone = await _zone(context, answers)
    moment = picker.to_utc(date.fromisoformat(answers["date"]), at, zone)
    if moment is None:
        return CLOCKS_CHANGE
    if moment <= context.runtime.clock.now():
        return PAST_TIME
    await _go(update, context, Step.LENGTH, starts_at=moment.isoformat(), time=f"{at:%H:%M}")
    return None


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t, session, member = context.t, context.session, context.member
    assert member is not None
    missing = first_missing(answers)
    if missing is not None:
        await _go(update, context, missing)
        return
    actor = await access.actor_for(
        session, member.telegram_id, context.runtime.settings.panelbot_admins
    )
    try:
        meeting = await meetings.create(
            session,
            actor,
            int(answers["panel_id"]),
            meeting_draft(answers),
            now=context.runtime.clock.now(),
        )
    except NotAllowed:
        await session.rollback()
        await drafts.discard(session, member.id, KIND)
        await profile.set_step(session, member.telegram_id, None)
        await session.commit()
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
        await _go(update, context, fix)
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
    await drafts.discard(session, member.id, KIND)
    await profile.set_step(session, member.telegram_id, None)
    await session.commit()
    await reply(
        update,
        t.ngettext(
            "Sent. {n} member will get the invitation.",
            "Sent. {n} members will get the invitation.",
            int(invited or 0),
        ),
    )


# ------------------------------------------------------------------------------ typed words


class _MakingAMeeting(filters.MessageFilter):
    """True while the person is part-way through /newmeeting."""

    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and (member.conversation_step or "").startswith(PREFIX))


async def _draft_or_reset(update: Update, context: PanelContext) -> DraftView | None:
    """The draft; if it has gone (sent or cancelled elsewhere), forget the step and say so."""
    draft = await _load(context)
    if draft is None and context.member is not None:
        await profile.set_step(context.session, context.member.telegram_id, None)
        await context.session.commit()
        await reply(update, context.t(NOT_UNDERSTOOD))
    return draft


async def on_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    assert message is not None
    draft = await _draft_or_reset(update, context)
    if draft is None:
        return
    step, answers = _current(draft), dict(draft.data or {})
    if step == Step.PREVIEW and answers.get("vfield"):
        if await meeting_versions.take(update, context, answers, message.text or ""):
            await _go(update, context, Step.PREVIEW)
        return
    if step == Step.PAPERS:
        await reply(update, context.t(FILE_PLEASE))
        return
    if step not in TEXT_STEPS:
        await reply(update, context.t(TAP_PLEASE))
        return
    problem = await _take_text(update, context, step, answers, message.text or "")
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
        await _go(update, context, next_step(step, answers), title=title)
    elif step == Step.DATE:
        _, today = await _today(context, answers)
        day = picker.parse_date(text, today, context.t.locale)
        if day is None or day > picker.last_offered_day(today):
            return TEXT_PROBLEMS[step]  # not a date, or beyond the calendar's last month
        if day < today:
            return PAST_DAY
        await _go(update, context, Step.TIME, date=day.isoformat(), starts_at=None)
    elif step == Step.TIME:
        at = picker.parse_time(text)
        if at is None:
            return TEXT_PROBLEMS[step]
        return await _take_time(update, context, answers, at)
    elif step == Step.LENGTH:
        minutes = parse_length(text)
        if minutes is None:
            return TEXT_PROBLEMS[step]
        await _go(update, context, Step.WHERE, duration=minutes)
    elif step == Step.ADDRESS:
        address = ", ".join(printable(text).splitlines())
        if not address or len(address) > MAX_PLACE:
            return TEXT_PROBLEMS[step]
        await _go(update, context, Step.MAP, address=address)
    elif step in (Step.MAP, Step.ONLINE):
        link = clean_link(text)
        if link is None:
            return TEXT_PROBLEMS[step]
        field = "map_url" if step == Step.MAP else "online_url"
        await _go(update, context, next_step(step, answers), **{field: link})
    else:  # Step.AGENDA
        agenda = printable(text)
        if not agenda or len(agenda) > MAX_AGENDA:
            return TEXT_PROBLEMS[step]
        await _go(update, context, Step.PAPERS, agenda=agenda)
    return None


async def on_file(update: Update, context: PanelContext) -> None:
    """A document or photo: a paper at the papers step, otherwise a kind word about what to do."""
    message = update.effective_message
    assert message is not None
    draft = await _draft_or_reset(update, context)
    if draft is None:
        return
    step, t = _current(draft), context.t
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
            reply_markup=InlineKeyboardMarkup([[button(t("Done"), data(step, "done"))]]),
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
    rows = [[button(t("Done"), data(step, "done"))], _nav_row(t, step, answers)]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    making = _MakingAMeeting()
    return [
        CommandHandler("newmeeting", new_meeting, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^nm:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & making, on_text),
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & making, on_file),
    ]
