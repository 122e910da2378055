"""A coordinator tells the panel something with /broadcast: everyone gets exactly one copy, in
their own language, and the coordinator sees who could not be reached."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Broadcast, BroadcastStatus, Meeting, Member, OutboxMessage, Role, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import broadcasts, outbox_keys
from bot.services.access import Actor, NotAllowed
from bot.services.broadcast_audience import Audience
from handlers.chat.common import EXPIRED_BUTTON
from handlers.chat.plain_words import NO_PANEL_ROLE
from tests.factories import add_member, create_panel

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
