"""Typed times, the way people write them, in every launch language (issue 20): quiet hours
as "10pm to 7am", "od 22 do 7" or "رات 10 بجے سے صبح 7 بجے تک", digits in any script; and one
reader for every typed time, so the meeting planner understands "2 po południu" too.

Proof these can fail: before the shared reader, quiet hours took only "22:00-07:00", "22-8"
or "21.30 to 7": "10pm to 7am" was refused with "Please type two times with a dash"."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import questions, typed_times
from tests.factories import add_member, create_panel

TEN_TO_SEVEN = (22 * 60, 7 * 60)
# What people type for "not from 10pm to 7am", each language's own ways first.
NATURAL = {
    "en": [
        "10pm to 7am",
        "10pm-7am",
        "22:00–07:00",
        "from 10pm until 7am",
        "10 pm - 7 am",
        "10 p.m. to 7 a.m.",
        "Not from 10pm to 7am.",
        "between 10 at night and 7 in the morning",
        "10 to 7am",
        "2200-0700",
    ],
    "cy": ["10yh i 7yb", "o 10yh tan 7yb", "rhwng 10 y nos a 7 y bore", "22:00 tan 07:00"],
    "gd": ["10f gu 7m", "bho 10f gu 7m", "10 feasgar gu 7 sa mhadainn", "eadar 22:00 agus 07:00"],
    "pl": ["od 22 do 7", "od 22:00 do 7:00", "od 10 wieczorem do 7 rano", "od godz. 22 do godz. 7"],
    "ur": [
        "رات 10 بجے سے صبح 7 بجے تک",
        "رات ۱۰ بجے سے صبح ۷ بجے تک",  # Eastern Arabic (Urdu) digits
        "۲۲:۰۰ سے ۰۷:۰۰",
        "رات 10 سے صبح 7",
    ],
    "ar": [
        "من 10 مساءً إلى 7 صباحًا",
        "من ١٠ م الى ٧ ص",  # Arabic-Indic digits
        "٢٢:٠٠–٠٧:٠٠",
        "من الساعة 10 ليلاً حتى 7 صباحاً",
        "١٠م-٧ص",
    ],
}


@pytest.mark.parametrize(
    ("language", "typed"), [(lang, typed) for lang, all in NATURAL.items() for typed in all]
)
def test_quiet_hours_are_read_as_people_type_them(language: str, typed: str) -> None:
    assert typed_times.read_span(typed, language) == TEN_TO_SEVEN


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22-8", (22 * 60, 8 * 60)),
        ("21.30 to 7", (21 * 60 + 30, 7 * 60)),
        ("9-5pm", (9 * 60, 17 * 60)),  # the bare hour takes the half that makes sense
        ("midnight to 7am", (0, 7 * 60)),
        ("25:00-07:00", None),
        ("10pm to 10pm", None),
        ("12 miles", None),
        ("10pm", None),
        ("10pm to 7am to 9am", None),
        ("13pm to 7am", None),
    ],
)
def test_odd_quiet_hours(typed: str, expected: tuple[int, int] | None) -> None:
    assert typed_times.read_span(typed) == expected


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("pl", "2 po południu", time(14)),
        ("ar", "٢ م", time(14)),
        ("ur", "دوپہر 2 بجے", time(14)),
        ("cy", "2yp", time(14)),
        ("gd", "2f", time(14)),
        ("ar", "١٤:٣٠", time(14, 30)),
        ("en", "2pm to 3pm", None),  # one time, not two
    ],
)
def test_one_time_in_every_language(language: str, typed: str, expected: time | None) -> None:
    assert typed_times.read_time(typed, language) == expected


async def _quiet(db: Database, telegram_id: int) -> tuple[int | None, int | None]:
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
        assert member is not None
        return member.quiet_start, member.quiet_end


@pytest.mark.parametrize("language", LAUNCH_LANGUAGES)
async def test_a_member_types_quiet_hours_in_their_own_words_in_settings(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    language: str,
) -> None:
    t = Translator(language)
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 611, "Nia", language=language)
    nia = MemberDriver(emulator, 611, "Nia", language_code=language)
    row = questions.question("quiet")
    assert row is not None and row.setting is not None and row.mistake is not None

    await nia.send("/settings")
    await nia.reply()
    await nia.tap(t(row.setting))
    await nia.reply()
    await nia.send("after tea")  # not a time: a kind word with an example, in their language
    mistake = (await nia.reply())["text"]
    assert mistake == t(row.mistake)
    assert language == "en" or mistake != row.mistake
    assert await _quiet(db, 611) == (None, None)

    await nia.send(NATURAL[language][0])
    assert (await nia.reply())["text"].startswith(t("Saved."))
    assert await _quiet(db, 611) == TEN_TO_SEVEN


async def test_someone_joining_types_10pm_to_7am(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    en = Translator("en")
    new = await create_panel(db, clock, "Carers Voice")
    sam = MemberDriver(emulator, 612, "Sam", "en")
    await sam.send(f"/start {new.member_invite.code}")
    await sam.reply()
    await sam.tap("English")
    await sam.reply()
    await sam.tap(en("Next"))
    await sam.reply()
    await sam.tap(en("Yes, that is OK"))
    await sam.reply()
    await sam.tap("Call me Sam")
    await sam.reply()
    await sam.tap(en("No, thank you"))
    await sam.reply()
    await sam.tap(en("All reminders"))
    quiet = await sam.reply()
    assert quiet["text"].startswith(en("Are there times when we should not send you messages?"))
    await sam.send("10pm to 7am")
    access = await sam.reply()
    assert access["text"].startswith(en("Do you need anything to take part in meetings?"))
    assert await _quiet(db, 612) == TEN_TO_SEVEN
