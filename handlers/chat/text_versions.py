"""Shared pieces for coordinators' own words in other languages (polls, meetings, "You said, we
did"): the language buttons, what to type for each field, and the plain "not translated" mark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton

from bot.i18n import N_, Translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services.text_versions import Words
from handlers.chat.common import button

NOT_TRANSLATED = N_("(Not translated: this is the coordinator's own words in {language}.)")
ADD = N_("Add a version in another language")
PROMPTS = {
    "question": N_("Type the question in {language}."),
    "options": N_("Type the choices in {language} with a comma between them, in the same order."),
    "title": N_("Type the meeting title in {language}."),
    "agenda": N_("Type what you will talk about in {language}."),
    "address": N_("Type the address and how to get there in {language}."),
    "text": N_("Type your message in {language}."),
}
WRONG_COUNT = N_("Please type the same number of choices as before, with a comma between them.")


def not_translated(t: Translator, words: Words) -> list[str]:
    """A short line, in the member's language, before an original they may not read."""
    if words.untranslated_from is None:
        return []
    name = LANGUAGE_NAMES.get(words.untranslated_from, words.untranslated_from)
    return [
        t("(Not translated: this is the coordinator's own words in {language}.)", language=name)
    ]


def language_rows(
    t: Translator,
    added: dict[str, Any],
    original: str,
    data: Callable[[str], str],
    done: str,
) -> list[list[InlineKeyboardButton]]:
    """One button per launch language (a tick where a version exists), then Done."""
    rows = [
        [button(("✓ " if code in added else "") + LANGUAGE_NAMES[code], data(code))]
        for code in LAUNCH_LANGUAGES
        if code != original
    ]
    rows.append([button(t("Done"), done)])
    return rows


def which_language(t: Translator) -> str:
    return "\n".join(
        [
            t("Which language?"),
            t("People who speak it get that version. Everyone else gets your words."),
        ]
    )


def prompt(t: Translator, field: str, language: str) -> str:
    return t(PROMPTS[field], language=LANGUAGE_NAMES[language])
