"""Glossary facts that must stay right, and the "checked on" dates that say when they were."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.i18n import LOCALES_DIR
from bot.languages import LAUNCH_LANGUAGES
from bot.services import glossary

ROOT = Path(__file__).resolve().parents[1]

# (entry, language, words its definition must contain)
KEY_PHRASES = [
    ("direct_payment", "en", "does not count as income for benefits"),
    ("direct_payment", "cy", "Nid yw'n cyfrif fel incwm"),
    ("direct_payment", "gd", "Chan eil e a' cunntadh mar theachd-a-steach"),
    ("direct_payment", "pl", "Nie liczą się jako dochód"),
    ("direct_payment", "ur", "آمدنی میں شمار نہیں"),
    ("direct_payment", "ar", "لا يُحسب هذا المال دخلًا"),
    ("carers_allowance", "en", "a penny over the weekly earnings limit, you lose that whole week"),
    ("carers_allowance", "cy", "ceiniog dros y terfyn enillion wythnosol"),
    ("carers_allowance", "gd", "sgillinn thairis air a' chrìoch chosnaidh sheachdaineil"),
    ("carers_allowance", "pl", "pensa ponad tygodniowy limit"),
    ("carers_allowance", "ur", "ایک پینی بھی زیادہ"),
    ("carers_allowance", "ar", "بنسًا واحدًا فوق حد الدخل الأسبوعي"),
    ("safeguarding", "en", "If someone is in danger now, call 999."),
    ("safeguarding", "cy", "ffoniwch 999"),
    ("safeguarding", "gd", "cuiribh fòn gu 999"),
    ("safeguarding", "pl", "zadzwoń pod 999"),
    ("safeguarding", "ur", "999 پر فون کریں"),
    ("safeguarding", "ar", "الاتصال بالرقم 999"),
    ("mental_capacity", "en", "an unwise choice is not the same as lacking capacity"),
    ("reasonable_adjustments", "en", "where it is reasonable"),
    ("reasonable_adjustments", "cy", "lle mae'n rhesymol"),
    ("reasonable_adjustments", "gd", "far a bheil e reusanta"),
    ("reasonable_adjustments", "pl", "o ile jest to rozsądne"),
    ("reasonable_adjustments", "ur", "جہاں مناسب ہو"),
    ("reasonable_adjustments", "ar", "حيث يكون ذلك معقولًا"),
    ("healthwatch", "en", "plans to close it"),
    ("healthwatch", "ur", "بند کر کے"),
    ("healthwatch", "ar", "لإغلاقها"),
]

# Entries about benefits, laws, organisations and schemes: their facts change.
CHANGING = [
    "direct_payment",
    "carers_allowance",
    "safeguarding",
    "mental_capacity",
    "reasonable_adjustments",
    "healthwatch",
    "integrated_care_board",
    "universal_credit",
    "personal_independence_payment",
    "care_quality_commission",
    "dbs_check",
    "pvg_scheme",
    "access_ni",
    "disabled_facilities_grant",
    "blue_badge",
    "clinical_commissioning_group",
    "nhs_england",
    "rqia",
    "llais",
]
REORGANISED = ["healthwatch", "integrated_care_board", "nhs_england", "national_care_service"]


@pytest.mark.parametrize(("entry_id", "language", "phrase"), KEY_PHRASES)
def test_corrected_entries_say_the_right_thing(entry_id: str, language: str, phrase: str) -> None:
    found = glossary.load().get(entry_id, language)
    assert found is not None and not found[1], f"{entry_id} has no {language} entry"
    assert phrase in found[0].definition


def test_every_translation_of_the_corrected_entries_is_corrected() -> None:
    words = glossary.load()
    corrected = {entry_id for entry_id, _, _ in KEY_PHRASES}
    covered = {(entry_id, language) for entry_id, language, _ in KEY_PHRASES}
    for language, entries in words.translations.items():
        for entry_id in corrected & set(entries):
            assert (entry_id, language) in covered, f"{language} {entry_id} is not checked here"


def test_direct_payments_are_never_said_to_affect_benefits() -> None:
    for language in LAUNCH_LANGUAGES:
        found = glossary.load().get("direct_payment", language)
        assert found is not None
        assert "Citizens Advice" not in found[0].definition, language


def test_changing_facts_carry_a_checked_date_that_translations_inherit() -> None:
    words = glossary.load()
    for entry_id in CHANGING:
        english = words.entries[entry_id]
        assert english.checked is not None, entry_id
        for language in words.translations:
            found = words.get(entry_id, language)
            assert found is not None and found[0].checked == english.checked
    for entry_id in REORGANISED:
        assert words.entries[entry_id].review is not None, entry_id


def _copy_glossary(tmp_path: Path) -> Path:
    for language_dir in LOCALES_DIR.iterdir():
        if (language_dir / "glossary").is_dir():
            shutil.copytree(language_dir / "glossary", tmp_path / language_dir.name / "glossary")
    return tmp_path


def _set_date(root: Path, entry_id: str, key: str, value: str) -> None:
    for path in (root / "en" / "glossary").glob("*.toml"):
        lines = path.read_text(encoding="utf-8").split("\n")
        if f"[{entry_id}]" not in lines:
            continue
        start = lines.index(f"[{entry_id}]")
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines)
        )
        block = [line for line in lines[start:end] if not line.startswith(f"{key} = ")]
        block.insert(1, f'{key} = "{value}"')
        path.write_text("\n".join(lines[:start] + block + lines[end:]), encoding="utf-8")
        return
    raise AssertionError(entry_id)


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "glossary", "check", "--locales", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_check_over_a_year_old_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    root = _copy_glossary(tmp_path)
    old = date.today() - timedelta(days=400)
    _set_date(root, "carers_allowance", "checked", old.isoformat())
    _set_date(root, "healthwatch", "review", (date.today() - timedelta(days=1)).isoformat())
    result = _check(root)
    assert result.returncode == 0, result.stderr
    assert "The glossary is valid." in result.stdout
    assert f"warning: carers_allowance was checked on {old}, over a year ago" in result.stderr
    assert "warning: healthwatch was due for review" in result.stderr
    assert "warning(s): facts to check again." in result.stdout


def test_a_recent_check_gives_no_warning(tmp_path: Path) -> None:
    root = _copy_glossary(tmp_path)
    _set_date(root, "carers_allowance", "checked", (date.today() - timedelta(days=300)).isoformat())
    result = _check(root)
    assert result.returncode == 0, result.stderr
    assert "carers_allowance" not in result.stderr


@pytest.mark.parametrize("bad", ["2026-13-45", "3 December 2026", "soon", "2999-01-01"])
def test_a_malformed_or_future_date_fails_the_check(tmp_path: Path, bad: str) -> None:
    root = _copy_glossary(tmp_path)
    _set_date(root, "carers_allowance", "checked", bad)
    result = _check(root)
    assert result.returncode == 1
    assert "problem: en: carers_allowance: checked" in result.stderr


def test_dates_belong_in_the_english_entry(tmp_path: Path) -> None:
    root = _copy_glossary(tmp_path)
    path = root / "cy" / "glossary" / "common.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[safeguarding]", '[safeguarding]\nchecked = "2026-01-01"'))
    result = _check(root)
    assert result.returncode == 1
    assert "cy: safeguarding: checked dates belong in the English entry" in result.stderr
