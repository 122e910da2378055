"""A local, in-memory emulator of the Telegram Bot API (aiohttp).

The real python-telegram-bot client is pointed at it via ``base_url`` / ``base_file_url``.
Tests act as Telegram users through the ``user_*`` methods, inspect what the bot did through
``messages()`` / ``calls()``, and inject faults (blocked users, 429/5xx, slow answers, a gate
that swallows sends) to exercise the bot's error handling.

This module is the HTTP server: it routes each request to the Bot API method that handles it
and runs the server. The methods live by area in the modules of this package (messages, files,
polls, updates, queries, bot_settings, user_actions, faults, control), all on one shared state.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiohttp import web

from bot.emulator.bot_settings import BotSettingsMethods
from bot.emulator.control import ControlEndpoints
from bot.emulator.faults import FaultInjection
from bot.emulator.files import MAX_UPLOAD_BYTES
from bot.emulator.messages import MessageMethods
from bot.emulator.params import Params, read_params
from bot.emulator.polls import PollMethods
from bot.emulator.records import JSON, ApiCall, ApiError, DroppedRequest, words
from bot.emulator.updates import UpdateMethods

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")


def _error_response(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.status, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.status)


class BotApiEmulator(
    ControlEndpoints,
    MessageMethods,
    PollMethods,
    BotSettingsMethods,
    UpdateMethods,
    FaultInjection,
):
    """In-memory Bot API server. One bot per emulator; any `<digits>:<secret>` token works."""

    API_METHODS = words(
        "getMe getUpdates setWebhook deleteWebhook getWebhookInfo close logOut sendMessage "
        "editMessageText editMessageReplyMarkup editMessageCaption deleteMessage "
        "answerCallbackQuery sendPhoto sendDocument sendVoice getFile sendPoll stopPoll "
        "setMyCommands getMyCommands deleteMyCommands setChatMenuButton getChatMenuButton "
        "sendChatAction "
        "answerInlineQuery setMyDescription getMyDescription setMyShortDescription "
        "getMyShortDescription setMyName getMyName getChat"
    )
    _METHOD_NAMES = {name.lower(): name for name in API_METHODS}  # Telegram ignores case

    # ------------------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.port}/_emulator"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_post("/_emulator/users", self._ctl_add_user)
        app.router.add_post("/_emulator/send", self._ctl_send)
        app.router.add_post("/_emulator/tap", self._ctl_tap)
        app.router.add_get("/_emulator/chats/{chat_id}/messages", self._ctl_messages)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._stopping = False
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = cast(Any, site._server)  # the only way to learn the port picked for port=0
        self.host, self.port = host, server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._stopping = True  # wakes long polls and held/delayed requests
        if self._gate is not None:
            self._gate.drop = True
            self._gate.event.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --------------------------------------------------------------------------- HTTP: API

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        match = TOKEN_RE.match(request.match_info["token"])
        if match is None or match.group(0) in self.refused_tokens:
            return _error_response(ApiError(401, "Unauthorized"))
        self.bot_id = int(match.group(1))
        key = request.match_info["method"].lower()
        name = self._METHOD_NAMES.get(key)
        handler: Callable[[Params], Any] | None = getattr(self, f"_api_{name}") if name else None
        name = name or request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as error:
            return _error_response(error)
        call = ApiCall(name, params.loggable(), time.monotonic(), bot_id=self.bot_id)
        self._calls.append(call)
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            await self._before(call, key, params, request)
            result = handler(params)
            if isinstance(result, Awaitable):
                result = await result
        except DroppedRequest:
            call.outcome, call.finished = "dropped", time.monotonic()
            self._notify()
            if request.transport is not None:
                request.transport.close()  # the client sees a broken connection
            return web.Response(status=502)
        except ApiError as error:
            call.outcome, call.status, call.description = "error", error.status, error.description
            call.finished = time.monotonic()
            self._notify()
            return _error_response(error)
        call.outcome, call.status, call.result = "ok", 200, result
        if self.on_accept is not None:  # fault tests: act at the instant "Telegram" accepted it
            self.on_accept(call)
        call.finished = time.monotonic()
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if TOKEN_RE.match(token) is None or token in self.refused_tokens:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
