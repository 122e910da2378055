"""What the /newmeeting tests share: a panel in London with coordinator Priya and members Alex and
Bea, and the meetings, draft and conversation step the planner leaves in the database."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Draft, Meeting, Member, Panel, Role
from bot.db.engine import Database
from bot.i18n import Translator
from tests.factories import add_member, create_panel

en = Translator("en")
COORDINATOR, ALEX, BEA = 700, 701, 702


async def _panel(
    db: Database, clock: FrozenClock, name: str = "Carers Voice", zone: str = "Europe/London"
) -> int:
    new = await create_panel(db, clock, name)
    async with db.session() as session:
        panel = await session.get(Panel, new.panel.id)
        assert panel is not None
        panel.timezone = zone
    return new.panel.id


async def _panel_with_people(db: Database, clock: FrozenClock) -> tuple[int, list[int]]:
    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    alex = await add_member(db, clock, panel_id, ALEX, "Alex")
    bea = await add_member(db, clock, panel_id, BEA, "Bea")
    return panel_id, [alex.id, bea.id]


async def _meetings(db: Database) -> list[Meeting]:
    async with db.session() as session:
        return list((await session.scalars(select(Meeting))).all())


async def _draft(db: Database) -> Draft | None:
    async with db.session() as session:
        return await session.scalar(select(Draft))


async def _step(db: Database, telegram_id: int) -> str | None:
    async with db.session() as session:
        return await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == telegram_id)
        )
