"""/newpoll after the preview: the question and choices in other languages.

    preview -> Add a version in another language -> language -> question -> (choices) -> preview

The versions wait in the poll's draft (`translations`: language -> {"question", "options"}) and
are stored by `bot.services.text_versions` when the poll is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect as sa_inspect
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Poll
from bot.i18n import N_, Translator, translator
from bot.languages import LANGUAGE_NAMES
from bot.services import glossary, plain_language, poll_rules
from handlers.chat import text_versions as versions
from handlers.chat.common import reply
from handlers.chat.plain_words import plain_language_report
from handlers.polls.messages import button_lines, question_text

QUESTION_PROBLEM = N_("Please type a question of up to 300 letters.")


async def ask(
    update: Update,
    context: PanelContext,
    step: str,
    answers: dict[str, Any],
    data: Callable[..., str],
    last_row: list[InlineKeyboardButton],
) -> None:
    """Ask a version step; `last_row` is the form's Back and Stop."""
    t = context.t
    if step == "vlang":
        rows = versions.language_rows(
            t,
            answers.get("translations") or {},
            t.language,
            lambda code: data(step, code),
            data(step, "done"),
        )
        rows.append(last_row)
        await reply(update, versions.which_language(t), reply_markup=InlineKeyboardMarkup(rows))
        return
    field = "question" if step == "vq" else "options"
    await reply(
        update,
        versions.prompt(t, field, str(answers.get("vlang") or "en")),
        reply_markup=InlineKeyboardMarkup([last_row]),
    )


async def take(
    update: Update, context: PanelContext, step: str, text: str, answers: dict[str, Any]
) -> dict[str, Any] | None:
    """The question, then (for choices) the choices, in the language chosen after the preview.
    Returns the draft's new `translations`, or None after a kind reply when the text is wrong."""
    t = context.t
    language = str(answers.get("vlang") or "")
    if language not in LANGUAGE_NAMES:
        return None
    added = dict(answers.get("translations") or {})
    words = dict(added.get(language) or {})
    if step == "vq":
        question = " ".join(text.split())
        if not question or len(question) > poll_rules.MAX_QUESTION:
            await reply(update, t(QUESTION_PROBLEM))
            return None
        words["question"] = question
    else:
        options = poll_rules.parse_options(text)
        if len(options) != len(answers.get("options") or ()) or any(
            len(o) > poll_rules.MAX_OPTION for o in options
        ):
            await reply(update, t(versions.WRONG_COUNT))
            return None
        words["options"] = "\n".join(options)
    added[language] = words
    return added


def _copy(poll: Poll, words: dict[str, Any]) -> Poll:
    """An unsaved poll with the version's words; choices only when there are as many."""
    fields = {c.key: getattr(poll, c.key) for c in sa_inspect(Poll).column_attrs}
    options = list(poll_rules.parse_options(str(words.get("options") or "")))
    fields["question"] = str(words.get("question") or poll.question)
    if len(options) == len(poll.options):
        fields["options"] = options
    return Poll(**fields)


def previews(t: Translator, unsaved: Poll, added: dict[str, Any], zone: str) -> list[str]:
    """Each other-language version as its readers will see it, with its plain-language check."""
    texts = []
    for language, words in added.items():
        if language not in LANGUAGE_NAMES:
            continue
        name = LANGUAGE_NAMES[language]
        version = _copy(unsaved, words)
        checked = "\n".join([version.question, *version.options])
        report = plain_language.check(checked, glossary.load(), language)
        lines = [t("This is what people who speak {language} will see:", language=name), ""]
        theirs = translator(language)
        lines += [question_text(theirs, version, zone), "", *button_lines(theirs, version), ""]
        lines += [t("Check of the {language} version:", language=name)]
        lines.append(plain_language_report(t, report))
        texts.append("\n".join(lines))
    return texts
