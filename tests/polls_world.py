"""The panel and the poll the poll tests share: a coordinator and five members in four
languages, a poll asked through the service, and the coordinator's and the database's view of
the answers (tests/test_polls*.py, tests/test_anonymity_review.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Base, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import poll_asking
from bot.services.access import Actor
from bot.services.poll_rules import PollDraft
from tests.factories import add_member, create_panel

COORDINATOR = 901
MEMBERS = {902: ("Ola", "pl"), 903: ("Rhys", "cy"), 904: ("Amina", "ur"), 905: ("Sam", "en")}
MEMBERS[906] = ("Jo", "en")


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


# An anonymous answer waits in memory and is written with others (bot.services.anonymous).
HELD = (
    "Thank you. We got your answer. We save it later with other people's answers. "
    "Then nobody can tell which is yours. If something goes wrong first, we will ask "
    "you again."
)


async def _close(app: PanelbotApplication, clock: FrozenClock) -> None:
    """Time passes to the closing; the outbox closes the poll and the writer writes its answers."""
    clock.advance(timedelta(days=4))
    await _drain(app)
    await app.runtime.flush_anonymous()


async def _setup(db: Database, clock: FrozenClock, extra: int = 0) -> tuple[int, Actor]:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(
        db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    for telegram_id, (name, language) in MEMBERS.items():
        await add_member(db, clock, new.panel.id, telegram_id, name, language=language)
    for n in range(extra):
        await add_member(db, clock, new.panel.id, 950 + n, f"Extra {n}")
    return new.panel.id, Actor(COORDINATOR, coordinator.id)


async def _poll(
    db: Database, clock: FrozenClock, actor: Actor, panel_id: int, **changes: Any
) -> int:
    values: dict[str, Any] = dict(
        panel_id=panel_id,
        question="How easy was the bus to the hall?",
        kind="rating",
        anonymous=True,
        closes_at=clock.now() + timedelta(days=3),
    )
    values.update(changes)
    async with db.session() as session:
        poll, _ = await poll_asking.create(session, actor, PollDraft(**values), now=clock.now())
    return poll.id


def _drivers(emulator: BotApiEmulator) -> dict[int, MemberDriver]:
    return {tid: MemberDriver(emulator, tid, name, lang) for tid, (name, lang) in MEMBERS.items()}


async def _results(coordinator: MemberDriver, question: str) -> list[dict[str, Any]]:
    await coordinator.send("/results")
    await coordinator.reply()
    await coordinator.tap(question[:60])
    messages = [await coordinator.reply()]
    try:
        while True:
            messages.append(await coordinator.reply(timeout=1.0))
    except AssertionError:
        return messages


async def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table, every row, in the order the engine stores them (no ORDER BY): what a
    database administrator or a stolen backup would see."""
    async with db.session() as session:
        return {
            table.name: [
                tuple(r) for r in (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            ]
            for table in Base.metadata.tables.values()
        }
