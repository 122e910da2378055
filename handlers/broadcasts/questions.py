"""The news form's questions, each asked the same way whether it comes next, after Back, or when
a coordinator carries on with news they left: who, the message, its plain-language check, other
languages, important or not, when, and the preview with Send.

Every question ends with the form engine's row (Back from the second question on, and Stop)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Broadcast
from bot.i18n import N_, Translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import broadcast_audience, glossary, plain_language
from bot.services.access import NotAllowed
from bot.services.broadcast_audience import Audience, InvalidBroadcast
from handlers import forms
from handlers.broadcasts.buttons import (
    COMPOSING,
    NewsChoice,
    NewsImportant,
    NewsLanguage,
    NewsPanel,
    NewsVersion,
)
from handlers.broadcasts.copies import copy_for
from handlers.broadcasts.shared import (
    REFUSED,
    actor,
    coordinated,
    when_words,
    zone,
)
from handlers.chat.button_data import ButtonData, read
from handlers.chat.common import button, reply
from handlers.chat.plain_words import plain_language_report

Answers = dict[str, Any]
WHO, TEXT, CHECK, VERSIONS, TYPING = "who", "text", "check", "versions", "tr:"
IMPORTANT, WHEN, AT, CONFIRM = "important", "when", "at", "confirm"
WHEN_HELP = N_("Type the day and time, like 25/12 14:30 or tomorrow 9am.")


def tapped(update: Update) -> ButtonData | None:
    """Which of the news form's own buttons this update is a tap on, if any."""
    query = update.callback_query
    return read(query.data, *COMPOSING) if query else None


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows)


async def ask(
    update: Update, context: PanelContext, form: forms.Form, step: str, answers: Answers
) -> None:
    t = context.t
    last = forms.back_and_stop(t, form, answers)
    if step == WHO:
        await ask_who(update, context, form, answers)
    elif step == TEXT:
        lines = [
            t("Type your message."),
            t("You can also send a photo or a file, with your words under it."),
        ]
        await reply(update, "\n".join(lines), reply_markup=_markup([last]))
    elif step == CHECK:
        await _ask_check(update, context, form, answers)
    elif step == VERSIONS:
        await _ask_versions(update, t, answers, last)
    elif step.startswith(TYPING):
        language = LANGUAGE_NAMES.get(step.removeprefix(TYPING), "")
        # Back from here is back to the list of languages, which the trail does not hold: the
        # list and this question are one step of the form (typing a version returns to it).
        row = [button(t("Back"), NewsChoice("vlist").pack()), *forms.stop_buttons(t, form)]
        text = t("Type your message in {language}.", language=language)
        await reply(update, text, reply_markup=_markup([row]))
    elif step == IMPORTANT:
        rows = [
            [button(t("Yes, it is important"), NewsImportant("y").pack())],
            [button(t("No"), NewsImportant("n").pack())],
            last,
        ]
        text = "\n".join(
            [
                t("Is this message important?"),
                t(
                    "Important messages reach people in their quiet hours, "
                    "and if they turned news off."
                ),
            ]
        )
        await reply(update, text, reply_markup=_markup(rows))
    elif step == WHEN:
        rows = [
            [
                button(t("Send now"), NewsChoice("now").pack()),
                button(t("Choose a time"), NewsChoice("later").pack()),
            ]
        ]
        await reply(update, t("When should it go?"), reply_markup=_markup([*rows, last]))
    elif step == AT:
        await reply(update, t(WHEN_HELP), reply_markup=_markup([last]))
    elif step == CONFIRM:
        await _ask_confirm(update, context, form, answers)


async def ask_who(
    update: Update, context: PanelContext, form: forms.Form, answers: Answers
) -> None:
    t = context.t
    panels = await coordinated(update, context)
    chosen = set(answers.get("panels") or [])
    rows = [
        [button(("✓ " if pid in chosen else "") + name[:50], NewsPanel(pid).pack())]
        for pid, name in panels[:20]
    ]
    rows.append([button(t("People invited to a meeting"), NewsChoice("meet").pack())])
    rows.append([button(t("People who speak a language"), NewsChoice("lang").pack())])
    rows.append([button(t("Next"), NewsChoice("next").pack())])
    rows.append(forms.back_and_stop(t, form, answers))
    text = "\n".join(
        [t("Who should get your message?"), t("Tap the panels, then Next.")]
        + (
            [t("Only people who speak {language}.", language=LANGUAGE_NAMES[answers["language"]])]
            if answers.get("language")
            else []
        )
    )
    query = update.callback_query
    if query and query.message and isinstance(tapped(update), NewsPanel | NewsLanguage):
        # A panel or a language chosen: the question changes where it is.
        await query.edit_message_text(text, reply_markup=_markup(rows))
    else:
        await reply(update, text, reply_markup=_markup(rows))


async def _ask_check(
    update: Update, context: PanelContext, form: forms.Form, answers: Answers
) -> None:
    t = context.t
    report = plain_language.check(answers.get("text") or "", glossary.load(), t.language)
    last = forms.back_and_stop(t, form, answers)
    choices = [button(t("Send anyway"), NewsChoice("anyway").pack())]
    if len(last) == 2:
        # Going back from the check is editing the message: one button, named for what it does.
        back, stop = last
        choices.insert(0, button(t("Edit"), str(back.callback_data)))
        last = [stop]
    await reply(update, plain_language_report(t, report), reply_markup=_markup([choices, last]))


async def _ask_versions(
    update: Update, t: Translator, answers: Answers, last: list[InlineKeyboardButton]
) -> None:
    added = answers.get("translations") or {}
    rows = [
        [button(("✓ " if code in added else "") + LANGUAGE_NAMES[code], NewsVersion(code).pack())]
        for code in LAUNCH_LANGUAGES
    ]
    rows += [[button(t("Next"), NewsChoice("vdone").pack())], last]
    text = "\n".join(
        [
            t("Do you want to add your message in another language?"),
            t("People who speak it get that version. Everyone else gets your message."),
        ]
    )
    await reply(update, text, reply_markup=_markup(rows))


async def _ask_confirm(
    update: Update, context: PanelContext, form: forms.Form, answers: Answers
) -> None:
    """Each version exactly as members will get it, then the summary with Send. (Asking for a
    copy or not changes only the summary, where it is.)"""
    t = context.t
    if tapped(update) == NewsChoice("own") and update.callback_query is not None:
        text, markup = await summary(context, form, answers)
        await update.callback_query.edit_message_text(text, reply_markup=markup)
        return
    try:
        await broadcast_audience.check_audience(
            context.session, await actor(update, context), Audience.from_json(answers)
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
    text, markup = await summary(context, form, answers)
    await reply(update, text, reply_markup=markup)


async def summary(
    context: PanelContext, form: forms.Form, answers: Answers
) -> tuple[str, InlineKeyboardMarkup]:
    """Who it goes to, when, whether it is important and whether the sender gets a copy."""
    t = context.t
    audience = Audience.from_json(answers)
    people = await broadcast_audience.count_recipients(
        context.session, audience, sender=context.member.id if context.member else None
    )
    where = await zone(context, answers)
    lines = [
        t.ngettext("It will go to {n} person.", "It will go to {n} people.", people),
        t("When: {when}", when=when_words(t, answers.get("send_at"), where)),
        t("Important: {answer}", answer=t("Yes") if answers.get("important") else t("No")),
        t("A copy for you: {answer}", answer=t("Yes") if audience.own_copy else t("No")),
    ]
    lines += _version_checks(t, answers)
    own = t("No copy for me") if audience.own_copy else t("Send me a copy too")
    rows = [
        [button(t("Send"), NewsChoice("send").pack())],
        [button(own, NewsChoice("own").pack())],
        forms.back_and_stop(t, form, answers),
    ]
    return "\n".join(lines), _markup(rows)


def _version_checks(t: Translator, answers: Answers) -> list[str]:
    """The plain-language check of each other-language version, in the coordinator's language.
    (The main message was checked when it was typed.)"""
    lines: list[str] = []
    for language, text in (answers.get("translations") or {}).items():
        report = plain_language.check(text, glossary.load(), language)
        lines += ["", t("Check of the {language} version:", language=LANGUAGE_NAMES[language])]
        lines.append(plain_language_report(t, report))
    return lines


def _sample(answers: Answers) -> Broadcast:
    return Broadcast(
        text=answers.get("text") or "",
        translations=answers.get("translations") or {},
        media_kind=answers.get("media_kind"),
        media_file_id=answers.get("media_file_id"),
        terms=glossary.load().find_in_text(answers.get("text") or "")[:5],
    )
