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
from handlers.guards.flood import TOO_MANY
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
    gwen = MemberDriver(emulator, FLOODER, "Gwen", language_code="cy")
    bo = MemberDriver(emulator, BO, "Bo")
    notice = Translator("cy")(TOO_MANY)
    await gwen.send("/help")
    anchor = (await gwen.reply())["message_id"]

    # Gwen taps a button and Telegram holds the bot's answer to that tap, so everything she
    # sends after it waits in her own queue: the flood.
    emulator.hold(["answerCallbackQuery"])
    emulator.user_taps(FLOODER, anchor, "old:1:button")
    await emulator.wait_held()
    for _ in range(FLOOD):
        emulator.user_sends_text(FLOODER, "/explain agenda")
    await bo.send("/explain advocate")
    assert "advocate" in (await bo.reply(timeout=10))["text"].lower()
    # Bo was answered while all of Gwen's flood still waited behind her tap.
    assert _texts(emulator, FLOODER)[1:] in ([], [notice])
    assert emulator.release() == 1

    # Her queue empties: she had PER_PERSON updates handled (the tap and the messages waiting
    # behind it) and one notice, in Welsh; the rest was dropped.
    answers = PerPersonUpdateProcessor.PER_PERSON - 1

    texts = [m["text"] for m in await gwen.replies(answers + 1, timeout=20)]
    await gwen.no_reply(within=0.5)
    assert texts.count(notice) == 1
    assert len(texts) == answers + 1
    processor = app.update_processor
    assert isinstance(processor, PerPersonUpdateProcessor)
    assert processor.dropped == FLOOD - answers - 1

    # Once her queue is empty she is answered as usual again.
    await gwen.send("/explain agenda")
    assert (await gwen.reply())["text"] != notice


def _raw(update_id: int, user_id: int) -> dict[str, object]:
    chat = {"id": user_id, "type": "private"}
    message = {"message_id": update_id, "from": {"id": user_id}, "chat": chat, "text": "hi"}
    return {"update_id": update_id, "message": message}


def test_most_of_a_flood_is_dropped_before_it_is_decoded() -> None:
    """One batch from getUpdates: 100 of Gwen's with Bo's in between. Only as many of Gwen's as
    she has room for, plus the one that becomes her notice, are decoded; all of Bo's are; the
    last update is kept whoever sent it, or Telegram would send the batch's tail again."""
    processor = PerPersonUpdateProcessor(16)
    batch = [_raw(n, FLOODER) for n in range(100)]
    batch[50:50] = [_raw(1000 + n, BO) for n in range(5)]
    batch.append(_raw(2000, FLOODER))
    kept = processor.thin(batch)
    from_gwen = [u for u in kept if u["message"]["from"]["id"] == FLOODER]
    assert len(from_gwen) == PerPersonUpdateProcessor.PER_PERSON + 1 + 1  # room, notice, last
    assert kept[-1]["update_id"] == 2000
    assert [u["update_id"] for u in kept if u not in from_gwen] == [1000 + n for n in range(5)]
    assert processor.dropped == len(batch) - len(kept)
    # Updates whose sender cannot be found are never dropped.
    nobody = [{"update_id": n, "poll": {"id": str(n)}} for n in range(50)]
    assert processor.thin(nobody) == nobody
