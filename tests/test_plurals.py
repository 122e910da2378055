"""Plurals: each catalogue picks its forms by CLDR's plural categories, and the forms say the
right thing ("2 dhuine" in Gaelic, "11 شخصًا" in Arabic, "6 pherson" in Welsh).

The catalogue's rule is read the way the bot reads it at run time: its Plural-Forms header,
compiled and evaluated by gettext, asked which form it picks for each number."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.bidi import strip_controls
from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import LOCALES_DIR, Translator
from bot.languages import LAUNCH_LANGUAGES
from handlers.claims.words import quantity_text
from tests.factories import add_member, create_panel

NUMBERS = range(1001)
PROBE = ("plural probe {n}", "plural probes {n}")


def _catalogue(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _form_index(catalog: Catalog) -> Callable[[int], int]:
    """Which of the catalogue's plural forms gettext picks for n, by the catalogue's header."""
    catalog.add(PROBE, tuple(str(index) for index in range(catalog.num_plurals)))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(fp=buffer)
    return lambda n: int(translations.ngettext(*PROBE, n))


@pytest.mark.parametrize("language", LAUNCH_LANGUAGES)
def test_each_plural_form_is_one_cldr_category(language: str) -> None:
    """For 0..1000, numbers share a form exactly when CLDR puts them in the same category."""
    form_of = _form_index(_catalogue(language))
    category_of = Locale.parse(language).plural_form
    categories_by_form: dict[int, dict[str, int]] = defaultdict(dict)
    forms_by_category: dict[str, dict[int, int]] = defaultdict(dict)
    for n in NUMBERS:
        form, category = form_of(n), category_of(n)
        categories_by_form[form].setdefault(category, n)
        forms_by_category[category].setdefault(form, n)
    mixed = {form: seen for form, seen in categories_by_form.items() if len(seen) > 1}
    split = {category: seen for category, seen in forms_by_category.items() if len(seen) > 1}
    # Each entry is {category or form: first number where it happens}.
    assert not mixed, f"{language}: one form serves several CLDR categories: {mixed}"
    assert not split, f"{language}: one CLDR category is split over several forms: {split}"
    unused = set(range(_catalogue(language).num_plurals)) - set(categories_by_form)
    assert not unused, f"{language}: forms {sorted(unused)} are never used"


@pytest.mark.parametrize("language", LAUNCH_LANGUAGES)
def test_forms_come_in_the_usual_order(language: str) -> None:
    """The order Babel writes for a new catalogue (e.g. Arabic: zero, one, two, 3-10, 11-99,
    100-102), which translators' tools and other projects' catalogues expect."""
    form_of = _form_index(_catalogue(language))
    usual = _form_index(Catalog(locale=language))
    differ = [n for n in NUMBERS if form_of(n) != usual(n)]
    assert not differ, f"{language}: {differ[:10]} take a form out of the usual order"


def _people(language: str, n: int) -> str:
    return strip_controls(Translator(language).ngettext("{n} person", "{n} people", n))


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("gd", 1, "1 duine"),
        ("gd", 2, "2 dhuine"),
        ("gd", 3, "3 daoine"),
        ("gd", 11, "11 duine"),
        ("gd", 12, "12 dhuine"),
        ("gd", 19, "19 daoine"),
        ("gd", 20, "20 duine"),
        ("gd", 0, "0 duine"),
        ("cy", 0, "0 o bobl"),
        ("cy", 2, "2 berson"),
        ("cy", 3, "3 pherson"),
        ("cy", 6, "6 pherson"),
        ("cy", 7, "7 o bobl"),
        ("ar", 3, "3 أشخاص"),
        ("ar", 11, "11 شخصًا"),
        ("ar", 99, "99 شخصًا"),
        ("ar", 100, "100 شخص"),
        ("ar", 111, "111 شخصًا"),
        ("pl", 22, "22 osoby"),
        ("pl", 12, "12 osób"),
    ],
)
def test_a_count_of_people_reads_right(language: str, n: int, expected: str) -> None:
    assert _people(language, n) == expected


@pytest.mark.parametrize(
    ("language", "singular", "n", "expected"),
    [
        ("ar", "You have {n} meeting coming up.", 11, "لديك 11 اجتماعًا قادمًا."),
        ("ar", "You have {n} meeting coming up.", 100, "لديك 100 اجتماع قادم."),
        ("ar", "Sent. {n} member will get the invitation.", 25, "عضوًا"),
        ("ar", "Got {n} receipt. Send another, or tap Done.", 4, "وصلني 4 إيصالات."),
        ("ar", "It will go to {n} person.", 11, "ستصل إلى 11 شخصًا."),
        ("ar", "It will go to {n} person.", 101, "ستصل إلى 101 شخص."),
        ("ar", "{n} mile", 11, "11 ميلًا"),
        ("ar", "{n} receipt.", 40, "40 إيصالًا."),
        ("gd", "Sent. {n} member will get the invitation.", 2, "Gheibh 2 bhall"),
        ("gd", "It lasts {n} minute.", 30, "Mairidh i 30 mionaid."),
        ("gd", "{n} session", 12, "12 sheisean"),
        ("cy", "{n} mile", 2, "2 filltir"),
        ("cy", "{n} line in this file.", 2, "2 linell"),
    ],
)
def test_other_entries_follow_the_same_rules(
    language: str, singular: str, n: int, expected: str
) -> None:
    source = next(m for m in _catalogue("en") if m.pluralizable and m.id[0] == singular)
    text = Translator(language).ngettext(singular, source.id[1], n)
    assert expected in strip_controls(text)


@pytest.mark.parametrize(
    ("language", "quantity", "expected"),
    [
        ("cy", "2.5", "2.5 milltir"),
        ("cy", "2", "2 filltir"),
        ("gd", "2.5", "2.5 mìle"),
        ("gd", "12", "12 mhìle"),
        ("ar", "2.5", "2.5 ميل"),
        ("ar", "11", "11 ميلًا"),
        ("en", "1.5", "1.5 miles"),
    ],
)
def test_a_part_mile_on_a_claim_takes_the_form_cldr_gives_it(
    language: str, quantity: str, expected: str
) -> None:
    """gettext counts whole numbers only; 2.5 is CLDR's "other", not the form for 2."""
    assert strip_controls(quantity_text(Translator(language), "mileage", quantity)) == expected


@pytest.mark.parametrize(
    ("language", "members", "expected"), [("gd", 2, "2 dhuine"), ("ar", 11, "11 شخصًا")]
)
async def test_a_coordinator_sees_how_many_people_are_in_the_panel(
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    app: PanelbotApplication,
    language: str,
    members: int,
    expected: str,
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 901, "Olu", role=Role.COORDINATOR, language=language)
    for number in range(1, members):
        await add_member(db, clock, new.panel.id, 901 + number, f"Member {number}")
    olu = MemberDriver(emulator, 901, "Olu", language_code=language)

    await olu.send("/members")
    text = (await olu.reply())["text"]
    assert expected in strip_controls(text).splitlines()[1]


async def test_an_arabic_coordinator_is_told_a_broadcast_goes_to_11_people(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    """11-99 take the singular accusative ("11 شخصًا"); the old header gave them the form for
    100-102 here ("11 شخص")."""
    ar = Translator("ar")
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 901, "Huda", role=Role.COORDINATOR, language="ar")
    # Eleven members besides Huda: the sender gets no copy of her own news unless she asks.
    for number in range(1, 12):
        await add_member(db, clock, new.panel.id, 901 + number, f"Member {number}")
    huda = MemberDriver(emulator, 901, "Huda", language_code="ar")

    await huda.send("/broadcast")
    await huda.reply()
    await huda.tap(ar("Next"))
    await huda.reply()
    await huda.send("See you on Tuesday.")
    await huda.reply()
    await huda.tap(ar("Next"))
    await huda.reply()
    await huda.tap(ar("No"))
    await huda.reply()
    await huda.tap(ar("Send now"))
    summary = (await huda.replies(3))[-1]["text"]
    assert strip_controls(summary).splitlines()[0] == "ستصل إلى 11 شخصًا."
