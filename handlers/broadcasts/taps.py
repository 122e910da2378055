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
    FEATURE,
    REFUSED,
    VERSION,
    actor,
    coordinated,
    data,
    when_words,
    zone,
)
from handlers.chat.common import answer_expired, button, parse_callback, reply

# Buttons of the form before it moved onto the engine (Cancel, Edit): still in some chats.
RETIRED = frozenset({"stop", "edit"})


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    if not args:
        await answer_expired(query, context)
        return
    action, rest = args[0], args[1:]
    if action in RETIRED:
        await answer_expired(query, context)
        return
    panels = await coordinated(update, context)
    answers = await answers_of(context)
    if not panels or answers is None:
        # Only coordinators compose news; a panel or meeting not theirs is a forged button.
        value = rest[0] if rest else ""
        foreign = await access.names_foreign(
            context.session,
            {pid for pid, _ in panels},
            panel=value if action == "p" else None,
            meeting=value if action == "m" else None,
        )
        if not panels or foreign:
            access.refuse(context.session, await actor(update, context), "bc:" + action[:20])
        await answer_expired(query, context)
        return
    await query.answer()
    mine = {pid for pid, _ in panels}
    if action in ("p", "meet", "m", "lang", "l", "next"):
        await _who(update, context, action, rest, mine, answers)
    elif action in ("anyway", "vdone"):
        await forms.go(update, context, FORM, VERSIONS if action == "anyway" else IMPORTANT)
    elif action == "v" and rest and rest[0] in LAUNCH_LANGUAGES:
        # The list of languages and the question for one of them are one step to Back: typing
        # a version (or Back) returns to the list, and Back from the list goes before it.
        await forms.go(update, context, FORM, TYPING + rest[0], remember=False)
    elif action == "vlist":
        await forms.go(update, context, FORM, VERSIONS, remember=False)
    elif action == "imp" and rest and rest[0] in ("y", "n"):
        await forms.go(update, context, FORM, WHEN, important=rest[0] == "y")
    elif action == "now":
        await forms.go(update, context, FORM, CONFIRM, send_at=None)
    elif action == "later":
        await forms.go(update, context, FORM, AT)
    elif action == "own":
        await forms.go(update, context, FORM, CONFIRM, own_copy=not answers.get("own_copy"))
    elif action == "send":
        await _send(update, context, answers)
    else:
        access.refuse(context.session, await actor(update, context), "bc:" + action[:20])
        await reply(update, context.t(REFUSED))


async def _who(
    update: Update,
    context: PanelContext,
    action: str,
    rest: list[str],
    mine: set[int],
    answers: Answers,
) -> None:
    """Who gets the news: panels, the people invited to a meeting, or speakers of a language."""
    t = context.t
    stop = forms.stop_buttons(t, FORM)
    if action == "p" and rest and rest[0].isdigit() and int(rest[0]) in mine:
        chosen = set(answers.get("panels") or []) ^ {int(rest[0])}
        await forms.go(update, context, FORM, WHO, panels=sorted(chosen), meeting=None)
    elif action == "meet":
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
                    data("m", m.id),
                )
            ]
            for m, z in found[:10]
        ]
        markup = InlineKeyboardMarkup([*rows, stop])
        await reply(update, t("Which meeting?"), reply_markup=markup)
    elif action == "m" and rest and rest[0].isdigit():
        audience = Audience(meeting_id=int(rest[0]))
        try:
            await broadcast_audience.check_audience(
                context.session, await actor(update, context), audience
            )
        except (NotAllowed, InvalidBroadcast):
            await reply(update, t(REFUSED))
            return
        meeting = audience.meeting_id
        await forms.go(update, context, FORM, TEXT, meeting=meeting, panels=[], language=None)
    elif action == "lang":
        rows = [[button(LANGUAGE_NAMES[c], data("l", c))] for c in LAUNCH_LANGUAGES]
        markup = InlineKeyboardMarkup([*rows, stop])
        await reply(update, t("Which language?"), reply_markup=markup)
    elif action == "l" and rest and rest[0] in LAUNCH_LANGUAGES:
        await reply(update, t("Now tap the panels, then Next."))
        await forms.go(update, context, FORM, WHO, language=rest[0], meeting=None)
    elif action == "next":
        if not answers.get("panels") and not answers.get("meeting"):
            await reply(update, t(NOBODY))
            return
        await forms.go(update, context, FORM, TEXT)
    else:
        access.refuse(context.session, await actor(update, context), "bc:" + action[:20])
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
