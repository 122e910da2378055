"""Making a claim with mistakes on the way: wrong amounts, dates and files get a kind message and
the same question, a day is picked on the calendar and an item changed before sending, and an
unsent claim comes back (a photo where an amount was wanted is refused)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Claim, ClaimLine
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from tests.claims_world import _setup, en
from tests.factories import add_member, create_panel


async def test_wrong_amounts_dates_and_files_get_a_kind_message_and_the_same_question(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, 803, "Rhys", "en")
    panel_id = 1
    await add_member(db, clock, panel_id, 803, "Rhys")
    await ola.send("/claim")
    await ola.reply()
    await ola.tap("Not for a meeting")
    await ola.reply()
    await ola.tap("Taxi")
    assert (await ola.reply())["text"] == en("Why did you need a taxi? Type a short reason.")
    await ola.send("My wheelchair does not fit on the bus")
    await ola.reply()
    await ola.send("600")
    assert (await ola.reply())["text"] == en(
        "That is more than {limit}. Please check it, or ask your coordinator.", limit="£500.00"
    )
    await ola.send("12.345")
    assert (await ola.reply())["text"] == en(
        "Please use at most 2 numbers after the point, like 12.50."
    )
    await ola.send("£14")
    await ola.reply()
    await ola.send("tomorrow")
    assert (await ola.reply())["text"] == en(
        "That day has not come yet. Please pick the day you spent the money."
    )
    await ola.send("1/1/2025")
    assert (await ola.reply())["text"] == en(
        "That is too long ago. Claims must be within {days} days.", days=90
    )
    await ola.send("<b>not a date</b>")
    assert (await ola.reply())["text"] == en("Please type a date like 3/11/2026, or tap a button.")
    await ola.send("4/1")  # no year: the 4th of January just gone
    await ola.reply()
    await ola.send_document(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "big.pdf")
    assert (await ola.reply())["text"] == en(
        "That file is too big. Please send a smaller photo or PDF."
    )
    await ola.tap("I have no receipt")
    assert (await ola.reply())["text"] == en(
        "For more than {limit} we need a receipt. Please send a photo of it.", limit="£10.00"
    )
    await ola.send_document()  # a small PDF
    await ola.reply()
    await ola.tap("Done")
    await ola.reply()
    await ola.send("Thanks")
    summary = await ola.reply()
    assert "£14.00 on 4 Jan 2026" in summary["text"]
    assert (
        en("Why a taxi: {reason}", reason="My wheelchair does not fit on the bus")
        in (summary["text"])
    )
    await ola.tap("Send claim")
    await ola.reply()
    async with db.session() as session:
        line = await session.scalar(select(ClaimLine))
        assert line is not None and (line.kind, line.amount, line.spent_on) == (
            "taxi",
            1400,
            date(2026, 1, 4),
        )


async def test_a_day_is_picked_on_the_calendar_and_an_item_is_changed_before_sending(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, 803, "Rhys", "en")
    await add_member(db, clock, 1, 803, "Rhys")
    await ola.send("/claim")
    await ola.reply()
    await ola.tap("Not for a meeting")
    await ola.reply()
    await ola.tap("Parking")
    await ola.reply()
    await ola.send("4")
    await ola.reply()
    await ola.tap("Another day")
    calendar = await ola.reply()
    assert "2" in ola.buttons(calendar) and "20" in ola.buttons(calendar)
    answer = await ola.tap_data(calendar["message_id"], "cl:1:d:pk:d:2026-01-20")
    assert answer is not None
    assert (await ola.reply())["text"] == en(
        "That day has not come yet. Please pick the day you spent the money."
    )
    await ola.tap("2")
    await ola.reply()  # receipts
    await ola.tap("I have no receipt")
    await ola.reply()
    await ola.send("Pay and display machine")
    await ola.reply()  # note
    await ola.tap("No note")
    summary = await ola.reply()
    assert "£4.00 on 2 Jan 2026" in summary["text"]
    await ola.tap("Change item 1")
    await ola.reply()
    await ola.tap("Food and drink")
    await ola.reply()
    await ola.send("6.20")
    await ola.reply()
    await ola.tap("Yesterday")
    await ola.reply()
    await ola.tap("I have no receipt")
    await ola.reply()
    await ola.send("Lost it")
    summary = await ola.reply()
    assert "Food and drink: £6.20 on 4 Jan 2026" in summary["text"]
    assert "Parking" not in summary["text"]
    await ola.tap("Send claim")
    await ola.reply()
    async with db.session() as session:
        lines = list(await session.scalars(select(ClaimLine)))
        assert [(x.kind, x.amount, x.no_receipt_reason) for x in lines] == [
            ("food", 620, "Lost it")
        ]


async def test_an_unsent_claim_comes_back_and_a_photo_where_an_amount_was_wanted_is_refused(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    other = await create_panel(db, clock, "Young Carers")
    await add_member(db, clock, 1, 805, "Kim")
    await add_member(db, clock, other.panel.id, 805, "Kim")
    kim = MemberDriver(emulator, 805, "Kim", "en")
    await kim.send("/claim")
    await kim.reply()
    await kim.tap("Not for a meeting")
    assert (await kim.reply())["text"] == en("Which panel is this claim for? Tap one.")
    await kim.tap("Young Carers")
    await kim.reply()
    await kim.tap("Parking")
    await kim.reply()
    await kim.send_photo()
    assert (await kim.reply())["text"] == en("Please type the amount in numbers, like 12.50.")
    await kim.send("3")
    await kim.reply()
    await kim.tap("Today")
    await kim.reply()
    await kim.tap("I have no receipt")
    await kim.reply()
    await kim.send("Machine broken")
    await kim.reply()
    await kim.tap("No note")
    await kim.reply()
    await kim.send(en("Expenses"))  # the menu button, part-way: the claim is not lost
    back = await kim.reply()
    assert back["text"] == en(
        "You have a claim you did not finish. Do you want to carry on with it?"
    )
    await kim.tap(en("Carry on"))
    assert "£3.00" in (await kim.reply())["text"]
    await kim.tap("Send claim")
    await kim.reply()
    async with db.session() as session:
        claim = await session.scalar(select(Claim))
        assert claim is not None and claim.panel_id == other.panel.id
