"""Members answer meeting invitations, say what would help them come, and see their meetings.

"Something else" waits for the member's own words about what they need: a one-step form on the
form engine (its marker is "mtsup:<meeting id>"), with Stop under the question."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Answer
from bot.i18n import N_
from bot.services import meeting_queries, meeting_rsvp, profile
from bot.services.access import NotAllowed
from bot.services.meeting_rules import SUPPORT_OPTIONS, MeetingError
from handlers import forms
from handlers.chat.claim_offer import claim_offer
from handlers.chat.common import answer_expired, button, remove_buttons, reply
from handlers.chat.text_versions import not_translated
from handlers.forms import Accepts, Form, Step, register
from handlers.meetings import messages as words
from handlers.meetings import support_detail
from handlers.meetings.button_records import (
    AnswerInvitation,
    CalendarFile,
    DidYouCome,
    OtherSupport,
    SupportDone,
    ToggleSupport,
)

TYPING_SUPPORT = "mtsup:"  # + meeting id (in the step's place)
TYPE_WHAT_YOU_NEED = N_("Please type what you need. Keep it short.")
NEED_IN_WORDS = N_("Please type what you need in words. It can be up to 500 characters.")
NOT_YOURS = N_("This meeting is not one of yours.")
GONE = N_("This meeting has already started or was cancelled.")


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
                ToggleSupport(meeting_id, need).pack(),
            )
        ]
        for need in SUPPORT_OPTIONS
    ]
    rows.append([button(t("Something else"), OtherSupport(meeting_id).pack())])
    rows.append([button(t("Done"), SupportDone(meeting_id).pack())])
    return InlineKeyboardMarkup(rows)


async def rsvp(
    update: Update, context: PanelContext, meeting_id: int, tapped: AnswerInvitation
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    choice = tapped.answer
    _, rsvp = await meeting_rsvp.answer(
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


async def toggle(
    update: Update, context: PanelContext, meeting_id: int, tapped: ToggleSupport
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    try:
        rsvp = await meeting_rsvp.toggle_support(
            context.session, query.from_user.id, meeting_id, tapped.need
        )
    except MeetingError:
        await answer_expired(query, context)
        return
    await context.session.commit()
    await query.answer()
    await query.edit_message_reply_markup(
        _support_keyboard(context, meeting_id, list(rsvp.support))
    )
    if tapped.need == "interpreter" and "interpreter" in rsvp.support:
        await support_detail.ask_language(update, context, meeting_id)  # which language?


async def something_else(
    update: Update, context: PanelContext, meeting_id: int, tapped: OtherSupport
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await meeting_rsvp.toggle_support(context.session, query.from_user.id, meeting_id, "travel")
    await context.session.rollback()  # only checks they are invited
    await profile.set_step(context.session, query.from_user.id, f"{TYPING_SUPPORT}{meeting_id}")
    await context.session.commit()
    await query.answer()
    t = context.t
    await reply(
        update,
        t(TYPE_WHAT_YOU_NEED),
        reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, SUPPORT_FORM)]),
    )


async def support_done(
    update: Update, context: PanelContext, meeting_id: int, tapped: SupportDone
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await tell_coordinators(update, context, query.from_user.id, meeting_id)
    await query.answer()
    await remove_buttons(query, context)


async def tell_coordinators(
    update: Update, context: PanelContext, user_id: int, meeting_id: int
) -> None:
    told = await meeting_rsvp.tell_coordinators_about_support(
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


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """The member's own words about what they need (the step is the meeting's id)."""
    member, message = context.member, update.effective_message
    assert member is not None and message is not None
    if not message.text:
        await reply(update, context.t(NEED_IN_WORDS))
        return
    meeting_id = int(step) if step.isascii() and step.isdigit() and len(step) <= 12 else 0
    try:
        await meeting_rsvp.set_support_other(
            context.session, member.telegram_id, meeting_id, message.text
        )
    except MeetingError:
        await reply(update, context.t(NEED_IN_WORDS))
        return
    except NotAllowed:
        await context.session.rollback()
        await forms.discard(context, SUPPORT_FORM)
        await reply(update, context.t(NOT_YOURS))
        return
    await profile.set_step(context.session, member.telegram_id, None)
    try:
        await tell_coordinators(update, context, member.telegram_id, meeting_id)
    except MeetingError:
        await context.session.commit()  # the words are kept; the meeting is over or off
        await reply(update, context.t(GONE))


SUPPORT_FORM = register(
    Form(
        name="support",
        prefix=TYPING_SUPPORT,
        stopped=N_("OK. Nothing was sent."),
        steps=(Step("need", Accepts.TEXT, "A quiet room to rest in"),),
        receive=receive,
    )
)


async def meetings_command(update: Update, context: PanelContext) -> None:
    user = update.effective_user
    assert user is not None
    t = context.t
    upcoming = await meeting_queries.upcoming(
        context.session, user.id, now=context.runtime.clock.now()
    )
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
        rows.append(
            [{"text": t("Calendar file"), "callback_data": CalendarFile(meeting.id).pack()}]
        )
        await reply(update, "\n".join(lines), reply_markup=_markup(rows))


async def calendar_file(
    update: Update, context: PanelContext, meeting_id: int, tapped: CalendarFile
) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    upcoming = await meeting_queries.upcoming(
        context.session, query.from_user.id, now=context.runtime.clock.now()
    )
    found = next(((m, z) for m, _, z in upcoming if m.id == meeting_id), None)
    if found is None:
        raise MeetingError("not upcoming")
    await query.answer()
    reminders = await meeting_queries.reminder_choice(context.session, query.from_user.id)
    data, name = words.calendar_file(
        context.t, found[0], found[1], context.runtime.clock, reminders
    )
    assert update.effective_chat is not None
    await update.effective_chat.send_document(
        data, filename=name, caption=context.t("Add this to your calendar.")
    )


async def came(update: Update, context: PanelContext, meeting_id: int, tapped: DidYouCome) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    came = tapped.answer == "yes"
    await meeting_rsvp.record_attendance(
        context.session, query.from_user.id, meeting_id, came, now=context.runtime.clock.now()
    )
    await context.session.commit()
    await query.answer()
    await remove_buttons(query, context)
    t = context.t
    if came:  # with "Claim for this meeting" in one tap
        offer = await claim_offer(context, query.from_user.id, meeting_id)
        await reply(
            update, t("Thank you for coming."), **({"reply_markup": offer} if offer else {})
        )
    else:
        await reply(update, t("Thank you for telling us."))
