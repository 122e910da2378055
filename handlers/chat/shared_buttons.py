"""Buttons that several features make (handlers/chat/button_data.py): a glossary entry under a
coordinator's message or in the glossary (gl), a language in the lists of /start, /language
and the language question (lang), and a claim for a meeting offered after it (cm). The bytes
are those of the buttons made before the records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from handlers.chat.button_data import ButtonData, Longest, button_data

GLOSSARY, LANGUAGE, CLAIM_MEETING = "gl", "lang", "cm"
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


@button_data(CLAIM_MEETING, 1, "")
@dataclass(frozen=True)
class ClaimThisMeeting(ButtonData):
    """ "Claim for this meeting" under "Thank you for coming" (handlers/claims/offer.py opens
    the claim form with the meeting chosen)."""

    meeting: int


@button_data(CLAIM_MEETING, 1, "new")
@dataclass(frozen=True)
class ClaimThisMeetingAfresh(ButtonData):
    """ "Start again" when a claim was left half-done: the new one is for this meeting."""

    meeting: int
