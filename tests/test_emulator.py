"""The Bot API emulator, exercised through the real python-telegram-bot client: what the bot sends
is checked and stored as Telegram would (the envelope, messages and their limits, edits and
deletes, photos and documents, commands and descriptions)."""

from __future__ import annotations

import re

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import BadRequest

from bot.emulator import BotApiEmulator
from bot.emulator.driver import TINY_PNG
from tests.emulator_fixtures import TOKEN, USER, bot, emu, keyboard

__all__ = ["bot", "emu"]  # the fixtures, used by name


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
