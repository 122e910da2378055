"""Members answer meeting invitations, say what would help them come, and see their meetings.

"Something else" waits for the member's own words about what they need: a one-step form on the
form engine (its marker is "mtsup:<meeting id>"), with Stop under the question."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, ReplyParameters, Update

from bot.context import PanelContext
from bot.db import Answer
from bot.i18n import N_
from bot.services import meeting_queries, meeting_rsvp, profile
from bot.services.access import NotAllowed
from bot.services.meeting_rules import SUPPORT_OPTIONS, MeetingError
from handlers import forms
from handlers.chat.claim_offer import claim_offer
from handlers.chat.common import answer_expired, button, remove_buttons, reply
from handlers.forms import Accepts, Form, Step, register
from handlers.meetings import cards, support_detail
from handlers.meetings import messages as words
from handlers.meetings.button_records import (
    ON_LIST,
    AnswerInvitation,
    AnswerOn,
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


ANSWER_NOW = N_(
    "Your answer is now: {answer}. To ask for support, choose “I need support to come”."
)


async def _answer_changed(
    query: CallbackQuery, context: PanelContext, answer: Answer | None
) -> bool:
    """The support list tapped belongs to an answer changed since (on a card): nothing is added,
    the member is told their answer as it is now, and the list's buttons go."""
    if answer == Answer.SUPPORT:
        return False
    await context.session.rollback()
    t = context.t
    label = t(words.ANSWER_LABELS[answer]) if answer else t(cards.NOT_ANSWERED)
    await query.answer(t(ANSWER_NOW, answer=label), show_alert=True)
    await remove_buttons(query, context)
    return True


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
    update: Update,
    context: PanelContext,
    meeting_id: int,
    tapped: AnswerInvitation | AnswerOn,
) -> None:
    """The answer is saved and the message tapped becomes the meeting's live card showing it
    (an answer button made before AnswerOn shows the plain card)."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    now = context.runtime.clock.now()
    _, rsvp = await meeting_rsvp.answer(
        context.session, query.from_user.id, meeting_id, tapped.answer, now=now
    )
    await context.session.commit()
    t = context.t
    label = t(words.ANSWER_LABELS[Answer(tapped.answer)])
    await query.answer(t("Thank you. We saved your answer: {answer}.", answer=label))
    on = tapped.on if isinstance(tapped, AnswerOn) else ON_LIST
    await cards.show(query, context.session, t, meeting_id, on, now)
    if rsvp.answer == Answer.SUPPORT:
        # A reply to the card, so Done can show the needs on the card too (cards.refresh).
        card = query.message.message_id if query.message else None
        await reply(
            update,
            t("What would help you come? Tap all that apply, then Done."),
            reply_markup=_support_keyboard(context, meeting_id, list(rsvp.support or [])),
            **(
                {"reply_parameters": ReplyParameters(card, allow_sending_without_reply=True)}
                if card
                else {}
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
    if await _answer_changed(query, context, rsvp.answer):
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
    rsvp = await meeting_rsvp.toggle_support(
        context.session, query.from_user.id, meeting_id, "travel"
    )
    if await _answer_changed(query, context, rsvp.answer):
        return
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
    found = await meeting_queries.one_of_mine(context.session, query.from_user.id, meeting_id)
    if found is None:
        raise NotAllowed("not invited")
    if await _answer_changed(query, context, found[1].answer):
        return
    await tell_coordinators(update, context, query.from_user.id, meeting_id)
    await query.answer()
    await remove_buttons(query, context)
    await cards.refresh(query, context.session, context.t, meeting_id, context.runtime.clock.now())


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
    now = context.runtime.clock.now()
    for meeting, rsvp, zone in upcoming[:10]:
        meeting, own_words = await words.localised(context.session, meeting, t.language)
        text, markup = cards.card(t, meeting, own_words, zone, rsvp, ON_LIST, now)
        await reply(update, text, reply_markup=markup)


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
