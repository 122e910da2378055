"""A JSON chat API on top of the Bot API emulator, for a web page that plays a Telegram client.

The plain control endpoints (`/_emulator/users`, `/send`, `/tap`, `/chats/{id}/messages`) give
raw Bot API objects. A browser page needs a little more: each message ready to show (text as
safe HTML from its entities, the text direction, buttons, files with download links), the reply
keyboard currently on screen, what the bot answered to a tap, photo uploads and file downloads.
All of it lives here so the other modules stay the Bot API itself.
"""

from __future__ import annotations

import unicodedata
from html import escape
from itertools import pairwise
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.emulator.files import MAX_PHOTO_BYTES, image_size
from bot.emulator.server import BotApiEmulator

JSON = dict[str, Any]
LONG_POLL_LIMIT = 60.0

# How each entity type is shown; the rest (mentions, hashtags, custom emoji...) stay plain text.
_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
}


def _link(url: str) -> tuple[str, str]:
    safe = url if url.startswith(("http://", "https://", "tg://", "mailto:")) else "#"
    return f'<a href="{escape(safe)}" rel="noopener noreferrer" target="_blank">', "</a>"


def entities_to_html(text: str, entities: list[JSON] | None) -> str:
    """Telegram text + entities (UTF-16 offsets) as escaped HTML. Newlines stay newlines: the
    page shows them with `white-space: pre-wrap`, and each line then takes its own direction
    (`unicode-bidi: plaintext`), as Telegram's apps do with an English line in an Urdu message."""
    units = text.encode("utf-16-le")
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    ordered = sorted(entities or [], key=lambda e: (e["offset"], -e["length"]))
    for entity in ordered:
        kind = entity.get("type")
        if kind == "text_link":
            tags = _link(str(entity.get("url", "")))
        elif kind == "url":
            start = entity["offset"] * 2
            tags = _link(units[start : start + entity["length"] * 2].decode("utf-16-le"))
        elif kind in _TAGS:
            tags = _TAGS[kind]
        else:
            continue
        opens.setdefault(entity["offset"], []).append(tags[0])
        closes.setdefault(entity["offset"] + entity["length"], []).insert(0, tags[1])
    parts: list[str] = []
    position, total = 0, len(units) // 2
    boundaries = sorted({0, total, *opens, *closes})
    for boundary in boundaries:
        if boundary > position:
            chunk = units[position * 2 : boundary * 2].decode("utf-16-le", errors="replace")
            parts.append(escape(chunk))
            position = boundary
        parts.extend(closes.get(boundary, []))
        parts.extend(opens.get(boundary, []))
    return "".join(parts)


def direction(text: str) -> str:
    """A message's direction as phones set it (Unicode's rule P2, like HTML's dir=auto): from
    its first strongly-directional letter, skipping what sits inside isolates (the bot isolates
    names and values), so an Arabic heading over an English reply still reads right to left."""
    depth = 0
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
        elif kind == "PDI":
            depth = max(0, depth - 1)
        elif depth == 0 and kind in ("R", "AL"):
            return "rtl"
        elif depth == 0 and kind == "L":
            return "ltr"
    return "ltr"


# Telegram turns every photo into a JPEG; the emulator keeps the bytes it was given (a chart is
# a PNG), so a picture's real type comes from its first bytes, for the browser and the download.
_PICTURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF8", "image/gif", "gif"),
)


def picture_type(data: bytes) -> tuple[str, str]:
    """(mime type, file extension) of a picture, JPEG if it is none we know."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return next(((m, e) for sig, m, e in _PICTURES if data.startswith(sig)), ("image/jpeg", "jpg"))


def _photo_file(emulator: BotApiEmulator, file_id: str) -> JSON:
    mime, extension = picture_type(emulator.file_bytes(file_id) or b"")
    return _file(emulator, file_id, f"photo.{extension}", mime)


def _file(emulator: BotApiEmulator, file_id: str, name: str | None, mime: str | None) -> JSON:
    data = emulator.file_bytes(file_id) or b""
    return {
        "file_id": file_id,
        "name": name or "file",
        "mime_type": mime or "application/octet-stream",
        "size": len(data),
        "url": f"/_emulator/files/{file_id}",
    }


def _buttons(message: JSON) -> list[list[JSON]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [
        [
            {
                key: button[key]
                for key in ("text", "callback_data", "url", "copy_text")
                if key in button
            }
            for button in row
        ]
        for row in rows
    ]


# What an edit may change without Telegram's apps marking the message "edited": its buttons.
# (Telegram hides the mark when only the reply markup changed, as when a bot removes buttons.)
# The emulator's own notes on a message (its history, deletion) are not part of it either.
_NOT_SHOWN_AS_EDITS = frozenset(
    {"reply_markup", "edit_date", "edit_history", "deleted", "reply_keyboard"}
)


def _content(version: JSON) -> JSON:
    return {k: v for k, v in version.items() if k not in _NOT_SHOWN_AS_EDITS}


def shows_edited(message: JSON) -> bool:
    """Would a Telegram app show "edited" on this message? Only if an edit changed what it
    says or shows (text, caption, media), not when it changed only the buttons."""
    versions = [*(message.get("edit_history") or []), message]
    return any(_content(a) != _content(b) for a, b in pairwise(versions))


def message_view(emulator: BotApiEmulator, message: JSON) -> JSON:
    """One message as a chat page shows it."""
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities")
    view: JSON = {
        "id": message["message_id"],
        "from_bot": bool(message["from"].get("is_bot")),
        "text": text,
        "html": entities_to_html(text, entities),
        "dir": direction(text),
        "buttons": _buttons(message),
        "edits": len(message.get("edit_history") or []),  # every change, buttons too
        "edited": shows_edited(message),  # what Telegram marks "edited"
        "deleted": bool(message.get("deleted")),
    }
    if message.get("photo"):
        largest = message["photo"][-1]
        view["photo"] = _photo_file(emulator, largest["file_id"])
    document = message.get("document")
    if document:
        view["document"] = _file(
            emulator, document["file_id"], document.get("file_name"), document.get("mime_type")
        )
    if message.get("sticker"):
        view["sticker"] = message["sticker"].get("emoji", "")
    return view


def current_keyboard(messages: list[JSON]) -> JSON | None:
    """The reply keyboard a Telegram client would show now: the last one the bot sent, until a
    later message removes it."""
    keyboard: JSON | None = None
    for message in messages:
        markup = message.get("reply_keyboard")
        if not message["from"].get("is_bot") or markup is None:
            continue
        if "keyboard" in markup:
            keyboard = {
                "rows": [
                    [b["text"] if isinstance(b, dict) else str(b) for b in row]
                    for row in markup["keyboard"]
                ],
                "placeholder": markup.get("input_field_placeholder") or "",
            }
        elif markup.get("remove_keyboard"):
            keyboard = None
    return keyboard


def chat_view(emulator: BotApiEmulator, chat_id: int) -> JSON:
    messages = emulator.messages(chat_id, include_deleted=True, include_user=True)
    user = next((u for u in emulator.users() if u["id"] == chat_id), None)
    return {
        "version": emulator.version,
        "user": user,
        "messages": [message_view(emulator, m) for m in messages],
        "keyboard": current_keyboard(messages),
        # The command list a Telegram client shows behind its "Menu" button.
        "commands": emulator.effective_commands(chat_id) if user else [],
    }


def _fail(description: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "description": description}, status=status)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def add_routes(app: web.Application, emulator: BotApiEmulator) -> None:
    """Register the chat API on an emulator's aiohttp app."""

    async def view(request: web.Request) -> web.Response:
        """`?after_version=N&timeout=S` waits until something changes after version N."""
        try:
            chat_id = int(request.match_info["chat_id"])
            after = int(request.query.get("after_version", -1))
            timeout = min(float(request.query.get("timeout", 0)), LONG_POLL_LIMIT)
        except ValueError:
            return _fail("bad parameters")
        if not any(u["id"] == chat_id for u in emulator.users()):
            return _fail(f"unknown user {chat_id}", 404)
        if after >= 0:
            await emulator.wait_for(lambda: emulator.version > after, timeout)
        return _ok(chat_view(emulator, chat_id))

    async def answer(request: web.Request) -> web.Response:
        """What the bot said to a tap (answerCallbackQuery), waiting up to `timeout` seconds."""
        query_id = request.match_info["query_id"]
        try:
            timeout = min(float(request.query.get("timeout", 0)), LONG_POLL_LIMIT)
        except ValueError:
            return _fail("bad parameters")
        found = await emulator.wait_for(lambda: emulator.answer_for(query_id), timeout)
        return _ok(found)

    async def photo(request: web.Request) -> web.Response:
        """multipart/form-data: user_id, photo (the image file), caption (optional)."""
        if not request.content_type.startswith("multipart/"):
            return _fail("send multipart/form-data with user_id and photo")
        form = await request.post()
        upload = form.get("photo")
        if not isinstance(upload, web.FileField):
            return _fail("no photo in the request")
        data = upload.file.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            return _fail("the photo is bigger than 10 MB", 413)
        if image_size(data) is None:
            return _fail("that file is not a PNG, JPEG, GIF or WebP picture")
        try:
            user_id = int(str(form.get("user_id", "")))
            caption = str(form.get("caption") or "").strip() or None
            return _ok(emulator.user_sends_photo(user_id, data, caption))
        except (KeyError, ValueError) as error:
            return _fail(str(error))

    async def download(request: web.Request) -> web.StreamResponse:
        """A file in the chat. `?download=1` asks the browser to save it under its own name."""
        file_id = request.match_info["file_id"]
        data = emulator.file_bytes(file_id)
        stored = emulator._files.get(file_id)  # the name and type are not in the public API
        if data is None or stored is None:
            return _fail("no such file", 404)
        headers = {"X-Content-Type-Options": "nosniff"}
        name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
        mime = stored.mime_type or "application/octet-stream"
        if stored.file_path.startswith("photos/"):
            photo = _photo_file(emulator, file_id)
            name, mime = photo["name"], photo["mime_type"]
        if request.query.get("download"):
            plain = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
            headers["Content-Disposition"] = (
                f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
            )
        return web.Response(
            body=data,
            content_type=mime,
            headers=headers,
        )

    app.router.add_get("/_emulator/chats/{chat_id}/view", view)
    app.router.add_get("/_emulator/answers/{query_id}", answer)
    app.router.add_post("/_emulator/photo", photo)
    app.router.add_get("/_emulator/files/{file_id}", download)


class ChatApiEmulator(BotApiEmulator):
    """The emulator with the chat API, plus any routes the caller adds (the playground page)."""

    def __init__(self, *args: Any, extra_routes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._extra_routes = extra_routes

    def keep_user_photo(self, data: bytes) -> tuple[str, str]:
        """A photo a person sent before this emulator started (the playground's demo receipt),
        so the bot can send it on by file id. Returns (file_id, file_unique_id)."""
        if image_size(data) is None:
            raise ValueError("not a PNG/JPEG/GIF/WebP image")
        stored = self._user_file(data, "photo", None, "image/jpeg")
        return stored.file_id, stored.file_unique_id

    def make_app(self) -> web.Application:
        app = super().make_app()
        add_routes(app, self)
        if self._extra_routes is not None:
            self._extra_routes(app)
        return app
