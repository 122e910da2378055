"""Per-person translations and formatting, loaded from the `.po` catalogues in `locales/`.

Catalogues are compiled in memory when first used, so a fresh checkout needs no compile step.
There is no global "current language": every update gets its own `Translator`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, get_currency_precision
from babel.support import Translations

from bot import bidi
from bot.languages import FORMAT_LOCALES, LAUNCH_LANGUAGES, RIGHT_TO_LEFT
from bot.resources import resource_dir

LOCALES_DIR = resource_dir("locales")
DOMAIN = "messages"
FALLBACK = "en"


EASY_READ_CONTEXT = "easy"


def P_(context: str, message: str) -> str:
    """Mark a message that has a variant under `context` (e.g. easy read) for extraction."""
    return message


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, per person."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural pair for extraction; `Translator.ngettext` picks one later."""
    return singular, plural


def normalise_language(code: str | None) -> str | None:
    """Map a Telegram `language_code` like 'pl-PL' or 'en_GB' to a launch language, if any."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LAUNCH_LANGUAGES else None


def resolve_language(
    saved: str | None,
    telegram_code: str | None,
    panel_default: str | None,
    deployment_default: str | None = None,
) -> str:
    """The person's saved choice, then Telegram's language, then the panel's, then English."""
    for candidate in (saved, telegram_code, panel_default, deployment_default):
        language = normalise_language(candidate)
        if language:
            return language
    return FALLBACK


@cache
def catalogue(language: str) -> Translations:
    """Read `locales/<language>/LC_MESSAGES/messages.po`, compiled in memory once per process."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as handle:
        parsed = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    # Fuzzy entries are drafts a translator has not approved; they fall back to English.
    write_mo(buffer, parsed, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Everything language-dependent for one person: words, plurals, dates, times and money."""

    language: str
    easy_read: bool = False

    @property
    def locale(self) -> Locale:
        return _babel_locale(self.language)

    @property
    def right_to_left(self) -> bool:
        return self.language in RIGHT_TO_LEFT

    def gettext(self, message: str, /, **values: object) -> str:
        text = self._easy(message) if self.easy_read else None
        if text is None:
            text = catalogue(self.language).ugettext(message)
        return self._fill(text, values)

    def _fill(self, template: str, values: dict[str, object]) -> str:
        """Put the values in; in Urdu and Arabic, with the marks that keep each piece in order."""
        if self.right_to_left:
            return bidi.right_to_left(template, values)
        return template.format(**values) if values else template

    def arrange(self, text: str) -> str:
        """A line built outside the catalogues (a list entry), in reading order. Isolate names in
        it first (`isolate`): only the Latin words and numbers left bare are isolated here."""
        if not self.right_to_left:
            return text
        return bidi.right_to_left_lines(bidi.shield_template(text))

    def quote(self, text: str) -> str:
        """Someone's own words shown whole, line by line (an agenda, a panel's help lines)."""
        return bidi.quote(text) if self.right_to_left else text

    def isolate(self, value: object) -> str:
        """A value shown inside text built outside the catalogues (lists, names, keyboards)."""
        return bidi.isolate(str(value)) if self.right_to_left else str(value)

    def _easy(self, message: str) -> str | None:
        """The easy-read version (context "easy") where one is written, else None."""
        text = catalogue(self.language).upgettext(EASY_READ_CONTEXT, message)
        return None if text == message else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = catalogue(self.language).ungettext(singular, plural, n)
        return self._fill(text, {"n": n, **values})

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        text = catalogue(self.language).upgettext(context, message)
        return self._fill(text, values)

    def money(self, minor_units: int, currency: str = "GBP") -> str:
        amount = Decimal(minor_units).scaleb(-get_currency_precision(currency))
        text = format_currency(amount, currency, locale=self.locale)
        # "UK£ 42.50" must not come out as "£UK 42.50" between Arabic words.
        return bidi.isolate_left_to_right(text) if self.right_to_left else text

    def datetime(self, moment: dt.datetime, zone: tzinfo, *, style: str = "medium") -> str:
        return format_datetime(moment, format=style, tzinfo=zone, locale=self.locale)

    def date(self, day: dt.date | dt.datetime, *, style: str = "full") -> str:
        return format_date(day, format=style, locale=self.locale)

    def time(self, moment: dt.datetime, zone: tzinfo, *, style: str = "short") -> str:
        return format_time(moment, format=style, tzinfo=zone, locale=self.locale)


@cache
def _babel_locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(language, language))


@cache
def translator(language: str, easy_read: bool = False) -> Translator:
    return Translator(language if language in LAUNCH_LANGUAGES else FALLBACK, easy_read)
