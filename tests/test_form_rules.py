"""The form engine's rules, as a member meets them: a menu tap or a command in the middle of a
form does what was tapped (the form is kept, not fed the button's words), /cancel stops any
form in the person's language, and words typed after "Explain a word" never become a "missing
word" when they were a menu tap.

Proof these can fail: on the code before handlers/forms/rules.py, tapping Meetings at the
claim's amount step got "Please type the amount in numbers, like 12.50.", /cancel got "Sorry,
I did not understand that", and "Meetings" after "Explain a word" was counted in /jargon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Draft, Meeting, Member, MissingWord, PaymentChoice, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.factories import add_member, create_panel

en, cy = Translator("en"), Translator("cy")
COORDINATOR, MEMBER = 901, 902
NOW = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
NO_MEETINGS = "You have no meetings coming up. We will tell you when there is one."


async def _panel(db: Database, clock: FrozenClock, language: str = "en") -> None:
    clock.advance(NOW - clock.now())
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    member = await add_member(db, clock, new.panel.id, MEMBER, "Sam", language=language)
    async with db.session() as session:
        row = await session.get(Member, member.id)
        assert row is not None
        row.payment = PaymentChoice.BANK
        session.add(
            Meeting(
                panel_id=new.panel.id,
                title="Planning day",
                starts_at=NOW - timedelta(hours=6),
                paid=True,
                created_at=NOW - timedelta(days=10),
            )
        )


async def _to_the_amount(sam: MemberDriver, t: Translator) -> None:
    await sam.send("/claim")
    question = await sam.reply()
    await sam.tap(next(b for b in sam.buttons(question) if b.startswith("Planning day")))
    await sam.reply()
    await sam.tap(t("Bus, train or tram"))
    assert (await sam.reply())["text"] == t("How much did you spend? Type the amount, like 12.50.")


async def _state(db: Database) -> tuple[str | None, int]:
    async with db.session() as session:
        step = await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == MEMBER)
        )
        drafts = await session.scalar(select(func.count()).select_from(Draft))
        return step, int(drafts or 0)


async def test_a_menu_tap_mid_claim_does_what_was_tapped_and_keeps_the_claim(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    sam = MemberDriver(emulator, MEMBER, "Sam", "en")
    await _to_the_amount(sam, en)

    await sam.send(en("Meetings"))
    kept, meetings = await sam.replies(2)
    assert kept["text"] == en("Your claim is saved. Tap Expenses to carry on with it.")
    assert meetings["text"] == en(NO_MEETINGS)
    assert await _state(db) == (None, 1)  # out of the form, the half-done claim kept

    await sam.send("/help")
    assert en("Please type the amount in numbers, like 12.50.") not in (await sam.reply())["text"]


async def test_cancel_stops_a_claim_in_the_members_language_with_nothing_kept(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock, language="cy")
    sam = MemberDriver(emulator, MEMBER, "Sam", "cy")
    await _to_the_amount(sam, cy)

    await sam.send("/cancel")
    stopped = await sam.reply()
    assert stopped["text"] == cy("OK. Your claim was not sent.")
    assert cy("Expenses") in str(stopped.get("reply_keyboard"))  # the menu is back
    assert await _state(db) == (None, 0)

    await sam.send("/cancel")
    assert (await sam.reply())["text"] == cy("There is nothing to stop. Here is your menu.")


async def test_a_menu_tap_after_explain_a_word_is_not_a_missing_word(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    sam = MemberDriver(emulator, MEMBER, "Sam", "en")
    await sam.send(en("Explain a word"))
    assert (await sam.reply())["text"] == en("Which word would you like me to explain? Type it.")

    await sam.send(en("Meetings"))
    assert (await sam.reply())["text"] == en(NO_MEETINGS)
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(MissingWord)) == 0
