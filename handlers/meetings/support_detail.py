"""Which language, when a member asks for "An interpreter": a one-step form on the engine (its
marker is "mtint:<meeting id>") asked as soon as they tick it. Their words go into the note the
coordinators get and into /attendance ("An interpreter for Arabic")."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import meeting_rsvp
from bot.services.access import NotAllowed
from bot.services.meeting_rules import MeetingError
from handlers import forms
from handlers.chat.common import button, reply
from handlers.forms import Accepts, Form, Step, register
from handlers.forms.form import Answers
from handlers.meetings.button_records import SupportDone

TYPING_LANGUAGE = "mtint:"  # + meeting id
WHICH_LANGUAGE = N_(
    "Which language do you need an interpreter for? "
    "Type it, like Arabic, Polish or British Sign Language."
)
IN_WORDS = N_("Please type the language in words, like Arabic. Keep it short.")


async def ask_language(update: Update, context: PanelContext, meeting_id: int) -> None:
    """After "An interpreter" is ticked: the next thing typed is the language."""
    await forms.wait(context, FORM, str(meeting_id))
    await _ask(update, context, str(meeting_id), {})


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    t = context.t
    await reply(
        update, t(WHICH_LANGUAGE), reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)])
    )


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    member, message, t = context.member, update.effective_message, context.t
    assert member is not None and message is not None
    if not message.text:
        await reply(update, t(IN_WORDS))
        return
    meeting_id = int(step) if step.isascii() and step.isdecimal() and len(step) <= 12 else 0
    try:
        rsvp = await meeting_rsvp.set_interpreter_language(
            context.session, member.telegram_id, meeting_id, message.text
        )
    except MeetingError:
        await context.session.rollback()
        await reply(update, t(IN_WORDS))
        return
    except NotAllowed:
        await context.session.rollback()
        await forms.discard(context, FORM)
        await reply(update, t("This meeting is not one of yours."))
        return
    language = rsvp.interpreter_language or ""
    await forms.discard(context, FORM)  # commits the language
    # Done at hand: the list of needs above may be far up the chat by now.
    await reply(
        update,
        t("Thank you. We noted: an interpreter for {language}.", language=escape(language))
        + "\n"
        + t("Tap Done when you have chosen everything."),
        reply_markup=InlineKeyboardMarkup([[button(t("Done"), SupportDone(meeting_id).pack())]]),
    )


FORM = register(
    Form(
        name="interpreter_language",
        prefix=TYPING_LANGUAGE,
        stopped=N_("OK. Nothing was sent."),
        steps=(Step("language", Accepts.TEXT, "Arabic"),),
        receive=_receive,
        ask=_ask,
    )
)
