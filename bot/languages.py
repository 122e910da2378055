"""The launch languages, in one table: each language's code, its name in itself, the locale its
dates and money are written in, and its direction. Everything else reads this table.

Adding a language: a row here, and its catalogue (locales/<code>/LC_MESSAGES/messages.po).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in itself, so a person finds their own without reading English
    format_locale: str  # panelbot serves UK organisations: English dates and money are British
    right_to_left: bool = False


LANGUAGES = (
    Language("en", "English", "en_GB"),
    Language("cy", "Cymraeg", "cy_GB"),
    Language("gd", "Gàidhlig", "gd_GB"),
    Language("pl", "Polski", "pl_PL"),
    Language("ur", "اردو", "ur_PK", right_to_left=True),
    Language("ar", "العربية", "ar", right_to_left=True),
)
LAUNCH_LANGUAGES = tuple(language.code for language in LANGUAGES)
LANGUAGE_NAMES = {language.code: language.name for language in LANGUAGES}
FORMAT_LOCALES = {language.code: language.format_locale for language in LANGUAGES}
RIGHT_TO_LEFT = frozenset(language.code for language in LANGUAGES if language.right_to_left)
