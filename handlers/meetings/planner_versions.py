"""/newmeeting after the preview: the title, agenda and address in other languages.

    preview -> Add a version in another language -> language -> title -> (agenda) -> (address)
            -> preview

The draft stays at the preview step; `vlang` and `vfield` in it say which language and which
words are being typed, and `translations` (language -> {field: text}) keeps the versions until the
meeting is sent and `bot.services.text_versions` stores them.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Meeting
from bot.i18n import N_, Translator, translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import drafts, glossary, plain_language
from bot.services.meeting_rules import MAX_TITLE
from handlers.chat import text_versions as versions
from handlers.chat.common import reply
from handlers.chat.plain_words import plain_language_report
from handlers.meetings.button_records import PlannerAnswer, PlannerLanguage
from handlers.meetings.messages import invitation_text, with_words
from handlers.meetings.planner_rules import KIND, MAX_AGENDA, MAX_PLACE, Step, data

TOO_LONG = N_("That is too long. Please type it again, in fewer words.")
LIMITS = {"title": MAX_TITLE, "agenda": MAX_AGENDA, "address": MAX_PLACE}


def fields(answers: dict[str, Any]) -> list[str]:
    """The coordinator's own words this meeting has, in the order they are asked."""
    return [name for name in LIMITS if name == "title" or answers.get(name)]


async def _save(context: PanelContext, **changes: Any) -> dict[str, Any]:
    member = context.member
    assert member is not None
    draft = await drafts.save(
        context.session,
        member.id,
        KIND,
        step=Step.PREVIEW.value,
        now=context.runtime.clock.now(),
        **changes,
    )
    await context.session.commit()
    return dict(draft.data or {})


async def on_button(
    update: Update, context: PanelContext, tapped: PlannerAnswer | PlannerLanguage
) -> bool:
    """Taps on "Add a version" and the language buttons. False when the tap means something else
    (then the caller's preview is shown again)."""
    t = context.t
    if tapped == PlannerAnswer(Step.PREVIEW, "lang"):
        answers = await _save(context, vfield=None)
        rows = versions.language_rows(
            t,
            answers.get("translations") or {},
            t.language,
            lambda code: PlannerLanguage(code).pack(),
            data(Step.PREVIEW, "vdone"),
        )
        await reply(update, versions.which_language(t), reply_markup=InlineKeyboardMarkup(rows))
        return True
    if isinstance(tapped, PlannerLanguage) and tapped.language in LAUNCH_LANGUAGES:
        await _save(context, vlang=tapped.language, vfield="title")
        await reply(update, versions.prompt(t, "title", tapped.language))
        return True
    if tapped == PlannerAnswer(Step.PREVIEW, "vdone"):
        await _save(context, vfield=None)
    return False


async def take(update: Update, context: PanelContext, answers: dict[str, Any], text: str) -> bool:
    """One typed field of a version. True when all its fields are in (show the preview again)."""
    t = context.t
    field, language = str(answers.get("vfield")), str(answers.get("vlang") or "")
    if field not in LIMITS or language not in LAUNCH_LANGUAGES:
        await _save(context, vfield=None)
        return True
    words = " ".join(text.split()) if field == "title" else text.strip()
    if not words or len(words) > LIMITS[field]:
        await reply(update, t(TOO_LONG))
        return False
    added = dict(answers.get("translations") or {})
    added[language] = {**(added.get(language) or {}), field: words}
    asked = fields(answers)
    following = asked[asked.index(field) + 1] if asked.index(field) + 1 < len(asked) else None
    await _save(context, translations=added, vfield=following)
    if following is None:
        return True
    await reply(update, versions.prompt(t, following, language))
    return False


def previews(t: Translator, meeting: Meeting, answers: dict[str, Any], zone: str) -> list[str]:
    """Each other-language invitation as its readers will see it, with its plain-language check."""
    texts = []
    for language, words in (answers.get("translations") or {}).items():
        if language not in LANGUAGE_NAMES:
            continue
        name = LANGUAGE_NAMES[language]
        version = with_words(meeting, dict(words))
        checked = "\n".join(part for part in (version.title, version.agenda) if part)
        report = plain_language.check(checked, glossary.load(), language)
        lines = [t("This is what people who speak {language} will see:", language=name), ""]
        lines += [invitation_text(translator(language), version, zone), ""]
        lines += [t("Check of the {language} version:", language=name)]
        lines.append(plain_language_report(t, report))
        texts.append("\n".join(lines))
    return texts
