""" "You said, we did": after the coordinator types it, a preview with the plain-language check,
then Send, Edit, or a version in another language, before it goes to everyone who was asked.

    (results) Share -> type -> preview -+-> Send
                                        +-> Edit -> type -> preview
                                        +-> Add a version -> language -> type -> preview

The draft (kind "we_did") keeps the poll, the text and `translations` (language -> text); the
person's `conversation_step` ("wedid:<step>") sends their typed words here.
"""

from __future__ import annotations

import contextlib
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.i18n import N_, Translator, translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import (
    access,
    drafts,
    glossary,
    plain_language,
    poll_results,
    profile,
    text_versions,
)
from bot.services.access import NotAllowed
from bot.services.poll_rules import PollError
from handlers import text_versions as versions
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

FEATURE, VERSION, KIND, PREFIX = "wd", 1, "we_did", "wedid:"
FORM = register(Form(name=KIND, prefix=PREFIX, stopped=N_("OK. Nothing was sent."), draft=True))
MAX_TEXT = 2000
TOO_LONG = N_("Please type a message of up to 2000 letters.")
TAP_PLEASE = N_("Please tap one of the buttons above.")
NOTHING_SENT = N_("OK. Nothing was sent.")
HEADING = N_("<b>You said, we did:</b>")
# The same words as handlers/polls.py (which imports this module, so it cannot be imported here).
NOT_SHAREABLE = N_(
    "These results cannot go to members. Too few people answered, or everyone gave the same "
    "answer. Then members could tell what each person said."
)


def _data(*args: str | int) -> str:
    return callback_data(FEATURE, VERSION, *args)


async def _save(context: PanelContext, step: str, **changes: Any) -> dict[str, Any]:
    member = context.member
    assert member is not None
    draft = await drafts.save(
        context.session, member.id, KIND, step=step, now=context.runtime.clock.now(), **changes
    )
    await profile.set_step(context.session, member.telegram_id, PREFIX + step)
    await context.session.commit()
    return dict(draft.data or {})


async def start(update: Update, context: PanelContext, poll_id: int, text: str) -> None:
    """The coordinator typed their message (polls' share step): show it before it goes."""
    answers = await _save(context, "preview", poll_id=poll_id, text=text, translations={})
    await _preview(update, context, answers)


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
        [button(t("Send"), _data("send"))],
        [button(t("Edit"), _data("edit"))],
        [button(t(versions.ADD), _data("lang"))],
        [button(t("Cancel"), _data("stop"))],
    ]
    for message in messages[:-1]:
        await reply(update, message)
    await reply(update, messages[-1], reply_markup=InlineKeyboardMarkup(rows))


async def _end(context: PanelContext) -> None:
    member = context.member
    assert member is not None
    await drafts.discard(context.session, member.id, KIND)
    await profile.set_step(context.session, member.telegram_id, None)
    await context.session.commit()


async def _send(update: Update, context: PanelContext, answers: dict[str, Any]) -> None:
    t = context.t
    assert update.effective_user is not None
    actor = await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )
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
        await _end(context)
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
    await _end(context)
    await reply(
        update,
        t.ngettext(
            "Sent. {n} person will get the results.",
            "Sent. {n} people will get the results.",
            count,
        ),
    )


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    member = context.member
    draft = await drafts.get(context.session, member.id, KIND) if member else None
    if not args or draft is None:
        # Only a coordinator who typed "You said, we did" has a draft: from anyone who
        # coordinates nothing, the tap is forged.
        assert update.effective_user is not None
        actor = await access.actor_for(
            context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
        )
        if not await access.coordinated_panels(context.session, actor):
            access.refuse(context.session, actor, "wd:" + "".join(args or [])[:20])
        await answer_expired(query, context)
        return
    t, answers = context.t, dict(draft.data or {})
    await query.answer()
    with contextlib.suppress(BadRequest):
        await remove_buttons(query, context)
    action, rest = args[0], args[1:]
    if action == "send":
        await _send(update, context, answers)
    elif action == "edit":
        await _save(context, "text")
        await reply(update, t("What will you do because of these answers? Type a short message."))
    elif action == "lang":
        answers = await _save(context, "preview")
        rows = versions.language_rows(
            t,
            answers.get("translations") or {},
            t.language,
            lambda c: _data("vl", c),
            _data("vdone"),
        )
        await reply(update, versions.which_language(t), reply_markup=InlineKeyboardMarkup(rows))
    elif action == "vl" and rest and rest[0] in LAUNCH_LANGUAGES:
        await _save(context, "version", vlang=rest[0])
        await reply(update, versions.prompt(t, "text", rest[0]))
    elif action == "stop":
        await _end(context)
        await reply(update, t(NOTHING_SENT))
    else:  # "vdone", or a tap this step does not expect: show the preview again
        await _preview(update, context, await _save(context, "preview"))


class _Writing(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and (member.conversation_step or "").startswith(PREFIX))


async def on_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None
    t = context.t
    draft = await drafts.get(context.session, member.id, KIND)
    text = (message.text or "").strip()
    if draft is None or text.casefold() == "/cancel":
        await _end(context)
        await reply(update, t(NOTHING_SENT))
        return
    answers = dict(draft.data or {})
    if draft.step not in ("text", "version"):
        await reply(update, t(TAP_PLEASE))
        return
    if not text or len(text) > MAX_TEXT:
        await reply(update, t(TOO_LONG))
        return
    if draft.step == "text":
        answers = await _save(context, "preview", text=text)
    else:
        language = str(answers.get("vlang") or "")
        added = {**(answers.get("translations") or {}), language: text}
        answers = await _save(context, "preview", translations=added)
    await _preview(update, context, answers)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    typed = ~filters.COMMAND | filters.Regex(r"^/cancel\b")
    return [
        CallbackQueryHandler(on_button, pattern=r"^wd:"),
        MessageHandler(private & filters.TEXT & typed & _Writing(), on_text),
    ]
