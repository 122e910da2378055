"""Members answer meeting invitations and see their meetings; coordinators see who is coming,
move and cancel meetings."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Answer
from bot.i18n import N_
from bot.services import access, audit, meetings, profile
from bot.services.access import NotAllowed
from bot.services.meetings import SUPPORT_OPTIONS, MeetingError
from handlers import meeting_messages as words
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.forms import Form, register
from handlers.roster import MESSAGE_LIMIT, telegram_length
from handlers.text_versions import not_translated

FEATURE, VERSION = words.FEATURE, words.VERSION
TYPING_SUPPORT = "mtsup:"  # + meeting id
TYPING_NEW_TIME = "mtmove:"  # + meeting id
SUPPORT_FORM = register(
    Form(name="support", prefix=TYPING_SUPPORT, stopped=N_("OK. Nothing was sent."))
)
NEW_TIME_FORM = register(
    Form(name="new_time", prefix=TYPING_NEW_TIME, stopped=N_("OK. Nothing has changed."))
)
ONLY_COORDINATORS = N_("Only coordinators can do this. If you need help, ask your coordinator.")
_DAY_AND_TIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:.](\d{2})\s*$")


def _data(*args: str | int) -> str:
    return callback_data(FEATURE, VERSION, *args)


def _markup(rows: list[list[dict[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(b["text"], b["callback_data"]) for b in row] for row in rows]
    )


def _support_keyboard(
    context: PanelContext, meeting_id: int, chosen: list[str]
) -> InlineKeyboardMarkup:
    t = context.t
    rows = [
        [
            button(
                ("✓ " if need in chosen else "") + t(words.SUPPORT_WORDS[need]),
                _data("sup", meeting_id, need),
            )
        ]
        for need in SUPPORT_OPTIONS
    ]
    rows.append([button(t("Something else"), _data("supother", meeting_id))])
    rows.append([button(t("Done"), _data("supdone", meeting_id))])
    return InlineKeyboardMarkup(rows)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    if (
        not args
        or len(args) < 2
        or not (args[1].isascii() and args[1].isdigit())
        or len(args[1]) > 12
    ):
        await answer_expired(query, context)
        return
    action, meeting_id, rest = args[0], int(args[1]), args[2:]
    handler = _ACTIONS.get(action)
    if handler is None:
        await answer_expired(query, context)
        return
    try:
        await handler(update, context, meeting_id, rest)
    except NotAllowed:
        await context.session.rollback()
        await query.answer(
            context.t(
                ONLY_COORDINATORS if action in _COORDINATOR else "This meeting is not one of yours."
            ),
            show_alert=True,
        )
    except MeetingError:
        await context.session.rollback()
        await query.answer(
            context.t("This meeting has already started or was cancelled."), show_alert=True
        )


async def _rsvp(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    choice = rest[0] if rest else ""
    _, rsvp = await meetings.answer(
        context.session, query.from_user.id, meeting_id, choice, now=context.runtime.clock.now()
    )
    await context.session.commit()
    await query.answer()
    t = context.t
    if rsvp.answer == Answer.SUPPORT:
        await reply(
            update,
            t("What would help you come? Tap all that apply, then Done."),
            reply_markup=_support_keyboard(context, meeting_id, list(rsvp.support or [])),
        )
        return
    label = t(words.ANSWER_LABELS[Answer(choice)])
    await reply(
        update,
        "\n".join(
            [
                t("Thank you. We saved your answer: {answer}.", answer=label),
                t("You can change it at any time with /meetings."),
            ]
        ),
    )


async def _toggle(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    try:
        rsvp = await meetings.toggle_support(
            context.session, query.from_user.id, meeting_id, rest[0] if rest else ""
        )
    except MeetingError:
        await answer_expired(query, context)
        return
    await context.session.commit()
    await query.answer()
    await query.edit_message_reply_markup(
        _support_keyboard(context, meeting_id, list(rsvp.support))
    )


async def _other(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await meetings.toggle_support(context.session, query.from_user.id, meeting_id, "travel")
    await context.session.rollback()  # only checks they are invited
    await profile.set_step(context.session, query.from_user.id, f"{TYPING_SUPPORT}{meeting_id}")
    await context.session.commit()
    await query.answer()
    await reply(update, context.t("Please type what you need. Keep it short."))


async def _support_done(
    update: Update, context: PanelContext, meeting_id: int, rest: list[str]
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await _tell_coordinators(update, context, query.from_user.id, meeting_id)
    await query.answer()
    await remove_buttons(query, context)


async def _tell_coordinators(
    update: Update, context: PanelContext, user_id: int, meeting_id: int
) -> None:
    told = await meetings.tell_coordinators_about_support(
        context.session, user_id, meeting_id, now=context.runtime.clock.now()
    )
    await context.session.commit()
    t = context.t
    await reply(
        update,
        t("Thank you. We told the coordinator what you need.")
        if told
        else t("Thank you. We saved what you need. Your panel has no coordinator in panelbot yet."),
    )


class _TypingSupport(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        step = member.conversation_step if member else None
        return bool(step and step.startswith((TYPING_SUPPORT, TYPING_NEW_TIME)))


async def on_text(update: Update, context: PanelContext) -> None:
    member, message = context.member, update.effective_message
    assert member is not None and message is not None
    step = member.conversation_step or ""
    meeting_id = int(step.split(":", 1)[1])
    if step.startswith(TYPING_SUPPORT):
        try:
            await meetings.set_support_other(
                context.session, member.telegram_id, meeting_id, message.text or ""
            )
        except MeetingError:
            await reply(
                update,
                context.t("Please type what you need in words. It can be up to 500 characters."),
            )
            return
        except NotAllowed:
            await context.session.rollback()
            await profile.set_step(context.session, member.telegram_id, None)
            await context.session.commit()
            await reply(update, context.t("This meeting is not one of yours."))
            return
        await profile.set_step(context.session, member.telegram_id, None)
        try:
            await _tell_coordinators(update, context, member.telegram_id, meeting_id)
        except MeetingError:
            await context.session.commit()  # the words are kept; the meeting is over or off
            await reply(update, context.t("This meeting has already started or was cancelled."))
        return
    await _move_to_typed_time(update, context, meeting_id, message.text or "")


async def meetings_command(update: Update, context: PanelContext) -> None:
    user = update.effective_user
    assert user is not None
    t = context.t
    upcoming = await meetings.upcoming(context.session, user.id, now=context.runtime.clock.now())
    if not upcoming:
        await reply(
            update, t("You have no meetings coming up. We will tell you when there is one.")
        )
        return
    await reply(
        update,
        t.ngettext(
            "You have {n} meeting coming up.", "You have {n} meetings coming up.", len(upcoming)
        ),
    )
    for meeting, rsvp, zone in upcoming[:10]:
        answer = t(words.ANSWER_LABELS[rsvp.answer]) if rsvp.answer else t("not answered yet")
        meeting, own_words = await words.localised(context.session, meeting, t.language)
        lines = [
            f"<b>{escape(meeting.title)}</b>",
            *not_translated(t, own_words),
            *words.details(t, meeting, zone),
            "",
            t("Your answer: {answer}", answer=answer),
        ]
        rows = words.answer_buttons(t, meeting.id)
        rows.append([{"text": t("Calendar file"), "callback_data": _data("ics", meeting.id)}])
        await reply(update, "\n".join(lines), reply_markup=_markup(rows))


async def _ics(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    upcoming = await meetings.upcoming(
        context.session, query.from_user.id, now=context.runtime.clock.now()
    )
    found = next(((m, z) for m, _, z in upcoming if m.id == meeting_id), None)
    if found is None:
        raise MeetingError("not upcoming")
    await query.answer()
    data, name = words.calendar_file(found[0], found[1], context.runtime.clock)
    assert update.effective_chat is not None
    await update.effective_chat.send_document(
        data, filename=name, caption=context.t("Add this to your calendar.")
    )


async def _actor(update: Update, context: PanelContext) -> access.Actor:
    user = update.effective_user
    assert user is not None
    return await access.actor_for(
        context.session, user.id, context.runtime.settings.panelbot_admins
    )


async def attendance_command(update: Update, context: PanelContext) -> None:
    t = context.t
    actor = await _actor(update, context)
    panels = await access.coordinated_panels(context.session, actor)
    if not panels:
        access.refuse(context.session, actor, "/attendance")
        await reply(update, t(ONLY_COORDINATORS))
        return
    listed = await meetings.upcoming_in_panels(
        context.session, [p for p, _ in panels], now=context.runtime.clock.now()
    )
    if not listed:
        await reply(update, t("There are no meetings coming up. Type /newmeeting to plan one."))
        return
    rows = [
        [button(f"{m.title[:40]} · {words.when(t, m, zone)}"[:64], _data("att", m.id))]
        for m, zone in listed[:20]
    ]
    await reply(update, t("Which meeting? Tap one."), reply_markup=InlineKeyboardMarkup(rows))


async def _attendance(
    update: Update, context: PanelContext, meeting_id: int, rest: list[str]
) -> None:
    query = update.callback_query
    assert query is not None
    t = context.t
    actor = await _actor(update, context)
    meeting, people = await meetings.attendance(context.session, actor, meeting_id)
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
            needs = [
                t(words.SUPPORT_WORDS[n]) for n in person["support"] if n in words.SUPPORT_WORDS
            ]
            if person["support_other"]:
                needs.append(t.isolate(escape(person["support_other"])))
            name = t.isolate(escape(person["name"])) if person["name"] else t("No name yet")
            lines.append(t.arrange(f"• {name}" + (f": {', '.join(needs)}" if needs else "")))
    rows = [
        [button(t("Move this meeting"), _data("move", meeting_id))],
        [button(t("Repeat this meeting"), _data("repeat", meeting_id))],
        [button(t("Cancel this meeting"), _data("cancel", meeting_id))],
    ]
    # A big meeting's list can pass Telegram's 4096 characters: split it by lines.
    parts = _split(lines)
    for part in parts[:-1]:
        await reply(update, part)
    await reply(update, parts[-1], reply_markup=InlineKeyboardMarkup(rows))


def _split(lines: list[str]) -> list[str]:
    parts, current = [], ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if current and telegram_length(candidate) > MESSAGE_LIMIT:
            parts.append(current)
            current = line
        else:
            current = candidate
    return [*parts, current]


async def _ask_new_time(
    update: Update, context: PanelContext, meeting_id: int, rest: list[str]
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await meetings.managed(
        context.session, await _actor(update, context), meeting_id, now=context.runtime.clock.now()
    )
    await profile.set_step(context.session, query.from_user.id, f"{TYPING_NEW_TIME}{meeting_id}")
    await context.session.commit()
    await query.answer()
    await reply(update, context.t("Type the new date and time, like 25/12/2026 14:00."))


async def _move_to_typed_time(
    update: Update, context: PanelContext, meeting_id: int, text: str
) -> None:
    t = context.t
    match = _DAY_AND_TIME.match(text)
    zone = await meetings.zone_of(context.session, meeting_id)
    try:
        if not match or zone is None:
            raise ValueError
        day, month, year, hour, minute = map(int, match.groups())
        starts_at = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
        meeting = await meetings.reschedule(
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
        assert update.effective_user is not None
        await profile.set_step(context.session, update.effective_user.id, None)
        await context.session.commit()
        if isinstance(error, NotAllowed):
            await reply(update, t(ONLY_COORDINATORS))
        else:
            await reply(update, t("This meeting has already started or was cancelled."))
        return
    assert update.effective_user is not None
    await profile.set_step(context.session, update.effective_user.id, None)
    await context.session.commit()
    await reply(
        update,
        t("Moved. Everyone invited will be told: {when}.", when=words.when(t, meeting, zone)),
    )


async def _confirm_cancel(
    update: Update, context: PanelContext, meeting_id: int, rest: list[str]
) -> None:
    query = update.callback_query
    assert query is not None
    await meetings.managed(
        context.session, await _actor(update, context), meeting_id, now=context.runtime.clock.now()
    )
    await query.answer()
    t = context.t
    rows = [
        [button(t("Yes, cancel it"), _data("cancelyes", meeting_id))],
        [button(t("No, keep it"), _data("keep", meeting_id))],
    ]
    await reply(
        update,
        t("Cancel this meeting? Everyone invited will be told."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _cancel(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await meetings.cancel(
        context.session, await _actor(update, context), meeting_id, now=context.runtime.clock.now()
    )
    await context.session.commit()
    await query.answer()
    await remove_buttons(query, context)
    await reply(update, context.t("Cancelled. Everyone invited will be told."))


async def _keep(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await remove_buttons(query, context)
    await reply(update, context.t("OK. Nothing has changed."))


async def _came(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    came = (rest[0] if rest else "") == "yes"
    await meetings.record_attendance(
        context.session, query.from_user.id, meeting_id, came, now=context.runtime.clock.now()
    )
    await context.session.commit()
    await query.answer()
    await remove_buttons(query, context)
    t = context.t
    await reply(update, t("Thank you for coming.") if came else t("Thank you for telling us."))


async def _ask_repeat(
    update: Update, context: PanelContext, meeting_id: int, rest: list[str]
) -> None:
    query = update.callback_query
    assert query is not None
    await meetings.managed(
        context.session, await _actor(update, context), meeting_id, now=context.runtime.clock.now()
    )
    await query.answer()
    t = context.t
    rows = [
        [button(t("Every week, 4 more times"), _data("rep", meeting_id, "week", 4))],
        [
            button(
                t("Every month, same weekday, 6 more times"), _data("rep", meeting_id, "month", 6)
            )
        ],
        [
            button(
                t("Every month, same weekday, 12 more times"), _data("rep", meeting_id, "month", 12)
            )
        ],
    ]
    await reply(
        update, t("How often should this meeting repeat?"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def _repeat(update: Update, context: PanelContext, meeting_id: int, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    if len(rest) != 2 or not (rest[1].isascii() and rest[1].isdigit()) or len(rest[1]) > 2:
        await answer_expired(query, context)
        return
    created = await meetings.repeat(
        context.session,
        await _actor(update, context),
        meeting_id,
        every=rest[0],
        times=int(rest[1]),
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


_ACTIONS: dict[str, Any] = {
    "came": _came,
    "repeat": _ask_repeat,
    "rep": _repeat,
    "rsvp": _rsvp,
    "sup": _toggle,
    "supother": _other,
    "supdone": _support_done,
    "ics": _ics,
    "att": _attendance,
    "move": _ask_new_time,
    "cancel": _confirm_cancel,
    "cancelyes": _cancel,
    "keep": _keep,
}
_COORDINATOR = {"att", "move", "cancel", "cancelyes", "repeat", "rep"}


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("meetings", meetings_command),
        CommandHandler("attendance", attendance_command),
        CallbackQueryHandler(on_button, pattern=r"^mt:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & _TypingSupport(), on_text),
    ]
