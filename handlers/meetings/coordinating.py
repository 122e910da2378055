"""Coordinators see who is coming to a meeting, and move, cancel or repeat it.

"Move this meeting" waits for the new date and time: a one-step form on the form engine (its
marker is "mtmove:<meeting id>"), with Stop under the question."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Answer
from bot.i18n import N_
from bot.services import access, audit, meeting_changes, meeting_queries, profile
from bot.services.access import NotAllowed
from bot.services.meeting_rules import MeetingError
from handlers import forms
from handlers.chat.common import answer_expired, button, remove_buttons, reply
from handlers.chat.text import split_lines
from handlers.forms import Accepts, Form, Step, register
from handlers.meetings import messages as words
from handlers.meetings.button_records import (
    AskToCancel,
    AskToRepeat,
    CancelMeeting,
    KeepMeeting,
    MoveMeeting,
    RepeatMeeting,
    WhoIsComing,
)

TYPING_NEW_TIME = "mtmove:"  # + meeting id (in the step's place)
ONLY_COORDINATORS = N_("Only coordinators can do this. If you need help, ask your coordinator.")
GONE = N_("This meeting has already started or was cancelled.")
_DAY_AND_TIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:.](\d{2})\s*$")


async def _actor(update: Update, context: PanelContext) -> access.Actor:
    user = update.effective_user
    assert user is not None
    return await access.actor_for(
        context.session, user.id, context.runtime.settings.panelbot_admins
    )


async def _managed_and_answered(update: Update, context: PanelContext, meeting_id: int) -> None:
    """The tap is answered once the person is known to manage this meeting (else NotAllowed)."""
    query = update.callback_query
    assert query is not None
    await meeting_changes.managed(
        context.session, await _actor(update, context), meeting_id, now=context.runtime.clock.now()
    )
    await query.answer()


async def attendance_command(update: Update, context: PanelContext) -> None:
    t = context.t
    actor = await _actor(update, context)
    panels = await access.coordinated_panels(context.session, actor)
    if not panels:
        access.refuse(context.session, actor, "/attendance")
        await reply(update, t(ONLY_COORDINATORS))
        return
    listed = await meeting_queries.upcoming_in_panels(
        context.session, [p for p, _ in panels], now=context.runtime.clock.now()
    )
    if not listed:
        await reply(update, t("There are no meetings coming up. Type /newmeeting to plan one."))
        return
    rows = [
        [button(f"{m.title[:40]} · {words.when(t, m, zone)}"[:64], WhoIsComing(m.id).pack())]
        for m, zone in listed[:20]
    ]
    await reply(update, t("Which meeting? Tap one."), reply_markup=InlineKeyboardMarkup(rows))


async def attendance(
    update: Update, context: PanelContext, meeting_id: int, tapped: WhoIsComing
) -> None:
    query = update.callback_query
    assert query is not None
    t = context.t
    actor = await _actor(update, context)
    meeting, people = await meeting_queries.attendance(context.session, actor, meeting_id)
    audit.read(
        context.session,
        "attendance",
        at=context.runtime.clock.now(),
        actor_id=actor.member_id,
        panel_id=meeting.panel_id,
        meeting=meeting.id,
    )
    await context.session.commit()
    await query.answer()
    lines = [f"<b>{escape(meeting.title)}</b>", ""]
    for answer in [*Answer, None]:
        group = [p for p in people if p["answer"] == (answer.value if answer else None)]
        if not group:
            continue
        heading = t(words.ANSWER_LABELS[answer]) if answer else t("Not answered yet")
        lines.append(f"<b>{heading}</b> ({len(group)})")
        for person in group:
            needs = words.support_words(
                t, person["support"], person["support_other"], person["interpreter"]
            )
            name = t.isolate(escape(person["name"])) if person["name"] else t("No name yet")
            lines.append(t.arrange(f"• {name}" + (f": {', '.join(needs)}" if needs else "")))
    rows = [
        [button(t("Move this meeting"), MoveMeeting(meeting_id).pack())],
        [button(t("Repeat this meeting"), AskToRepeat(meeting_id).pack())],
        [button(t("Cancel this meeting"), AskToCancel(meeting_id).pack())],
    ]
    # A big meeting's list can pass Telegram's 4096 characters: split it by lines.
    parts = split_lines("\n".join(lines))
    for part in parts[:-1]:
        await reply(update, part)
    await reply(update, parts[-1], reply_markup=InlineKeyboardMarkup(rows))


async def ask_new_time(
    update: Update, context: PanelContext, meeting_id: int, tapped: MoveMeeting
) -> None:
    await _managed_and_answered(update, context, meeting_id)
    assert update.effective_user is not None
    await profile.set_step(
        context.session, update.effective_user.id, f"{TYPING_NEW_TIME}{meeting_id}"
    )
    await context.session.commit()
    t = context.t
    await reply(
        update,
        t("Type the new date and time, like 25/12/2026 14:00."),
        reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, NEW_TIME_FORM)]),
    )


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """The new date and time typed for the meeting (the step is the meeting's id)."""
    message = update.effective_message
    assert message is not None
    t = context.t
    meeting_id = int(step) if step.isascii() and step.isdigit() and len(step) <= 12 else 0
    match = _DAY_AND_TIME.match(message.text or "")
    zone = await meeting_queries.zone_of(context.session, meeting_id)
    try:
        if not match or zone is None:
            raise ValueError
        day, month, year, hour, minute = map(int, match.groups())
        starts_at = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
        meeting = await meeting_changes.reschedule(
            context.session,
            await _actor(update, context),
            meeting_id,
            starts_at,
            now=context.runtime.clock.now(),
        )
    except (NotAllowed, ValueError) as error:
        # A date not understood, or one already gone: ask again. MeetingError is a ValueError.
        if isinstance(error, ValueError) and (
            not isinstance(error, MeetingError) or str(error) == "past"
        ):
            await context.session.rollback()
            await reply(
                update, t("Please type a date and time still to come, like 25/12/2026 14:00.")
            )
            return
        # The meeting cannot be moved any more: leave this step so the person is not stuck.
        await context.session.rollback()
        await forms.discard(context, NEW_TIME_FORM)
        await reply(update, t(ONLY_COORDINATORS if isinstance(error, NotAllowed) else GONE))
        return
    await forms.discard(context, NEW_TIME_FORM)
    await reply(
        update,
        t("Moved. Everyone invited will be told: {when}.", when=words.when(t, meeting, zone)),
    )


NEW_TIME_FORM = register(
    Form(
        name="new_time",
        prefix=TYPING_NEW_TIME,
        stopped=N_("OK. Nothing has changed."),
        steps=(Step("when", Accepts.TEXT, "25/12/2026 14:00"),),
        receive=receive,
    )
)


async def confirm_cancel(
    update: Update, context: PanelContext, meeting_id: int, tapped: AskToCancel
) -> None:
    await _managed_and_answered(update, context, meeting_id)
    t = context.t
    rows = [
        [button(t("Yes, cancel it"), CancelMeeting(meeting_id).pack())],
        [button(t("No, keep it"), KeepMeeting(meeting_id).pack())],
    ]
    await reply(
        update,
        t("Cancel this meeting? Everyone invited will be told."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def cancel(
    update: Update, context: PanelContext, meeting_id: int, tapped: CancelMeeting
) -> None:
    query = update.callback_query
    assert query is not None
    await meeting_changes.cancel(
        context.session, await _actor(update, context), meeting_id, now=context.runtime.clock.now()
    )
    await context.session.commit()
    await query.answer()
    await remove_buttons(query, context)
    await reply(update, context.t("Cancelled. Everyone invited will be told."))


async def keep(update: Update, context: PanelContext, meeting_id: int, tapped: KeepMeeting) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await remove_buttons(query, context)
    await reply(update, context.t("OK. Nothing has changed."))


async def ask_repeat(
    update: Update, context: PanelContext, meeting_id: int, tapped: AskToRepeat
) -> None:
    await _managed_and_answered(update, context, meeting_id)
    t = context.t
    rows = [
        [button(t("Every week, 4 more times"), RepeatMeeting(meeting_id, "week", 4).pack())],
        [
            button(
                t("Every month, same weekday, 6 more times"),
                RepeatMeeting(meeting_id, "month", 6).pack(),
            )
        ],
        [
            button(
                t("Every month, same weekday, 12 more times"),
                RepeatMeeting(meeting_id, "month", 12).pack(),
            )
        ],
    ]
    await reply(
        update, t("How often should this meeting repeat?"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def repeat(
    update: Update, context: PanelContext, meeting_id: int, tapped: RepeatMeeting
) -> None:
    query = update.callback_query
    assert query is not None
    if tapped.times > 99:
        await answer_expired(query, context)
        return
    created = await meeting_changes.repeat(
        context.session,
        await _actor(update, context),
        meeting_id,
        every=tapped.every,
        times=tapped.times,
        now=context.runtime.clock.now(),
    )
    await context.session.commit()
    await query.answer()
    await remove_buttons(query, context)
    t = context.t
    await reply(
        update,
        t.ngettext(
            "Done. {n} more meeting was planned and members were invited.",
            "Done. {n} more meetings were planned and members were invited.",
            len(created),
        ),
    )
