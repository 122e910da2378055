"""A coordinator tells the panel something with /broadcast: everyone gets exactly one copy, in
their own language (even when Telegram says to wait, or they are in two of the panels), photos go
as photos, members see the latest news in the menu, and the coordinator sees who could not be
reached."""

from __future__ import annotations

import time

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import BroadcastStatus, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import broadcasts
from bot.services.access import Actor
from bot.services.broadcast_audience import Audience
from tests.broadcasts_world import (
    ALEX,
    BRANWEN,
    DAN,
    ORIGINAL,
    PIOTR,
    PRIYA,
    WELSH,
    _compose,
    _copies,
    _only_broadcast,
    _outbox,
    _panel,
    cy,
    en,
    pl,
)
from tests.factories import add_member


async def test_members_in_three_languages_each_get_one_copy_in_their_language_and_a_blocked_one_is_reported(  # noqa: E501
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_id, ALEX, "Alex")
    await add_member(db, clock, panel_id, BRANWEN, "Branwen", language="cy")
    await add_member(db, clock, panel_id, PIOTR, "Piotr", language="pl")
    await add_member(db, clock, panel_id, DAN, "Dan")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    for user_id in (ALEX, BRANWEN, PIOTR, DAN):
        MemberDriver(emulator, user_id, "Member")
    emulator.block(DAN, notify=False)

    await _compose(priya, ORIGINAL)
    report = await priya.reply()
    assert en("Jargon: {words}", words="agenda") in report["text"]
    # Edit is the form's Back here (one button, named for what it does); Stop is the engine's.
    assert priya.buttons(report) == [en("Edit"), en("Send anyway"), en("Stop")]
    await priya.tap(en("Send anyway"))
    versions = await priya.reply()
    assert "Cymraeg" in priya.buttons(versions)
    await priya.tap("Cymraeg")
    await priya.reply()
    await priya.send(WELSH)
    versions = await priya.reply()
    assert "✓ Cymraeg" in priya.buttons(versions)
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))

    # The preview: each version as members will see it, glossary button included.
    preview = await priya.replies(5)
    assert preview[0]["text"] == en("This is what members will see:")
    assert ORIGINAL in preview[1]["text"] and preview[1]["text"].startswith("📣")
    assert en("What does {term} mean?", term="agenda") in priya.buttons(preview[1])
    assert WELSH in preview[3]["text"]
    summary = preview[4]
    # Her own copy is off unless she asks for it: she asks.
    assert en("It will go to {n} people.", n=4) in summary["text"]
    assert en("A copy for you: {answer}", answer=en("No")) in summary["text"]
    await priya.tap(en("Send me a copy too"))
    summary = await priya.wait_edit(summary["message_id"])
    assert en("It will go to {n} people.", n=5) in summary["text"]
    assert en("A copy for you: {answer}", answer=en("Yes")) in summary["text"]
    await priya.tap(en("Send"))
    sending = await priya.wait_edit(summary["message_id"])
    assert en("Sending: {done} of {total}", done=0, total=5) in sending["text"]
    assert "░" in sending["text"]

    await app.runtime.delivery.drain()  # type: ignore[union-attr]

    alex = await _copies(emulator, ALEX, ORIGINAL)
    branwen_welsh = await _copies(emulator, BRANWEN, WELSH)
    piotr = await _copies(emulator, PIOTR, ORIGINAL)
    assert len(alex) == 1 and len(branwen_welsh) == 1 and len(piotr) == 1
    assert not await _copies(emulator, BRANWEN, ORIGINAL)
    assert branwen_welsh[0]["text"].startswith(cy("📣 News from your coordinator"))
    assert piotr[0]["text"].startswith(pl("📣 News from your coordinator"))
    assert any("agenda" in label for label in MemberDriver.buttons(alex[0]))

    broadcast = await _only_broadcast(db)
    rows = await _outbox(db, broadcast.id)
    assert len(rows) == 5 and len({r.member_id for r in rows}) == 5
    assert broadcast.status == BroadcastStatus.DONE

    final = emulator.message(PRIYA, summary["message_id"])
    assert final is not None
    assert en("Delivered: {n}", n=4) in final["text"]
    assert en("Could not reach: {n}", n=1) in final["text"]
    assert en("Failed: {n}", n=0) in final["text"]
    own_copy = await priya.reply()  # Priya asked for a copy too
    assert ORIGINAL in own_copy["text"]
    await priya.tap(en("Who could not be reached?"))
    names = await priya.reply()
    assert "Dan" in names["text"] and "Alex" not in names["text"]

    # Sending again is impossible: the same keys are already there.
    async with db.session() as session:
        assert await broadcasts.start(session, broadcast.id, now=clock.now()) == 0
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert len(await _copies(emulator, ALEX, ORIGINAL)) == 1


async def test_telegrams_429_answers_are_waited_out_and_nobody_gets_two_copies(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = await _panel(db, clock)
    coordinator = await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    people = list(range(900, 906))
    for user_id in people:
        await add_member(db, clock, panel_id, user_id, f"Member {user_id}")
        MemberDriver(emulator, user_id, "Member")
    MemberDriver(emulator, PRIYA, "Priya")
    async with db.session() as session:
        await broadcasts.create(
            session,
            Actor(PRIYA, coordinator.id),
            audience=Audience(panel_ids=(panel_id,)),
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
    emulator.fail_next("sendMessage", 429, count=2, retry_after=1)
    started = time.monotonic()
    await app.runtime.delivery.drain()  # type: ignore[union-attr]

    refused = [c for c in emulator.calls("sendMessage") if c.status == 429]
    assert len(refused) == 2
    for refusal in refused:
        # The refused chat waits as long as told; a refusal for one chat pauses that chat only.
        chat = refusal.params["chat_id"]
        again = [
            c
            for c in emulator.calls("sendMessage")
            if c.ok and c.params["chat_id"] == chat and c.time > refusal.time
        ]
        assert again and again[0].time - refusal.time >= 0.95
    assert time.monotonic() - started < 10
    for user_id in people:
        assert len(await _copies(emulator, user_id, "Hello everyone")) == 1, user_id
    # The coordinator did not ask for a copy of her own news.
    assert await _copies(emulator, PRIYA, "Hello everyone") == []


async def test_a_broadcast_to_several_panels_reaches_someone_in_both_only_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    carers = await _panel(db, clock, "Carers Voice")
    youth = await _panel(db, clock, "Youth Panel")
    for panel_id in (carers, youth):
        await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
        await add_member(db, clock, panel_id, ALEX, "Alex")
    await add_member(db, clock, youth, BRANWEN, "Branwen")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, ALEX, "Alex")
    MemberDriver(emulator, BRANWEN, "Branwen")

    await priya.send("/broadcast")
    who = await priya.reply()
    assert priya.buttons(who)[:2] == ["Carers Voice", "Youth Panel"]  # nothing ticked yet
    await priya.tap(en("Next"))
    assert (await priya.reply())["text"] == en("Tap at least one panel, then Next.")
    await priya.tap("Carers Voice")
    await priya.wait_edit(who["message_id"])
    await priya.tap("Youth Panel")
    edited = await priya.wait_edit(who["message_id"])
    assert priya.buttons(edited)[:2] == ["✓ Carers Voice", "✓ Youth Panel"]
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.send("Both panels meet together next month")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    summary = (await priya.replies(3))[-1]
    assert en("It will go to {n} people.", n=2) in summary["text"]
    await priya.tap(en("Send me a copy too"))  # she is in both panels: still one copy
    summary = await priya.wait_edit(summary["message_id"])
    assert en("It will go to {n} people.", n=3) in summary["text"]
    await priya.tap(en("Send"))
    await priya.wait_edit(summary["message_id"])
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    for user_id in (ALEX, BRANWEN):
        assert len(await _copies(emulator, user_id, "Both panels meet together")) == 1, user_id
    # Priya's chat also holds the preview; her own copy is one outbox row like everyone's.
    rows = await _outbox(db, (await _only_broadcast(db)).id)
    assert len(rows) == 3 and len({r.chat_id for r in rows}) == 3
    assert len(await _copies(emulator, PRIYA, "Both panels meet together")) == 2


async def test_members_see_the_latest_broadcast_in_the_menu_and_photos_go_as_photos(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = await _panel(db, clock)
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_id, ALEX, "Alex")
    priya = MemberDriver(emulator, PRIYA, "Priya")
    alex = MemberDriver(emulator, ALEX, "Alex")

    await priya.send("/menu")
    menu = await priya.reply()
    assert [{"text": en("Send news")}] in menu["reply_keyboard"]["keyboard"]
    await priya.send(en("Send news"))
    assert "✓ Carers Voice" in priya.buttons(await priya.reply())
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.send_sticker()
    assert (await priya.reply())["text"] == en(
        "Please type your message, or send a photo or file with words under it."
    )
    await priya.send("x" * 3600)
    assert "3500" in (await priya.reply())["text"]
    await priya.send_photo(caption="Our new room")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    preview = await priya.replies(3)
    assert "photo" in preview[1] and "Our new room" in preview[1]["caption"]
    await priya.tap(en("Send"))
    await priya.wait_edit(preview[2]["message_id"])
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    photos = [m for m in emulator.messages(ALEX) if "photo" in m]
    assert len(photos) == 1 and "Our new room" in photos[0]["caption"]

    await alex.reply()  # the copy itself
    await alex.send("/menu")
    menu, heading, latest = await alex.replies(3)
    assert [{"text": en("Send news")}] not in menu["reply_keyboard"]["keyboard"]
    assert heading["text"].startswith(en("Latest news, sent {when}:", when="")[:12])
    assert "Our new room" in latest["caption"]
