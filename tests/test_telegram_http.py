"""The bot's Bot API client (bot/telegram_http.py) against the emulator over real HTTP: forms and
uploads arrive intact, and timeouts, refused connections and proxies behave as with PTB's own."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.emulator.server import BotApiEmulator
from bot.telegram_http import AiohttpRequest

TOKEN = "424242:HTTP"
CHAT = 31337


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    emulator.add_user(CHAT, "Rosa")
    request = AiohttpRequest(read_timeout=1.0, write_timeout=1.0)
    async with Bot(
        TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url, request=request
    ) as bot:
        yield bot


async def test_text_with_html_and_buttons_arrives_as_sent(
    bot: Bot, emulator: BotApiEmulator
) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    text = "<b>Planning day</b> — ‏مرحبا‏ 👋 & more"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="mt:1:x")]])
    sent = await bot.send_message(CHAT, text, parse_mode="HTML", reply_markup=keyboard)

    stored = emulator.messages(CHAT)[-1]
    assert stored["message_id"] == sent.message_id
    assert stored["text"] == "Planning day — ‏مرحبا‏ 👋 & more"
    assert stored["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "mt:1:x"


async def test_a_file_upload_arrives_byte_for_byte(bot: Bot, emulator: BotApiEmulator) -> None:
    data = bytes(range(256)) * 400  # 100 KB with every byte value
    sent = await bot.send_document(CHAT, data, filename="claims.csv", caption="Ready")

    assert sent.document is not None
    assert emulator.file_bytes(sent.document.file_id) == data
    assert emulator.messages(CHAT)[-1]["caption"] == "Ready"
    # ...and it comes back the same through a download (a GET with no body).
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == data


async def test_a_slow_answer_is_a_timeout(bot: Bot, emulator: BotApiEmulator) -> None:
    emulator.delay_next("sendMessage", 3.0)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "hello")
    # The client is still usable afterwards.
    assert (await bot.send_message(CHAT, "again")).text == "again"


async def test_a_refused_connection_is_a_network_error_not_a_timeout() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
        assert not isinstance(raised.value, TimedOut)
        assert "aiohttp.Client" in raised.value.message
    finally:
        await request.shutdown()


async def test_it_refuses_to_send_before_it_is_initialized(emulator: BotApiEmulator) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{emulator.base_url}{TOKEN}/getMe", "POST")


async def test_the_environment_proxy_is_used_unless_no_proxy_names_the_host(
    emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    server = web.Application()
    server.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"{emulator.base_url}{TOKEN}/deleteWebhook"
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("NO_PROXY", "")
        through_proxy = AiohttpRequest()
        await through_proxy.initialize()
        assert await through_proxy.post(url) is True
        await through_proxy.shutdown()
        assert seen == [url]

        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        direct = AiohttpRequest()
        await direct.initialize()
        assert await direct.post(url) is True  # the emulator's own answer
        await direct.shutdown()
        assert seen == [url]
        assert [c.method for c in emulator.calls("deleteWebhook")] == ["deleteWebhook"]
    finally:
        await runner.cleanup()
