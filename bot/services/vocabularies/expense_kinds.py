"""What can be claimed: every kind of spending and of paid time, in one table.

A row says what is stored (`code`), what a person reads (`label`, translated when shown), what
the finance export calls it (`export_name`, English, never translated), how a rated kind is
priced (`rate`, the panel's setting; `unit`, the words for a quantity; the question that asks for
it), whether the claimant must say why (the question, and how the answer is shown), and what
proof it needs. The claim rules, the claim form, the member's list, review and the export all
read this table, so a new kind is one row here and its words in the catalogues.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.i18n import N_, NP_


class ReceiptRule(enum.Enum):
    PHOTO = "photo"  # a photo or file of the receipt, or a reason why not for a small amount
    NONE = "none"  # worked out from a rate: there is nothing to photograph


@dataclass(frozen=True)
class ExpenseKind:
    code: str
    label: str
    export_name: str
    rate: str | None = None  # the expense policy's setting that prices one unit
    unit: tuple[str, str] | None = None  # "{n} mile" / "{n} miles", for a rated kind
    quantity_question: str | None = None  # for a rated kind; {rate} is the price of one unit
    quantity_help: str | None = None  # a rated kind: what to type, when the answer was not it
    looks_like: str | None = None  # a rated kind: its unit typed where money was asked for
    claim_it: str | None = None  # ... and how to claim that unit instead
    paid_time: bool = False  # paid at the panel's rate for the person's time, not spending
    time_button: str | None = None  # paid time: the panel's rule in words ("By the hour")
    reason_question: str | None = None  # asked when the kind needs a reason
    reason_shown: str | None = None  # the reason in the summary and in review; {reason}
    receipt: ReceiptRule = ReceiptRule.PHOTO

    @property
    def rated(self) -> bool:
        """The amount is the quantity times the panel's rate."""
        return self.rate is not None

    @property
    def needs_reason(self) -> bool:
        return self.reason_question is not None


# Spending first, in the order the buttons show it; then paid time.
KINDS = (
    ExpenseKind("transport", N_("Bus, train or tram"), "Public transport"),
    ExpenseKind(
        "mileage",
        N_("Car mileage"),
        "Mileage",
        rate="mileage_rate",
        unit=NP_("{n} mile", "{n} miles"),
        quantity_question=N_(
            "How many miles did you drive? Type a number, like 12. We pay {rate} a mile."
        ),
        quantity_help=N_("Please type how many miles you drove, in numbers, like 12."),
        looks_like=N_("That looks like miles, not money."),
        claim_it=N_("To claim car miles, add a Car mileage item."),
        receipt=ReceiptRule.NONE,
    ),
    ExpenseKind(
        "taxi",
        N_("Taxi"),
        "Taxi",
        reason_question=N_("Why did you need a taxi? Type a short reason."),
        reason_shown=N_("Why a taxi: {reason}"),
    ),
    ExpenseKind("parking", N_("Parking"), "Parking"),
    ExpenseKind("care", N_("Replacement care or a personal assistant"), "Replacement care or PA"),
    ExpenseKind("childcare", N_("Childcare"), "Childcare"),
    ExpenseKind("food", N_("Food and drink"), "Food"),
    ExpenseKind("phone", N_("Phone or data for online meetings"), "Phone or data"),
    ExpenseKind("other", N_("Something else"), "Other"),
    ExpenseKind(
        "hours",
        N_("Paid time in hours"),
        "Paid time (hours)",
        rate="hourly_rate",
        unit=NP_("{n} hour", "{n} hours"),
        quantity_question=N_("How many hours? Type a number, like 2. We pay {rate} an hour."),
        quantity_help=N_("Please type how many hours, in numbers, like 2 or 1.5."),
        looks_like=N_("That looks like hours, not money."),
        claim_it=N_("To claim your time, add a Paid time for taking part item."),
        paid_time=True,
        time_button=N_("By the hour"),
        receipt=ReceiptRule.NONE,
    ),
    ExpenseKind(
        "sessions",
        N_("Paid time in sessions"),
        "Paid time (sessions)",
        rate="session_rate",
        unit=NP_("{n} session", "{n} sessions"),
        quantity_question=N_("How many sessions? Type a number, like 1. We pay {rate} a session."),
        quantity_help=N_("Please type how many sessions, in numbers, like 1."),
        looks_like=N_("That looks like sessions, not money."),
        claim_it=N_("To claim your time, add a Paid time for taking part item."),
        paid_time=True,
        time_button=N_("By the session"),
        receipt=ReceiptRule.NONE,
    ),
)
BY_CODE = {kind.code: kind for kind in KINDS}
OTHER = BY_CODE["other"]

SPENDING = tuple(kind.code for kind in KINDS if not kind.paid_time)  # the kinds' buttons, in order
PAID_TIME = tuple(kind.code for kind in KINDS if kind.paid_time)
RATED = tuple(kind.code for kind in KINDS if kind.rated)  # amount = quantity x rate
NO_RECEIPT = tuple(kind.code for kind in KINDS if kind.receipt is ReceiptRule.NONE)
CODES = tuple(BY_CODE)


def kind_of(code: str) -> ExpenseKind:
    """The row for a stored code; an unknown one (never stored: claims are checked) reads as
    "Something else"."""
    return BY_CODE.get(code, OTHER)


def label_of(code: str) -> str:
    return kind_of(code).label


def export_name_of(code: str) -> str:
    """The export's English name; an unknown code is exported as it is stored."""
    kind = BY_CODE.get(code)
    return kind.export_name if kind is not None else code
