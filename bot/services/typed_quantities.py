"""Reading a number of miles, hours or sessions as people type it ("12", "12 miles", "1,5 h"),
and noticing money or another unit where one was not wanted, so the reply can say which.

The words for each unit come from the caller (the claim form takes them from the catalogues'
unit words, in English and the person's language); money is known by the currency's symbol,
its code and the words of its name in Babel (CLDR), like "pounds" or "funtów"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_currency_precision, get_currency_symbol

from bot.services.money import MAX_TEXT, AmountProblem, parse_amount

MONEY = "money"  # the unit of an amount typed with a currency
_WORD = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> list[str]:
    """The words in `text`, casefolded, without marks (Arabic vowel signs, "ميلًا" is "ميلا")."""
    plain = "".join(c for c in text.casefold() if unicodedata.category(c) != "Mn")
    return _WORD.findall(plain)


@dataclass(frozen=True)
class Typed:
    number: Decimal | None  # None: no number could be read (see `problem`)
    unit: str | None  # the unit whose words came with the number, MONEY, or None for none
    problem: AmountProblem | None = None


@cache
def _money_words(currency: str, language: str) -> frozenset[str]:
    words: set[str] = set()
    for locale in {"en", language}:
        for count in (1, 2, 5, 22):
            try:
                name = get_currency_name(currency, count, locale)
            except (ValueError, LookupError):
                continue
            words.update(words_of(name))
    return frozenset(words)


def _symbols(currency: str, locale: Locale) -> list[str]:
    found = {get_currency_symbol(currency, locale), get_currency_symbol(currency, "en"), currency}
    return sorted(found, key=len, reverse=True)


def read(text: str, locale: Locale | str, currency: str, unit_words: Mapping[str, str]) -> Typed:
    """A number with at most one unit: `unit_words` maps each (casefolded) word to its unit."""
    locale = Locale.parse(locale) if isinstance(locale, str) else locale
    if not text.strip() or len(text) > MAX_TEXT:
        return Typed(None, None, AmountProblem.NOT_A_NUMBER)
    units: set[str] = set()
    folded = "".join(c for c in text.casefold() if unicodedata.category(c) != "Mn")
    if any(symbol.casefold() in folded for symbol in _symbols(currency, locale)):
        units.add(MONEY)
    unknown = False
    for word in words_of(folded):
        if word in unit_words:
            units.add(unit_words[word])
        elif word in _money_words(currency, locale.language):
            units.add(MONEY)
        elif word != currency.casefold():
            unknown = True
    unit = next(iter(units)) if len(units) == 1 else None
    if unknown or len(units) > 1:
        return Typed(None, unit, AmountProblem.NOT_A_NUMBER)
    parsed = parse_amount(_WORD.sub(" ", folded), locale, currency)
    if parsed.minor is None:
        return Typed(None, unit, parsed.problem)
    return Typed(Decimal(parsed.minor).scaleb(-get_currency_precision(currency)), unit)
