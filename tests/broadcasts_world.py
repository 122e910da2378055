"""What the broadcast tests share: the people, the news in English and Welsh, a panel, Priya
composing news through /broadcast, and the copies, outbox rows and broadcast a send leaves
behind."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Broadcast, OutboxMessage
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import outbox_keys
from tests.factories import create_panel

en, cy, pl = Translator("en"), Translator("cy"), Translator("pl")
PRIYA, ALEX, BRANWEN, PIOTR, DAN, OMAR = 800, 801, 802, 803, 804, 805
ORIGINAL = "The agenda for our next meeting is ready. Please read it before Tuesday."
WELSH = "Mae'r agenda ar gyfer ein cyfarfod nesaf yn barod. Darllenwch hi cyn dydd Mawrth."


async def _panel(db: Database, clock: FrozenClock, name: str = "Carers Voice") -> int:
    return (await create_panel(db, clock, name)).panel.id


async def _copies(emulator: BotApiEmulator, user_id: int, text: str) -> list[dict]:
    return [
        m for m in emulator.messages(user_id) if text in (m.get("text") or m.get("caption") or "")
    ]


async def _compose(priya: MemberDriver, text: str) -> None:
    """Priya (one panel) chooses it, types `text` and reaches the language step."""
    await priya.send("/broadcast")
    who = await priya.reply()
    assert "✓ Carers Voice" in priya.buttons(who)
    await priya.tap(en("Next"))
    assert en("Type your message.") in (await priya.reply())["text"]
    await priya.send(text)


async def _outbox(db: Database, broadcast_id: int) -> list[OutboxMessage]:
    async with db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.key.startswith(outbox_keys.broadcast_copies(broadcast_id))
            )
        )
        return list(rows.all())


async def _only_broadcast(db: Database) -> Broadcast:
    async with db.session() as session:
        found = list((await session.scalars(select(Broadcast))).all())
    assert len(found) == 1
    return found[0]
