"""Explain a word: /explain, the menu button, inline mode (explain.py), a member's question to
their coordinators about a word (questions.py), and the coordinators' /jargon, /addterm,
/removeterm and /checktext (coordinators.py)."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, InlineQueryHandler

# Moved to handlers/chat/plain_words.py, shared by every feature: import them from there.
# Re-exported here only until the features that still import them from here are moved.
from handlers.chat.plain_words import NO_PANEL_ROLE, explain_buttons, plain_language_report
from handlers.chat.shared_buttons import GLOSSARY
from handlers.glossary import coordinators, explain
from handlers.glossary.explain import ask_for_word

__all__ = ["NO_PANEL_ROLE", "ask_for_word", "explain_buttons", "handlers", "plain_language_report"]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("explain", explain.explain_command),
        CommandHandler("jargon", coordinators.jargon_command),
        CommandHandler("addterm", coordinators.addterm_command),
        CommandHandler("removeterm", coordinators.removeterm_command),
        CommandHandler("checktext", coordinators.checktext_command),
        CallbackQueryHandler(explain.on_button, pattern=rf"^{GLOSSARY}:"),
        InlineQueryHandler(explain.inline_query),
    ]
