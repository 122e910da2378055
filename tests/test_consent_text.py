"""Consent says truthfully who can see a member's details, in full and in easy read, in every
launch language: coordinators, the organisation's admins and the people who run the bot."""

from __future__ import annotations

import re

import pytest

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services import questions
from handlers.joining import asking
from tests.factories import create_panel

# Words a reader must find, per language: the admins, the people who run the server.
WHO_CAN_SEE = {
    "en": ("coordinators", "admins", "run this bot", "server"),
    "cy": ("cydlynwyr", "gweinyddwyr", "rhedeg y bot", "gweinydd"),
    "gd": ("co-òrdanaichean", "rianairean", "ruith a' bhot", "frithealaiche"),
    "pl": ("koordynatorzy", "administratorzy", "prowadzą tego bota", "serwer"),
    "ur": ("کوآرڈینیٹر", "ایڈمن", "بوٹ", "سرور"),
    "ar": ("منسقو", "مشرفو", "البوت", "الخادم"),
}
# The answers that are kept, named in the consent question: access needs and payment.
ANSWERS_NAMED = {
    "en": ("answers", "meetings", "pa(y|id)"),
    "cy": ("atebion", "cyfarfodydd", "talu"),
    "gd": ("freagairtean", "coinneamhan", "p(h)?àigh"),
    "pl": ("odpowiedzi", "spotkaniach", "pieniądze|płacić"),
    "ur": ("جواب", "میٹنگز", "پیسے"),
    "ar": ("إجابات", "الاجتماعات", "دفع"),
}
FALSE_PROMISES = ("Nobody else.", "Only your panel's coordinators")


async def _tell_me_more(emulator: BotApiEmulator, code: str, user: int, language: str) -> str:
    """Join as a new person would, up to the consent question, and ask for the details."""
    t = Translator(language)
    person = MemberDriver(emulator, user, "Robin", language_code=language)
    await person.send(f"/start {code}")
    await person.reply()
    await person.tap(LANGUAGE_NAMES[language])
    await person.reply()
    await person.tap(t("Next"))
    consent = await person.reply()
    assert consent["text"] == t(questions.CONSENT_QUESTION)
    for word in ANSWERS_NAMED[language][:2]:
        assert word in consent["text"], (language, word)
    await person.tap(t("Tell me more"))
    return str((await person.reply())["text"])


@pytest.mark.parametrize("language", ["en", "ur", "pl"])
async def test_a_joining_member_is_told_everyone_who_can_see_their_details(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    language: str,
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    user = 700 + LAUNCH_LANGUAGES.index(language)
    details = await _tell_me_more(emulator, new.member_invite.code, user, language)
    for words in WHO_CAN_SEE[language]:
        assert words in details, (language, words, details)
    for promise in FALSE_PROMISES:
        assert promise not in details


@pytest.mark.parametrize("language", LAUNCH_LANGUAGES)
def test_consent_names_the_admins_and_the_server_in_every_language(language: str) -> None:
    for easy_read in (False, True):
        t = Translator(language, easy_read)
        details = asking.consent_details(t)
        for words in WHO_CAN_SEE[language][:3]:
            assert words in details, (language, easy_read, words)
        assert "/mydata" in details and "/forgetme" in details
        name = questions.question("name")
        assert name is not None and name.why is not None
        why = t(name.why)
        assert WHO_CAN_SEE[language][1] in why or "admins" in why, (language, why)


@pytest.mark.parametrize("language", LAUNCH_LANGUAGES)
def test_easy_read_consent_names_the_answers_not_only_the_name(language: str) -> None:
    full = Translator(language)(questions.CONSENT_QUESTION)
    easy = Translator(language, easy_read=True)(questions.CONSENT_QUESTION)
    assert easy != full, "no easy-read version"
    for text in (full, easy):
        for word in ANSWERS_NAMED[language]:
            assert re.search(word, text), (language, word, text)
