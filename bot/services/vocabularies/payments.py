"""How people are paid, in one place: the member's choice, and how a coordinator paid a claim.

`PaymentChoice` (stored on the member) is asked when joining and in /settings, shown on their
claims to the reviewer, in /members and /mydata. `label` is the button's wording, `in_words` the
shorter description coordinators and the member read back. `METHODS` are the ways a coordinator
marks a claim paid. Every wording is marked for the catalogues and translated when shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import PaymentChoice
from bot.i18n import N_


@dataclass(frozen=True)
class ChoiceRow:
    choice: PaymentChoice
    label: str  # the button, as the member chooses
    in_words: str  # read back to coordinators (/members) and the member (/mydata)


CHOICES = (
    ChoiceRow(PaymentChoice.BANK, N_("Bank transfer"), N_("Bank transfer")),
    ChoiceRow(PaymentChoice.VOUCHERS, N_("Vouchers"), N_("Vouchers")),
    ChoiceRow(PaymentChoice.DECLINE, N_("I do not want to be paid"), N_("No payment wanted")),
    ChoiceRow(PaymentChoice.UNSURE, N_("Not sure: please talk to me"), N_("Not sure yet")),
)
CHOICE_BY_CODE = {row.choice.value: row for row in CHOICES}
CHOICE_LABELS = {code: row.label for code, row in CHOICE_BY_CODE.items()}  # the buttons, in order
NOT_CHOSEN = N_("Not chosen yet")


def choice_label(code: str) -> str | None:
    """The button's wording for a stored choice, or None for no (or an unknown) choice."""
    row = CHOICE_BY_CODE.get(code)
    return row.label if row is not None else None


def choice_in_words(code: str | None) -> str:
    """The short description of a stored choice; "Not chosen yet" when there is none."""
    row = CHOICE_BY_CODE.get(code or "")
    return row.in_words if row is not None else NOT_CHOSEN


@dataclass(frozen=True)
class MethodRow:
    code: str  # stored on the claim, and in the finance export as it is
    label: str


METHODS = (
    MethodRow("bank", N_("Bank transfer")),
    MethodRow("voucher", N_("Voucher")),
    MethodRow("cash", N_("Cash")),
    MethodRow("other", N_("Another way")),
)
METHOD_BY_CODE = {row.code: row for row in METHODS}
METHOD_CODES = tuple(METHOD_BY_CODE)


def method_label(code: str | None) -> str:
    """How a claim was paid, in words; no (or an unknown) method reads as "Another way"."""
    return METHOD_BY_CODE.get(code or "other", METHOD_BY_CODE["other"]).label
