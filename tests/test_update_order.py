"""People are answered side by side: a slow answer to one person never holds up another, while
each person's own messages are still handled in the order they sent them."""

from __future__ import annotations

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from tests.factories import add_member, create_panel

ALEX, BO = 61, 62


async def _two_members(db: Database, clock: FrozenClock, emulator: BotApiEmulator):
    panel = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, panel.panel.id, ALEX, "Alex")
    await add_member(db, clock, panel.panel.id, BO, "Bo")
    return MemberDriver(emulator, ALEX, "Alex"), MemberDriver(emulator, BO, "Bo")


def _answered(emulator: BotApiEmulator, user_id: int, word: str) -> bool:
    return any(word in (m.get("text") or "").lower() for m in emulator.messages(user_id))


async def test_a_slow_answer_to_one_member_does_not_hold_up_another(
    app: PanelbotApplication, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    alex, bo = await _two_members(db, clock, emulator)
    emulator.delay_next("sendMessage", 3.0)  # Telegram is slow with Alex's answer
    await alex.send("/explain agenda")
    await emulator.wait_for(lambda: emulator.calls("sendMessage"), 5)
    await bo.send("/explain advocate")

    assert await emulator.wait_for(lambda: _answered(emulator, BO, "advocate"), 2)
    assert not _answered(emulator, ALEX, "agenda")  # Bo was answered while Alex's was on its way
    assert await emulator.wait_for(lambda: _answered(emulator, ALEX, "agenda"), 5)


async def test_one_members_messages_are_answered_in_the_order_they_were_sent(
    app: PanelbotApplication, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    alex, _ = await _two_members(db, clock, emulator)
    emulator.delay_next("sendMessage", 1.0)
    for word in ("agenda", "advocate", "carer"):
        await alex.send(f"/explain {word}")
    replies = await alex.replies(3)

    order = [
        next(w for w in ("agenda", "advocate", "carer") if w in r["text"].lower()) for r in replies
    ]
    assert order == ["agenda", "advocate", "carer"]
