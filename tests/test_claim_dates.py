"""Typed days in a claim, end to end: "yesterday" and "today" work in the member's own launch
language (words from the catalogues), not only in English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Draft
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.claims_world import _setup
from tests.factories import add_member

TYPED = [
    ("cy", "Ddoe", date(2026, 1, 4)),
    ("gd", "an-dè", date(2026, 1, 4)),
    ("pl", "dziś", date(2026, 1, 5)),
    ("ur", "آج", date(2026, 1, 5)),
    ("ar", "أمس", date(2026, 1, 4)),
    ("ar", "yesterday", date(2026, 1, 4)),  # English always works too
]


@pytest.mark.parametrize(("language", "typed", "day"), TYPED)
async def test_a_member_types_yesterday_or_today_in_their_own_language(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    language: str,
    typed: str,
    day: date,
) -> None:
    panel_id, _ = await _setup(db, clock)  # "today" is Monday 5 January 2026
    member = await add_member(db, clock, panel_id, 810, "Rhys", language=language)
    t = Translator(language)
    rhys = MemberDriver(emulator, 810, "Rhys", language)
    await rhys.send("/claim")
    await rhys.reply()
    await rhys.tap(t("Not for a meeting"))
    await rhys.reply()
    await rhys.tap(t("Bus, train or tram"))
    await rhys.reply()
    await rhys.send("3")
    assert (await rhys.reply())["text"].startswith(t("When was it? Tap a day."))
    await rhys.send(typed)
    assert (await rhys.reply())["text"] == t(
        "Please send a photo or a PDF of your receipt. You can send more than one."
    )
    async with db.session() as session:
        draft = await session.scalar(select(Draft).where(Draft.member_id == member.id))
    assert draft is not None and draft.data["cur"]["spent_on"] == day.isoformat()
