"""Words for claims, shared by the claim form, the member's list, review and notices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from html import escape

from babel.numbers import format_decimal

from bot.i18n import N_, Translator, translator
from bot.services.typed_quantities import words_of
from bot.services.vocabularies import expense_kinds

STATUS_LABELS = {
    "submitted": N_("Waiting to be checked"),
    "query": N_("Question for you"),
    "approved": N_("Approved"),
    "rejected": N_("Not approved"),
    "paid": N_("Paid"),
    "withdrawn": N_("Taken back"),
}


def _plural_count(t: Translator, number: Decimal) -> int:
    """A whole number that takes the plural form CLDR gives `number`: gettext counts only whole
    numbers, and 2.5 is "other" (Welsh "2.5 milltir", not the "dwy filltir" form of 2)."""
    if number == number.to_integral_value():
        return int(number)
    category = t.locale.plural_form(number)
    return next((n for n in range(1001) if t.locale.plural_form(n) == category), 2)


def quantity_text(t: Translator, kind: str, quantity: str | None) -> str:
    if quantity is None:
        return ""
    number = Decimal(quantity)
    shown = format_decimal(number, locale=t.locale)
    unit = expense_kinds.kind_of(kind).unit
    if unit is None:  # only rated kinds have a quantity
        return shown
    count = _plural_count(t, number)
    return t.ngettext(*unit, count).replace(str(count), shown, 1)


# Short forms people type in English, beside the catalogues' unit words in every language.
_SHORT_UNITS = {"mileage": ("mi",), "hours": ("h", "hr", "hrs"), "sessions": ("sess",)}
_NUMBERS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 20, 21, 22, 100, 101, 102)


@cache
def unit_words(language: str) -> dict[str, str]:
    """Typed words for each rated kind's unit ("miles", "milltir", "godziny") and the kind they
    mean, from the unit's plural forms in English and `language`."""
    found: dict[str, str] = {}
    for t in (translator("en"), translator(language)):
        for kind in expense_kinds.KINDS:
            if kind.unit is None:
                continue
            for n in _NUMBERS:
                for word in words_of(t.ngettext(*kind.unit, n).replace("{n}", "")):
                    found.setdefault(word, kind.code)
    for code, short in _SHORT_UNITS.items():
        for word in short:
            found.setdefault(word, code)
    return found


def reason_text(t: Translator, kind: str, reason: str) -> str:
    """The claimant's reason for a kind that needs one ("Why a taxi: ..."), escaped."""
    shown = expense_kinds.kind_of(kind).reason_shown
    return t(shown, reason=escape(reason)) if shown else escape(reason)


def line_text(
    t: Translator,
    position: int,
    kind: str,
    amount: int,
    currency: str,
    spent_on: date,
    *,
    quantity: str | None = None,
    receipts: int = 0,
) -> str:
    """ "1. Bus, train or tram: £2.50 on 3 Nov 2026. 1 receipt." in the person's language."""
    what = t(expense_kinds.label_of(kind))
    if quantity is not None:
        what = f"{what} ({quantity_text(t, kind, quantity)})"
    text = t(
        "{n}. {what}: {amount} on {day}.",
        n=position,
        what=what,
        amount=t.money(amount, currency),
        day=t.date(spent_on, style="medium"),
    )
    if receipts:
        text += " " + t.ngettext("{n} receipt.", "{n} receipts.", receipts)
    return text


def quoted(text: str | None) -> str:
    return escape(text or "")
