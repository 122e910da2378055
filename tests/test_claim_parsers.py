"""Property tests for what members type in a claim: amounts in every launch language and dates of
money already spent. Every accepted form round-trips, nothing raises, no float holds money."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services.money import Amount, AmountProblem, parse_amount
from handlers.claims.dates import (
    TODAY_CONTEXT,
    TODAY_WORDS,
    YESTERDAY_CONTEXT,
    YESTERDAY_WORDS,
    parse_claim_date,
)

LOCALES = [Translator(language).locale for language in LAUNCH_LANGUAGES]
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 1, 5)

minor_units = st.integers(min_value=1, max_value=10**10)
locales = st.sampled_from(LOCALES)


def pounds(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(minor_units, locales)
def test_an_amount_shown_in_any_launch_language_reads_back_as_the_same_pence(
    minor: int, locale: object
) -> None:
    shown = [
        format_currency(pounds(minor), "GBP", locale=locale),  # what the bot itself shows
        format_decimal(pounds(minor), format="#,##0.00", locale=locale),
        format_decimal(pounds(minor), format="0.00", locale=locale),
        f"£{pounds(minor)}",
        str(pounds(minor)),
    ]
    for text in shown:
        read = parse_amount(text, locale)  # type: ignore[arg-type]
        assert read == Amount(minor), (text, read)
        assert type(read.minor) is int


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(st.integers(min_value=1, max_value=10**6), locales)
def test_whole_pounds_and_one_decimal_place_read_right_everywhere(
    whole: int, locale: object
) -> None:
    assert parse_amount(str(whole), locale).minor == whole * 100  # type: ignore[arg-type]
    assert parse_amount(f"{whole}.5", locale).minor == whole * 100 + 50  # type: ignore[arg-type]
    assert parse_amount(f"{whole},50", locale).minor == whole * 100 + 50  # type: ignore[arg-type]


def test_the_examples_in_the_issue_all_mean_twelve_pounds_fifty_or_twelve_pounds() -> None:
    for locale in LOCALES:
        for text, minor in (
            ("12.50", 1250),
            ("£12.50", 1250),
            ("12,50", 1250),
            ("12", 1200),
            ("12.5", 1250),
        ):
            assert parse_amount(text, locale).minor == minor, (text, locale)
        assert parse_amount("-5", locale).problem == AmountProblem.NOT_POSITIVE
        assert parse_amount("0", locale).problem == AmountProblem.NOT_POSITIVE
        assert parse_amount("0,00", locale).problem == AmountProblem.NOT_POSITIVE
        assert parse_amount("twelve", locale).problem == AmountProblem.NOT_A_NUMBER
        assert parse_amount("1.2.3", locale).problem == AmountProblem.NOT_A_NUMBER


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(st.text(max_size=60), locales)
def test_no_text_makes_the_amount_reader_raise_and_it_never_returns_a_float(
    text: str, locale: object
) -> None:
    read = parse_amount(text, locale)  # type: ignore[arg-type]
    assert (read.minor is None) != (read.problem is None)
    if read.minor is not None:
        assert type(read.minor) is int and read.minor > 0


def test_no_float_is_used_anywhere_money_is_read_stored_or_exported() -> None:
    for module in (
        "bot/services/money.py",
        "bot/services/claim_rules.py",
        "bot/services/claim_submission.py",
        "bot/services/claim_review.py",
        "bot/services/my_claims.py",
        "bot/services/vocabularies/expense_kinds.py",
        "bot/services/claim_export.py",
        "bot/db/expense_models.py",
    ):
        tree = ast.parse((ROOT / module).read_text())
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        floats = [
            n for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is float
        ]
        assert "float" not in names and not floats, module


days_back = st.integers(min_value=0, max_value=364)


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(days_back, locales)
def test_a_typed_date_in_the_last_year_reads_back_as_the_same_day(
    back: int, locale: object
) -> None:
    day = TODAY - timedelta(days=back)
    forms = [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day}.{day.month}.{day.year % 100:02d}",
        f"{day.day}/{day.month}",  # no year: the last time that day came round
        format_date(day, "d MMMM y", locale=locale),  # type: ignore[arg-type]
        format_date(day, "d MMMM", locale="en"),
    ]
    for text in forms:
        assert parse_claim_date(text, TODAY, locale) == day, text  # type: ignore[arg-type]


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(st.integers(min_value=1, max_value=7))
def test_a_weekday_means_the_last_one_and_words_mean_today_and_yesterday(ago: int) -> None:
    day = TODAY - timedelta(days=ago % 7)
    assert parse_claim_date(format_date(day, "EEEE", locale="en"), TODAY) == day
    assert parse_claim_date("today", TODAY) == TODAY
    assert parse_claim_date("Yesterday", TODAY) == TODAY - timedelta(days=1)


def _typed_words(locale: object, context: str, words: str, label: str) -> list[str]:
    """What the catalogue lists for this language, and the form's own button label."""
    t = Translator(locale.language)  # type: ignore[attr-defined]
    listed = [w.strip() for w in t.pgettext(context, words).replace("،", ",").split(",")]
    return [w for w in listed if w] + [t(label)]


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(locales, st.data())
def test_today_and_yesterday_read_right_in_every_launch_language_however_typed(
    locale: object, data: st.DataObject
) -> None:
    for back, context, words, label in (
        (0, TODAY_CONTEXT, TODAY_WORDS, "Today"),
        (1, YESTERDAY_CONTEXT, YESTERDAY_WORDS, "Yesterday"),
    ):
        listed = _typed_words(locale, context, words, label)
        assert len(listed) >= 2  # translated, not only the button
        word = data.draw(st.sampled_from(listed + _typed_words(LOCALES[0], context, words, label)))
        word = data.draw(st.sampled_from([word, word.upper(), word.capitalize()]))
        padded = (
            data.draw(st.sampled_from(["", " ", "  "]))
            + word
            + data.draw(st.sampled_from(["", " ", ".", "!"]))
        )
        assert parse_claim_date(padded, TODAY, locale) == TODAY - timedelta(days=back), padded  # type: ignore[arg-type]


def test_no_word_for_today_also_means_yesterday_in_any_language() -> None:
    for locale in LOCALES:
        today = set(_typed_words(locale, TODAY_CONTEXT, TODAY_WORDS, "Today"))
        yesterday = set(_typed_words(locale, YESTERDAY_CONTEXT, YESTERDAY_WORDS, "Yesterday"))
        assert not {w.casefold() for w in today} & {w.casefold() for w in yesterday}, locale


@settings(deadline=None)  # the machine is shared: time per example is not the point
@given(st.text(max_size=80), locales)
def test_no_text_makes_the_date_reader_raise(text: str, locale: object) -> None:
    found = parse_claim_date(text, TODAY, locale)  # type: ignore[arg-type]
    assert found is None or isinstance(found, date)
