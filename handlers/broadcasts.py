"""/broadcast (and the coordinators' menu button): tell many members something, step by step.

Who -> the message (text, or a photo or file with words) -> the plain-language check (Edit or
Send anyway) -> versions in other languages -> important or not -> now or later -> a preview
exactly as members will see it -> Send. /broadcasts lists past and scheduled ones.

The form lives in the `drafts` table and `conversation_step` ("bcast:<step>"), so a restart loses
nothing. Every step that names a panel, meeting or broadcast is checked again in the service.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import BroadcastStatus, Panel
from bot.i18n import N_, Translator, translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import (
    access,
    broadcast_audience,
    broadcasts,
    drafts,
    glossary,
    meetings,
    members,
    plain_language,
    profile,
)
from bot.services.access import NotAllowed
from bot.services.broadcast_audience import Audience, InvalidBroadcast
from handlers import picker
from handlers.broadcast_messages import FEATURE, VERSION, copy_for, progress_text
from handlers.chat.text import NOT_UNDERSTOOD, TAP_PLEASE
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.forms import Form, register
from handlers.glossary import NO_PANEL_ROLE, plain_language_report

KIND = "broadcast"
PREFIX = "bcast:"
FORM = register(
    Form(name=KIND, prefix=PREFIX, stopped=N_("OK. Your news was not sent."), draft=True)
)
TEXT, VERSION_STEP, AT = "text", "tr:", "at"

EMPTY = N_("Please type your message, or send a photo or file with words under it.")
FAR = N_("Please choose a time in the next year.")
NOBODY = N_("Tap at least one panel, then Next.")
PROBLEMS = {
    "empty": EMPTY,
    "long": N_(
        "That is too long. Please keep it under 3500 characters, or 900 under a photo or file."
    ),
    "far": FAR,
    "nobody": NOBODY,
    "file": N_("Please send a photo or a file."),
}
WHEN_HELP = N_("Type the day and time, like 25/12 14:30 or tomorrow 9am.")
REFUSED = N_("You cannot send news to that group.")


def _data(*args: str | int) -> str:
    return callback_data(FEATURE, VERSION, *args)


async def _actor(update: Update, context: PanelContext) -> access.Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


async def _panels(update: Update, context: PanelContext) -> list[tuple[int, str]]:
    return await access.coordinated_panels(context.session, await _actor(update, context))


async def _save(context: PanelContext, step: str, **data: Any) -> dict[str, Any]:
    member = context.member
    assert member is not None
    draft = await drafts.save(
        context.session, member.id, KIND, step=step, now=context.runtime.clock.now(), **data
    )
    await profile.set_step(context.session, member.telegram_id, PREFIX + step)
    await context.session.commit()
    return dict(draft.data or {})


async def _answers(context: PanelContext) -> dict[str, Any] | None:
    if context.member is None:
        return None
    draft = await drafts.get(context.session, context.member.id, KIND)
    return dict(draft.data or {}) if draft else None


async def _end(context: PanelContext) -> None:
    member = context.member
    assert member is not None
    await drafts.discard(context.session, member.id, KIND)
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()


# ------------------------------------------------------------------------------ who


async def new_broadcast(update: Update, context: PanelContext) -> None:
    panels = await _panels(update, context)
    actor = await _actor(update, context)
    if panels and context.member is None and actor.is_admin:
        # An admin named in PANELBOT_ADMINS may belong to no panel: the form's draft needs a
        # row of their own (no panel, no consent asked: they are not a member anywhere).
        await members.get_or_create(
            context.session, actor.telegram_id, now=context.runtime.clock.now()
        )
        await context.reload_member(actor.telegram_id)
    if not panels or context.member is None:
        access.refuse(context.session, await _actor(update, context), "/broadcast")
        await reply(update, context.t(NO_PANEL_ROLE))
        return
    assert context.member is not None
    await drafts.discard(context.session, context.member.id, KIND)
    chosen = [panels[0][0]] if len(panels) == 1 else []
    answers = await _save(context, "who", panels=chosen, meeting=None, language=None)
    await _ask_who(update, context, panels, answers)


async def _ask_who(
    update: Update, context: PanelContext, panels: list[tuple[int, str]], answers: dict[str, Any]
) -> None:
    t = context.t
    chosen = set(answers.get("panels") or [])
    rows = [
        [button(("✓ " if pid in chosen else "") + name[:50], _data("p", pid))]
        for pid, name in panels[:20]
    ]
    rows.append([button(t("People invited to a meeting"), _data("meet"))])
    rows.append([button(t("People who speak a language"), _data("lang"))])
    rows.append([button(t("Next"), _data("next")), button(t("Cancel"), _data("stop"))])
    text = "\n".join(
        [t("Who should get your message?"), t("Tap the panels, then Next.")]
        + (
            [t("Only people who speak {language}.", language=LANGUAGE_NAMES[answers["language"]])]
            if answers.get("language")
            else []
        )
    )
    markup = InlineKeyboardMarkup(rows)
    if update.callback_query and update.callback_query.message:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    else:
        await reply(update, text, reply_markup=markup)


async def _ask_text(update: Update, context: PanelContext) -> None:
    t = context.t
    await reply(
        update,
        "\n".join(
            [
                t("Type your message."),
                t("You can also send a photo or a file, with your words under it."),
            ]
        ),
    )


# ------------------------------------------------------------------------------ the message


def _problem(error: InvalidBroadcast) -> str:
    return PROBLEMS.get(str(error), EMPTY)


async def _take_message(
    update: Update, context: PanelContext, text: str, media_kind: str | None, file_id: str | None
) -> None:
    t = context.t
    try:
        text = broadcasts.check_text(text, with_file=media_kind is not None)
    except InvalidBroadcast as error:
        await reply(update, t(_problem(error)))
        return
    await _save(context, "check", text=text, media_kind=media_kind, media_file_id=file_id)
    report = plain_language.check(text, glossary.load(), t.language)
    if report.clear or not text:
        await _ask_versions(update, context)
        return
    rows = [[button(t("Edit"), _data("edit")), button(t("Send anyway"), _data("anyway"))]]
    await reply(update, plain_language_report(t, report), reply_markup=InlineKeyboardMarkup(rows))


async def _ask_versions(update: Update, context: PanelContext) -> None:
    t = context.t
    answers = await _answers(context) or {}
    await _save(context, "versions")
    added = answers.get("translations") or {}
    rows = [
        [button(("✓ " if code in added else "") + LANGUAGE_NAMES[code], _data("v", code))]
        for code in LAUNCH_LANGUAGES
    ]
    rows.append([button(t("Next"), _data("vdone"))])
    text = "\n".join(
        [
            t("Do you want to add your message in another language?"),
            t("People who speak it get that version. Everyone else gets your message."),
        ]
    )
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))


async def _ask_important(update: Update, context: PanelContext) -> None:
    t = context.t
    await _save(context, "important")
    rows = [
        [button(t("Yes, it is important"), _data("imp", "y"))],
        [button(t("No"), _data("imp", "n"))],
    ]
    text = "\n".join(
        [
            t("Is this message important?"),
            t("Important messages reach people in their quiet hours, and if they turned news off."),
        ]
    )
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))


async def _ask_when(update: Update, context: PanelContext) -> None:
    t = context.t
    await _save(context, "when")
    rows = [[button(t("Send now"), _data("now")), button(t("Choose a time"), _data("later"))]]
    await reply(update, t("When should it go?"), reply_markup=InlineKeyboardMarkup(rows))


async def _zone(context: PanelContext, answers: dict[str, Any]) -> ZoneInfo:
    """The time zone of the (first) panel reached: times are typed and shown in it."""
    panel_ids = await broadcast_audience.panels_of(context.session, Audience.from_json(answers))
    zone = await context.session.scalar(select(Panel.timezone).where(Panel.id.in_(panel_ids)))
    return ZoneInfo(zone or "Europe/London")


async def _take_time(update: Update, context: PanelContext, text: str) -> None:
    t = context.t
    answers = await _answers(context) or {}
    zone = await _zone(context, answers)
    now = context.runtime.clock.now()
    words = text.strip().split()
    moment = None
    if len(words) >= 2:
        day = picker.parse_date(" ".join(words[:-1]), picker.local_today(now, zone), t.locale)
        at = picker.parse_time(words[-1])
        if day is not None and at is not None:
            moment = picker.to_utc(day, at, zone)
    if moment is None:
        await reply(update, t(WHEN_HELP))
        return
    if moment <= now or moment > now + broadcasts.MAX_AHEAD:
        await reply(update, t(FAR) if moment > now else t(WHEN_HELP))
        return
    await _preview(update, context, send_at=moment.isoformat())


def _when_words(t: Translator, send_at: str | None, zone: ZoneInfo) -> str:
    if not send_at:
        return t("now")
    moment = datetime.fromisoformat(send_at)
    return t.datetime(moment, zone, style="medium")


async def _preview(update: Update, context: PanelContext, *, send_at: str | None) -> None:
    """Each version exactly as members will get it, then the summary with Send."""
    t = context.t
    answers = await _save(context, "confirm", send_at=send_at)
    audience = Audience.from_json(answers)
    try:
        await broadcast_audience.check_audience(
            context.session, await _actor(update, context), audience
        )
    except (NotAllowed, InvalidBroadcast):
        await reply(update, t(REFUSED))
        return
    delivery = context.runtime.delivery
    assert delivery is not None and update.effective_chat is not None
    sample = _sample(answers)
    versions = ["en", *(answers.get("translations") or {})]
    for language in dict.fromkeys(versions):
        name = LANGUAGE_NAMES[language]
        intro = (
            t("This is what members will see:")
            if language == "en"
            else t("This is what people who speak {language} will see:", language=name)
        )
        await reply(update, intro)
        await delivery.send_now(update.effective_chat.id, copy_for(sample, language))
    text, markup = await _summary(context, answers)
    await reply(update, text, reply_markup=markup)


async def _summary(context: PanelContext, answers: dict[str, Any]) -> tuple[str, Any]:
    """Who it goes to, when, whether it is important and whether the sender gets a copy."""
    t = context.t
    audience = Audience.from_json(answers)
    people = await broadcast_audience.count_recipients(
        context.session, audience, sender=context.member.id if context.member else None
    )
    zone = await _zone(context, answers)
    lines = [
        t.ngettext("It will go to {n} person.", "It will go to {n} people.", people),
        t("When: {when}", when=_when_words(t, answers.get("send_at"), zone)),
        t("Important: {answer}", answer=t("Yes") if answers.get("important") else t("No")),
        t("A copy for you: {answer}", answer=t("Yes") if audience.own_copy else t("No")),
    ]
    lines += _version_checks(t, answers)
    own = t("No copy for me") if audience.own_copy else t("Send me a copy too")
    rows = [
        [button(t("Send"), _data("send")), button(t("Cancel"), _data("stop"))],
        [button(own, _data("own"))],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _version_checks(t: Translator, answers: dict[str, Any]) -> list[str]:
    """The plain-language check of each other-language version, in the coordinator's language.
    (The main message was checked when it was typed.)"""
    lines: list[str] = []
    for language, text in (answers.get("translations") or {}).items():
        report = plain_language.check(text, glossary.load(), language)
        lines += ["", t("Check of the {language} version:", language=LANGUAGE_NAMES[language])]
        lines.append(plain_language_report(t, report))
    return lines


def _sample(answers: dict[str, Any]) -> Any:
    from bot.db import Broadcast

    return Broadcast(
        text=answers.get("text") or "",
        translations=answers.get("translations") or {},
        media_kind=answers.get("media_kind"),
        media_file_id=answers.get("media_file_id"),
        terms=glossary.load().find_in_text(answers.get("text") or "")[:5],
    )


async def _send(update: Update, context: PanelContext) -> None:
    t = context.t
    query = update.callback_query
    assert query is not None and query.message is not None
    answers = await _answers(context) or {}
    send_at = answers.get("send_at")
    now = context.runtime.clock.now()
    try:
        await broadcasts.create(
            context.session,
            await _actor(update, context),
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
        await reply(update, t(_problem(error)))
        return
    await _end(context)
    context.wake_outbox()
    if send_at:
        zone = await _zone(context, answers)
        text = "\n".join(
            [
                t("Your message will go on {when}.", when=_when_words(t, send_at, zone)),
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


# ------------------------------------------------------------------------------ buttons


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    if not args:
        await answer_expired(query, context)
        return
    action, rest = args[0], args[1:]
    if action in ("who", "cancel"):
        await _about_broadcast(update, context, action, rest)
        return
    panels = await _panels(update, context)
    answers = await _answers(context)
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
            access.refuse(context.session, await _actor(update, context), "bc:" + action[:20])
        await answer_expired(query, context)
        return
    await query.answer()
    t = context.t
    mine = {pid for pid, _ in panels}
    if action == "p" and rest and rest[0].isdigit() and int(rest[0]) in mine:
        chosen = set(answers.get("panels") or []) ^ {int(rest[0])}
        answers = await _save(context, "who", panels=sorted(chosen), meeting=None)
        await _ask_who(update, context, panels, answers)
    elif action == "meet":
        found = await meetings.upcoming_in_panels(
            context.session, sorted(mine), now=context.runtime.clock.now()
        )
        if not found:
            await reply(update, t("There are no meetings coming up."))
            return
        rows = [
            [
                button(
                    f"{m.title[:40]}, {t.date(m.starts_at.astimezone(ZoneInfo(z)))}",
                    _data("m", m.id),
                )
            ]
            for m, z in found[:10]
        ]
        await reply(update, t("Which meeting?"), reply_markup=InlineKeyboardMarkup(rows))
    elif action == "m" and rest and rest[0].isdigit():
        audience = Audience(meeting_id=int(rest[0]))
        try:
            await broadcast_audience.check_audience(
                context.session, await _actor(update, context), audience
            )
        except (NotAllowed, InvalidBroadcast):
            await reply(update, t(REFUSED))
            return
        await _save(context, TEXT, meeting=audience.meeting_id, panels=[], language=None)
        await _ask_text(update, context)
    elif action == "lang":
        rows = [[button(LANGUAGE_NAMES[c], _data("l", c))] for c in LAUNCH_LANGUAGES]
        await reply(update, t("Which language?"), reply_markup=InlineKeyboardMarkup(rows))
    elif action == "l" and rest and rest[0] in LAUNCH_LANGUAGES:
        answers = await _save(context, "who", language=rest[0], meeting=None)
        await reply(update, t("Now tap the panels, then Next."))
        await _ask_who(update, context, panels, answers)
    elif action == "next":
        if not answers.get("panels") and not answers.get("meeting"):
            await reply(update, t(NOBODY))
            return
        await _save(context, TEXT)
        await _ask_text(update, context)
    elif action == "edit":
        await _save(context, TEXT)
        await _ask_text(update, context)
    elif action == "anyway":
        await _ask_versions(update, context)
    elif action == "v" and rest and rest[0] in LAUNCH_LANGUAGES:
        await _save(context, VERSION_STEP + rest[0])
        await reply(
            update,
            t("Type your message in {language}.", language=LANGUAGE_NAMES[rest[0]]),
        )
    elif action == "vdone":
        await _ask_important(update, context)
    elif action == "imp" and rest and rest[0] in ("y", "n"):
        await _save(context, "when", important=rest[0] == "y")
        await _ask_when(update, context)
    elif action == "now":
        await _preview(update, context, send_at=None)
    elif action == "later":
        await _save(context, AT)
        await reply(update, t(WHEN_HELP))
    elif action == "own":
        answers = await _save(context, "confirm", own_copy=not answers.get("own_copy"))
        text, markup = await _summary(context, answers)
        await query.edit_message_text(text, reply_markup=markup)
    elif action == "send":
        await _send(update, context)
    elif action == "stop":
        await _end(context)
        await remove_buttons(query, context)
        await reply(update, t("Cancelled. Nothing was sent."))
    else:
        access.refuse(context.session, await _actor(update, context), "bc:" + action[:20])
        await reply(update, t(REFUSED))


# ------------------------------------------------------------------------------ typed words


class _Broadcasting(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and (member.conversation_step or "").startswith(PREFIX))


async def _step(context: PanelContext) -> str | None:
    if context.member is None or await _answers(context) is None:
        return None
    return (context.member.conversation_step or "").removeprefix(PREFIX)


async def on_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    assert message is not None
    step = await _step(context)
    if step is None:
        if context.member is not None:
            await profile.set_step(context.session, context.member.telegram_id, None)
            await context.session.commit()
        await reply(update, context.t(NOT_UNDERSTOOD))
        return
    text = message.text or ""
    if step == TEXT:
        await _take_message(update, context, text, None, None)
    elif step.startswith(VERSION_STEP):
        language = step.removeprefix(VERSION_STEP)
        answers = await _answers(context) or {}
        try:
            version = broadcasts.check_text(text, with_file=bool(answers.get("media_kind")))
        except InvalidBroadcast as error:
            await reply(update, context.t(_problem(error)))
            return
        added = {**(answers.get("translations") or {}), language: version}
        await _save(context, "versions", translations=added)
        await _ask_versions(update, context)
    elif step == AT:
        await _take_time(update, context, text)
    else:
        await reply(update, context.t(TAP_PLEASE))


async def on_file(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    assert message is not None
    step = await _step(context)
    if step != TEXT:
        await reply(update, context.t(TAP_PLEASE if step else NOT_UNDERSTOOD))
        return
    if message.photo:
        await _take_message(
            update, context, message.caption or "", "photo", message.photo[-1].file_id
        )
    elif message.document:
        await _take_message(
            update, context, message.caption or "", "document", message.document.file_id
        )
    else:
        await reply(update, context.t(EMPTY))


# ------------------------------------------------------------------------------ /broadcasts


STATUS_WORDS = {
    BroadcastStatus.SCHEDULED: N_("Waiting to go"),
    BroadcastStatus.SENDING: N_("Sending"),
    BroadcastStatus.DONE: N_("Sent"),
    BroadcastStatus.CANCELLED: N_("Cancelled"),
}


async def list_broadcasts(update: Update, context: PanelContext) -> None:
    t = context.t
    actor = await _actor(update, context)
    if not await access.coordinated_panels(context.session, actor):
        access.refuse(context.session, actor, "/broadcasts")
        await reply(update, t(NO_PANEL_ROLE))
        return
    found = await broadcasts.listing(context.session, actor)
    if not found:
        await reply(update, t("You have not sent any news yet. To send some, type /broadcast."))
        return
    for broadcast, figures in found:
        zone = await _zone(context, broadcast.audience)
        words = " ".join(broadcast.text.split())
        lines = [
            f"<b>{escape(words[:60])}{'…' if len(words) > 60 else ''}</b>",
            t(
                "{status}: {when}",
                status=t(STATUS_WORDS[broadcast.status]),
                when=t.datetime(broadcast.send_at, zone, style="medium"),
            ),
        ]
        if figures.total:
            lines.append(
                t(
                    "Delivered {sent} of {total}. Could not reach {unreachable}. Failed {failed}.",
                    sent=figures.delivered,
                    total=figures.total,
                    unreachable=figures.unreachable,
                    failed=figures.failed,
                )
            )
        rows: list[list[InlineKeyboardButton]] = []
        if broadcast.status == BroadcastStatus.SCHEDULED:
            rows.append([button(t("Cancel this message"), _data("cancel", broadcast.id))])
        if figures.unreachable:
            rows.append([button(t("Who could not be reached?"), _data("who", broadcast.id))])
        await reply(
            update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
        )


async def _about_broadcast(
    update: Update, context: PanelContext, action: str, rest: list[str]
) -> None:
    query = update.callback_query
    assert query is not None
    t = context.t
    if not rest or not rest[0].isdigit():
        await answer_expired(query, context)
        return
    actor = await _actor(update, context)
    broadcast_id = int(rest[0])
    try:
        if action == "who":
            names = await broadcasts.unreachable_names(context.session, actor, broadcast_id)
            await query.answer()
            lines = [t("These people could not be reached. They may have blocked the bot.")]
            lines += [escape(n) for n in names[:100]]
            await reply(update, "\n".join(lines))
            return
        cancelled = await broadcasts.cancel(
            context.session, actor, broadcast_id, now=context.runtime.clock.now()
        )
    except NotAllowed:
        await answer_expired(query, context)
        return
    await context.session.commit()
    await query.answer()
    if cancelled:
        await remove_buttons(query, context)
    await reply(
        update,
        t("Cancelled. Nobody will get it.")
        if cancelled
        else t("It has already started, so it cannot be cancelled."),
    )


# ------------------------------------------------------------------------------ /menu


async def show_latest(update: Update, context: PanelContext) -> None:
    """The newest broadcast this member got, so it is always easy to find again."""
    member = context.member
    if member is None:
        return
    found = await broadcasts.latest_for(context.session, member.id)
    if found is None:
        return
    broadcast, sent_at = found
    language = member.language or "en"
    copy = copy_for(broadcast, language, member.easy_read)
    t = translator(language, member.easy_read)
    zone = await _zone(context, broadcast.audience)
    heading = t("Latest news, sent {when}:", when=t.datetime(sent_at, zone, style="medium"))
    delivery = context.runtime.delivery
    assert delivery is not None and update.effective_chat is not None
    await reply(update, heading)
    await delivery.send_now(update.effective_chat.id, copy)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    busy = _Broadcasting()
    return [
        CommandHandler("broadcast", new_broadcast, filters=private),
        CommandHandler("broadcasts", list_broadcasts, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^bc:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & busy, on_text),
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & busy, on_file),
    ]
