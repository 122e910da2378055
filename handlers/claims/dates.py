"""Reading the date of money already spent, as people type it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

from babel import Locale

from bot.i18n import N_, P_, translator
from handlers.chat.picker import parse_date

MAX_TEXT = 40
# Babel (CLDR) has no words for "today" as typed, so the catalogues carry them: translators list
# every word people type, separated by commas. The form's buttons count too, and English always.
TODAY_CONTEXT = "typed date: words for today, separated by commas"
YESTERDAY_CONTEXT = "typed date: words for yesterday, separated by commas"
TODAY_WORDS = P_("typed date: words for today, separated by commas", "today, now")
YESTERDAY_WORDS = P_("typed date: words for yesterday, separated by commas", "yesterday")
TODAY_BUTTON, YESTERDAY_BUTTON = N_("Today"), N_("Yesterday")
_FULL_DATE = re.compile(r"\d{4}|\d+\s*[/.-]\s*\d+\s*[/.-]\s*\d+")


_ENGLISH_MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june")
_ENGLISH_MONTHS += ("july", "august", "september", "october", "november", "december")


def _normal(word: str) -> str:
    return " ".join(word.casefold().replace("-", " ").split()).strip(" .!")


@cache
def day_words(language: str) -> dict[str, int]:
    """Typed words for a day, in English and `language`, and how many days back each means."""
    found: dict[str, int] = {}
    for t in (translator("en"), translator(language)):
        for back, context, words, label in (
            (0, TODAY_CONTEXT, TODAY_WORDS, TODAY_BUTTON),
            (1, YESTERDAY_CONTEXT, YESTERDAY_WORDS, YESTERDAY_BUTTON),
        ):
            for word in [*t.pgettext(context, words).replace("،", ",").split(","), t(label)]:
                if _normal(word):
                    found.setdefault(_normal(word), back)
    return found


def _plain_months(text: str, locale: Locale | str | None) -> str:
    """Month names of more than one word (Gaelic "dhen Fhaoilleach") as English ones, which the
    shared reader knows; it reads one-word names in every language itself."""
    if locale is None:
        return text
    parsed = Locale.parse(locale) if isinstance(locale, str) else locale
    lowered = text.lower()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in parsed.months[context][width].items():
                name = str(name).lower()
                if " " in name and name in lowered:
                    lowered = lowered.replace(name, _ENGLISH_MONTHS[int(number) - 1])
    return lowered


def parse_claim_date(text: str, today: date, locale: Locale | str | None = None) -> date | None:
    """Like the meeting picker's reader, but a date typed without a year means the last time
    that day came round, not the next: claims are for money already spent."""
    if len(text) > MAX_TEXT:
        return None
    word = " ".join(text.lower().split())
    language = (
        Locale.parse(locale) if isinstance(locale, str) else locale or Locale("en")
    ).language
    back = day_words(language).get(_normal(text))
    if back is not None:
        return today - timedelta(days=back)
    try:
        found = parse_date(_plain_months(text, locale), today, locale)
    except (ValueError, OverflowError):
        return None
    if found is None:
        return None
    if found <= today or word == "tomorrow" or _FULL_DATE.search(text):
        return found
    if not re.search(r"\d", word):  # a weekday: the last one, not the next
        return found - timedelta(days=7)
    try:  # a day and month without a year: the last time it came round
        return found.replace(year=found.year - 1)
    except ValueError:  # 29 February
        return None
