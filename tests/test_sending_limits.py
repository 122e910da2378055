"""Against a Bot API server that enforces Telegram's limits (30 messages a second, one a second
per chat, edits counted): live answers refused with 429 still arrive, once; a broadcast's final
report arrives even when Telegram refuses the edit; a refusal for one chat pauses only that chat."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Broadcast, BroadcastStatus, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.limits import FloodLimits
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import broadcasts
from bot.services.access import Actor
from bot.services.broadcast_audience import Audience
from tests.factories import add_member, create_panel

en = Translator("en")
SORRY = en("Sorry, something went wrong on our side. Nothing you sent is lost.")
PRIYA, ALEX = 830, 831


def _texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in emulator.messages(chat_id)]


async def test_a_live_answer_refused_with_429_waits_and_arrives_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.strict_limits = FloodLimits.telegram()
    panel = await create_panel(db, clock)
    await add_member(db, clock, panel.panel.id, ALEX, "Alex")
    alex = MemberDriver(emulator, ALEX, "Alex")
    emulator.fail_next("sendMessage", 429, retry_after=1)

    await alex.send("/help")
    answer = await alex.reply(timeout=10)

    assert answer["text"] != SORRY
    refused = [c for c in emulator.calls("sendMessage") if c.status == 429]
    delivered = [c for c in emulator.calls("sendMessage") if c.ok]
    assert len(refused) == 1 and len(delivered) == 1
    assert delivered[0].params["text"] == refused[0].params["text"]  # the same answer, once
    await alex.no_reply(0.5)


async def test_a_form_that_edits_then_sends_in_the_same_second_loses_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    """Telegram allows one message a second in a chat, edits included: a button that edits its
    message and then asks the next question meets a 429, and the question still comes."""
    emulator.strict_limits = FloodLimits.telegram()
    panel = await create_panel(db, clock)
    await add_member(db, clock, panel.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    priya = MemberDriver(emulator, PRIYA, "Priya")

    await priya.send("/broadcast")
    await priya.reply(timeout=10)
    await priya.tap(en("Next"), timeout=10)
    question = await priya.reply(timeout=10)
    assert en("Type your message.") in question["text"]
    await priya.send("The room has changed.")
    await priya.reply(timeout=10)
    assert SORRY not in _texts(emulator, PRIYA)
    texts = _texts(emulator, PRIYA)
    assert len(texts) == len(set(texts))  # nothing twice


async def _broadcast(db: Database, clock: FrozenClock, members: range) -> int:
    panel = await create_panel(db, clock)
    priya = await add_member(db, clock, panel.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    for user_id in members:
        await add_member(db, clock, panel.panel.id, user_id, f"Member {user_id}")
    async with db.session() as session:
        created = await broadcasts.create(
            session,
            Actor(PRIYA, priya.id),
            audience=Audience(panel_ids=(panel.panel.id,)),
            text="Hello everyone",
            translations={},
            media_kind=None,
            media_file_id=None,
            important=False,
            send_at=clock.now(),
            now=clock.now(),
            report_chat_id=PRIYA,
            report_message_id=None,
        )
    return created.id


async def test_the_final_report_arrives_when_telegram_refuses_the_edit(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    emulator.strict_limits = FloodLimits.telegram()
    people = range(840, 846)
    for user_id in people:
        MemberDriver(emulator, user_id, "Member")
    MemberDriver(emulator, PRIYA, "Priya")
    broadcast_id = await _broadcast(db, clock, people)
    # The coordinator's "Sending" message, as /broadcast leaves it after Send.
    sending = await app.bot.send_message(PRIYA, en("Sending: {done} of {total}", done=0, total=6))
    async with db.session() as session:
        found = await session.get(Broadcast, broadcast_id)
        assert found is not None
        found.report_message_id = sending.message_id
    # Every edit of it is refused for a while, as when edits come too close together.
    emulator.fail_next("editMessageText", 429, retry_after=1, count=3)

    await app.runtime.delivery.drain()  # type: ignore[union-attr]

    report = emulator.message(PRIYA, sending.message_id)
    assert report is not None
    assert report["text"].startswith(en("Your message has finished sending."))
    assert en("Delivered: {n}", n=6) in report["text"]
    async with db.session() as session:
        status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    assert status == BroadcastStatus.DONE


async def test_the_final_report_goes_as_a_new_message_when_editing_keeps_failing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    people = range(850, 853)
    for user_id in people:
        MemberDriver(emulator, user_id, "Member")
    MemberDriver(emulator, PRIYA, "Priya")
    broadcast_id = await _broadcast(db, clock, people)
    sending = await app.bot.send_message(PRIYA, en("Sending: {done} of {total}", done=0, total=3))
    async with db.session() as session:
        found = await session.get(Broadcast, broadcast_id)
        assert found is not None
        found.report_message_id = sending.message_id
    emulator.fail_next("editMessageText", 429, retry_after=1, count=50)

    await app.runtime.delivery.drain()  # type: ignore[union-attr]

    finals = [
        t for t in _texts(emulator, PRIYA) if t.startswith(en("Your message has finished sending."))
    ]
    assert len(finals) == 1
