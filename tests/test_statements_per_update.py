"""The database work behind the commonest updates stays small (issue 9: at most 5 statements per
update), counted on the real bot's engine while a member uses it through the emulator."""

from __future__ import annotations

from sqlalchemy import event

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.factories import add_member, create_panel

MOST = 5


class Counter:
    def __init__(self, db: Database) -> None:
        self.statements: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: object, _cursor: object, sql: str, *_: object) -> None:
        self.statements.append(" ".join(sql.split())[:80])

    def take(self) -> list[str]:
        taken, self.statements = self.statements, []
        return taken


async def test_a_lookup_a_settings_change_and_a_claim_step_stay_within_five_statements(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, 6101, "Kai")
    kai = MemberDriver(emulator, 6101, "Kai", language_code="en")
    en = Translator("en")
    counter = Counter(db)

    await kai.send("/explain agenda")
    assert "agenda" in (await kai.reply())["text"].lower()
    assert len(counter.take()) <= MOST

    await kai.send("/settings")
    await kai.reply()
    await kai.tap(en("Change my name"))
    await kai.reply()
    counter.take()
    await kai.send("Kai Jones")
    saved = (await kai.reply())["text"]
    assert saved.startswith("Saved.") and "Kai Jones" in saved
    assert len(steps := counter.take()) <= MOST, steps

    await kai.send("/claim")
    await kai.reply()  # which meeting, or what kind
    await kai.tap(en("Not for a meeting"))
    await kai.reply()
    await kai.tap(en("Bus, train or tram"))
    assert "how much" in (await kai.reply())["text"].lower()
    counter.take()
    await kai.send("4.20")
    await kai.reply()  # which day
    assert len(steps := counter.take()) <= MOST, steps
