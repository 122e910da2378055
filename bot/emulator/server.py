"""A local, in-memory emulator of the Telegram Bot API (aiohttp).

The real python-telegram-bot client is pointed at it via ``base_url`` / ``base_file_url``.
Tests act as Telegram users through the ``user_*`` methods, inspect what the bot did through
``messages()`` / ``calls()``, and inject faults (blocked users, 429/5xx, slow answers, a gate
that swallows sends) to exercise the bot's error handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import re
import secrets
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar, cast

from aiohttp import web

from bot.emulator import formatting
from bot.emulator.limits import FloodLimits, FloodRefused

JSON = dict[str, Any]
T = TypeVar("T")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

# Parameters PTB sends JSON-encoded inside form fields.
JSON_FIELDS = _words(
    "reply_markup entities caption_entities commands scope media options results "
    "menu_button allowed_updates link_preview_options reply_parameters explanation_entities "
    "question_entities button input_message_content prices correct_option_ids"
)
# Methods that create a message in a chat (subject to blocking and flood limits).
SEND_METHODS = _words(
    "sendmessage sendphoto senddocument sendpoll sendsticker sendaudio sendvideo sendvoice "
    "sendanimation sendlocation sendcontact sendmediagroup copymessage forwardmessage "
    "senddice sendvenue sendvideonote"
)
EDIT_METHODS = frozenset(
    ["editmessagetext", "editmessagecaption", "editmessagereplymarkup", "editmessagemedia"]
)
# What hold() swallows by default: everything that changes what the user sees.
HOLD_METHODS = SEND_METHODS | EDIT_METHODS | {"deletemessage"}
INLINE_BUTTON_ACTIONS = _words(
    "url callback_data web_app login_url switch_inline_query "
    "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
    "callback_game pay"
)
CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
COMMAND_SCOPES = _words(
    "default all_private_chats all_group_chats all_chat_administrators chat "
    "chat_administrators chat_member"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer: HTTP status == error_code, as Telegram does."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class _Dropped(Exception):
    """A held request that must not take effect (client gone, or released with drop=True)."""


@dataclass
class ApiCall:
    """One request the bot made, in arrival order; mutated when its outcome is known."""

    method: str
    params: JSON
    time: float
    outcome: str = "pending"  # pending | held | ok | error | dropped
    status: int | None = None
    description: str | None = None
    result: Any = None
    finished: float | None = None
    bot_id: int | None = None  # which bot's token made it (several bots may share an emulator)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def duration(self) -> float | None:
        return None if self.finished is None else self.finished - self.time

    # Mapping-style access too, so tests can treat log entries as plain dicts.
    def __getitem__(self, key: str) -> Any:
        if key in ("ok", "duration") or key in self.__dataclass_fields__:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


@dataclass
class Upload:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredMessage:
    data: JSON  # exactly what the Bot API returns for this message
    from_bot: bool
    sent_at: float
    edit_history: list[JSON] = field(default_factory=list)
    deleted: bool = False
    reply_keyboard: JSON | None = None  # non-inline markup as sent (Telegram doesn't echo it)

    def view(self) -> JSON:
        result = copy.deepcopy(self.data)
        result["edit_history"] = copy.deepcopy(self.edit_history)
        result["deleted"] = self.deleted
        if self.reply_keyboard is not None:
            result["reply_keyboard"] = copy.deepcopy(self.reply_keyboard)
        return result


@dataclass
class ChatState:
    user: JSON
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    actions: list[str] = field(default_factory=list)
    menu_button: JSON | None = None
    kind: str = "private"  # or "group" / "supergroup": then `user` holds the group's id and title

    def chat_object(self) -> JSON:
        if self.kind != "private":
            return {"id": self.user["id"], "type": self.kind, "title": self.user["first_name"]}
        chat = {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if self.user.get(key):
                chat[key] = self.user[key]
        return chat

    def allocate_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class _Gate:
    methods: frozenset[str]
    event: asyncio.Event = field(default_factory=asyncio.Event)
    drop: bool = False
    calls: list[ApiCall] = field(default_factory=list)


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    description: str | None


class Params:
    """Request parameters from a query string, urlencoded/multipart form or JSON body."""

    def __init__(self, values: JSON, uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        try:
            return None if value in (None, "") else float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def loggable(self) -> JSON:
        logged = {
            key: self.get_json(key) if key in JSON_FIELDS else v for key, v in self.values.items()
        }
        for name, upload in self.uploads.items():
            logged[name] = {"upload": upload.filename, "size": len(upload.data)}
        return logged


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/WebP image, None if it isn't one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return None


def _error_response(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.status, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.status)


def _scope_key(scope: Any) -> str:
    if scope is None:
        scope = {"type": "default"}
    elif hasattr(scope, "to_dict"):  # a PTB BotCommandScope
        scope = scope.to_dict()
    return json.dumps(scope, sort_keys=True)


class BotApiEmulator:
    """In-memory Bot API server. One bot per emulator; any `<digits>:<secret>` token works."""

    API_METHODS = _words(
        "getMe getUpdates setWebhook deleteWebhook getWebhookInfo close logOut sendMessage "
        "editMessageText editMessageReplyMarkup editMessageCaption deleteMessage "
        "answerCallbackQuery sendPhoto sendDocument sendVoice getFile sendPoll stopPoll "
        "setMyCommands getMyCommands deleteMyCommands setChatMenuButton getChatMenuButton "
        "sendChatAction "
        "answerInlineQuery setMyDescription getMyDescription setMyShortDescription "
        "getMyShortDescription setMyName getMyName getChat"
    )

    def __init__(
        self,
        bot_username: str = "panelbot_test_bot",
        bot_first_name: str = "Panelbot",
        *,
        strict_limits: bool | FloodLimits = False,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.limits: FloodLimits | None = None
        self.on_accept: Callable[[ApiCall], None] | None = None
        self.strict_limits = strict_limits
        self.bot_id = 0  # learnt from the token of the first request
        # Tokens answered 401 Unauthorized, as Telegram answers a revoked or mistyped token.
        self.refused_tokens: set[str] = set()
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self._version = 0
        self._changed = asyncio.Event()
        self._methods: dict[str, tuple[str, Callable[[Params], Any]]] = {
            name.lower(): (name, getattr(self, f"_api_{name}")) for name in self.API_METHODS
        }
        self._chats: dict[int, ChatState] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_000_001)
        self._poll_generation = 0
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._calls: list[ApiCall] = []
        self._callback_answers: dict[str, JSON | None] = {}
        self._inline_results: dict[str, list[JSON] | None] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> text
        self._default_menu_button: JSON | None = None
        self._webhook: JSON = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._gate: _Gate | None = None
        self._polls: dict[str, tuple[int, int]] = {}  # poll id -> (chat id, message id)

    @property
    def strict_limits(self) -> bool:
        return self.limits is not None

    @strict_limits.setter
    def strict_limits(self, value: bool | FloodLimits) -> None:
        """True: the lenient limits; a FloodLimits (FloodLimits.telegram()): those."""
        self.limits = value if isinstance(value, FloodLimits) else FloodLimits() if value else None

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

    # ----------------------------------------------------------------------- change tracking

    @property
    def version(self) -> int:
        """Increases on every state change (new update, message, edit, answer...)."""
        return self._version

    def _notify(self) -> None:
        self._version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float,  # noqa: ASYNC109 - a plain timeout is the clearest API for tests
    ) -> T | None:
        """Wait (event-driven) until predicate() is truthy; return it, or None on timeout/stop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stopping:
                return None
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the emulator stops."""
        await self.wait_for(lambda: self._stopping, seconds)

    # --------------------------------------------------------------------------- HTTP: API

    async def _read_params(self, request: web.Request) -> Params:
        values: JSON = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("can't parse JSON object")
                values.update(body)
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        uploads[key] = Upload(value.filename, value.content_type, value.file.read())
                    else:
                        values[key] = value
        return Params(values, uploads)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        match = TOKEN_RE.match(request.match_info["token"])
        if match is None or match.group(0) in self.refused_tokens:
            return _error_response(ApiError(401, "Unauthorized"))
        self.bot_id = int(match.group(1))
        key = request.match_info["method"].lower()
        name, handler = self._methods.get(key, (request.match_info["method"], None))
        try:
            params = await self._read_params(request)
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
        except _Dropped:
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

    async def _before(self, call: ApiCall, key: str, params: Params, request: web.Request) -> None:
        """Fault injection, in the order a request meets them on the way to Telegram."""
        gate = self._gate
        if gate is not None and key in gate.methods:
            call.outcome = "held"
            gate.calls.append(call)
            self._notify()
            await gate.event.wait()
            if gate.drop or request.transport is None or request.transport.is_closing():
                raise _Dropped
            call.outcome = "pending"
        delays = self._delays.get(key) or self._delays.get("*")
        if delays:
            await self._sleep(delays.popleft())
        faults = self._faults.get(key) or self._faults.get("*")
        if faults:
            fault = faults.popleft()
            retry_after = fault.retry_after
            if fault.status == 429 and retry_after is None:
                retry_after = 1
            default = DEFAULT_DESCRIPTIONS.get(fault.status) or HTTPStatus(fault.status).phrase
            if fault.status == 429:
                default = f"Too Many Requests: retry after {retry_after}"
            raise ApiError(fault.status, fault.description or default, retry_after)
        chat_id = self._maybe_chat_id(params)
        sends = key in SEND_METHODS or key in EDIT_METHODS or key == "sendchataction"
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if sends and chat is not None and chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        limits = self.limits
        if limits is not None and limits.applies_to(
            is_send=key in SEND_METHODS, is_edit=key in EDIT_METHODS
        ):
            try:
                limits.check(chat_id)
            except FloodRefused as refused:
                raise ApiError(429, str(refused), refused.retry_after) from None

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

    # -------------------------------------------------------------------------- API helpers

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _maybe_chat_id(params: Params) -> int | None:
        try:
            return params.get_int("chat_id")
        except ApiError:
            return None

    def _chat(self, params: Params) -> ChatState:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = self._maybe_chat_id(params)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _formatted(
        self, params: Params, key: str, entities_key: str, limit: int, *, caption: bool
    ) -> tuple[str, list[JSON]]:
        raw = params.get_str(key) or ""
        if entities_key in params.values:
            entities = params.get_json(entities_key) or []
            if not isinstance(entities, list) or not all(
                isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
            ):
                raise bad_request(f"can't parse {entities_key} JSON object")
            text = raw
        else:
            try:
                text, entities = formatting.parse(raw, params.get_str("parse_mode"))
            except formatting.EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
            except ValueError:
                raise bad_request("unsupported parse_mode") from None
        text, entities = formatting.strip_text(text, entities)
        if not text and not caption:
            raise bad_request("message text is empty")
        # Telegram counts UTF-16 code units, so an emoji outside the BMP counts as two.
        if len(text.encode("utf-16-le")) // 2 > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return text, entities

    def _markup(self, params: Params, *, inline_only: bool = False) -> JSON | None:
        if params.get("reply_markup") in (None, ""):
            return None
        markup = params.get_json("reply_markup")
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for button in itertools.chain.from_iterable(rows):
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_keyboard(rows: Any) -> None:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(r) for r in rows) > 100:
            raise bad_request("BUTTONS_TOO_MUCH")
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not button["text"]:
                raise bad_request("BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            elif "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                    raise bad_request("BUTTON_URL_INVALID")
            elif not INLINE_BUTTON_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )

    def _reply_to(self, chat: ChatState, params: Params) -> JSON | None:
        reply = params.get_json("reply_parameters") if "reply_parameters" in params.values else None
        message_id = params.get_int("reply_to_message_id")
        allow_missing = params.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        original = copy.deepcopy(target.data)
        original.pop("reply_to_message", None)  # Telegram nests only one level
        return original

    def _store_bot_message(self, chat: ChatState, params: Params, content: JSON) -> JSON:
        """Validate the common send options, then record and return the new message."""
        markup = self._markup(params)
        reply_to = self._reply_to(chat, params)
        data: JSON = {
            "message_id": chat.allocate_id(),
            "from": self._bot_user(),
            "chat": chat.chat_object(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            data["reply_to_message"] = reply_to
        data.update({k: v for k, v in content.items() if v not in (None, [], "")})
        stored = StoredMessage(data, from_bot=True, sent_at=time.monotonic())
        if markup is not None and "inline_keyboard" in markup:
            if markup["inline_keyboard"]:
                data["reply_markup"] = markup
        elif markup is not None:
            stored.reply_keyboard = markup
        chat.messages[data["message_id"]] = stored
        self._notify()
        return copy.deepcopy(data)

    def _own_message(self, chat: ChatState, params: Params, missing: str) -> StoredMessage:
        message_id = params.get_int("message_id")
        if message_id is None:
            if params.get("inline_message_id"):
                raise bad_request("MESSAGE_ID_INVALID")
            raise bad_request("message identifier is not specified")
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request(missing)
        return stored

    def _apply_edit(self, stored: StoredMessage, changes: JSON) -> JSON:
        current = {key: stored.data.get(key) for key in changes}
        if current == changes:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        stored.edit_history.append(copy.deepcopy(stored.data))
        for key, value in changes.items():
            if value in (None, [], ""):
                stored.data.pop(key, None)
            else:
                stored.data[key] = value
        stored.data["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(stored.data)

    def _edit_markup(self, params: Params) -> JSON | None:
        markup = self._markup(params, inline_only=True)
        return markup if markup and markup["inline_keyboard"] else None

    def _store_file(self, upload: Upload, kind: str, data: bytes | None = None) -> StoredFile:
        number = next(self._file_counter)
        prefix = {"photo": "AgAC", "document": "BQAC", "sticker": "CAAC", "voice": "AwAC"}.get(
            kind, "BAAC"
        )
        mime_type = upload.content_type
        if not mime_type or mime_type == "application/octet-stream":
            guessed = mimetypes.guess_type(upload.filename or "")[0]
            mime_type = guessed or mime_type
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if kind == "photo":
            extension = ".jpg"
        folder = {
            "photo": "photos",
            "document": "documents",
            "sticker": "stickers",
            "voice": "voice",
        }[kind]
        stored = StoredFile(
            file_id=f"{prefix}{secrets.token_urlsafe(30)}",
            file_unique_id=f"AQAD{secrets.token_urlsafe(9)}",
            data=upload.data if data is None else data,
            file_path=f"{folder}/file_{number}{extension}",
            file_name=upload.filename,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        """Resolve an upload, an attach:// reference, a known file_id or an HTTP URL."""
        upload = params.uploads.get(name)
        value = params.get_str(name)
        if upload is None and value and value.startswith("attach://"):
            upload = params.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
        if upload is not None:
            limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES
            if len(upload.data) > limit:
                raise ApiError(413, "Request Entity Too Large")
            if not upload.data:
                raise bad_request("file must be non-empty")
            if kind == "photo" and image_size(upload.data) is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self._store_file(upload, kind)
        if not value:
            raise bad_request(f"there is no {name} in the request")
        if value in self._files:
            return self._files[value]
        if re.match(r"^https?://\S+$", value):  # we can't fetch it; keep a placeholder
            filename = value.rsplit("/", 1)[-1] or None
            return self._store_file(Upload(filename, None, b""), kind)
        raise bad_request("wrong file identifier/HTTP URL specified")

    @staticmethod
    def _photo_sizes(stored: StoredFile) -> list[JSON]:
        width, height = image_size(stored.data) or (320, 320)
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "width": width,
                "height": height,
            }
        ]

    @staticmethod
    def _document(stored: StoredFile) -> JSON:
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _caption(self, params: Params) -> JSON:
        caption, entities = self._formatted(
            params, "caption", "caption_entities", MAX_CAPTION, caption=True
        )
        return {"caption": caption, "caption_entities": entities}

    # ---------------------------------------------------------------------- API: bot & updates

    def _api_getMe(self, params: Params) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, params: Params) -> list[JSON]:
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset") or 0
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        allowed = params.get_json("allowed_updates") if "allowed_updates" in params.values else None
        if isinstance(allowed, list):
            self._webhook["allowed_updates"] = allowed
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation

        def batch() -> list[JSON] | bool:
            if generation != self._poll_generation:
                return True  # superseded by a newer getUpdates
            return self._deliverable()[:limit]

        await self.wait_for(batch, timeout)
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return copy.deepcopy(self._deliverable()[:limit])

    def _deliverable(self) -> list[JSON]:
        allowed = self._webhook.get("allowed_updates")
        if not allowed:
            return self._updates
        return [u for u in self._updates if any(k in allowed for k in u if k != "update_id")]

    def _api_setWebhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {"url": url, "max_connections": params.get_int("max_connections") or 40}
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._webhook["allowed_updates"] = allowed
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_deleteWebhook(self, params: Params) -> bool:
        self._webhook.pop("url", None)
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_getWebhookInfo(self, params: Params) -> JSON:
        info: JSON = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook["max_connections"]
        if self._webhook.get("allowed_updates"):
            info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    def _api_close(self, params: Params) -> bool:
        return True

    def _api_logOut(self, params: Params) -> bool:
        return True

    # ------------------------------------------------------------------------ API: messages

    def _api_sendMessage(self, params: Params) -> JSON:
        chat = self._chat(params)
        text, entities = self._formatted(params, "text", "entities", MAX_TEXT, caption=False)
        return self._store_bot_message(chat, params, {"text": text, "entities": entities})

    def _api_sendPhoto(self, params: Params) -> JSON:
        chat = self._chat(params)
        caption = self._caption(params)
        stored = self._input_file(params, "photo", "photo")
        content = {"photo": self._photo_sizes(stored), **caption}
        if params.get_bool("has_spoiler"):
            content["has_media_spoiler"] = True
        return self._store_bot_message(chat, params, content)

    def _api_sendDocument(self, params: Params) -> JSON:
        chat = self._chat(params)
        caption = self._caption(params)
        stored = self._input_file(params, "document", "document")
        return self._store_bot_message(
            chat, params, {"document": self._document(stored), **caption}
        )

    def _api_sendVoice(self, params: Params) -> JSON:
        chat = self._chat(params)
        caption = self._caption(params)
        stored = self._input_file(params, "voice", "voice")
        return self._store_bot_message(chat, params, {"voice": self._voice(stored), **caption})

    @staticmethod
    def _voice(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": 3,
            "mime_type": stored.mime_type or "audio/ogg",
            "file_size": len(stored.data),
        }

    def _api_sendPoll(self, params: Params) -> JSON:
        chat = self._chat(params)
        question = (params.get_str("question") or "").strip()
        if not question:
            raise bad_request("poll question must be non-empty")
        if len(question) > 300:
            raise bad_request("poll question length must not exceed 300")
        raw_options = params.get_json("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        options = [o.get("text") if isinstance(o, dict) else o for o in raw_options]
        if len(options) < 2:
            raise bad_request("poll must have at least 2 option")
        if len(options) > 12:
            raise bad_request("poll can't have more than 12 options")
        if not all(isinstance(o, str) and 1 <= len(o.strip()) <= 100 for o in options):
            raise bad_request("poll options length must not exceed 100")
        texts = [str(o).strip() for o in options]
        poll_type = params.get_str("type") or "regular"
        if poll_type not in ("regular", "quiz"):
            raise bad_request("wrong poll type specified")
        poll: JSON = {
            "id": str(secrets.randbelow(10**18) + 10**18),
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": str(i)}
                for i, text in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": params.get_bool("is_closed"),
            "is_anonymous": params.get_bool("is_anonymous", default=True),
            "type": poll_type,
            "allows_multiple_answers": params.get_bool("allows_multiple_answers"),
            "allows_revoting": params.get_bool("allows_revoting", default=poll_type == "regular"),
            "members_only": params.get_bool("members_only"),
        }
        if poll_type == "quiz":
            correct = params.get_json("correct_option_ids")
            if correct is None and params.get_int("correct_option_id") is not None:
                correct = [params.get_int("correct_option_id")]
            if (
                not isinstance(correct, list)
                or not correct
                or not all(isinstance(c, int) and 0 <= c < len(options) for c in correct)
            ):
                raise bad_request("wrong correct option ID specified")
            poll["correct_option_ids"] = correct
        message = self._store_bot_message(chat, params, {"poll": poll})
        self._polls[poll["id"]] = (chat.user["id"], message["message_id"])
        return message

    def _api_stopPoll(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message with poll to stop not found")
        poll = stored.data.get("poll")
        if poll is None:
            raise bad_request("message with poll to stop not found")
        if poll["is_closed"]:
            raise bad_request("poll has already been closed")
        markup = self._edit_markup(params)
        poll["is_closed"] = True
        if markup is not None:
            stored.data["reply_markup"] = markup
        self._notify()
        return copy.deepcopy(poll)

    def _api_editMessageText(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(params, "text", "entities", MAX_TEXT, caption=False)
        markup = self._edit_markup(params)
        return self._apply_edit(
            stored, {"text": text, "entities": entities or None, "reply_markup": markup}
        )

    def _api_editMessageCaption(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if not {"photo", "document"} & stored.data.keys():
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = self._edit_markup(params)
        return self._apply_edit(
            stored,
            {
                "caption": caption["caption"] or None,
                "caption_entities": caption["caption_entities"] or None,
                "reply_markup": markup,
            },
        )

    def _api_editMessageReplyMarkup(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return self._apply_edit(stored, {"reply_markup": self._edit_markup(params)})

    def _api_deleteMessage(self, params: Params) -> bool:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to delete not found")
        stored.deleted = True
        self._notify()
        return True

    def _api_sendChatAction(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _api_getFile(self, params: Params) -> JSON:
        stored = self._files.get(params.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _api_getChat(self, params: Params) -> JSON:
        chat = self._chat(params)
        return {
            **chat.chat_object(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # ------------------------------------------------------------------ API: queries & config

    def _api_answerCallbackQuery(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        if query_id not in self._callback_answers or self._callback_answers[query_id] is not None:
            raise ApiError(400, QUERY_INVALID)
        text = params.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_answers[query_id] = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time") or 0,
        }
        self._notify()
        return True

    def _api_answerInlineQuery(self, params: Params) -> bool:
        query_id = params.get_str("inline_query_id") or ""
        if query_id not in self._inline_results or self._inline_results[query_id] is not None:
            raise ApiError(400, QUERY_INVALID)
        results = params.get_json("results")
        if not isinstance(results, list) or not all(
            isinstance(r, dict) and "type" in r and "id" in r for r in results
        ):
            raise bad_request("can't parse InlineQueryResult JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        self._inline_results[query_id] = results
        self._notify()
        return True

    def _command_key(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope") if params.get("scope") not in (None, "") else None
        if scope is not None and (
            not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES
        ):
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope is not None and scope.get("type") in (
            "chat",
            "chat_administrators",
            "chat_member",
        ):
            self._chat(Params({"chat_id": scope.get("chat_id")}, {}))
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return _scope_key(scope), language

    def _api_setMyCommands(self, params: Params) -> bool:
        commands = params.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_key(params)
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _api_getMyCommands(self, params: Params) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._command_key(params), []))

    def _api_deleteMyCommands(self, params: Params) -> bool:
        self._commands.pop(self._command_key(params), None)
        return True

    def _api_setChatMenuButton(self, params: Params) -> bool:
        button = (
            params.get_json("menu_button") if params.get("menu_button") else {"type": "default"}
        )
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse MenuButton JSON object")
        if params.get("chat_id") in (None, ""):
            self._default_menu_button = button
        else:
            self._chat(params).menu_button = button
        return True

    def _api_getChatMenuButton(self, params: Params) -> JSON:
        if params.get("chat_id") not in (None, ""):
            button = self._chat(params).menu_button
            if button is not None:
                return copy.deepcopy(button)
        return copy.deepcopy(self._default_menu_button or {"type": "default"})

    def _set_bot_text(self, params: Params, kind: str, limit: int) -> bool:
        text = params.get_str(kind) or ""
        if len(text) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")
        self._bot_texts[(kind, params.get_str("language_code") or "")] = text
        return True

    def _get_bot_text(self, params: Params, kind: str) -> JSON:
        language = params.get_str("language_code") or ""
        return {kind: self._bot_texts.get((kind, language), "")}

    def _api_setMyDescription(self, params: Params) -> bool:
        return self._set_bot_text(params, "description", 512)

    def _api_getMyDescription(self, params: Params) -> JSON:
        return self._get_bot_text(params, "description")

    def _api_setMyShortDescription(self, params: Params) -> bool:
        return self._set_bot_text(params, "short_description", 120)

    def _api_getMyShortDescription(self, params: Params) -> JSON:
        return self._get_bot_text(params, "short_description")

    def _api_setMyName(self, params: Params) -> bool:
        return self._set_bot_text(params, "name", 64)

    def _api_getMyName(self, params: Params) -> JSON:
        result = self._get_bot_text(params, "name")
        return {"name": result["name"] or self.bot_first_name}

    # ------------------------------------------------------------------- fault injection

    def block(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends answer 403; a my_chat_member update is queued."""
        self._user_chat(user_id).blocked = True
        if notify:
            self._queue_member_change(user_id, "member", "kicked")

    def unblock(self, user_id: int, *, notify: bool = True) -> None:
        chat = self._user_chat(user_id)
        if chat.blocked and notify:
            self._queue_member_change(user_id, "kicked", "member")
        chat.blocked = False

    def fail_next(
        self,
        method: str,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` ("*" = any) with an error."""
        queue = self._faults.setdefault(method.lower(), deque())
        queue.extend(_Fault(status, retry_after, description) for _ in range(count))

    def clear_faults(self) -> None:
        """Telegram works again: drop every fault still queued by fail_next()."""
        self._faults.clear()

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next `count` calls of `method` ("*" = any) only after `seconds`."""
        self._delays.setdefault(method.lower(), deque()).extend([seconds] * count)

    def hold(self, methods: Iterable[str] | None = None) -> None:
        """Accept but do not answer (or deliver) send-type requests until release()."""
        if self._gate is not None:
            raise RuntimeError("already held")
        names = HOLD_METHODS if methods is None else frozenset(m.lower() for m in methods)
        self._gate = _Gate(names)

    def release(self, *, drop: bool = False) -> int:
        """Let held requests through (drop=True: they never reach "Telegram"; the client's
        connection is cut). Requests whose client already disconnected are dropped anyway.
        Returns how many requests were held."""
        gate, self._gate = self._gate, None
        if gate is None:
            return 0
        gate.drop = drop
        gate.event.set()
        return len(gate.calls)

    @property
    def is_held(self) -> bool:
        return self._gate is not None

    def held(self) -> list[ApiCall]:
        return list(self._gate.calls) if self._gate else []

    async def wait_held(self, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:  # noqa: ASYNC109
        """Wait until at least `count` requests are parked at the hold() gate."""
        result = await self.wait_for(lambda: len(self.held()) >= count, timeout)
        if not result:
            raise AssertionError(f"expected {count} held request(s), got {len(self.held())}")
        return self.held()

    # --------------------------------------------------------------------- acting as users

    def _user_chat(self, user_id: int) -> ChatState:
        chat = self._chats.get(user_id)
        if chat is None:
            raise KeyError(f"unknown user {user_id}; call add_user() first")
        return chat

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                user[key] = value
        if user_id in self._chats:
            self._chats[user_id].user = user
        else:
            self._chats[user_id] = ChatState(user)
        self._notify()
        return copy.deepcopy(user)

    def add_group(self, chat_id: int, title: str, *, kind: str = "supergroup") -> None:
        """A group chat the bot is in; users added with add_user() can write in it."""
        if chat_id >= 0 or kind not in ("group", "supergroup"):
            raise ValueError("group chats have negative ids and type group or supergroup")
        self._chats[chat_id] = ChatState({"id": chat_id, "first_name": title}, kind=kind)
        self._notify()

    def _group_chat(self, chat_id: int) -> ChatState:
        chat = self._chats.get(chat_id)
        if chat is None or chat.kind == "private":
            raise KeyError(f"unknown group {chat_id}; call add_group() first")
        return chat

    def _queue_update(self, kind: str, payload: JSON) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def _queue_member_change(self, user_id: int, old: str, new: str) -> None:
        chat = self._user_chat(user_id)

        def member(status: str) -> JSON:
            result: JSON = {"user": self._bot_user(), "status": status}
            if status == "kicked":
                result["until_date"] = 0
            return result

        self._queue_update(
            "my_chat_member",
            {
                "chat": chat.chat_object(),
                "from": copy.deepcopy(chat.user),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def _user_message(self, user_id: int, content: JSON, group_id: int | None = None) -> JSON:
        sender = self._user_chat(user_id)
        chat = sender if group_id is None else self._group_chat(group_id)
        if chat.blocked:  # a Telegram client must unblock (restart) the bot to write to it
            self.unblock(user_id)
        data: JSON = {
            "message_id": chat.allocate_id(),
            "from": copy.deepcopy(sender.user),
            "chat": chat.chat_object(),
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v not in (None, [])},
        }
        chat.messages[data["message_id"]] = StoredMessage(data, False, time.monotonic())
        self._queue_update("message", copy.deepcopy(data))
        return copy.deepcopy(data)

    def user_sends_text(self, user_id: int, text: str, *, group_id: int | None = None) -> JSON:
        """A text message in the user's private chat, or in a group (add_group) when given."""
        if not text.strip() or len(text) > MAX_TEXT:
            raise ValueError("Telegram clients send 1..4096 characters")
        return self._user_message(
            user_id, {"text": text, "entities": formatting.detect_entities(text)}, group_id
        )

    def user_edits_text(
        self, user_id: int, message_id: int, text: str, *, group_id: int | None = None
    ) -> JSON:
        """The user changes a text message they sent: queues an edited_message update."""
        chat = self._user_chat(user_id) if group_id is None else self._group_chat(group_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.from_bot or stored.data["from"]["id"] != user_id:
            raise LookupError(f"user {user_id} sent no message {message_id} there")
        if not text.strip() or len(text) > MAX_TEXT:
            raise ValueError("Telegram clients send 1..4096 characters")
        stored.edit_history.append(copy.deepcopy(stored.data))
        stored.data.update(
            text=text, entities=formatting.detect_entities(text), edit_date=int(time.time())
        )
        if not stored.data["entities"]:
            del stored.data["entities"]
        self._queue_update("edited_message", copy.deepcopy(stored.data))
        return copy.deepcopy(stored.data)

    def _user_file(self, data: bytes, kind: str, name: str | None, mime: str | None) -> StoredFile:
        return self._store_file(Upload(name, mime, data), kind)

    def user_sends_photo(self, user_id: int, data: bytes, caption: str | None = None) -> JSON:
        if image_size(data) is None:
            raise ValueError("not a PNG/JPEG/GIF/WebP image")
        stored = self._user_file(data, "photo", None, "image/jpeg")
        return self._user_message(
            user_id,
            {
                "photo": self._photo_sizes(stored),
                "caption": caption,
                "caption_entities": formatting.detect_entities(caption or ""),
            },
        )

    def user_sends_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
    ) -> JSON:
        stored = self._user_file(data, "document", file_name, mime_type)
        return self._user_message(
            user_id,
            {
                "document": self._document(stored),
                "caption": caption,
                "caption_entities": formatting.detect_entities(caption or ""),
            },
        )

    def user_sends_voice(self, user_id: int, data: bytes = b"OggS\x00voice") -> JSON:
        stored = self._user_file(data, "voice", None, "audio/ogg")
        return self._user_message(user_id, {"voice": self._voice(stored)})

    def user_sends_sticker(self, user_id: int, emoji: str = "👍") -> JSON:
        stored = self._user_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "sticker", None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._user_message(user_id, {"sticker": sticker})

    def user_taps(
        self, user_id: int, message_id: int, callback_data: str, *, group_id: int | None = None
    ) -> str:
        """Queue a callback_query for a tap on `message_id` (in a group when given); returns the
        query id. The data is not checked against the keyboard, so tests can forge it."""
        sender = self._user_chat(user_id)
        chat = sender if group_id is None else self._group_chat(group_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise LookupError(f"message {message_id} does not exist in chat {chat.user['id']}")
        query_id = str(secrets.randbelow(10**18) + 10**18)
        self._callback_answers[query_id] = None
        self._queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": copy.deepcopy(sender.user),
                "message": copy.deepcopy(stored.data),
                "chat_instance": str(-(10**18) - user_id),
                "data": callback_data,
            },
        )
        return query_id

    def answer_for(self, callback_query_id: str) -> JSON | None:
        """What answerCallbackQuery said (None while unanswered)."""
        return copy.deepcopy(self._callback_answers.get(callback_query_id))

    def user_sends_inline_query(self, user_id: int, query: str) -> str:
        chat = self._user_chat(user_id)
        query_id = str(secrets.randbelow(10**18) + 10**18)
        self._inline_results[query_id] = None
        self._queue_update(
            "inline_query",
            {
                "id": query_id,
                "from": copy.deepcopy(chat.user),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            },
        )
        return query_id

    def inline_results(self, query_id: str) -> list[JSON] | None:
        return copy.deepcopy(self._inline_results.get(query_id))

    def user_votes(self, user_id: int, message_id: int, option_ids: list[int]) -> None:
        """The user answers a poll the bot sent: queues poll (and poll_answer) updates."""
        chat = self._user_chat(user_id)
        stored = chat.messages.get(message_id)
        poll = stored.data.get("poll") if stored else None
        if poll is None or poll["is_closed"]:
            raise LookupError(f"no open poll in message {message_id}")
        for option_id in option_ids:
            poll["options"][option_id]["voter_count"] += 1
        poll["total_voter_count"] += 1
        self._queue_update("poll", copy.deepcopy(poll))
        if not poll["is_anonymous"]:
            self._queue_update(
                "poll_answer",
                {
                    "poll_id": poll["id"],
                    "user": copy.deepcopy(chat.user),
                    "option_ids": option_ids,
                    "option_persistent_ids": [
                        poll["options"][i]["persistent_id"] for i in option_ids
                    ],
                },
            )

    # ---------------------------------------------------------------------------- inspection

    def messages(
        self, chat_id: int, include_deleted: bool = False, *, include_user: bool = False
    ) -> list[JSON]:
        """The bot's messages in a chat as they are now (with edit_history/deleted), oldest
        first; include_user=True adds the user's messages (for transcripts)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [
            stored.view()
            for stored in chat.messages.values()
            if (include_deleted or not stored.deleted) and (include_user or stored.from_bot)
        ]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        chat = self._chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        return stored.view() if stored else None

    def calls(self, method: str | None = None) -> list[ApiCall]:
        if method is None:
            return list(self._calls)
        return [call for call in self._calls if call.method.lower() == method.lower()]

    def commands(self, scope: Any = None, language_code: str | None = None) -> list[JSON]:
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code or ""), []))

    def effective_commands(self, user_id: int) -> list[JSON]:
        """The command list a Telegram client would show this user in the private chat."""
        language = self._user_chat(user_id).user.get("language_code", "")
        scopes = [{"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None]
        for scope in scopes:
            for lang in (language, ""):
                found = self._commands.get((_scope_key(scope), lang))
                if found:
                    return copy.deepcopy(found)
        return []

    def delivered_count(self, chat_id: int | None = None) -> int:
        """Messages the bot successfully sent (including ones it deleted later)."""
        chats = self._chats.values() if chat_id is None else [self._chats.get(chat_id)]
        return sum(
            sum(1 for stored in chat.messages.values() if stored.from_bot)
            for chat in chats
            if chat is not None
        )

    def chat_actions(self, chat_id: int) -> list[str]:
        return list(self._user_chat(chat_id).actions)

    def menu_button(self, chat_id: int | None = None) -> JSON | None:
        if chat_id is not None and self._user_chat(chat_id).menu_button is not None:
            return copy.deepcopy(self._user_chat(chat_id).menu_button)
        return copy.deepcopy(self._default_menu_button)

    def bot_text(self, kind: str, language_code: str | None = None) -> str | None:
        """Stored description / short_description / name for a language."""
        return self._bot_texts.get((kind, language_code or ""))

    def webhook(self) -> JSON:
        return copy.deepcopy(self._webhook)

    def pending_updates(self) -> list[JSON]:
        return copy.deepcopy(self._updates)

    def file_bytes(self, file_id: str) -> bytes | None:
        stored = self._files.get(file_id)
        return stored.data if stored else None

    def users(self) -> list[JSON]:
        return [copy.deepcopy(c.user) for c in self._chats.values() if c.kind == "private"]

    # ----------------------------------------------------------------- HTTP control endpoints

    async def _control(self, request: web.Request, action: Callable[[JSON], Any]) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object")
            return web.json_response({"ok": True, "result": action(body)})
        except (KeyError, LookupError, ValueError, TypeError) as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)

    async def _ctl_add_user(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda b: self.add_user(
                int(b["user_id"]),
                str(b.get("first_name") or "User"),
                language_code=b.get("language_code"),
                username=b.get("username"),
                last_name=b.get("last_name"),
            ),
        )

    async def _ctl_send(self, request: web.Request) -> web.Response:
        return await self._control(
            request, lambda b: self.user_sends_text(int(b["user_id"]), str(b["text"]))
        )

    async def _ctl_tap(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda b: {
                "callback_query_id": self.user_taps(
                    int(b["user_id"]), int(b["message_id"]), str(b["data"])
                )
            },
        )

    async def _ctl_messages(self, request: web.Request) -> web.Response:
        """Messages of a chat (user's included). `?after_version=N&timeout=S` long-polls until
        something changes after version N, so a page can follow the chat without busy polling."""
        try:
            chat_id = int(request.match_info["chat_id"])
            after = int(request.query.get("after_version", -1))
            timeout = min(float(request.query.get("timeout", 0)), 60.0)
        except ValueError:
            return web.json_response({"ok": False, "description": "bad parameters"}, status=400)
        if after >= 0:
            await self.wait_for(lambda: self._version > after, timeout)
        result = {
            "version": self._version,
            "messages": self.messages(chat_id, include_deleted=True, include_user=True),
        }
        return web.json_response({"ok": True, "result": result})
