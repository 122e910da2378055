"""The key that seals the ways back to anonymous messages is the bot's own (a key file made
0600 on first run, or PANELBOT_REPLY_KEY), not the bot token: after the token changes, replies
still reach the member and /forgetme still removes their routes. Old keys keep working after a
rotation, and routes sealed by earlier versions (with a key made from the token) still open."""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.context import PanelbotApplication
from bot.db import FeedbackRoute, Role
from bot.db.engine import Database
from bot.emulator.driver import JSON, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.storage import REPLY_KEY_FILE
from tests.conftest import TOKEN
from tests.factories import add_member, create_panel

COORDINATOR, SAM = 801, 802
NEW_TOKEN = "654321:CHANGED-after-a-leak"
KEY_ONE = "first-reply-key-0123456789abcdefghijklmnop"
KEY_TWO = "second-reply-key-0123456789abcdefghijklmno"


@asynccontextmanager
async def running(settings: Settings, db: Database, clock: FrozenClock) -> AsyncIterator[None]:
    """The real bot with these settings, polling the emulator, then stopped (a restart)."""
    application = build_application(settings, clock=clock, db=db, tick_seconds=None)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield
        await _drain(application)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def _changed(settings: Settings, changes: dict[str, object]) -> Settings:
    """The same settings with a few changed, validated as at start-up."""
    return load_settings(**{**settings.model_dump(), **changes})


async def _drain(application: PanelbotApplication) -> None:
    """Anonymous messages wait to be written with others' (README, threat model): write them,
    as the periodic job would, then send what is due."""
    await application.runtime.flush_anonymous(everything=True)
    assert application.runtime.delivery is not None
    await application.runtime.delivery.drain()


async def _setup(db: Database, clock: FrozenClock) -> None:
    panel = (await create_panel(db, clock, "Carers Voice")).panel
    await add_member(db, clock, panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel.id, SAM, "Sam Jones")


async def _anonymous_with_reply(sam: MemberDriver, words: str) -> None:
    await sam.send("/feedback")
    await sam.reply()
    await sam.tap("Anonymous. I'd like a reply")
    await sam.reply()
    await sam.send(words)
    await sam.reply()


async def _reply_as_coordinator(priya: MemberDriver, notice: JSON, words: str) -> str:
    """Tap Reply on the notice of message #1 and send `words`: what the coordinator is told."""
    button = notice["reply_markup"]["inline_keyboard"][0][0]
    answer = await priya.tap_data(notice["message_id"], button["callback_data"])
    if answer.get("text"):
        return str(answer["text"])
    assert "You will not see who they are." in (await priya.reply())["text"]
    await priya.send(words)
    return str((await priya.reply())["text"])


async def _forget(sam: MemberDriver) -> None:
    await sam.send("/forgetme")
    await sam.reply()
    await sam.tap("Yes, delete everything")
    await sam.reply()


async def _routes(db: Database) -> list[FeedbackRoute]:
    async with db.session() as session:
        return list((await session.scalars(select(FeedbackRoute))).all())


async def test_after_the_token_changes_replies_still_arrive_and_forgetme_removes_the_routes(
    emulator: BotApiEmulator, settings: Settings, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    sam, priya = MemberDriver(emulator, SAM, "Sam"), MemberDriver(emulator, COORDINATOR, "Priya")
    async with running(settings, db, clock):
        await _anonymous_with_reply(sam, "The forms are too long.")
        await _anonymous_with_reply(sam, "And the hall is cold.")
    notice = (await priya.replies(2))[0]
    assert len(await _routes(db)) == 2

    # The token leaked and was changed in @BotFather; the bot restarts with the new one.
    emulator.refused_tokens.add(TOKEN)
    changed = _changed(settings, {"telegram_bot_token": NEW_TOKEN})
    async with running(changed, db, clock):
        sent = await _reply_as_coordinator(priya, notice, "We will shorten them.")
        assert sent == "Sent. Your reply went to the person who wrote message #1."
        assert "We will shorten them." in (await sam.reply())["text"]
        await _forget(sam)
    assert await _routes(db) == []


async def test_the_key_file_is_private_made_on_first_run_and_kept(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    data_dir = settings.panelbot_data_dir
    key_file = data_dir / REPLY_KEY_FILE
    async with running(settings, db, clock):
        key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert len(key.strip()) >= 32 and TOKEN.split(":")[1] not in key
    async with running(settings, db, clock):
        assert key_file.read_text() == key  # the same key after a restart


async def test_after_a_rotation_old_keys_open_and_forget_and_without_them_no_reply_arrives(
    emulator: BotApiEmulator, settings: Settings, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    sam, priya = MemberDriver(emulator, SAM, "Sam"), MemberDriver(emulator, COORDINATOR, "Priya")
    first = _changed(settings, {"panelbot_reply_key": KEY_ONE})
    async with running(first, db, clock):
        await _anonymous_with_reply(sam, "The forms are too long.")
    notice = await priya.reply()

    forgotten = _changed(settings, {"panelbot_reply_key": KEY_TWO})
    async with running(forgotten, db, clock):
        refused = await _reply_as_coordinator(priya, notice, "Hello?")
        assert refused != "Sent. Your reply went to the person who wrote message #1."
        await sam.no_reply(0.2)

    rotated = _changed(
        settings, {"panelbot_reply_key": KEY_TWO, "panelbot_reply_keys_old": (KEY_ONE,)}
    )
    async with running(rotated, db, clock):
        sent = await _reply_as_coordinator(priya, notice, "We will shorten them.")
        assert sent == "Sent. Your reply went to the person who wrote message #1."
        assert "We will shorten them." in (await sam.reply())["text"]
        await _forget(sam)
    assert await _routes(db) == []


def _sealed_as_before_the_reply_key(token: str, chat_id: int, feedback_id: int) -> FeedbackRoute:
    """A route as earlier versions wrote it: both keys made from the bot token with HKDF."""
    material = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=b"panelbot feedback routes"
    ).derive(token.encode())
    fernet = Fernet(base64.urlsafe_b64encode(material[:32]))
    owner = hmac.new(material[32:], f"{feedback_id}:{chat_id}".encode(), hashlib.sha256)
    return FeedbackRoute(
        feedback_id=feedback_id,
        sealed=fernet.encrypt(str(chat_id).encode()).decode(),
        owner=owner.hexdigest(),
    )


async def test_routes_sealed_with_the_token_by_earlier_versions_still_open_and_are_forgotten(
    emulator: BotApiEmulator,
    settings: Settings,
    db: Database,
    clock: FrozenClock,
) -> None:
    await _setup(db, clock)
    sam, priya = MemberDriver(emulator, SAM, "Sam"), MemberDriver(emulator, COORDINATOR, "Priya")
    async with running(settings, db, clock):
        await _anonymous_with_reply(sam, "The forms are too long.")
    notice = await priya.reply()
    async with db.session() as session:  # as if written before the upgrade
        route = await session.scalar(select(FeedbackRoute))
        assert route is not None
        feedback_id = route.feedback_id
        await session.delete(route)
        await session.flush()
        session.add(_sealed_as_before_the_reply_key(TOKEN, SAM, feedback_id))
        await session.commit()

    async with running(settings, db, clock):
        sent = await _reply_as_coordinator(priya, notice, "We will shorten them.")
        assert sent == "Sent. Your reply went to the person who wrote message #1."
        assert "We will shorten them." in (await sam.reply())["text"]

    # The token changed too: the old token, given as an old key, still finds the route.
    emulator.refused_tokens.add(TOKEN)
    changed = _changed(
        settings, {"telegram_bot_token": NEW_TOKEN, "panelbot_reply_keys_old": (TOKEN,)}
    )
    async with running(changed, db, clock):
        await _forget(sam)
    assert await _routes(db) == []
