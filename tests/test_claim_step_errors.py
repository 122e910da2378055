"""Each claim step's mistakes get a message about that step: "12 miles" is understood where miles
are asked and called miles (not money) where an amount is; hours get hour examples; typing where
a tap is wanted says which tap; a photo or a long text where words are wanted says so and asks
the step's own question again.

Proof they can fail: on main every one of these got "Please type the amount in numbers, like
12.50." or "Please tap one of the buttons." (and "12 miles" at the miles step was refused)."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import ClaimLine
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.claims_world import _setup, en
from tests.factories import add_member

KIM = 806
MILES_HELP = "Please type how many miles you drove, in numbers, like 12."
HOURS_HELP = "Please type how many hours, in numbers, like 2 or 1.5."
NOTE = "Do you want to add a note for your coordinator? Type it, or tap No note."


def lines(t: Translator, *messages: str, **values: object) -> str:
    return "\n".join(t(m, **values) for m in messages)


async def test_every_claim_step_says_what_that_step_wants(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    await add_member(db, clock, panel_id, KIM, "Kim")
    kim = MemberDriver(emulator, KIM, "Kim", "en")
    await kim.send("/claim")
    await kim.reply()
    await kim.send("the bus")
    assert (await kim.reply())["text"] == en(
        "Please tap the meeting this claim is for, or tap Not for a meeting."
    )
    await kim.tap(en("Not for a meeting"))
    await kim.reply()
    await kim.send("mileage")
    assert (await kim.reply())["text"] == en("Please tap what you want to claim.")

    # Miles: "12 miles" is understood; money, words and 0 get the miles example.
    await kim.tap(en("Car mileage"))
    await kim.reply()
    await kim.send("£5.40")
    assert (await kim.reply())["text"] == lines(
        en, "That looks like money. We work out the money for you.", MILES_HELP
    )
    await kim.send("twelve")
    assert (await kim.reply())["text"] == en(MILES_HELP)
    await kim.send("0 miles")
    assert (await kim.reply())["text"] == lines(en, "It must be more than 0.", MILES_HELP)
    await kim.send_photo()
    assert (await kim.reply())["text"] == en(MILES_HELP)
    await kim.send("12 miles")
    assert (await kim.reply())["text"].startswith(en("When was it? Tap a day."))
    await kim.tap(en("Today"))
    assert (await kim.reply())["text"] == en(NOTE)
    await kim.send_photo()
    assert (await kim.reply())["text"] == lines(en, "Please type it in words.", NOTE)
    await kim.send("x" * 301)
    assert (await kim.reply())["text"] == lines(
        en, "Please keep it short: under 300 letters.", NOTE
    )
    await kim.tap(en("No note"))
    await kim.reply()
    await kim.send("send it")
    assert (await kim.reply())["text"] == en(
        "Please use the buttons under your claim: send it, or change it."
    )

    # An amount: miles and hours are not money, and the reply says how to claim them.
    await kim.tap(en("Add another item"))
    await kim.reply()
    await kim.tap(en("Bus, train or tram"))
    await kim.reply()
    await kim.send("12 miles")
    assert (await kim.reply())["text"] == lines(
        en,
        "That looks like miles, not money.",
        "Please type the amount in numbers, like 12.50.",
        "To claim car miles, add a Car mileage item.",
    )
    await kim.send("3 hours")
    assert (await kim.reply())["text"] == lines(
        en,
        "That looks like hours, not money.",
        "Please type the amount in numbers, like 12.50.",
        "To claim your time, add a Paid time for taking part item.",
    )
    await kim.send("4 pounds")  # money in words is money
    assert (await kim.reply())["text"].startswith(en("When was it? Tap a day."))
    await kim.tap(en("Today"))
    await kim.reply()
    await kim.tap(en("I have no receipt"))
    await kim.reply()
    await kim.send("The driver gave none")
    await kim.reply()

    # Hours: hour examples, and "1,5 h" is understood.
    await kim.tap(en("Add another item"))
    await kim.reply()
    await kim.tap(en("Paid time for taking part"))
    await kim.reply()
    await kim.send("all afternoon")
    assert (await kim.reply())["text"] == en(HOURS_HELP)
    await kim.send("12 miles")
    assert (await kim.reply())["text"] == en(HOURS_HELP)
    await kim.send("1.255")
    assert (await kim.reply())["text"] == lines(
        en, "Please use at most 2 numbers after the point.", HOURS_HELP
    )
    await kim.send("1.5 h")
    assert (await kim.reply())["text"].startswith(en("When was it? Tap a day."))
    await kim.tap(en("Today"))
    await kim.reply()
    await kim.tap(en("Send claim"))
    await kim.reply()
    async with db.session() as session:
        rows = await session.scalars(select(ClaimLine).order_by(ClaimLine.position))
        assert [(x.kind, x.quantity, x.amount) for x in rows] == [
            ("mileage", "12", 540),
            ("transport", None, 400),
            ("hours", "1.5", 3000),
        ]


async def test_a_long_reason_for_a_taxi_asks_the_taxi_question_again(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    await add_member(db, clock, panel_id, KIM, "Kim", language="cy")
    cy = Translator("cy")
    kim = MemberDriver(emulator, KIM, "Kim", "cy")
    await kim.send("/claim")
    await kim.reply()
    await kim.tap(cy("Not for a meeting"))
    await kim.reply()
    await kim.tap(cy("Taxi"))
    await kim.reply()
    await kim.send("y" * 301)
    assert (await kim.reply())["text"] == lines(
        cy,
        "Please keep it short: under 300 letters.",
        "Why did you need a taxi? Type a short reason.",
    )
    await kim.send("Mae fy nghadair olwyn yn rhy fawr i'r bws")
    await kim.reply()
    await kim.send("12 milltir")  # Welsh miles at an amount step
    assert (await kim.reply())["text"] == lines(
        cy,
        "That looks like miles, not money.",
        "Please type the amount in numbers, like 12.50.",
        "To claim car miles, add a Car mileage item.",
    )
