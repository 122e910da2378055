"""The coordinators' words: /jargon (words members asked about that the bot could not explain),
/addterm and /removeterm (a panel's own explanations) and /checktext (how easy a text reads).
Each takes its words on the command's own line ("/addterm ICS = what it means"): none of them
waits for a later message, so none is a form."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.context import PanelContext
from bot.services import access, glossary, jargon, plain_language
from handlers.chat.common import reply
from handlers.chat.plain_words import NO_PANEL_ROLE, plain_language_report


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
