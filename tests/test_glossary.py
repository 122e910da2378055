"""The jargon buster: the glossary data, lookups, the plain-language check and the bot commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import MissingWord, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import glossary, plain_language
from tests.factories import add_member, create_panel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def words() -> glossary.Glossary:
    return glossary.load()


def test_the_glossary_has_at_least_150_entries_and_passes_its_check() -> None:
    assert len(glossary.load().entries) >= 150
    result = subprocess.run(
        [sys.executable, "-m", "bot", "glossary", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "The glossary is valid." in result.stdout
    for language in LAUNCH_LANGUAGES:
        assert f"\n{language} " in result.stdout


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("commissioning", "commissioning"),
        ("Commissioning!", "commissioning"),
        ("comissioning", "commissioning"),
        ("personal budgets", "personal_budget"),
        ("KPI", "key_performance_indicator"),
        ("kpis", "key_performance_indicator"),
        ("  AGENDA? ", "agenda"),
    ],
)
def test_lookup_forgives_case_plurals_punctuation_and_typos(
    words: glossary.Glossary, typed: str, expected: str
) -> None:
    found = words.lookup(typed)
    assert found.entry is not None, found
    assert found.entry.id == expected


def test_nonsense_finds_nothing(words: glossary.Glossary) -> None:
    found = words.lookup("zzqxv")
    assert found.entry is None and found.suggestions == ()


def test_a_missing_translation_falls_back_to_english(words: glossary.Glossary) -> None:
    rare = next(
        e for e in words.entries.values() if not e.common and e.id not in words.translations["gd"]
    )
    found = words.lookup(rare.term, "gd")
    assert found.entry == rare and found.fallback


def test_the_plain_language_check_finds_jargon_and_long_sentences(words: glossary.Glossary) -> None:
    sample = (
        "The KPI for commissioning went up this quarter. "
        "We would like to thank everyone who came along to the workshop last Tuesday and shared "
        "their views with us about how the new service should work for people next year. "
        "See you soon."
    )
    report = plain_language.check(sample, words)
    assert "commissioning" in report.terms
    assert "key_performance_indicator" in report.terms
    assert "KPI" in report.abbreviations
    assert len(report.long_sentences) == 1 and report.long_sentences[0].startswith("We would")
    assert report.reading_ease is not None and report.grade is not None
    assert plain_language.check("See you at the meeting on Monday.", words).long_sentences == ()


async def test_a_member_with_a_typo_gets_the_plain_explanation(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    ada = MemberDriver(emulator, 701, "Ada", language_code="en")
    await ada.send("/explain comissioning")
    answer = await ada.reply()
    entry = glossary.load().entries["commissioning"]
    assert answer["text"].startswith("Commissioning") or "commissioning" in answer["text"]
    assert entry.definition in answer["text"]
    assert "I still don't understand" in ada.buttons(answer)


async def test_a_welsh_member_gets_the_welsh_entry(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    welsh = glossary.load().translations["cy"]["commissioning"]
    rhian = MemberDriver(emulator, 702, "Rhian", language_code="cy")
    await rhian.send("/explain commissioning")
    answer = await rhian.reply()
    assert welsh.definition in answer["text"]


async def test_unknown_words_are_counted_for_the_coordinator_without_who_asked(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, 703, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, 704, "Tom")
    tom = MemberDriver(emulator, 704, "Tom", language_code="en")
    await tom.send(Translator("en")("Explain a word"))
    assert (await tom.reply())["text"] == "Which word would you like me to explain? Type it."
    await tom.send("flibbertigibbet")
    assert "flibbertigibbet" in (await tom.reply())["text"]
    await tom.send("/explain flibbertigibbet")
    await tom.reply()
    async with db.session() as session:  # held, to be counted with others' words
        assert (await session.scalars(select(MissingWord))).all() == []
    await app.runtime.flush_anonymous(everything=True)  # as at the daily write

    async with db.session() as session:
        rows = (await session.scalars(select(MissingWord))).all()
    assert [(r.word, r.count) for r in rows] == [("flibbertigibbet", 2)]
    assert not any("704" in str(vars(r)) or "Tom" in str(vars(r)) for r in rows)

    priya = MemberDriver(emulator, 703, "Priya", language_code="en")
    await priya.send("/jargon")
    assert "flibbertigibbet: asked 2 times" in (await priya.reply())["text"]
    await tom.send("/jargon")
    assert (await tom.reply())["text"].startswith("Only coordinators can do this.")


async def test_a_panels_own_entry_wins_for_that_panel_only(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ours = await create_panel(db, clock, "Ours")
    theirs = await create_panel(db, clock, "Theirs")
    await add_member(db, clock, ours.panel.id, 705, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, ours.panel.id, 706, "Tom")
    await add_member(db, clock, theirs.panel.id, 707, "Ola")
    priya = MemberDriver(emulator, 705, "Priya")
    await priya.send("/addterm agenda = The list we send you a week before each meeting.")
    assert (await priya.reply())["text"].startswith("Saved.")

    tom, ola = MemberDriver(emulator, 706, "Tom"), MemberDriver(emulator, 707, "Ola")
    await tom.send("/explain Agenda")
    assert "The list we send you a week before each meeting." in (await tom.reply())["text"]
    await ola.send("/explain agenda")
    assert glossary.load().entries["agenda"].definition in (await ola.reply())["text"]
    await tom.send("/addterm agenda = hijacked")
    assert (await tom.reply())["text"].startswith("Only coordinators can do this.")


async def test_still_not_understanding_sends_the_question_to_the_coordinator(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, 708, "Priya", role=Role.COORDINATOR, language="pl")
    await add_member(db, clock, new.panel.id, 709, "Tom")
    tom = MemberDriver(emulator, 709, "Tom")
    priya = MemberDriver(emulator, 708, "Priya", language_code="pl")
    await tom.send("/explain quorum")
    await tom.reply()
    await tom.tap("I still don't understand")
    await tom.reply()
    await tom.send("Does <everyone> have to vote?")
    assert (await tom.reply())["text"].startswith("Thank you. We sent your question")
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    question = await priya.reply()
    assert "Does <everyone> have to vote?" in question["text"]
    assert "Tom" in question["text"]


async def test_inline_mode_offers_explanations_to_share(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    emulator.add_user(710, "Sam", language_code="en")
    query_id = emulator.user_sends_inline_query(710, "safeguarding")
    results = await emulator.wait_for(lambda: emulator.inline_results(query_id), 5)
    assert results and results[0]["id"] == "safeguarding"
    assert (
        glossary.load().entries["safeguarding"].definition
        in (results[0]["input_message_content"]["message_text"])
    )


async def test_a_coordinator_checks_a_message_before_sending_it(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, 711, "Priya", role=Role.COORDINATOR)
    priya = MemberDriver(emulator, 711, "Priya")
    long_sentence = " ".join(["word"] * 30) + "."
    await priya.send(f"/checktext Our KPI for commissioning is on track. {long_sentence}")
    report = (await priya.reply())["text"]
    assert "Jargon:" in report and "commissioning" in report
    assert "Abbreviations: KPI" in report
    assert "1 sentence is over 20 words." in report
    await priya.send("/checktext See you on Monday.")
    assert (await priya.reply())["text"].startswith("This reads well.")


def test_terms_in_a_coordinators_message_become_what_does_it_mean_buttons() -> None:
    from handlers.chat.plain_words import explain_buttons

    ids = glossary.load().find_in_text("Please read the agenda before the workshop.")
    rows = explain_buttons(Translator("en"), ids, "en")
    labels = [row[0].text for row in rows]
    assert "What does agenda mean?" in labels and "What does workshop mean?" in labels
    assert all(row[0].callback_data.startswith("gl:1:show:") for row in rows)
