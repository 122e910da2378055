"""The Bot API emulator, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
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

TOKEN = "123456:TEST"
USER = 1001


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(USER, "Ada", language_code="en")
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as client:
        yield client


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label)] for label in labels]
    )


async def test_get_me(bot: Bot, emu: BotApiEmulator) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "panelbot_test_bot")
    assert me.can_join_groups is True
    assert emu.calls("getMe")[0].ok


async def test_envelope_token_and_unknown_method(emu: BotApiEmulator) -> None:
    base = f"http://127.0.0.1:{emu.port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/botnot-a-token/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{base}/bot1:x/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
        # Case-insensitive method names; GET with query parameters; JSON bodies.
        async with session.get(f"{base}/bot1:x/GETME") as response:
            assert (await response.json())["result"]["id"] == 1
        async with session.get(
            f"{base}/bot1:x/sendMessage", params={"chat_id": str(USER), "text": "q"}
        ) as response:
            assert (await response.json())["result"]["text"] == "q"
        async with session.post(
            f"{base}/bot1:x/sendMessage", json={"chat_id": USER, "text": "j"}
        ) as response:
            body = await response.json()
            assert body["ok"] and body["result"]["message_id"] == 2


async def test_send_message_is_stored_like_telegram(bot: Bot, emu: BotApiEmulator) -> None:
    first = await bot.send_message(USER, "<b>Hello</b> &amp; welcome 😀", parse_mode="HTML")
    second = await bot.send_message(USER, "Choose", reply_markup=keyboard("Yes", "No"))
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.text == "Hello & welcome 😀"
    assert first.entities[0].type == "bold" and first.entities[0].length == 5
    assert first.from_user is not None and first.from_user.id == 123456
    assert first.chat.type == "private" and first.chat.first_name == "Ada"
    assert second.reply_markup == keyboard("Yes", "No")
    stored = emu.messages(USER)
    assert [m["text"] for m in stored] == ["Hello & welcome 😀", "Choose"]
    assert stored[1]["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "No"
    assert emu.delivered_count(USER) == 2
    call = emu.calls("sendMessage")[1]
    assert call.ok and call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"text": "   "}, "Message text is empty"),
        ({"text": "a" * 4097}, "Message is too long"),
        ({"text": "<b>" + "a" * 4096 + "</b>", "parse_mode": "HTML"}, None),
        ({"text": "1 < 2", "parse_mode": "HTML"}, 'Unsupported start tag "" at byte offset 2'),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "Unmatched end tag"),
        ({"text": "<div>x</div>", "parse_mode": "HTML"}, 'Unsupported start tag "div"'),
        ({"text": "<b>open", "parse_mode": "HTML"}, "Can't find end tag"),
        ({"text": "Done.", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
        (
            {"text": "x", "reply_markup": keyboard("y" * 65)},
            "Button_data_invalid",
        ),
    ],
)
async def test_send_message_validation(
    bot: Bot, emu: BotApiEmulator, kwargs: dict[str, object], expected: str | None
) -> None:
    if expected is None:
        message = await bot.send_message(USER, **kwargs)  # type: ignore[arg-type]
        assert len(message.text or "") == 4096
        return
    with pytest.raises(BadRequest, match=f"(?i){re.escape(expected)}"):
        await bot.send_message(USER, **kwargs)  # type: ignore[arg-type]
    assert emu.delivered_count() == 0
    assert emu.calls()[-1].outcome == "error"


async def test_unknown_chat_and_malformed_keyboard(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hi")
    with pytest.raises(BadRequest, match=r"(?i)array of arrays"):
        await bot.send_message(
            USER, "hi", api_kwargs={"reply_markup": '{"inline_keyboard": [{"text": "a"}]}'}
        )
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(
            USER, "hi", api_kwargs={"reply_markup": '{"inline_keyboard": [[{"text": "a"}]]}'}
        )


async def test_caption_limit(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(USER, TINY_PNG, caption="c" * 1025)


async def test_edit_not_modified_and_delete(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(USER, "Step 1", reply_markup=keyboard("Next"))
    edited = await bot.edit_message_text(
        "Step 2", USER, sent.message_id, reply_markup=keyboard("Next")
    )
    assert not isinstance(edited, bool) and edited.text == "Step 2" and edited.edit_date
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text("Step 2", USER, sent.message_id, reply_markup=keyboard("Next"))
    # Editing without reply_markup removes the keyboard, like Telegram.
    await bot.edit_message_text("Step 2", USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 77)
    stored = emu.messages(USER)[0]
    assert stored["text"] == "Step 2" and "reply_markup" not in stored
    assert [h["text"] for h in stored["edit_history"]] == ["Step 1", "Step 2"]

    assert await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    assert emu.messages(USER) == []
    assert emu.messages(USER, include_deleted=True)[0]["deleted"] is True
    assert emu.delivered_count(USER) == 1


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


async def test_photo_and_document_upload_download(bot: Bot, emu: BotApiEmulator) -> None:
    message = await bot.send_photo(USER, TINY_PNG, caption="<i>pic</i>", parse_mode="HTML")
    assert message.caption == "pic" and message.photo[-1].width == 1
    file = await bot.get_file(message.photo[-1].file_id)
    assert file.file_path and file.file_path.startswith(emu.base_file_url)
    assert bytes(await file.download_as_bytearray()) == TINY_PNG
    again = await bot.send_photo(USER, message.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_unique_id == message.photo[-1].file_unique_id
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(USER, b"not an image")

    doc = await bot.send_document(USER, b"a,b\n1,2\n", filename="report.csv")
    assert doc.document is not None
    assert (doc.document.file_name, doc.document.mime_type, doc.document.file_size) == (
        "report.csv",
        "text/csv",
        8,
    )
    call = emu.calls("sendDocument")[0]
    assert call.params["document"] == {"upload": "report.csv", "size": 8}
    url = f"{emu.base_file_url}{TOKEN}/documents/nope.csv"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 404


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


async def test_commands_menu_and_descriptions(bot: Bot, emu: BotApiEmulator) -> None:
    english = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    german = [BotCommand("start", "Los geht's")]
    await bot.set_my_commands(english)
    await bot.set_my_commands(german, language_code="de")
    await bot.set_my_commands([BotCommand("join", "Join")], scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Los geht's"]
    assert emu.commands(language_code="de") == [{"command": "start", "description": "Los geht's"}]
    assert emu.commands({"type": "all_private_chats"})[0]["command"] == "join"
    assert emu.effective_commands(USER)[0]["command"] == "join"
    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert emu.effective_commands(USER)[0]["command"] == "start"
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])

    await bot.set_my_description("A panel bot", language_code="en")
    await bot.set_my_short_description("Panels")
    assert emu.bot_text("description", "en") == "A panel bot"
    assert (await bot.get_my_short_description()).short_description == "Panels"
    await bot.set_chat_menu_button(USER)
    assert (await bot.get_chat_menu_button(USER)).type == "default"
    assert await bot.send_chat_action(USER, "typing")
    assert emu.chat_actions(USER) == ["typing"]
    chat = await bot.get_chat(USER)
    assert chat.first_name == "Ada" and chat.type == "private"


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


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_blocked_user_and_injected_failures(bot: Bot, emu: BotApiEmulator) -> None:
    emu.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    emu.unblock(USER)
    updates = await bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]

    emu.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
        await bot.send_message(USER, "hi")
    emu.fail_next("sendMessage", 500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "hi")
    emu.fail_next("sendmessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "hi")
    emu.delay_next("sendMessage", 0.6)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.2)
    assert emu.delivered_count() == 0  # nothing delivered before the slow one finishes
    await emu.wait_for(lambda: emu.delivered_count() == 1, 2)
    assert emu.messages(USER)[0]["text"] == "slow"  # Telegram got it, the client timed out
    assert [c.status for c in emu.calls("sendMessage")] == [403, 429, 500, 502, 200]
    assert emu.calls("sendMessage")[1].get("status") == 429 and emu.calls()[-1]["ok"]


async def test_hold_gate(bot: Bot, emu: BotApiEmulator) -> None:
    emu.hold()
    task = asyncio.create_task(bot.send_message(USER, "first"))
    held = await emu.wait_held(1)
    assert held[0].method == "sendMessage" and held[0].outcome == "held"
    assert emu.delivered_count() == 0 and not task.done()
    assert await bot.get_me()  # non-send methods still flow
    emu.release()
    assert (await task).text == "first"
    assert emu.delivered_count() == 1

    # The bot "dies" while its request is parked: the request never reaches Telegram.
    emu.hold()
    task = asyncio.create_task(bot.send_message(USER, "lost"))
    await emu.wait_held(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    emu.release()
    assert await emu.wait_for(lambda: emu.calls()[-1].outcome == "dropped", 2)
    assert emu.delivered_count() == 1

    emu.hold(["sendMessage"])
    task = asyncio.create_task(bot.send_message(USER, "cut"))
    await emu.wait_held(1)
    emu.release(drop=True)
    with pytest.raises(NetworkError):
        await task
    assert [m["text"] for m in emu.messages(USER)] == ["first"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_strict_limits(bot: Bot, emu: BotApiEmulator) -> None:
    emu.strict_limits = True
    for i in range(3):  # burst allowance per chat
        await bot.send_message(USER, f"m{i}")
    with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
        await bot.send_message(USER, "too fast")
    assert "Too Many Requests: retry after 1" in (emu.calls()[-1].description or "")
    assert emu.delivered_count() == 3


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
