"""Urdu and Arabic as a reader sees them: every message is laid out by a real implementation of
the Unicode bidirectional algorithm (python-bidi), and the tests check the order on the screen:
"116 123" not "123 116", "/review" not "review/", an amount not turned into "£UK 42.50", and a
line that starts with an English name still reading right to left.

Without the marks bot/bidi.py adds, each check here fails: get_display() shows "123 116",
"review/" and "£UK", and a line beginning with "Carers Voice" has a left-to-right base level."""

from __future__ import annotations

import html
import re
import string

import pytest
from babel.messages.pofile import read_po
from bidi import get_base_level, get_display

from bot.bidi import strip_controls
from bot.clock import FrozenClock
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import LOCALES_DIR, Translator
from tests.factories import add_member, create_panel

RIGHT_TO_LEFT = ("ur", "ar")


def shown_text(line: str) -> str:
    """The characters of a line as Telegram shows them: HTML tags applied, entities decoded."""
    return html.unescape(re.sub(r"<[^<>]*>", "", line))


def seen(text: str) -> str:
    """What a reader sees, left to right across the screen, one line at a time."""
    lines = text.split("\n")
    return "\n".join(strip_controls(get_display(shown_text(line))) for line in lines)


def reads_right_to_left(line: str) -> bool:
    return get_base_level(shown_text(line)) == 1


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_a_claim_notice_shows_the_name_the_amount_and_the_command_whole(language: str) -> None:
    t = Translator(language)
    notice = t(
        "New claim {n} from {name}: {amount}. Type /review to check it.",
        n=7,
        name="Sam Jones",
        amount=t.money(4250),
    )
    shown = seen(notice)
    assert "/review" in shown and "review/" not in shown
    assert "Sam Jones" in shown
    assert "42.50" in shown
    assert "£UK" not in shown
    assert reads_right_to_left(notice)


def test_an_arabic_amount_keeps_its_currency_beside_the_number() -> None:
    t = Translator("ar")
    shown = seen(t("Approved to pay: {amount}", amount=t.money(4250)))
    assert "42.50\xa0UK£" in shown, shown  # a no-break space keeps them on one line


def test_a_line_that_starts_with_an_english_name_still_reads_right_to_left() -> None:
    t = Translator("ur")
    welcome = t("Welcome to {panel}! You are now a member.", panel="Carers Voice")
    assert welcome.index("Carers Voice") < 3  # the Urdu sentence begins with the name
    assert reads_right_to_left(welcome)
    # On a right-to-left line the first words are on the right: the name ends the screen line.
    assert seen(welcome).rstrip().endswith("Carers Voice")


def _fill(template: str) -> dict[str, object]:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return {name: "Carers Voice" if not name.startswith("n") else 12 for name in names}


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_every_line_of_every_message_reads_right_to_left(language: str) -> None:
    """Generated from the catalogue: a new message is covered without a new test. English values
    (a panel called "Carers Voice", 12 of something) stand in for the worst case."""
    t = Translator(language)
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    wrong: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            text = t.ngettext(singular, plural, 12, **_fill(plural))
        elif message.context:
            text = t.pgettext(message.context, message.id, **_fill(message.id))
        else:
            text = t(message.id, **_fill(message.id))
        for line in text.split("\n"):
            # A line with no letters at all (an emoji, a blank) has no direction of its own.
            if re.search(r"[^\W\d_]", strip_controls(line)) and not reads_right_to_left(line):
                wrong.append(line)
    assert not wrong, f"{len(wrong)} lines read left to right, e.g. {wrong[:5]}"


COORDINATOR, HAMID, LAYLA = 731, 732, 733


async def _confirmation(driver: MemberDriver, t: Translator) -> str:
    await driver.send("/feedback")
    await driver.reply()
    await driver.tap(t("Anonymous. No reply needed"))
    await driver.reply()
    await driver.send("The ramp at the entrance is too steep.")
    return str((await driver.reply())["text"])


async def test_urgent_help_numbers_read_in_order_in_urdu_and_arabic(
    app: object, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, HAMID, "Hamid", language="ur")
    await add_member(db, clock, new.panel.id, LAYLA, "Layla", language="ar")
    hamid = MemberDriver(emulator, HAMID, "Hamid", "ur")
    layla = MemberDriver(emulator, LAYLA, "Layla", "ar")

    for driver, language in ((hamid, "ur"), (layla, "ar")):
        shown = seen(await _confirmation(driver, Translator(language)))
        assert "116 123" in shown and "123 116" not in shown, shown
        assert "NHS 111" in shown and "999" in shown

    # A panel's own lines, typed by the coordinator in English, stay whole on a right-to-left line.
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/helplines\nCarers Direct: 0300 123 1053")
    await priya.reply()
    text = await _confirmation(hamid, Translator("ur"))
    line = next(line for line in text.split("\n") if "Carers Direct" in line)
    assert reads_right_to_left(line)
    assert seen(line).strip() == "Carers Direct: 0300 123 1053"
