"""Reading amounts and claim dates as people type them, without ever holding money in a float.

Amounts become an integer number of minor units (pence). "12.50", "£12.50", "12,50", "12" and
"12.5" all mean 1250 in every launch language; a separator followed by exactly three digits is
read the way the person's locale groups thousands ("1,250" is 1250 pounds in English, 1.25 in
Polish, where the comma is the decimal mark).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import get_currency_precision, get_currency_symbol, get_decimal_symbol

MAX_TEXT = 40  # anything longer is not an amount


class AmountProblem(enum.StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NOT_POSITIVE = "not_positive"
    TOO_PRECISE = "too_precise"


@dataclass(frozen=True)
class Amount:
    minor: int | None
    problem: AmountProblem | None = None


# Marks that carry no value: direction marks around Arabic and Urdu numbers, spaces of all kinds.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u2066\u2067\u2069"))
_SEPARATORS = {"\u066b": ".", "\u066c": ",", "\u060c": ",", "'": "", "\u2019": ""}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _digits(text: str) -> str:
    """Arabic-Indic and other decimal digits as ASCII; everything else unchanged."""
    out = []
    for char in text:
        value = unicodedata.decimal(char, None)
        out.append(str(value) if value is not None and not char.isascii() else char)
    return "".join(out)


def parse_amount(text: str, locale: Locale | str = "en_GB", currency: str = "GBP") -> Amount:
    """The amount typed, in minor units of `currency`, or the reason it is not one."""
    locale = Locale.parse(locale) if isinstance(locale, str) else locale
    cleaned = _digits(text.translate(_INVISIBLE)).strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    symbols = {get_currency_symbol(currency, locale), get_currency_symbol(currency, "en")}
    for symbol in sorted(symbols, key=len, reverse=True):  # "UK£" before "£"
        cleaned = cleaned.replace(symbol, " ")
    cleaned = re.sub(re.escape(currency), " ", cleaned, flags=re.IGNORECASE)
    for mark, plain in _SEPARATORS.items():
        cleaned = cleaned.replace(mark, plain)
    negative = cleaned.strip().startswith(("-", "\u2212"))
    cleaned = re.sub(r"\s+", "", cleaned).lstrip("-\u2212+")
    if cleaned.endswith((".", ",")):
        cleaned = cleaned[:-1]
    if not _NUMBER.fullmatch(cleaned):
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    number = _as_decimal(cleaned, get_decimal_symbol(locale))
    if number is None:
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    if negative or number <= 0:
        return Amount(None, AmountProblem.NOT_POSITIVE)
    places = get_currency_precision(currency)
    minor = number.scaleb(places)
    if minor != minor.to_integral_value():
        return Amount(None, AmountProblem.TOO_PRECISE)
    return Amount(int(minor))


def _as_decimal(digits: str, decimal_mark: str) -> Decimal | None:
    """Decide which of "." and "," is the decimal mark, then read the number exactly."""
    marks = [c for c in digits if c in ".,"]
    if not marks:
        whole, fraction = digits, ""
    else:
        last = marks[-1]
        head, _, tail = digits.rpartition(last)
        only_groups = len(set(marks)) == 1 and (
            marks.count(last) > 1 or (len(tail) == 3 and last != decimal_mark)
        )
        if only_groups:
            # "1,250" or "1,250,000": thousands, no fraction.
            if not _grouped(digits, last):
                return None
            whole, fraction = digits.replace(last, ""), ""
        else:
            other = "," if last == "." else "."
            if last in head or (other in head and not _grouped(head, other)):
                return None
            whole, fraction = head.replace(other, ""), tail
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:
        return None


def _grouped(head: str, mark: str) -> bool:
    """'1.250' style groups of three after the first."""
    groups = head.split(mark)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def minor_to_decimal(minor: int, currency: str = "GBP") -> Decimal:
    return Decimal(minor).scaleb(-get_currency_precision(currency))
