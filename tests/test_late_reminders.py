"""A reminder that falls due while the bot is down still goes when it comes back, even if the
member's reminders are planned again first (they tapped Coming while the bot was down)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import OutboxMessage, OutboxStatus, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.limits import FloodLimits
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import meeting_changes, meeting_rules
from bot.services.access import Actor
from tests.factories import add_member, create_panel
from tests.test_meetings import START

en = Translator("en")
PRIYA, SAM = 811, 812


@asynccontextmanager
async def running_bot(
    settings: Settings, db: Database, clock: FrozenClock
) -> AsyncIterator[PanelbotApplication]:
    """The bot up, polling the emulator; stopped (as in a shutdown) when the block ends."""
    application = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_a_reminder_due_while_the_bot_was_down_goes_after_a_coming_tap_replans_it(
    settings: Settings, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    emulator.strict_limits = FloodLimits.telegram()
    panel = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(db, clock, panel.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel.panel.id, SAM, "Sam")
    sam = MemberDriver(emulator, SAM, "Sam")
    MemberDriver(emulator, PRIYA, "Priya")
    async with db.session() as session:
        await meeting_changes.create(
            session,
            Actor(PRIYA, coordinator.id),
            panel.panel.id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=START, address="Town Hall"),
            now=clock.now(),
        )
    async with running_bot(settings, db, clock) as bot:
        assert bot.runtime.delivery is not None
        await bot.runtime.delivery.drain()
        invitation, _calendar = await sam.replies(2)

    # The bot is down across every reminder's due time, the 2-hour one included. Sam taps
    # Coming meanwhile: Telegram keeps the tap until the bot is back.
    clock.advance(START - timedelta(minutes=110) - clock.now())
    coming = next(
        button["callback_data"]
        for row in invitation["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == en("Coming")
    )
    query = emulator.user_taps(SAM, invitation["message_id"], coming)

    async with running_bot(settings, db, clock) as bot:
        assert await emulator.wait_for(lambda: emulator.answer_for(query), 10) is not None
        assert bot.runtime.delivery is not None
        await bot.runtime.delivery.drain()
        await bot.runtime.delivery.drain()
        reminders = [
            m
            for m in emulator.messages(SAM)
            if (m.get("text") or "").startswith(en("Reminder: <b>{title}</b>", title="")[:9])
        ]
        # One reminder, the latest due (the week and day ones are out of date by then).
        assert len(reminders) == 1 and "Planning day" in reminders[0]["text"]

    async with db.session() as session:
        rows = dict(
            (
                await session.execute(
                    select(OutboxMessage.key, OutboxMessage.status).where(
                        OutboxMessage.kind == "meeting_reminder",
                        OutboxMessage.member_id.is_not(None),
                        OutboxMessage.chat_id == SAM,
                    )
                )
            ).all()
        )
    two_hours = [key for key in rows if ":2h:" in key]
    assert len(two_hours) == 1 and rows[two_hours[0]] == OutboxStatus.SENT


async def test_a_member_who_taps_cant_come_while_the_bot_is_down_gets_no_late_reminder(
    settings: Settings, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    panel = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(db, clock, panel.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel.panel.id, SAM, "Sam")
    sam = MemberDriver(emulator, SAM, "Sam")
    MemberDriver(emulator, PRIYA, "Priya")
    async with db.session() as session:
        await meeting_changes.create(
            session,
            Actor(PRIYA, coordinator.id),
            panel.panel.id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=START, address="Town Hall"),
            now=clock.now(),
        )
    async with running_bot(settings, db, clock) as bot:
        assert bot.runtime.delivery is not None
        await bot.runtime.delivery.drain()
        invitation, _calendar = await sam.replies(2)
    clock.advance(START - timedelta(minutes=110) - clock.now())
    cant = next(
        button["callback_data"]
        for row in invitation["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == en("Can't come")
    )
    query = emulator.user_taps(SAM, invitation["message_id"], cant)
    async with running_bot(settings, db, clock) as bot:
        assert await emulator.wait_for(lambda: emulator.answer_for(query), 10) is not None
        assert bot.runtime.delivery is not None
        await bot.runtime.delivery.drain()
        await sam.wait_edit(invitation["message_id"])  # the invitation shows the answer
        await sam.no_reply(0.3)
    assert not any("Reminder" in (m.get("text") or "") for m in emulator.messages(SAM))
