"""Explain a word: /explain, the menu button ("Explain a word", a one-step form held in memory:
bot.services.anonymous), the explanation with its related words, and inline mode.
Buttons: "gl:1:show:<entry id>" shows an entry, "gl:1:ask:<entry id>" asks a coordinator."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)

from bot.context import PanelContext
from bot.i18n import N_, Translator
from bot.languages import LANGUAGE_NAMES
from bot.services import glossary, jargon
from bot.services.anonymous import HeldWord
from bot.services.glossary import Entry, normalise
from bot.services.jargon import Explanation
from handlers import forms
from handlers.chat.button_data import read
from handlers.chat.common import answer_expired, button, reply
from handlers.chat.menu_labels import EXPLAIN
from handlers.chat.plain_words import show_word_data
from handlers.chat.shared_buttons import AskAboutWord, ShowWord
from handlers.forms import Accepts, Form, Step, Where, register
from handlers.forms.form import Answers
from handlers.glossary import questions

ASKING_WORD = "explain"  # the whole held step: the form has one question, with no name
WHICH_WORD = N_("Which word would you like me to explain? Type it.")


def _render(
    t: Translator, explanation: Explanation, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    if explanation.panel_term is not None:
        term = explanation.panel_term
        text = "\n".join(
            [
                f"<b>{escape(term.term)}</b>",
                escape(term.definition),
                "",
                t("This explanation was written by your panel."),
            ]
        )
        return text, None
    entry = explanation.entry
    assert entry is not None
    return render_entry(t, entry, explanation.fallback, language)


def render_entry(
    t: Translator, entry: Entry, fallback: bool, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    lines = []
    if fallback:
        lines += [
            t(
                "This word is not in {language} yet, so here it is in English.",
                language=LANGUAGE_NAMES[language],
            ),
            "",
        ]
    lines += [f"<b>{escape(entry.term)}</b>", escape(entry.definition)]
    if entry.example:
        lines += ["", t("For example: {example}", example=escape(entry.example))]
    rows = []
    for related_id in entry.related[:3]:
        found = glossary.load().get(related_id, language)
        if found:
            rows.append([button(found[0].term[:60], show_word_data(related_id))])
    ask_data = AskAboutWord(entry.id).pack()
    rows.append([button(t("I still don't understand"), ask_data)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def explain(update: Update, context: PanelContext, word: str) -> None:
    """Explain `word`. Only a word asked for here (after /explain or "Explain a word") can be
    counted as missing: menu taps and commands never reach this (handlers/forms/rules.py)."""
    t = context.t
    user = update.effective_user
    assert user is not None
    language = context.scope.language or "en"
    panels = list(context.member.panel_ids) if context.member else []
    explanation = await jargon.explain(
        context.session,
        glossary.load(),
        word,
        language=language,
        panel_ids=panels,
        now=context.runtime.clock.now(),
        count=False,
    )
    key = normalise(word)
    if explanation.entry is None and explanation.panel_term is None and key and panels:
        # Counted later with other people's words (bot.services.anonymous): never who asked.
        context.runtime.hold.add_word(HeldWord(tuple(panels), key, user.id))
    if explanation.found:
        text, markup = _render(t, explanation, language)
        await reply(update, text, reply_markup=markup)
    elif explanation.suggestions:
        rows = [
            [button(entry.term[:60], show_word_data(entry.id))] for entry in explanation.suggestions
        ]
        await reply(
            update,
            t("I am not sure which word you mean. Did you mean one of these?"),
            reply_markup=InlineKeyboardMarkup(rows),
        )
    else:
        await reply(
            update,
            "\n".join(
                [
                    t("Sorry, I do not know the word “{word}” yet.", word=escape(word[:100])),
                    t("We have told your coordinators, so they can add it."),
                    t("You can also ask them at your next meeting."),
                ]
            ),
        )


async def explain_command(update: Update, context: PanelContext) -> None:
    if context.args:
        await explain(update, context, " ".join(context.args))
        return
    await ask_for_word(update, context)


async def ask_for_word(update: Update, context: PanelContext) -> None:
    """The menu's "Explain a word": the next thing typed is the word."""
    if context.member is None:
        await reply(
            update, context.t("Type /explain and then the word, like this: /explain agenda")
        )
        return
    await forms.wait(context, FORM, "")  # held in memory, off their row (Where.HELD)
    await _ask(update, context, "", {})


async def _ask(update: Update, context: PanelContext, step: str, answers: Answers) -> None:
    t = context.t
    await reply(
        update, t(WHICH_WORD), reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, FORM)])
    )


async def _receive(update: Update, context: PanelContext, step: str) -> None:
    message = update.effective_message
    assert message is not None
    word = (message.text or "").strip()
    if not word:  # a photo, a sticker, a voice note: asked again, still waiting
        await _ask(update, context, step, {})
        return
    await forms.discard(context, FORM)
    await explain(update, context, word)


FORM = register(
    Form(
        name="explain",
        prefix=ASKING_WORD,
        stopped=N_("OK. Nothing was sent."),
        where=Where.HELD,
        steps=(Step("", Accepts.TEXT, "agenda"),),
        opened_by=("/explain", EXPLAIN),
        receive=_receive,
        ask=_ask,
        start=ask_for_word,
    )
)


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    tapped = read(query.data, ShowWord, AskAboutWord)
    language = context.scope.language or "en"
    found = glossary.load().get(tapped.entry, language) if tapped else None
    if tapped is None or found is None:
        await answer_expired(query, context)
        return
    await query.answer()
    if isinstance(tapped, ShowWord):
        text, markup = render_entry(context.t, found[0], found[1], language)
        await reply(update, text, reply_markup=markup)
    elif context.member is not None and context.member.consent == "given":
        await questions.start(update, context, tapped.entry)
    else:
        await reply(update, context.t("To ask a coordinator, you need to join a panel first."))


async def inline_query(update: Update, context: PanelContext) -> None:
    query = update.inline_query
    assert query is not None
    language = context.scope.language or "en"
    found = glossary.load().lookup(query.query, language) if query.query.strip() else None
    entries = [found.entry] if found and found.entry else list(found.suggestions) if found else []
    results = [
        InlineQueryResultArticle(
            id=entry.id,
            title=entry.term,
            description=entry.definition[:120],
            input_message_content=InputTextMessageContent(
                f"<b>{escape(entry.term)}</b>\n{escape(entry.definition)}", parse_mode="HTML"
            ),
        )
        for entry in entries
    ]
    await query.answer(results, cache_time=300, is_personal=False)
