"""When a broadcast goes: a scheduled one waits for its time and can be cancelled before then,
muted members and quiet hours are respected unless the news is important, and news sent now goes
at once rather than at the next outbox tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import broadcasts
from bot.services.access import Actor
from bot.services.broadcast_audience import Audience
from handlers.chat.common import EXPIRED_BUTTON
from tests.broadcasts_world import ALEX, BRANWEN, PRIYA, _compose, _copies, _panel, en
from tests.factories import add_member


async def test_a_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled_before_it_starts(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_id, ALEX, "Alex")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, ALEX, "Alex")
    for text in ("First news", "Second news"):
        await _compose(priya, text)
        await priya.reply()
        await priya.tap(en("Next"))
        await priya.reply()
        await priya.tap(en("No"))
        await priya.reply()
        await priya.tap(en("Choose a time"))
        await priya.reply()
        await priya.send("next week")
        assert "25/12 14:30" in (await priya.reply())["text"]  # not a time: asked again
        await priya.send("tomorrow 10:00")
        summary = (await priya.replies(3))[-1]
        if text == "Second news":  # she asks for her own copy of this one
            await priya.tap(en("Send me a copy too"))
            await priya.wait_edit(summary["message_id"])
        await priya.tap(en("Send"))
        edited = await priya.wait_edit(summary["message_id"])
        assert en("To cancel it before then, type /broadcasts.") in edited["text"]

    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert not await _copies(emulator, ALEX, "news")

    await priya.send("/broadcasts")
    listed = await priya.replies(2)
    assert "Second news" in listed[0]["text"] and en("Waiting to go") in listed[0]["text"]
    assert "First news" in listed[1]["text"]
    await priya.tap(en("Cancel this message"))  # on the newest message: First news
    assert (await priya.reply())["text"] == en("Cancelled. Nobody will get it.")
    answer = await priya.tap_data(listed[1]["message_id"], "bc:1:cancel:999")
    assert answer["text"] == en(EXPIRED_BUTTON)

    clock.advance(timedelta(days=2))
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert len(await _copies(emulator, ALEX, "Second news")) == 1
    assert not await _copies(emulator, ALEX, "First news")
    assert "Second news" in (await priya.reply())["text"]  # her own copy

    await priya.send("/broadcasts")
    listed = await priya.replies(2)
    assert en("Sent") in listed[0]["text"]
    assert en("Cancelled") in listed[1]["text"]
    assert (
        en(
            "Delivered {sent} of {total}. Could not reach {unreachable}. Failed {failed}.",
            sent=2,
            total=2,
            unreachable=0,
            failed=0,
        )
        in listed[0]["text"]
    )


async def test_muted_members_and_quiet_hours_are_respected_unless_the_message_is_important(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    clock.advance(datetime(2026, 6, 1, 22, 30, tzinfo=UTC) - clock.now())  # 23:30 in London
    panel_id = await _panel(db, clock)
    priya_row = await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_id, ALEX, "Alex")
    await add_member(db, clock, panel_id, BRANWEN, "Branwen")
    alex = MemberDriver(emulator, ALEX, "Alex")
    MemberDriver(emulator, BRANWEN, "Branwen")
    MemberDriver(emulator, PRIYA, "Priya")

    await alex.send("/settings")
    settings = await alex.reply()
    assert en("News from coordinators: {answer}", answer=en("On")) in settings["text"]
    await alex.tap(en("Turn news off"))
    saved = (await alex.reply())["text"]
    assert saved.startswith(en("Saved.") + "\n\n" + en("Your settings:"))
    assert en("News from coordinators: {answer}", answer=en("Off")) in saved
    async with db.session() as session:
        branwen = await session.scalar(select(Member).where(Member.telegram_id == BRANWEN))
        assert branwen is not None
        branwen.quiet_start, branwen.quiet_end = 22 * 60, 8 * 60

    async def send(text: str, important: bool) -> None:
        async with db.session() as session:
            await broadcasts.create(
                session,
                Actor(PRIYA, priya_row.id),
                audience=Audience(panel_ids=(panel_id,)),
                text=text,
                translations={},
                media_kind=None,
                media_file_id=None,
                important=important,
                send_at=clock.now(),
                now=clock.now(),
                report_chat_id=PRIYA,
                report_message_id=None,
            )
        await app.runtime.delivery.drain()  # type: ignore[union-attr]

    await send("Plain news", important=False)
    assert not await _copies(emulator, ALEX, "Plain news")  # muted
    assert not await _copies(emulator, BRANWEN, "Plain news")  # asleep
    await send("Meeting cancelled tomorrow", important=True)
    assert len(await _copies(emulator, ALEX, "Meeting cancelled tomorrow")) == 1
    assert len(await _copies(emulator, BRANWEN, "Meeting cancelled tomorrow")) == 1

    clock.advance(timedelta(hours=9))  # 08:30 in London
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert len(await _copies(emulator, BRANWEN, "Plain news")) == 1
    assert not await _copies(emulator, ALEX, "Plain news")


async def test_a_broadcast_sent_now_goes_out_at_once_not_at_the_next_outbox_tick(
    settings, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    from bot.app import build_application

    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_id, ALEX, "Alex")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, ALEX, "Alex")
    # The tick is an hour away: only waking the outbox on Send can deliver within the test.
    application = build_application(settings, clock=clock, db=db, tick_seconds=3600)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await _compose(priya, "The meeting room has changed to room 4.")
        await priya.reply()
        await priya.tap(en("Next"))
        await priya.reply()
        await priya.tap(en("No"))
        await priya.reply()
        await priya.tap(en("Send now"))
        summary = (await priya.replies(3))[-1]
        await priya.tap(en("Send"))
        await priya.wait_edit(summary["message_id"])
        copies = await emulator.wait_for(
            lambda: [m for m in emulator.messages(ALEX) if "room 4" in (m.get("text") or "")], 10
        )
        assert copies is not None and len(copies) == 1
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
