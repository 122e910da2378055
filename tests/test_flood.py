"""One person sending a flood of messages: what is beyond a few waiting is dropped, they are told
once in their language, and everyone else is answered meanwhile. (Timings: bench/flood.py.)"""

from __future__ import annotations

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.update_order import PerPersonUpdateProcessor
from handlers.flood import TOO_MANY
from tests.factories import add_member, create_panel

FLOODER, BO = 63, 64
# More than PTB's own bound on waiting updates: before the cap, this many from one person filled
# it, and everyone else's waited until some of hers were answered.
FLOOD = PerPersonUpdateProcessor.WAITING_AT_MOST + 76


def _texts(emulator: BotApiEmulator, user_id: int) -> list[str]:
    return [m.get("text") or "" for m in emulator.messages(user_id)]


async def test_a_flood_is_capped_told_once_and_does_not_hold_up_others(
    app: PanelbotApplication, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    panel = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, panel.panel.id, FLOODER, "Gwen", language="cy")
    await add_member(db, clock, panel.panel.id, BO, "Bo")
    MemberDriver(emulator, FLOODER, "Gwen", language_code="cy")
    bo = MemberDriver(emulator, BO, "Bo")
    notice = Translator("cy")(TOO_MANY)

    # Telegram is slow with Gwen's first answer, so the rest of her flood queues behind it.
    emulator.delay_next("sendMessage", 2.0)
    for _ in range(FLOOD):
        emulator.user_sends_text(FLOODER, "/explain agenda")
    await emulator.wait_for(lambda: emulator.calls("sendMessage"), 5)
    await bo.send("/explain advocate")
    assert "advocate" in (await bo.reply())["text"].lower()
    # Bo was answered while all of Gwen's flood still waited behind her first answer.
    assert [t for t in _texts(emulator, FLOODER) if t != notice] == []

    # Her queue empties: she had PER_PERSON answers (the one in hand and those waiting) and one
    # notice, in Welsh; the rest was dropped.
    def settled() -> bool:
        texts = _texts(emulator, FLOODER)
        return len(texts) >= PerPersonUpdateProcessor.PER_PERSON + 1

    assert await emulator.wait_for(settled, 10)
    await MemberDriver(emulator, FLOODER, "Gwen", language_code="cy").no_reply(within=0.5)
    texts = _texts(emulator, FLOODER)
    assert texts.count(notice) == 1
    assert len(texts) == PerPersonUpdateProcessor.PER_PERSON + 1
    processor = app.update_processor
    assert isinstance(processor, PerPersonUpdateProcessor)
    assert processor.dropped == FLOOD - PerPersonUpdateProcessor.PER_PERSON - 1

    # Once her queue is empty she is answered as usual again.
    gwen = MemberDriver(emulator, FLOODER, "Gwen", language_code="cy")
    await gwen.send("/explain agenda")
    assert (await gwen.reply())["text"] != notice
