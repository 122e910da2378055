"""Buttons that several features make (handlers/chat/button_data.py): a glossary entry under a
coordinator's message or in the glossary (gl), and a language in the lists of /start, /language
and the language question (lang). The bytes are those of the buttons made before the records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

GLOSSARY, LANGUAGE = "gl", "lang"
ENTRY_ID = 50  # the longest glossary entry id a button carries (bot/services/glossary.py)


@button_data(GLOSSARY, 1, "show")
@dataclass(frozen=True)
class ShowWord(ButtonData):
    """Show a glossary entry (handlers/glossary/explain.py answers)."""

    entry: Annotated[str, Longest(ENTRY_ID)]


@button_data(GLOSSARY, 1, "ask")
@dataclass(frozen=True)
class AskAboutWord(ButtonData):
    """ "I still don't understand": ask a coordinator about the entry."""

    entry: Annotated[str, Longest(ENTRY_ID)]


@button_data(LANGUAGE, 1, "")
@dataclass(frozen=True)
class ChooseLanguage(ButtonData):
    """/language's list (handlers/joining/language.py answers)."""

    language: Annotated[str, Longest(8)]
