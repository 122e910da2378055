"""What each button of the news form does, and Send. (Back and Stop are the form engine's.)"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import access, broadcast_audience, broadcasts, meeting_queries
from bot.services.access import NotAllowed
from bot.services.broadcast_audience import Audience, InvalidBroadcast
from handlers import forms
from handlers.broadcasts.buttons import (
    COMPOSING,
    RETIRED,
    NewsChoice,
    NewsImportant,
    NewsLanguage,
    NewsMeeting,
    NewsPanel,
    NewsVersion,
    said,
)
from handlers.broadcasts.compose import FORM, NOBODY, Answers, answers_of, problem_words
from handlers.broadcasts.copies import progress_text
from handlers.broadcasts.questions import (
    AT,
    CONFIRM,
    IMPORTANT,
    TEXT,
    TYPING,
    VERSIONS,
    WHEN,
    WHO,
)
from handlers.broadcasts.shared import (
    REFUSED,
    actor,
    coordinated,
    when_words,
    zone,
)
from handlers.chat.button_data import ButtonData, read
from handlers.chat.common import answer_expired, button, reply


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, *COMPOSING)
    if tapped is None or tapped in RETIRED:
        await answer_expired(query, context)
        return
    panels = await coordinated(update, context)
    answers = await answers_of(context)
    if not panels or answers is None:
        # Only coordinators compose news; a panel or meeting not theirs is a forged button.
        foreign = await access.names_foreign(
            context.session,
            {pid for pid, _ in panels},
            panel=str(tapped.panel) if isinstance(tapped, NewsPanel) else None,
            meeting=str(tapped.meeting) if isinstance(tapped, NewsMeeting) else None,
        )
        if not panels or foreign:
            access.refuse(context.session, await actor(update, context), "bc:" + said(tapped))
        await answer_expired(query, context)
        return
    await query.answer()
    mine = {pid for pid, _ in panels}
    match tapped:
        case NewsPanel() | NewsMeeting() | NewsLanguage() | NewsChoice("meet" | "lang" | "next"):
            await _who(update, context, tapped, mine, answers)
        case NewsChoice("anyway" | "vdone" as choice):
            await forms.go(update, context, FORM, VERSIONS if choice == "anyway" else IMPORTANT)
        case NewsVersion(language) if language in LAUNCH_LANGUAGES:
            # The list of languages and the question for one of them are one step to Back:
            # typing a version (or Back) returns to the list, and Back from the list goes
            # before it.
            await forms.go(update, context, FORM, TYPING + language, remember=False)
        case NewsChoice("vlist"):
            await forms.go(update, context, FORM, VERSIONS, remember=False)
        case NewsImportant("y" | "n" as answer):
            await forms.go(update, context, FORM, WHEN, important=answer == "y")
        case NewsChoice("now"):
            await forms.go(update, context, FORM, CONFIRM, send_at=None)
        case NewsChoice("later"):
            await forms.go(update, context, FORM, AT)
        case NewsChoice("own"):
            await forms.go(update, context, FORM, CONFIRM, own_copy=not answers.get("own_copy"))
        case NewsChoice("send"):
            await _send(update, context, answers)
        case _:
            access.refuse(context.session, await actor(update, context), "bc:" + said(tapped))
            await reply(update, context.t(REFUSED))


async def _who(
    update: Update,
    context: PanelContext,
    tapped: ButtonData,
    mine: set[int],
    answers: Answers,
) -> None:
    """Who gets the news: panels, the people invited to a meeting, or speakers of a language."""
    t = context.t
    stop = forms.stop_buttons(t, FORM)
    if isinstance(tapped, NewsPanel) and tapped.panel in mine:
        chosen = set(answers.get("panels") or []) ^ {tapped.panel}
        await forms.go(update, context, FORM, WHO, panels=sorted(chosen), meeting=None)
    elif tapped == NewsChoice("meet"):
        found = await meeting_queries.upcoming_in_panels(
            context.session, sorted(mine), now=context.runtime.clock.now()
        )
        if not found:
            await reply(update, t("There are no meetings coming up."))
            return
        rows = [
            [
                button(
                    f"{m.title[:40]}, {t.date(m.starts_at.astimezone(ZoneInfo(z)))}",
                    NewsMeeting(m.id).pack(),
                )
            ]
            for m, z in found[:10]
        ]
        markup = InlineKeyboardMarkup([*rows, stop])
        await reply(update, t("Which meeting?"), reply_markup=markup)
    elif isinstance(tapped, NewsMeeting):
        audience = Audience(meeting_id=tapped.meeting)
        try:
            await broadcast_audience.check_audience(
                context.session, await actor(update, context), audience
            )
        except (NotAllowed, InvalidBroadcast):
            await reply(update, t(REFUSED))
            return
        meeting = audience.meeting_id
        await forms.go(update, context, FORM, TEXT, meeting=meeting, panels=[], language=None)
    elif tapped == NewsChoice("lang"):
        rows = [[button(LANGUAGE_NAMES[c], NewsLanguage(c).pack())] for c in LAUNCH_LANGUAGES]
        markup = InlineKeyboardMarkup([*rows, stop])
        await reply(update, t("Which language?"), reply_markup=markup)
    elif isinstance(tapped, NewsLanguage) and tapped.language in LAUNCH_LANGUAGES:
        await reply(update, t("Now tap the panels, then Next."))
        await forms.go(update, context, FORM, WHO, language=tapped.language, meeting=None)
    elif tapped == NewsChoice("next"):
        if not answers.get("panels") and not answers.get("meeting"):
            await reply(update, t(NOBODY))
            return
        await forms.go(update, context, FORM, TEXT)
    else:
        access.refuse(context.session, await actor(update, context), "bc:" + said(tapped))
        await reply(update, t(REFUSED))


async def _send(update: Update, context: PanelContext, answers: Answers) -> None:
    t = context.t
    query = update.callback_query
    assert query is not None and query.message is not None
    send_at = answers.get("send_at")
    now = context.runtime.clock.now()
    try:
        await broadcasts.create(
            context.session,
            await actor(update, context),
            audience=Audience.from_json(answers),
            text=answers.get("text") or "",
            translations=answers.get("translations") or {},
            media_kind=answers.get("media_kind"),
            media_file_id=answers.get("media_file_id"),
            important=bool(answers.get("important")),
            send_at=datetime.fromisoformat(send_at) if send_at else now,
            now=now,
            report_chat_id=query.message.chat.id,
            report_message_id=query.message.message_id,
        )
    except NotAllowed:
        await context.session.rollback()
        await reply(update, t(REFUSED))
        return
    except InvalidBroadcast as error:
        await context.session.rollback()
        await reply(update, t(problem_words(error)))
        return
    await forms.discard(context, FORM)
    context.wake_outbox()
    if send_at:
        where = await zone(context, answers)
        text = "\n".join(
            [
                t("Your message will go on {when}.", when=when_words(t, send_at, where)),
                t("To cancel it before then, type /broadcasts."),
            ]
        )
    else:
        count = await broadcast_audience.count_recipients(
            context.session,
            Audience.from_json(answers),
            sender=context.member.id if context.member else None,
        )
        text = progress_text(t, broadcasts.Figures(total=count))
    await query.edit_message_text(text)
