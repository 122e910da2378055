"""The Bot API emulator from the members' side: taps answered by the bot, files members send,
long polling with offsets and a prompt stop, polls and inline queries, the control endpoints the
playground uses, and a whole PTB Application driven by MemberDriver."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from telegram import Bot, InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.emulator import BotApiEmulator, MemberDriver
from bot.emulator.driver import TINY_PNG, normalize_label
from tests.emulator_fixtures import TOKEN, USER, bot, emu, keyboard

__all__ = ["bot", "emu"]  # the fixtures, used by name


async def test_callback_round_trip_with_raw_bot(bot: Bot, emu: BotApiEmulator) -> None:
    member = MemberDriver(emu, 2002, "Bo")
    await bot.send_message(2002, "Agree?", reply_markup=keyboard("✅ Yes", "No"))

    async def bot_side() -> None:
        updates = await bot.get_updates(timeout=5)
        query = updates[0].callback_query
        assert query is not None and query.data == "✅ Yes"
        assert query.message is not None and query.message.message_id == 1
        await query.answer("Thanks!", show_alert=True)
        with pytest.raises(BadRequest, match="Query is too old"):
            await query.answer("again")

    task = asyncio.create_task(bot_side())
    answer = await member.tap("Yes")  # loose match ignores the emoji
    await task
    assert answer["text"] == "Thanks!" and answer["show_alert"] is True
    with pytest.raises(AssertionError, match="visible buttons"):
        await member.tap("Maybe")


async def test_user_files_are_downloadable(bot: Bot, emu: BotApiEmulator) -> None:
    member = MemberDriver(emu, 3003, "Cy")
    await member.send_photo(caption="receipt")
    await member.send_document(b"%PDF-1.4 fake", "r.pdf", "application/pdf")
    await member.send_sticker()
    updates = await bot.get_updates()
    photo_message, doc_message, sticker_message = (u.message for u in updates)
    assert photo_message and doc_message and sticker_message
    assert photo_message.caption == "receipt"
    photo_file = await photo_message.photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()) == TINY_PNG
    assert doc_message.document is not None
    doc_file = await doc_message.document.get_file()
    assert bytes(await doc_file.download_as_bytearray()) == b"%PDF-1.4 fake"
    assert sticker_message.sticker is not None and sticker_message.sticker.emoji == "👍"


async def test_get_updates_long_poll_offset_and_stop() -> None:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(USER, "Ada")
    async with Bot(TOKEN, base_url=emulator.base_url) as client:
        started = time.monotonic()
        poll = asyncio.create_task(client.get_updates(timeout=10))
        await asyncio.sleep(0.05)
        emulator.user_sends_text(USER, "/start@panelbot_test_bot now")
        updates = await poll
        assert time.monotonic() - started < 2
        entity = updates[0].message.entities[0]  # type: ignore[union-attr]
        assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 24)
        assert len(await client.get_updates(offset=updates[0].update_id)) == 1
        assert await client.get_updates(offset=updates[0].update_id + 1) == ()
        # A pending long poll must end promptly when the emulator stops.
        pending = asyncio.create_task(client.get_updates(timeout=30, read_timeout=35))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await emulator.stop()
        assert await pending == ()
        assert time.monotonic() - started < 3


async def test_polls_and_inline_queries(bot: Bot, emu: BotApiEmulator) -> None:
    message = await bot.send_poll(USER, "When?", ["Mon", "Tue"], is_anonymous=False)
    assert message.poll is not None and not message.poll.is_closed
    emu.user_votes(USER, message.message_id, [1])
    poll = await bot.stop_poll(USER, message.message_id)
    assert poll.is_closed and poll.options[1].voter_count == 1
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(USER, message.message_id)

    query_id = emu.user_sends_inline_query(USER, "meet")
    updates = await bot.get_updates()
    assert [u.poll_answer is not None for u in updates] == [False, True, False]
    result = InlineQueryResultArticle("1", "Meeting", InputTextMessageContent("Tue 10:00"))
    await bot.answer_inline_query(query_id, [result])
    results = emu.inline_results(query_id)
    assert results is not None and results[0]["title"] == "Meeting"


async def test_control_endpoints(emu: BotApiEmulator, bot: Bot) -> None:
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{emu.control_url}/users", json={"user_id": 42, "first_name": "Web"}
        )
        assert (await response.json())["result"]["first_name"] == "Web"
        response = await session.post(f"{emu.control_url}/send", json={"user_id": 42, "text": "hi"})
        assert (await response.json())["result"]["message_id"] == 1
        sent = await bot.send_message(42, "Pick", reply_markup=keyboard("A"))
        response = await session.post(
            f"{emu.control_url}/tap",
            json={"user_id": 42, "message_id": sent.message_id, "data": "A"},
        )
        query_id = (await response.json())["result"]["callback_query_id"]
        response = await session.get(f"{emu.control_url}/chats/42/messages")
        body = (await response.json())["result"]
        assert [m["message_id"] for m in body["messages"]] == [1, 2]
        version = body["version"]
        waiter = asyncio.create_task(
            session.get(f"{emu.control_url}/chats/42/messages?after_version={version}&timeout=5")
        )
        await asyncio.sleep(0.05)
        await bot.send_message(42, "later")
        body = (await (await waiter).json())["result"]
        assert body["messages"][-1]["text"] == "later"
        response = await session.post(f"{emu.control_url}/send", json={"user_id": 7, "text": "x"})
        assert response.status == 400
    updates = await bot.get_updates()
    assert updates[0].message and updates[0].message.text == "hi"
    assert updates[1].callback_query and updates[1].callback_query.id == query_id


async def test_application_with_member_driver(emu: BotApiEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome!", reply_markup=keyboard("👍 Join"))

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text.upper())

    async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Joined")
        await query.edit_message_text("You joined.")

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(on_tap))
    member = MemberDriver(emu, 5005, "Dee")
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        try:
            await member.send("/start")
            welcome = await member.reply()
            assert welcome["text"] == "Welcome!" and member.buttons(welcome) == ["👍 Join"]
            await member.send("hello")
            assert (await member.reply())["text"] == "HELLO"
            assert (await member.tap("Join"))["text"] == "Joined"
            edited = await member.wait_edit(welcome["message_id"])
            assert edited["text"] == "You joined." and member.buttons(edited) == []
            await member.no_reply(within=0.2)
            assert "[1] user: /start" in member.transcript()
            assert member.last_message is not None
            with pytest.raises(AssertionError, match="no reply from the bot"):
                await member.reply(timeout=0.1)
        finally:
            await application.updater.stop()
            await application.stop()


def test_normalize_label() -> None:
    assert normalize_label(" ✅ Yes ") == "Yes"
    assert normalize_label("1️⃣ One") == "1️⃣ One"  # a keycap digit is content, not decoration
    assert normalize_label("Next ➡️") == "Next"
