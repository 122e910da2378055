"""The claim form on the form engine, as a member meets it: Back keeps what was typed, Stop asks
first once receipts would be thrown away (and really deletes them only after "Yes, stop"), and a
claim left for a menu tap is offered back and carries on where it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Draft, LineStatus, Member
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import claim_review
from bot.services.access import Actor
from tests.claims_world import NOW, OLA, PRIYA, _line, _quick_claim, _setup
from tests.test_receipt_files import _files, _to_receipts_step

en, pl = Translator("en"), Translator("pl")
AMOUNT = "How much did you spend? Type the amount, like 12.50."
RECEIPT = "Please send a photo or a PDF of your receipt. You can send more than one."
NOTE = "Do you want to add a note for your coordinator? Type it, or tap No note."
GOT = (
    "Got {n} receipt. Send another, or tap Done.",
    "Got {n} receipts. Send another, or tap Done.",
)
REALLY = "Stop this claim? What you typed and any receipts you sent will be deleted."


async def _draft(db: Database) -> tuple[str | None, str | None, dict[str, Any]]:
    """(member's step, draft's step, draft's answers)."""
    async with db.session() as session:
        step = await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == OLA)
        )
        draft = await session.scalar(select(Draft).where(Draft.kind == "claim"))
        if draft is None:
            return step, None, {}
        return step, draft.step, dict(draft.data or {})


async def _to_the_amount(ola: MemberDriver) -> None:
    await ola.send("/claim")
    question = await ola.reply()
    await ola.tap(next(b for b in ola.buttons(question) if b.startswith("Planning day")))
    await ola.reply()
    await ola.tap(en("Bus, train or tram"))
    asked = await ola.reply()
    assert asked["text"] == en(AMOUNT)
    assert ola.buttons(asked) == [en("Back"), en("Stop")]


async def _english(db: Database, clock: FrozenClock) -> None:
    await _setup(db, clock)
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == OLA))
        assert member is not None
        member.language = "en"


async def test_back_asks_the_step_before_again_and_keeps_what_was_typed(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _english(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "en")
    await ola.send("/claim")
    first = await ola.reply()
    assert en("Back") not in ola.buttons(first) and en("Stop") in ola.buttons(first)
    await ola.tap(en("Not for a meeting"))  # so the day is asked
    await ola.reply()
    await ola.tap(en("Bus, train or tram"))
    await ola.reply()
    await ola.send("2.50")
    assert (await ola.reply())["text"].startswith(en("When was it? Tap a day."))

    await ola.tap(en("Back"))
    assert (await ola.reply())["text"] == en(AMOUNT)
    _, step, answers = await _draft(db)
    assert step == "amount" and answers["cur"]["amount"] == 250  # the typed amount is kept

    await ola.send("3")
    await ola.reply()
    await ola.tap(en("Today"))
    assert (await ola.reply())["text"] == en(RECEIPT)
    await ola.send_photo(TINY_PNG)
    await ola.reply()
    await ola.tap(en("Done"))
    assert (await ola.reply())["text"] == en(NOTE)

    # Back from the note opens the finished item again, its receipt still there.
    await ola.tap(en("Back"))
    again = await ola.reply()
    assert again["text"] == en.ngettext(*GOT, 1)
    await ola.tap(en("Done"))
    await ola.reply()
    await ola.tap(en("No note"))
    summary = await ola.reply()
    assert en.money(300) in summary["text"] and en("Back") not in ola.buttons(summary)
    _, step, answers = await _draft(db)
    assert step == "summary" and len(answers["lines"]) == 1  # the item once, not twice
    await ola.tap(en("Send claim"))
    assert (await ola.reply())["text"].startswith(en("We got your claim."))


async def test_stop_with_a_receipt_asks_first_keeps_it_on_no_and_deletes_it_on_yes(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    await _english(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "en")
    await _to_receipts_step(ola, en)
    await ola.send_photo(TINY_PNG)
    await ola.reply()
    assert len(_files(settings.panelbot_data_dir)) == 1

    await ola.tap(en("Stop"))
    asked = await ola.reply()
    assert asked["text"] == en(REALLY)
    await ola.tap(en("No, carry on"))
    back = await ola.reply()
    assert back["text"] == en.ngettext(*GOT, 1)  # where they were, with the receipt
    assert len(_files(settings.panelbot_data_dir)) == 1
    assert (await _draft(db))[:2] == ("claim:receipts", "receipts")

    await ola.tap(en("Stop"))
    assert (await ola.reply())["text"] == en(REALLY)
    await ola.tap(en("Yes, stop"))
    stopped = await ola.reply()
    assert stopped["text"] == en("OK. Your claim was not sent.")
    assert en("Expenses") in str(stopped.get("reply_keyboard"))
    assert _files(settings.panelbot_data_dir) == []
    assert await _draft(db) == (None, None, {})


async def test_stop_before_anything_was_made_stops_at_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _english(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "en")
    await _to_the_amount(ola)
    await ola.tap(en("Stop"))
    assert (await ola.reply())["text"] == en("OK. Your claim was not sent.")
    assert await _draft(db) == (None, None, {})


async def test_a_claim_left_for_a_menu_tap_is_offered_back_and_carries_on_where_it_was(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _english(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "en")
    await _to_the_amount(ola)
    await ola.send(en("Help"))
    kept = (await ola.replies(2))[0]
    assert kept["text"] == en("Your claim is saved. Tap Expenses to carry on with it.")
    assert (await _draft(db))[:2] == (None, "amount")

    await ola.send(en("Expenses"))
    offer = await ola.reply()
    assert offer["text"] == en(
        "You have a claim you did not finish. Do you want to carry on with it?"
    )
    assert ola.buttons(offer) == [en("Carry on"), en("Start again")]
    await ola.tap(en("Carry on"))
    assert (await ola.reply())["text"] == en(AMOUNT)
    await ola.send("4.20")
    assert (await ola.reply())["text"] == en(RECEIPT)  # for a meeting: its day, not asked

    # Start again: the half-done claim goes, and the first question comes back.
    await ola.send("/claim")
    await ola.reply()
    await ola.tap(en("Start again"))
    assert (await ola.reply())["text"] == en("Which meeting is this claim for? Tap one.")
    step, draft_step, answers = await _draft(db)
    assert (step, draft_step, answers["cur"]) == ("claim:meeting", "meeting", {})
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Draft)) == 1


async def test_the_coordinators_reason_and_the_members_answer_can_be_stopped(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    _, line_id = await _quick_claim(db, clock, panel_id)
    priya = MemberDriver(emulator, PRIYA, "Priya", "en")
    await priya.send("/review")
    await priya.reply()
    await priya.tap("Reject item 1")
    asked = await priya.reply()
    assert priya.buttons(asked) == [en("Stop")]
    await priya.tap(en("Stop"))
    assert (await priya.reply())["text"] == en("OK. Nothing has changed.")
    assert (await _line(db, line_id)).status == LineStatus.SUBMITTED

    async with db.session() as session:
        coordinator = await session.scalar(select(Member.id).where(Member.telegram_id == PRIYA))
        await claim_review.decide(
            session, Actor(PRIYA, coordinator), line_id, "ask", now=NOW, text="Which bus?"
        )
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await ola.send("/expenses")
    await ola.replies(2)
    await ola.tap(pl("Answer the question"))
    question = await ola.reply()
    assert ola.buttons(question) == [pl("Stop")]
    await ola.tap(pl("Stop"))
    assert (await ola.reply())["text"] == pl("OK. Nothing was sent.")
    await ola.send("Bus 42")  # no longer an answer
    await ola.reply()
    assert (await _line(db, line_id)).answer is None
