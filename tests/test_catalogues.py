"""Catalogues: every launch language has every message, translated, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, Translator, resolve_language
from bot.languages import LAUNCH_LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?([a-z-]+)")
TRANSLATED = [lang for lang in LAUNCH_LANGUAGES if lang != "en"]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _template() -> Catalog:
    return _read(LOCALES_DIR / "messages.pot")


def _language(language: str) -> Catalog:
    return _read(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", locale=language)


def _ids(catalog: Catalog) -> set[object]:
    return {(message.id, message.context) for message in catalog if message.id}


def _texts(message: Message) -> list[str]:
    value = message.string
    return [s for s in value if s] if isinstance(value, tuple | list) else [value] if value else []


def _sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _cldr_plural_forms(language: str) -> int:
    """How many plural forms a whole number can need in the language, by CLDR (not by the
    catalogue's own header, which may be wrong: tests/test_plurals.py checks it)."""
    category = Locale.parse(language).plural_form
    return len({category(n) for n in range(1001)})


def test_template_matches_the_code(tmp_path: Path) -> None:
    """Every message in the code is in messages.pot (run `make messages` after adding one)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "NP_:1,2",
            "-k",
            "t",
            "-k",
            "ngettext:1,2",
            "-k",
            "pgettext:1c,2",
            "-k",
            "P_:1c,2",
            "--no-location",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert _ids(_read(fresh)) == _ids(_template())


@pytest.mark.parametrize("language", LAUNCH_LANGUAGES)
def test_every_language_has_every_message(language: str) -> None:
    missing = _ids(_template()) - _ids(_language(language))
    assert not missing, f"{language} lacks {sorted(map(str, missing))[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    catalog = _language(language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        texts = _texts(message)
        expected_forms = _cldr_plural_forms(language) if message.pluralizable else 1
        if message.fuzzy or len(texts) < expected_forms:
            problems.append(f"untranslated: {message.id!r}")
            continue
        if len(texts) > expected_forms:
            problems.append(f"more forms than CLDR has categories: {message.id!r}")
        wanted = {name for source in _sources(message) for name in PLACEHOLDER.findall(source)}
        wanted_tags = sorted(TAG.findall(_sources(message)[0]))
        for text in texts:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may say the number in words ("شخصان"), never drop another value.
            needed = wanted - {"n"} if message.pluralizable else wanted
            if found - wanted or not needed <= found:
                problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
            if sorted(TAG.findall(text)) != wanted_tags:
                problems.append(f"HTML tags differ: {message.id!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_english_easy_read_variants_are_written() -> None:
    english = _language("en")
    easy = [m for m in english if m.id and m.context == "easy"]
    assert easy, "no easy-read variants"
    for message in easy:
        assert message.string and message.string != message.id, message.id
        assert len(message.string) <= len(str(message.id)), (message.id, "is not shorter")


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_are_not_english_copies(language: str) -> None:
    messages = [m for m in _language(language) if m.id]
    copies = [m.id for m in messages if _texts(m) and _texts(m)[0] == _sources(m)[0]]
    assert len(copies) <= max(1, len(messages) // 20), copies


def test_two_people_get_their_own_language_at_the_same_time() -> None:
    polish, welsh = Translator("pl"), Translator("cy")
    english = Translator("en")("Which language would you like? Tap one.")
    assert polish("Which language would you like? Tap one.") != english
    assert welsh("Which language would you like? Tap one.") != english
    assert polish("Which language would you like? Tap one.") != welsh(
        "Which language would you like? Tap one."
    )


@pytest.mark.parametrize(
    ("saved", "telegram", "panel", "expected"),
    [
        ("cy", "pl", "en", "cy"),
        (None, "pl-PL", "cy", "pl"),
        (None, "fr", "gd", "gd"),
        (None, None, None, "en"),
        (None, "de", None, "en"),
    ],
)
def test_language_is_chosen_in_the_documented_order(
    saved: str | None, telegram: str | None, panel: str | None, expected: str
) -> None:
    assert resolve_language(saved, telegram, panel) == expected


def test_money_and_dates_follow_the_persons_locale() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    assert Translator("en").money(1250) == "£12.50"
    assert Translator("pl").money(1250).startswith("12,50")
    summer = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert Translator("en").time(summer, ZoneInfo("Europe/London")) == "14:30"
