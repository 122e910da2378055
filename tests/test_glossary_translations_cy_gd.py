"""Welsh and Gaelic glossaries: enough entries, the right shape, the polite register, and what a
Welsh or Gaelic member sees when they ask what a word means."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.context import PanelbotApplication
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import LOCALES_DIR, Translator
from bot.services import glossary, glossary_check

LANGUAGES = ("cy", "gd")
AT_LEAST = 120  # issue 19: at least 120 entries translated into every launch language

# Words that only the familiar "you" uses. Gaelic members are addressed with "sibh", Welsh
# members with "chi", in every definition and example.
FAMILIAR = {
    "gd": {"thu", "thusa", "agad", "agadsa", "dhut", "dhutsa", "leat", "leatsa", "riut", "ort"}
    | {"ortsa", "umad", "asad", "annad", "bhuat", "romhad", "dhìot"},
    "cy": {"ti", "wyt", "dy", "dithau", "arnat", "iti", "gennyt", "atat"},
}


def _raw(language: str) -> dict[str, dict[str, object]]:
    entries: dict[str, dict[str, object]] = {}
    for path in sorted((LOCALES_DIR / language / "glossary").glob("*.toml")):
        with Path(path).open("rb") as handle:
            entries.update(tomllib.load(handle))
    return entries


@pytest.fixture(scope="module")
def english() -> dict[str, dict[str, object]]:
    return _raw("en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_at_least_120_entries_all_known_in_english(
    language: str, english: dict[str, dict[str, object]]
) -> None:
    translated = _raw(language)
    assert len(translated) >= AT_LEAST
    assert set(translated) <= set(english), set(translated) - set(english)
    # The loaded glossary keeps every one of them (it drops ids English does not have).
    assert len(glossary.load().translations[language]) == len(translated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_complete_and_keeps_the_english_term_as_an_alias(
    language: str, english: dict[str, dict[str, object]]
) -> None:
    for entry_id, raw in _raw(language).items():
        for key in ("term", "definition", "example"):
            value = raw.get(key)
            assert isinstance(value, str) and value.strip(), f"{entry_id}: no {key}"
        aliases = {glossary.normalise(str(a)) for a in raw.get("aliases", [])}  # type: ignore[attr-defined]
        assert glossary.normalise(str(english[entry_id]["term"])) in aliases, entry_id
        # related, abbreviations and common come from English, never from the translation
        assert not {"related", "abbreviations", "common"} & set(raw), entry_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_name_in_the_language_finds_its_own_entry(language: str) -> None:
    words = glossary.load()
    for entry in words.translations[language].values():
        for name in (entry.term, *entry.aliases):
            found = words.lookup(name, language)
            assert found.entry is not None, (entry.id, name, found.suggestions)
            assert (found.entry.id, found.entry.language) == (entry.id, language), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_members_are_addressed_politely(language: str) -> None:
    for entry_id, raw in _raw(language).items():
        for key in ("definition", "example"):
            words = {w.casefold() for w in re.findall(r"\w+(?:['’-]\w+)*", str(raw[key]))}
            assert not words & FAMILIAR[language], (entry_id, key, words & FAMILIAR[language])


def test_the_glossary_check_passes_and_counts_welsh_and_gaelic() -> None:
    result = glossary_check.check()
    assert result.ok, result.problems
    for language in LANGUAGES:
        assert result.counts[language] >= AT_LEAST
        done, of = result.common[language]
        assert done == of


@pytest.mark.parametrize(
    ("language", "user_id", "typed", "entry_id"),
    [
        ("cy", 761, "quorum", "quorum"),
        ("cy", 762, "cworwm", "quorum"),
        ("cy", 763, "Lwfans Gweini", "attendance_allowance"),
        ("gd", 764, "quorum", "quorum"),
        ("gd", 765, "cuoram", "quorum"),  # typed without the accent
        ("gd", 766, "Care Inspectorate Wales", "care_inspectorate_wales"),
    ],
)
async def test_a_member_gets_the_newly_translated_explanation_in_their_language(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    language: str,
    user_id: int,
    typed: str,
    entry_id: str,
) -> None:
    entry = glossary.load().translations[language][entry_id]
    english = glossary.load().entries[entry_id]
    t = Translator(language)
    member = MemberDriver(emulator, user_id, "Aelod", language_code=language)
    await member.send(f"/explain {typed}")
    answer = await member.reply()
    text = answer["text"]
    assert entry.term in text
    assert entry.definition in text
    assert entry.example in text
    assert english.definition not in text
    assert "English" not in text.replace(english.term, "")  # no "not in Welsh yet" notice
    buttons = member.buttons(answer)
    assert t("I still don't understand") in buttons
    for related_id in english.related[:3]:
        shown = glossary.load().get(related_id, language)
        assert shown is not None and shown[0].term[:60] in buttons
