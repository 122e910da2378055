"""Feedback at any time, end to end: anonymous with or without a way back, named, voice notes,
coordinators replying through the bot, members answering back, and urgent help lines."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Feedback, FeedbackReply, FeedbackRoute, OutboxMessage, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.factories import add_member, create_panel

# Long ids: the tests look for them in sealed, random-looking text, where a short one like 703
# turns up by chance now and then.
COORDINATOR, OLA, SAM = 7_010_071, 7_020_072, 7_030_073


async def _drain(app: PanelbotApplication) -> None:
    """Write held anonymous messages as the daily write would, then send what is queued."""
    assert app.runtime.delivery is not None
    await app.runtime.flush_anonymous(everything=True)
    await app.runtime.delivery.drain()


HELD = "Thank you. We will pass on your message soon, as an anonymous message."
HELD_BACK = "Thank you. We will pass it on soon, still anonymous."


async def _setup(db: Database, clock: FrozenClock) -> int:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, OLA, "Agnieszka Nowak", language="pl")
    await add_member(db, clock, new.panel.id, SAM, "Sam Jones")
    return new.panel.id


async def _send_feedback(driver: MemberDriver, mode_label: str, words: str | None) -> str:
    await driver.send("/feedback")
    await driver.reply()
    await driver.tap(mode_label)
    await driver.reply()
    if words is None:
        await driver.send_voice()
    else:
        await driver.send(words)
    return str((await driver.reply())["text"])


def _everything_seen(emulator: BotApiEmulator, chat_id: int) -> str:
    return "\n".join(
        repr(m) for m in emulator.messages(chat_id, include_deleted=True, include_user=True)
    )


async def test_an_anonymous_message_with_a_reply_reaches_the_right_member_and_names_nobody(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    sam = MemberDriver(emulator, SAM, "Sam")
    t = Translator("pl")

    confirmation = await _send_feedback(
        ola, t("Anonymous. I'd like a reply"), "The lift at the hall is broken again."
    )
    assert t(HELD) in confirmation
    assert t("When a coordinator replies, I will send it to you here.") in confirmation
    assert "116 123" in confirmation and "999" in confirmation
    # Another member's message, so "the right member" means something.
    await _send_feedback(sam, "Anonymous. I'd like a reply", "Please send papers earlier.")

    await _drain(app)
    # Both are written together in a random order, so either may be #1.
    notices = sorted(await priya.replies(2), key=lambda m: "The lift" not in m["text"])
    first, second = notices
    n = 1 if first["text"].startswith("📨 Anonymous message #1") else 2
    assert first["text"].startswith(f"📨 Anonymous message #{n}")
    assert second["text"].startswith(f"📨 Anonymous message #{3 - n}")
    assert "The lift at the hall is broken again." in first["text"]
    assert "Reply" in priya.buttons(first)
    await priya.tap_data(
        first["message_id"], first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    assert "You will not see who they are." in (await priya.reply())["text"]
    await priya.send("Thank you. We have asked the council to fix it this week.")
    assert (await priya.reply())[
        "text"
    ] == f"Sent. Your reply went to the person who wrote message #{n}."

    reply = await ola.reply()
    assert t("💬 A coordinator replied to your message #{n}:", n=n) in reply["text"]
    assert "fix it this week" in reply["text"]
    await sam.no_reply(0.2)  # the other member gets nothing

    await ola.tap(t("Answer back"))
    await ola.reply()
    await ola.send("Thank you. It is hard with my wheelchair.")
    assert (await ola.reply())["text"].startswith(t(HELD_BACK))
    await _drain(app)
    back = await priya.reply()
    assert back["text"].startswith(f"📨 Anonymous message #{n}")
    assert "They wrote back:" in back["text"] and "wheelchair" in back["text"]

    # Nothing the coordinator saw names Ola or carries her Telegram id.
    seen = _everything_seen(emulator, COORDINATOR)
    for clue in ("Agnieszka", "Nowak", str(OLA)):
        assert clue not in seen
    async with db.session() as session:
        items = (await session.scalars(select(Feedback).order_by(Feedback.number))).all()
        assert [i.member_id for i in items] == [None, None]
        routes = (await session.scalars(select(FeedbackRoute))).all()
        assert len(routes) == 2  # only in the relay's private table, and sealed there
        for route in routes:
            assert str(OLA) not in route.sealed + route.owner
            assert str(SAM) not in route.sealed + route.owner
        turns = (await session.scalars(select(FeedbackReply))).all()
        assert [t.from_member for t in turns] == [False, True]
        outbox = (await session.scalars(select(OutboxMessage))).all()
    # The outbox, which coordinators' notices go through, holds no text and no member chat.
    for row in outbox:
        assert row.chat_id == COORDINATOR
        assert "lift" not in repr(row.payload) and "wheelchair" not in repr(row.payload)


async def test_with_no_reply_needed_no_route_exists_and_a_forged_reply_is_refused(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    confirmation = await _send_feedback(sam, "Anonymous. No reply needed", "Meetings run late.")
    assert "We kept nothing that leads back to you" in confirmation
    await _drain(app)
    notice = await priya.reply()
    assert notice["text"].startswith("📨 Anonymous message #1")
    assert "They asked for no reply." in notice["text"]
    assert "Reply" not in priya.buttons(notice)
    async with db.session() as session:
        assert (await session.scalars(select(FeedbackRoute))).all() == []
        item = await session.scalar(select(Feedback))
        assert item is not None and item.member_id is None and not item.wants_reply
    answer = await priya.tap_data(notice["message_id"], f"fb:1:r:{item.id}")
    assert answer["text"] == "This person asked for no reply."
    # A member forging the coordinator's button, or another member's answer-back, gets nothing.
    answer = await sam.tap_data(notice["message_id"], f"fb:1:r:{item.id}")
    assert "coordinator" in answer["text"].lower()
    answer = await sam.tap_data(notice["message_id"], f"fb:1:b:{item.id}")
    assert "no longer works" in answer["text"]
    for forged in ("fb:1:r:x", "fb:1:m:evil", "fb:1:p:anon:999", f"fb:1:b:{'9' * 30}"):
        answer = await sam.tap_data(notice["message_id"], forged)
        assert answer.get("text")


async def test_named_feedback_and_a_voice_note_reach_the_coordinators(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    confirmation = await _send_feedback(sam, "With my name", "Idea: a quiet room at every meeting.")
    assert "with your name" in confirmation
    await _drain(app)
    notice = await priya.reply()
    assert notice["text"].startswith("📨 Message #1 from Sam Jones")
    await priya.tap("Reply")
    await priya.reply()
    await priya.send("Great idea, Sam.")
    await priya.reply()
    assert "Great idea, Sam." in (await sam.reply())["text"]

    # A voice note, anonymous: passed on as a voice note, with a warning about voices first.
    await sam.send("/feedback")
    await sam.reply()
    await sam.tap("Anonymous. No reply needed")
    prompt = (await sam.reply())["text"]
    assert "A voice note can be known by your voice." in prompt
    await sam.send_voice()
    assert HELD in (await sam.reply())["text"]
    await _drain(app)
    voice = await priya.reply()
    assert "voice" in voice and voice["caption"].startswith("📨 Anonymous message #2")


async def test_the_give_feedback_button_asks_for_words_and_bad_input_keeps_the_step(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    t = Translator("pl")
    await ola.send(t("Give feedback"))
    choice = await ola.reply()
    assert t("How do you want to send it?") in choice["text"]
    await ola.tap(t("Anonymous. No reply needed"))
    await ola.reply()
    await ola.send_photo()
    assert (await ola.reply())["text"] == t("Please type your message, or send a voice note.")
    # A tap on a big menu button mid-way does what the button says; it is not sent as feedback.
    await ola.send(t("Help"))
    help_text = (await ola.reply())["text"]
    assert help_text.startswith(t("Here is what I can do."))
    assert t("/feedback: tell us what you think. You can stay anonymous.") in help_text
    await ola.send(t("Give feedback"))
    await ola.reply()
    await ola.tap(t("Anonymous. No reply needed"))
    await ola.reply()
    await ola.send("/cancel")
    assert (await ola.reply())["text"] == t("OK. Nothing was sent.")
    async with db.session() as session:
        assert (await session.scalars(select(Feedback))).all() == []
    stranger = MemberDriver(emulator, 799, "Stranger")
    await stranger.send("/feedback")
    assert "invite link" in (await stranger.reply())["text"]


async def test_help_lines_can_be_set_per_panel_and_a_long_message_with_script_is_shown_safely(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    await priya.send("/helplines\nCarers Direct: 0300 123 1053\nCrisis team: 0800 000 0000")
    shown = (await priya.reply())["text"]
    assert "Carers Direct: 0300 123 1053" in shown and "116 123" not in shown
    await sam.send("/helplines")
    assert "coordinator" in (await sam.reply())["text"].lower()

    long = "<script>alert(1)</script> " + "x" * 4000 + " <b>end</b>"
    assert len(long) <= 4096
    confirmation = await _send_feedback(sam, "Anonymous. No reply needed", long)
    assert "Carers Direct: 0300 123 1053" in confirmation and "116 123" not in confirmation
    await _drain(app)
    parts = await priya.replies(2)
    for part in parts:
        assert len(part["text"]) <= 4096
    together = "".join(p["text"] for p in parts)
    assert "<script>alert(1)</script>" in together and "<b>end</b>" in together
    assert together.count("x") >= 4000
    async with db.session() as session:
        stored = await session.scalar(select(Feedback.text))
    assert stored == long


async def test_forgetme_removes_the_way_back_and_a_later_reply_cannot_reach_anyone(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    await _send_feedback(sam, "Anonymous. I'd like a reply", "The forms are too long.")
    await _drain(app)
    notice = await priya.reply()
    await sam.send("/forgetme")
    await sam.reply()
    await sam.tap("Yes, delete everything")
    await sam.reply()
    async with db.session() as session:
        assert (await session.scalars(select(FeedbackRoute))).all() == []
        item = await session.scalar(select(Feedback))
        assert item is not None and item.text == "The forms are too long."  # still anonymous
    answer = await priya.tap_data(notice["message_id"], f"fb:1:r:{item.id}")
    assert answer["text"] == "This person asked for no reply."  # no way back exists now


async def test_a_coordinator_replies_with_a_voice_note_and_the_member_answers_back_by_voice(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    t = Translator("pl")
    await _send_feedback(ola, t("Anonymous. I'd like a reply"), "The lift is broken again.")
    await _drain(app)
    await priya.reply()
    await priya.tap("Reply")
    assert "You can also send a voice note." in (await priya.reply())["text"]
    await priya.send_sticker()  # neither words nor a voice note: asked again, step kept
    assert (await priya.reply())["text"] == "Please type your message, or send a voice note."
    spoken = await priya.send_voice(b"OggS\x00coordinator speaking")
    assert (await priya.reply())[
        "text"
    ] == "Sent. Your reply went to the person who wrote message #1."

    heard = await ola.reply()
    assert heard["voice"]["file_unique_id"] == spoken["voice"]["file_unique_id"]
    assert t("💬 A coordinator replied to your message #{n}:", n=1) in heard["caption"]
    await ola.tap(t("Answer back"))
    prompt = (await ola.reply())["text"]
    assert t("You can also send a voice note.") in prompt
    assert t("A voice note can be known by your voice. Words are safer.") in prompt
    answer = await ola.send_voice(b"OggS\x00member speaking")
    assert (await ola.reply())["text"].startswith(t(HELD_BACK))
    await _drain(app)
    back = await priya.reply()
    assert back["voice"]["file_unique_id"] == answer["voice"]["file_unique_id"]
    assert back["caption"].startswith("📨 Anonymous message #1")
    assert "They wrote back:" in back["caption"] and "They sent a voice note." in back["caption"]
    assert "Reply" in priya.buttons(back)

    seen = _everything_seen(emulator, COORDINATOR)
    for clue in ("Agnieszka", "Nowak", str(OLA)):
        assert clue not in seen
    async with db.session() as session:
        turns = (await session.scalars(select(FeedbackReply).order_by(FeedbackReply.id))).all()
        assert [(x.from_member, x.text) for x in turns] == [(False, None), (True, None)]
        assert all(x.voice_file_id for x in turns)
        item = await session.scalar(select(Feedback))
        assert item is not None and item.member_id is None


async def test_forgetme_while_a_message_waits_to_be_written_seals_no_way_back(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    """The message is held in memory (written later with others'); forgetting before then must
    not leave a way back to be sealed when it is written."""
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    sam = MemberDriver(emulator, SAM, "Sam")
    await _send_feedback(sam, "Anonymous. I'd like a reply", "The forms are too long.")
    await sam.send("/forgetme")
    await sam.reply()
    await sam.tap("Yes, delete everything")
    await sam.reply()
    await _drain(app)
    notice = await priya.reply()
    assert "The forms are too long." in notice["text"]
    assert "Reply" not in priya.buttons(notice)
    async with db.session() as session:
        assert (await session.scalars(select(FeedbackRoute))).all() == []
