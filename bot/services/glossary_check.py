"""`panelbot glossary check`: every glossary file valid, and how much of it is translated.

Entries whose facts change carry `checked = "YYYY-MM-DD"` (and bodies being reorganised a
`review` date). A check over a year old, or a review date passed, is a warning, not a failure:
the facts may still be right, but someone should look again.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bot.i18n import LOCALES_DIR
from bot.languages import LAUNCH_LANGUAGES
from bot.services.glossary import SOURCE, normalise, parse_date, variants
from bot.services.plain_language import LONG_SENTENCE, sentences

ID = re.compile(r"^[a-z0-9_]{1,40}$")
REQUIRED = ("term", "definition", "example")
LISTS = ("aliases", "abbreviations", "related")
DATES = ("checked", "review")
STALE_AFTER = timedelta(days=365)


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # language -> entries
    common: dict[str, tuple[int, int]] = field(default_factory=dict)  # language -> (done, of)

    @property
    def ok(self) -> bool:
        return not self.problems


def _words(sentence: str) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", sentence))


def _read(language: str, root: Path, result: CheckResult) -> dict[str, dict[str, object]]:
    entries: dict[str, dict[str, object]] = {}
    where: dict[str, str] = {}
    for path in sorted((root / language / "glossary").glob("*.toml")):
        name = f"{language}/glossary/{path.name}"
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            result.problems.append(f"{name}: not valid TOML ({error})")
            continue
        for entry_id, raw in data.items():
            if entry_id in entries:
                result.problems.append(f"{name}: {entry_id} is also in {where[entry_id]}")
                continue
            if not isinstance(raw, dict):
                result.problems.append(f"{name}: {entry_id} is not a table")
                continue
            where[entry_id] = name
            entries[entry_id] = raw
            _check_fields(f"{name}: {entry_id}", entry_id, raw, language, result)
    return entries


def _check_fields(
    label: str, entry_id: str, raw: dict[str, object], language: str, result: CheckResult
) -> None:
    if not ID.match(entry_id):
        result.problems.append(f"{label}: ids use a-z, 0-9 and _ (at most 40)")
    needed = REQUIRED if language == SOURCE else ("term", "definition")
    for key in needed:
        if not isinstance(raw.get(key), str) or not str(raw.get(key)).strip():
            result.problems.append(f"{label}: needs a {key}")
    for key in LISTS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            result.problems.append(f"{label}: {key} must be a list of words")
    definition = str(raw.get("definition", ""))
    parts = sentences(definition)
    if language == SOURCE and not 1 <= len(parts) <= 3:
        result.problems.append(f"{label}: the definition needs 1 to 3 sentences")
    for sentence in parts:
        if _words(sentence) > LONG_SENTENCE:
            result.problems.append(f"{label}: a sentence is over {LONG_SENTENCE} words")


def _check_names(language: str, entries: dict[str, dict[str, object]], result: CheckResult) -> None:
    owner: dict[str, str] = {}
    for entry_id, raw in entries.items():
        names = [
            raw.get("term", ""),
            *(raw.get("aliases") or []),
            *(raw.get("abbreviations") or []),
        ]  # type: ignore[misc]
        for name in names:
            for key in variants(str(name))[:1]:
                if not key:
                    continue
                other = owner.setdefault(key, entry_id)
                if other != entry_id:
                    result.problems.append(
                        f"{language}: '{name}' names both {other} and {entry_id}"
                    )


def _check_dates(entries: dict[str, dict[str, object]], today: date, result: CheckResult) -> None:
    for entry_id, raw in entries.items():
        dates: dict[str, date] = {}
        for key in DATES:
            if key not in raw:
                continue
            parsed = parse_date(raw[key])
            if parsed is None:
                result.problems.append(
                    f"en: {entry_id}: {key} must be a real date written YYYY-MM-DD, "
                    f"not {raw[key]!r}"
                )
            else:
                dates[key] = parsed
        if "review" in raw and "checked" not in raw:
            result.problems.append(f"en: {entry_id}: an entry with a review date needs checked")
        checked, review = dates.get("checked"), dates.get("review")
        if checked is not None and checked > today:
            result.problems.append(f"en: {entry_id}: checked {checked} is in the future")
        elif checked is not None and today - checked > STALE_AFTER:
            result.warnings.append(
                f"{entry_id} was checked on {checked}, over a year ago: check its facts again"
            )
        if review is not None and review <= today:
            result.warnings.append(
                f"{entry_id} was due for review on {review}: the body it describes is changing"
            )


def check(root: Path = LOCALES_DIR, today: date | None = None) -> CheckResult:
    result = CheckResult()
    english = _read(SOURCE, root, result)
    _check_names(SOURCE, english, result)
    _check_dates(english, today or date.today(), result)
    for entry_id, raw in english.items():
        for related in raw.get("related") or []:  # type: ignore[attr-defined]
            if related == entry_id:
                result.problems.append(f"en: {entry_id} is related to itself")
            elif related not in english:
                result.problems.append(f"en: {entry_id} is related to unknown {related}")
    common = {i for i, raw in english.items() if raw.get("common")}
    result.counts[SOURCE] = len(english)
    result.common[SOURCE] = (len(common), len(common))
    for language in LAUNCH_LANGUAGES:
        if language == SOURCE:
            continue
        translated = _read(language, root, result)
        for entry_id, raw in translated.items():
            if entry_id not in english:
                result.problems.append(f"{language}: {entry_id} has no English entry")
            for key in DATES:
                if key in raw:
                    result.problems.append(
                        f"{language}: {entry_id}: {key} dates belong in the English entry"
                    )
        _check_names(language, translated, result)
        result.counts[language] = len(translated)
        done = len(common & set(translated))
        result.common[language] = (done, len(common))
        if done < len(common):
            missing = sorted(common - set(translated))[:5]
            result.problems.append(
                f"{language}: {len(common) - done} common entries are not translated "
                f"(first: {', '.join(missing)})"
            )
    return result


def normalised_names(raw: dict[str, object]) -> list[str]:
    return [normalise(str(n)) for n in [raw.get("term", ""), *(raw.get("aliases") or [])]]  # type: ignore[misc]
