"""Explain a word: /explain, the menu button, inline mode, and the coordinators' /jargon,
/addterm, /removeterm and /checktext."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.context import PanelContext, current_member
from bot.i18n import N_, Translator, translator
from bot.languages import LANGUAGE_NAMES
from bot.services import access, anonymous, glossary, jargon, outbox, outbox_keys, plain_language
from bot.services.anonymous import HeldWord
from bot.services.glossary import Entry, normalise
from bot.services.jargon import Explanation
from bot.services.outbox_keys import Kind
from handlers.anonymous_steps import enter_anonymous_step, leave_anonymous_step
from handlers.common import answer_expired, button, callback_data, parse_callback, reply
from handlers.forms import Form, Where, register

FEATURE, VERSION = "gl", 1
ASKING_WORD = "explain"
ASKING_QUESTION = "glask:"  # + entry id: waiting for the member's question about that word
ASKING_WORD_FORM = register(
    Form(name="explain", prefix=ASKING_WORD, stopped=N_("OK. Nothing was sent."), where=Where.HELD)
)
QUESTION_FORM = register(
    Form(name="word_question", prefix=ASKING_QUESTION, stopped=N_("OK. Nothing was sent."))
)
NO_PANEL_ROLE = N_("Only coordinators can do this. If you need help, ask your coordinator.")


def explain_buttons(
    t: Translator, entry_ids: list[str], language: str
) -> list[list[InlineKeyboardButton]]:
    """'What does ... mean?' buttons for terms found in a coordinator's message."""
    rows = []
    for entry_id in entry_ids[:5]:
        found = glossary.load().get(entry_id, language)
        if found:
            label = t("What does {term} mean?", term=found[0].term)
            rows.append([button(label[:60], callback_data(FEATURE, VERSION, "show", entry_id))])
    return rows


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
    return _render_entry(t, entry, explanation.fallback, language)


def _render_entry(
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
            rows.append(
                [button(found[0].term[:60], callback_data(FEATURE, VERSION, "show", related_id))]
            )
    rows.append(
        [button(t("I still don't understand"), callback_data(FEATURE, VERSION, "ask", entry.id))]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _explain(update: Update, context: PanelContext, word: str) -> None:
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
            [button(entry.term[:60], callback_data(FEATURE, VERSION, "show", entry.id))]
            for entry in explanation.suggestions
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
        await _explain(update, context, " ".join(context.args))
        return
    await ask_for_word(update, context)


async def ask_for_word(update: Update, context: PanelContext) -> None:
    """The menu's "Explain a word": the next thing typed is the word."""
    member = context.member
    if member is not None:
        await enter_anonymous_step(context, ASKING_WORD)  # off their row: see anonymous_steps
        await reply(update, context.t("Which word would you like me to explain? Type it."))
    else:
        await reply(
            update, context.t("Type /explain and then the word, like this: /explain agenda")
        )


class _Waiting(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        member = current_member()
        if member is None:
            return False
        step = member.conversation_step
        held = anonymous.step(member.telegram_id) == ASKING_WORD
        return held or bool(step and str(step).startswith(ASKING_QUESTION))


async def on_text(update: Update, context: PanelContext) -> None:
    from bot.services import profile

    member, message = context.member, update.effective_message
    assert member is not None and message is not None
    if anonymous.step(member.telegram_id) == ASKING_WORD:
        await leave_anonymous_step(context)
        await _explain(update, context, message.text or "")
        return
    step = member.conversation_step or ""
    await profile.set_step(context.session, member.telegram_id, None)
    await _send_question(update, context, step.removeprefix(ASKING_QUESTION), message.text or "")


async def _send_question(
    update: Update, context: PanelContext, entry_id: str, question: str
) -> None:
    """Pass a member's question about a word to their coordinators, each in their language."""
    member = context.member
    assert member is not None
    session, now = context.session, context.runtime.clock.now()
    coordinators = await access.coordinators_to_ask(session, member.telegram_id)
    found = glossary.load().get(entry_id, "en")
    term = found[0].term if found else entry_id
    for coordinator in coordinators:
        ct = translator(coordinator.language or "en")
        text = (
            ct(
                N_("{name} asked about the word “{term}”:"),
                name=escape(member.display_name or ""),
                term=escape(term),
            )
            + "\n\n"
            + escape(question[:1500])
        )
        await outbox.enqueue(
            session,
            key=outbox_keys.question(member.id, coordinator.telegram_id, now),
            kind=Kind.MESSAGE,
            chat_id=coordinator.telegram_id,
            member_id=coordinator.member_id,
            payload={"text": text},
            due_at=now,
            now=now,
        )
    await session.commit()
    if coordinators:
        await reply(
            update,
            context.t(
                "Thank you. We sent your question to your coordinator. They will get back to you."
            ),
        )
    else:
        await reply(
            update,
            context.t(
                "Your panel has no coordinator in panelbot yet. Please ask at your next meeting."
            ),
        )


async def on_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    args = parse_callback(query.data, FEATURE, VERSION)
    language = context.scope.language or "en"
    found = glossary.load().get(args[1], language) if args and len(args) == 2 else None
    if not args or found is None:
        await answer_expired(query, context)
        return
    await query.answer()
    action, entry_id = args
    if action == "show":
        text, markup = _render_entry(context.t, found[0], found[1], language)
        await reply(update, text, reply_markup=markup)
    elif action == "ask" and context.member is not None and context.member.consent == "given":
        from bot.services import profile

        await profile.set_step(
            context.session, context.member.telegram_id, ASKING_QUESTION + entry_id[:26]
        )
        await context.session.commit()
        await reply(
            update,
            context.t(
                "What would you like to ask about “{term}”? Type your question. "
                "We will send it to your coordinator.",
                term=escape(found[0].term),
            ),
        )
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


async def _coordinated(
    update: Update, context: PanelContext
) -> tuple[access.Actor, list[tuple[int, str]]]:
    user = update.effective_user
    assert user is not None
    actor = await access.actor_for(
        context.session, user.id, context.runtime.settings.panelbot_admins
    )
    return actor, await access.coordinated_panels(context.session, actor)


async def _coordinator_or_refuse(
    update: Update, context: PanelContext
) -> tuple[access.Actor, list[tuple[int, str]]] | None:
    """The person's coordinated panels, or a polite refusal (and None) if they have none."""
    actor, panels = await _coordinated(update, context)
    if not panels:
        command = (update.effective_message.text or "") if update.effective_message else ""
        access.refuse(context.session, actor, command.split(" ", 1)[0][:40])
        await reply(update, context.t(NO_PANEL_ROLE))
        return None
    return actor, panels


async def jargon_command(update: Update, context: PanelContext) -> None:
    t = context.t
    found = await _coordinator_or_refuse(update, context)
    if found is None:
        return
    actor, panels = found
    sections = []
    for panel_id, name in panels[:10]:
        words = await jargon.missing_words(context.session, actor, panel_id)
        lines = [
            t("Words people asked about in {panel} that I could not explain:", panel=escape(name))
        ]
        lines += [
            t.ngettext(
                "{word}: asked {n} time", "{word}: asked {n} times", count, word=escape(word)
            )
            for word, count in words
        ] or [t("None yet.")]
        sections.append("\n".join(lines))
    sections.append(t("To add your own explanation, type /addterm word = what it means"))
    await reply(update, "\n\n".join(sections))


async def addterm_command(update: Update, context: PanelContext) -> None:
    t = context.t
    found = await _coordinator_or_refuse(update, context)
    if found is None:
        return
    actor, panels = found
    text = " ".join(context.args or [])
    term, sep, definition = text.partition("=")
    if not sep or not term.strip() or not definition.strip():
        await reply(
            update,
            t("Type /addterm, the word, an equals sign and what it means. For example:")
            + "\n/addterm ICS = "
            + t("The NHS and the council working together in one area."),
        )
        return
    try:
        for panel_id, _ in panels if actor.is_admin is False else panels[:1]:
            await jargon.save_term(
                context.session, actor, panel_id, term, definition, now=context.runtime.clock.now()
            )
    except ValueError:
        await reply(update, t("The word can be up to 100 characters and the meaning up to 1000."))
        return
    await context.session.commit()
    await reply(
        update,
        t(
            "Saved. Members of your panel will now see your explanation of “{term}”.",
            term=escape(" ".join(term.split())),
        ),
    )


async def removeterm_command(update: Update, context: PanelContext) -> None:
    t = context.t
    found = await _coordinator_or_refuse(update, context)
    if found is None:
        return
    actor, panels = found
    term = " ".join(context.args or [])
    removed = False
    for panel_id, _ in panels:
        removed |= await jargon.remove_term(
            context.session, actor, panel_id, term, now=context.runtime.clock.now()
        )
    await context.session.commit()
    await reply(
        update,
        t("Removed. Members will see the built-in explanation again.")
        if removed
        else t("Your panel has no explanation of that word to remove."),
    )


async def checktext_command(update: Update, context: PanelContext) -> None:
    t = context.t
    if await _coordinator_or_refuse(update, context) is None:
        return
    text = (
        (update.effective_message.text or "").partition(" ")[2] if update.effective_message else ""
    )
    if not text.strip():
        await reply(
            update, t("Type /checktext and then your message. I will check how easy it is to read.")
        )
        return
    report = plain_language.check(text, glossary.load(), t.language)
    await reply(update, plain_language_report(t, report))


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


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("explain", explain_command),
        CommandHandler("jargon", jargon_command),
        CommandHandler("addterm", addterm_command),
        CommandHandler("removeterm", removeterm_command),
        CommandHandler("checktext", checktext_command),
        CallbackQueryHandler(on_button, pattern=r"^gl:"),
        InlineQueryHandler(inline_query),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & _Waiting(), on_text),
    ]
