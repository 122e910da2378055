"""The vocabulary tables are whole: every code once, every rated kind priced by a policy setting
and with unit words, every wording in the catalogues, and the payment choices match the column."""

from __future__ import annotations

from dataclasses import fields

from babel.messages.pofile import read_po

from bot.db import PaymentChoice
from bot.i18n import LOCALES_DIR
from bot.services.claim_rules import DEFAULT_POLICY, Policy
from bot.services.vocabularies import expense_kinds, payments


def _template_ids() -> set[object]:
    with open(LOCALES_DIR / "messages.pot", "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_each_expense_kind_is_one_row_with_what_its_rules_need() -> None:
    codes = [kind.code for kind in expense_kinds.KINDS]
    assert len(codes) == len(set(codes))
    settings = {f.name for f in fields(Policy)}
    policy = Policy(**DEFAULT_POLICY)
    assert policy.time_kind in expense_kinds.PAID_TIME  # the rule a panel that set none has
    ids = _template_ids()
    for kind in expense_kinds.KINDS:
        assert kind.label in ids and kind.export_name
        assert kind.rated == (kind.unit is not None)
        if kind.rated:
            assert kind.rate in settings and policy.rate(kind.code) > 0
            assert kind.unit in ids  # a plural pair is one (singular, plural) id
            assert kind.quantity_question in ids and "{rate}" in kind.quantity_question
            # Its own words when something else is typed, at its step and at an amount step.
            assert {kind.quantity_help, kind.looks_like, kind.claim_it} <= ids
        if kind.paid_time:
            assert kind.rated and kind.time_button in ids
        if kind.needs_reason:
            assert kind.reason_question in ids and kind.reason_shown in ids
            assert "{reason}" in kind.reason_shown
    assert expense_kinds.SPENDING[0] == "transport" and expense_kinds.SPENDING[-1] == "other"
    assert expense_kinds.label_of("no such kind") == expense_kinds.OTHER.label
    assert expense_kinds.export_name_of("no such kind") == "no such kind"


def test_payment_choices_are_the_stored_ones_and_every_wording_is_in_the_catalogues() -> None:
    assert [row.choice for row in payments.CHOICES] == list(PaymentChoice)
    ids = _template_ids()
    for row in payments.CHOICES:
        assert row.label in ids and row.in_words in ids
    for method in payments.METHODS:
        assert method.label in ids
    assert payments.choice_in_words(None) == payments.NOT_CHOSEN
    assert payments.method_label(None) == payments.method_label("other") == "Another way"
