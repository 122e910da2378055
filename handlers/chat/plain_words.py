"""Plain words, shared by every feature that lets coordinators write to members: the note for
someone who is not a coordinator, the plain-language report shown before a text goes out, and
the "What does ... mean?" buttons under a coordinator's message (they open the glossary's
explanation: handlers/glossary)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton

from bot.i18n import N_, Translator
from bot.services import glossary, plain_language
from handlers.chat.common import button
from handlers.chat.shared_buttons import ShowWord

NO_PANEL_ROLE = N_("Only coordinators can do this. If you need help, ask your coordinator.")


def show_word_data(entry_id: str) -> str:
    """The button that shows a glossary entry."""
    return ShowWord(entry_id).pack()


def explain_buttons(
    t: Translator, entry_ids: list[str], language: str
) -> list[list[InlineKeyboardButton]]:
    """'What does ... mean?' buttons for terms found in a coordinator's message."""
    rows = []
    for entry_id in entry_ids[:5]:
        found = glossary.load().get(entry_id, language)
        if found:
            label = t("What does {term} mean?", term=found[0].term)
            rows.append([button(label[:60], show_word_data(entry_id))])
    return rows


def plain_language_report(t: Translator, report: plain_language.Report) -> str:
    """The short report coordinators see before their text goes to members, in their language."""
    if report.clear:
        lines = [t("This reads well. I found no jargon and no long sentences.")]
    else:
        lines = [t("Some things may be hard for members:")]
        if report.jargon:
            lines.append(t("Jargon: {words}", words=", ".join(escape(w) for w in report.jargon)))
        if report.abbreviations:
            lines.append(
                t(
                    "Abbreviations: {words}",
                    words=", ".join(escape(a) for a in report.abbreviations),
                )
            )
        if report.long_sentences:
            lines.append(
                t.ngettext(
                    "{n} sentence is over 20 words.",
                    "{n} sentences are over 20 words.",
                    len(report.long_sentences),
                )
            )
        if report.hard_words:
            lines.append(
                t("Hard words: {words}", words=", ".join(escape(w) for w in report.hard_words[:8]))
            )
    if report.reading_ease is not None:
        lines.append(
            t(
                "Reading ease: {score} out of 100. Aim for 70 or more.",
                score=f"{report.reading_ease:.0f}",
            )
        )
    elif report.language not in plain_language.SCORED_LANGUAGES:
        lines.append(t("Reading ease is only scored for English."))
    return "\n".join(lines)
