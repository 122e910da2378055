"""Who a broadcast may come from and who it reaches: members and other panels' coordinators are
refused (by the chat, by forged buttons and by the service), and news for the people invited to a
meeting, or for the speakers of one language, reaches only them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import BroadcastStatus, Meeting, Role, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import broadcasts
from bot.services.access import Actor, NotAllowed
from bot.services.broadcast_audience import Audience
from handlers.chat.common import EXPIRED_BUTTON
from handlers.chat.plain_words import NO_PANEL_ROLE
from tests.broadcasts_world import (
    ALEX,
    BRANWEN,
    OMAR,
    PRIYA,
    _compose,
    _copies,
    _only_broadcast,
    _panel,
    en,
)
from tests.factories import add_member


async def test_a_member_or_another_panels_coordinator_cannot_broadcast_to_a_panel(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ours = await _panel(db, clock, "Carers Voice")
    theirs = await _panel(db, clock, "Youth Panel")
    await add_member(db, clock, ours, PRIYA, "Priya", role=Role.COORDINATOR)
    alex_row = await add_member(db, clock, ours, ALEX, "Alex")
    omar_row = await add_member(db, clock, theirs, OMAR, "Omar", role=Role.COORDINATOR)
    alex = MemberDriver(emulator, ALEX, "Alex")
    omar = MemberDriver(emulator, OMAR, "Omar")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    async with db.session() as session:
        session.add(
            Meeting(
                panel_id=ours,
                title="Spring meeting",
                starts_at=clock.now() + timedelta(days=3),
                created_at=clock.now(),
            )
        )
    async with db.session() as session:
        meeting_id = (await session.scalars(select(Meeting.id))).one()

    # A member: refused, and every forged button expires.
    await alex.send("/broadcast")
    assert (await alex.reply())["text"] == en(NO_PANEL_ROLE)
    await alex.send("/broadcasts")
    assert (await alex.reply())["text"] == en(NO_PANEL_ROLE)
    message_id = alex.last_message["message_id"]  # type: ignore[index]
    for data in (f"bc:1:p:{ours}", "bc:1:next", "bc:1:send", f"bc:1:m:{meeting_id}"):
        answer = await alex.tap_data(message_id, data)
        assert answer["text"] == en(EXPIRED_BUTTON), data

    # Another panel's coordinator: their own panel only, whatever they send.
    await omar.send("/broadcast")
    who = await omar.reply()
    assert priya.buttons(who)[0] == "✓ Youth Panel"
    assert not any("Carers Voice" in label for label in priya.buttons(who))
    await omar.tap_data(who["message_id"], f"bc:1:p:{theirs}")  # untick their own panel
    await omar.tap_data(who["message_id"], f"bc:1:p:{ours}")
    assert (await omar.reply())["text"] == en("You cannot send news to that group.")
    await omar.tap_data(who["message_id"], f"bc:1:m:{meeting_id}")
    assert (await omar.reply())["text"] == en("You cannot send news to that group.")
    await omar.tap_data(who["message_id"], "bc:1:next")
    assert (await omar.reply())["text"] == en("Tap at least one panel, then Next.")
    await omar.tap_data(who["message_id"], "bc:1:send")
    assert (await omar.reply())["text"] == en("Tap at least one panel, then Next.")

    # And the service refuses whatever a handler is tricked into passing.
    omar_actor = Actor(OMAR, omar_row.id)
    async with db.session() as session:
        for audience in (
            Audience(panel_ids=(ours,)),
            Audience(panel_ids=(theirs, ours)),
            Audience(meeting_id=meeting_id),
        ):
            with pytest.raises(NotAllowed):
                await broadcasts.create(
                    session,
                    omar_actor,
                    audience=audience,
                    text="Hi",
                    translations={},
                    media_kind=None,
                    media_file_id=None,
                    important=True,
                    send_at=clock.now(),
                    now=clock.now(),
                    report_chat_id=OMAR,
                    report_message_id=None,
                )
        with pytest.raises(NotAllowed):
            await broadcasts.create(
                session,
                Actor(ALEX, alex_row.id),
                audience=Audience(panel_ids=(ours,)),
                text="Hi",
                translations={},
                media_kind=None,
                media_file_id=None,
                important=True,
                send_at=clock.now(),
                now=clock.now(),
                report_chat_id=ALEX,
                report_message_id=None,
            )
    # Priya's scheduled broadcast cannot be cancelled or inspected by Omar.
    await _compose(priya, "See you soon")
    await priya.replies(1)
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("Yes, it is important"))
    await priya.reply()
    await priya.tap(en("Choose a time"))
    await priya.reply()
    await priya.send("tomorrow 10:00")
    summary = (await priya.replies(3))[-1]
    await priya.tap(en("Send"))
    await priya.wait_edit(summary["message_id"])
    broadcast = await _only_broadcast(db)
    for data in (f"bc:1:cancel:{broadcast.id}", f"bc:1:who:{broadcast.id}"):
        answer = await omar.tap_data(who["message_id"], data)
        assert answer["text"] == en(EXPIRED_BUTTON), data
    assert (await _only_broadcast(db)).status == BroadcastStatus.SCHEDULED
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert not [m for m in emulator.messages(ALEX) if "📣" in (m.get("text") or "")]


async def test_a_broadcast_to_the_people_invited_to_a_meeting_reaches_only_them(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    alex = await add_member(db, clock, panel_id, ALEX, "Alex")
    await add_member(db, clock, panel_id, BRANWEN, "Branwen", language="cy")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, ALEX, "Alex")
    MemberDriver(emulator, BRANWEN, "Branwen")
    async with db.session() as session:
        meeting = Meeting(
            panel_id=panel_id,
            title="Spring meeting",
            starts_at=clock.now() + timedelta(days=3),
            created_at=clock.now(),
        )
        session.add(meeting)
        await session.flush()
        session.add(Rsvp(meeting_id=meeting.id, member_id=alex.id))

    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(en("People invited to a meeting"))
    await priya.reply()
    await priya.tap(next(b for b in priya.buttons(priya.last_message) if "Spring" in b))  # type: ignore[arg-type]
    await priya.reply()
    await priya.send("Bring a pen")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    summary = (await priya.replies(3))[-1]
    assert en("It will go to {n} person.", n=1) in summary["text"]
    await priya.tap(en("Send"))
    await priya.wait_edit(summary["message_id"])
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert len(await _copies(emulator, ALEX, "Bring a pen")) == 1
    assert not await _copies(emulator, BRANWEN, "Bring a pen")

    # And by language: only the Welsh speaker.
    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(en("People who speak a language"))
    await priya.reply()
    await priya.tap("Cymraeg")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.send("Croeso")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    summary = (await priya.replies(3))[-1]
    await priya.tap(en("Send"))
    await priya.wait_edit(summary["message_id"])
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert len(await _copies(emulator, BRANWEN, "Croeso")) == 1
    assert not await _copies(emulator, ALEX, "Croeso")
