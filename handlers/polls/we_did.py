""" "You said, we did": after the coordinator types it, a preview with the plain-language check,
then Send, Edit, or a version in another language, before it goes to everyone who was asked.

    (results) Share -> type -> preview -+-> Send
                                        +-> Edit -> type -> preview
                                        +-> Add a version -> language -> type -> preview

A form on the engine (handlers/forms): the draft (kind "we_did") keeps the poll, the text and
`translations` (language -> text), so a menu tap or a restart loses nothing. Back and Stop are
the engine's; Stop asks first, as the message would be lost.
"""

from __future__ import annotations

import contextlib
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import PanelContext
from bot.i18n import N_, Translator, translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import access, drafts, glossary, plain_language, poll_results, text_versions
from bot.services.access import NotAllowed
from bot.services.poll_rules import PollError
from handlers import forms
from handlers.chat import text_versions as versions
from handlers.chat.button_data import read
from handlers.chat.common import (
    answer_expired,
    button,
    remove_buttons,
    reply,
)
from handlers.chat.plain_words import NO_PANEL_ROLE, plain_language_report
from handlers.forms import Accepts, Form, Step
from handlers.polls.asked import actor_of, results_command
from handlers.polls.buttons import WE_DID, WeDidLanguage, WeDidTap

KIND, PREFIX = "we_did", "wedid:"
MAX_TEXT = 2000
TOO_LONG = N_("Please type a message of up to 2000 letters.")
TAP_PLEASE = N_("Please tap one of the buttons above.")
HEADING = N_("<b>You said, we did:</b>")
WRITE_WE_DID = N_("What will you do because of these answers? Type a short message.")
NOT_SHAREABLE = N_(
    "These results cannot go to members. Too few people answered, or everyone gave the same "
    "answer. Then members could tell what each person said."
)


async def start(update: Update, context: PanelContext, poll_id: int, text: str) -> None:
    """The coordinator typed their message (results' share step): show it before it goes."""
    await forms.go(update, context, FORM, "preview", poll_id=poll_id, text=text, translations={})


def _block(t: Translator, text: str) -> str:
    return "\n".join([t(HEADING), escape(text)])


async def _preview(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    text = str(answers.get("text") or "")
    report = plain_language.check(text, glossary.load(), t.language)
    lines = [t("This is what members will see:"), "", _block(t, text), ""]
    lines.append(plain_language_report(t, report))
    messages = ["\n".join(lines)]
    for language, version in (answers.get("translations") or {}).items():
        if language not in LANGUAGE_NAMES:
            continue
        name = LANGUAGE_NAMES[language]
        check = plain_language.check(version, glossary.load(), language)
        lines = [t("This is what people who speak {language} will see:", language=name), ""]
        lines += [_block(translator(language), version), ""]
        lines += [t("Check of the {language} version:", language=name)]
        lines.append(plain_language_report(t, check))
        messages.append("\n".join(lines))
    rows = [
        [button(t("Send"), WeDidTap("send").pack())],
        [button(t("Edit"), WeDidTap("edit").pack())],
        [button(t(versions.ADD), WeDidTap("lang").pack())],
        forms.back_and_stop(t, FORM, answers),
    ]
    for message in messages[:-1]:
        await reply(update, message)
    await reply(update, messages[-1], reply_markup=InlineKeyboardMarkup(rows))


async def ask(update: Update, context: PanelContext, step: str, answers: dict[str, Any]) -> None:
    t = context.t
    last_row = forms.back_and_stop(t, FORM, answers)
    if step == "text":
        await reply(update, t(WRITE_WE_DID), reply_markup=InlineKeyboardMarkup([last_row]))
    elif step == "vlang":
        rows = versions.language_rows(
            t,
            answers.get("translations") or {},
            t.language,
            lambda c: WeDidLanguage(c).pack(),
            WeDidTap("vdone").pack(),
        )
        rows.append(last_row)
        await reply(update, versions.which_language(t), reply_markup=InlineKeyboardMarkup(rows))
    elif step == "version":
        language = str(answers.get("vlang") or "en")
        prompt = versions.prompt(t, "text", language)
        await reply(update, prompt, reply_markup=InlineKeyboardMarkup([last_row]))
    else:
        await _preview(update, context, answers)


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    actor = await actor_of(context, update)
    poll_id = int(answers.get("poll_id") or 0)
    try:
        count = await poll_results.share(
            context.session,
            actor,
            poll_id,
            str(answers.get("text") or ""),
            now=context.runtime.clock.now(),
        )
    except (NotAllowed, PollError) as error:
        await context.session.rollback()
        await forms.discard(context, FORM)
        shareable = not isinstance(error, PollError) or error.code != "not_shareable"
        await reply(update, t(NO_PANEL_ROLE if shareable else NOT_SHAREABLE))
        return
    added = answers.get("translations") or {}
    await text_versions.save(
        context.session,
        text_versions.WE_DID,
        poll_id,
        original=t.language,
        versions={language: {"text": text} for language, text in added.items()},
    )
    await forms.discard(context, FORM)
    await reply(
        update,
        t.ngettext(
            "Sent. {n} person will get the results.",
            "Sent. {n} people will get the results.",
            count,
        ),
    )


def _said(tapped: WeDidTap | WeDidLanguage | None) -> str:
    """What a refused tap asked for, for the record."""
    if isinstance(tapped, WeDidLanguage):
        return "vl" + tapped.language
    return tapped.choice if tapped else ""


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, WeDidTap, WeDidLanguage)
    member = context.member
    draft = await drafts.get(context.session, member.id, KIND) if member else None
    if tapped is None or draft is None:
        # Only a coordinator who typed "You said, we did" has a draft: from anyone who
        # coordinates nothing, the tap is forged.
        actor = await actor_of(context, update)
        if not await access.coordinated_panels(context.session, actor):
            access.refuse(context.session, actor, "wd:" + _said(tapped))
        await answer_expired(query, context)
        return
    answers = dict(draft.data or {})
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)
    if tapped == WeDidTap("send"):
        await _send(update, context, answers)
    elif tapped == WeDidTap("edit"):
        await forms.go(update, context, FORM, "text")
    elif tapped == WeDidTap("lang"):
        await forms.go(update, context, FORM, "vlang")
    elif isinstance(tapped, WeDidLanguage) and tapped.language in LAUNCH_LANGUAGES:
        await forms.go(update, context, FORM, "version", vlang=tapped.language)
    else:  # "vdone", or a tap this step does not expect: show the preview again
        await forms.go(update, context, FORM, "preview", remember=draft.step != "preview")


async def receive(update: Update, context: PanelContext, step: str) -> None:
    """Typed words while "You said, we did" is open (the engine's one message handler)."""
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None
    t = context.t
    draft = await drafts.get(context.session, member.id, KIND)
    text = (message.text or "").strip()
    if draft is None:
        await forms.discard(context, FORM)
        await reply(update, t(FORM.stopped))
        return
    answers = dict(draft.data or {})
    if draft.step not in ("text", "version"):
        await reply(update, t(TAP_PLEASE))
        return
    if not text or len(text) > MAX_TEXT:
        await reply(update, t(TOO_LONG))
        return
    if draft.step == "text":
        await forms.go(update, context, FORM, "preview", text=text)
    else:
        language = str(answers.get("vlang") or "")
        added = {**(answers.get("translations") or {}), language: text}
        await forms.go(update, context, FORM, "preview", translations=added)


FORM = forms.register(
    Form(
        name=KIND,
        prefix=PREFIX,
        stopped=N_("OK. Nothing was sent."),
        draft=True,
        steps=(
            Step("preview", Accepts.TAP, N_("Add a version in another language")),
            Step("vlang", Accepts.TAP, "Polski"),
            Step("version", Accepts.TEXT, "Będziemy się spotykać w poniedziałki."),
            Step("text", Accepts.TEXT, "We will meet on Mondays."),  # after Edit
        ),
        receive=receive,
        ask=ask,
        start=results_command,  # Start again: choose the question again
        kept=N_("Your message is saved. Type /results and tap Share with the panel to carry on."),
        carry_on=N_(
            'You have a "You said, we did" message you did not finish. '
            "Do you want to carry on with it?"
        ),
        really_stop=N_("Stop now? Your message will not be sent, and it will not be kept."),
        worth_keeping=lambda answers: bool(answers.get("text")),
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=rf"^{WE_DID}:")]
