"""A Bot API request's parameters, read the way Telegram reads them: from the query string, an
urlencoded or multipart form (with uploaded files), or a JSON body."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.emulator.records import JSON, Upload, bad_request, words

# Parameters PTB sends JSON-encoded inside form fields.
JSON_FIELDS = words(
    "reply_markup entities caption_entities commands scope media options results "
    "menu_button allowed_updates link_preview_options reply_parameters explanation_entities "
    "question_entities button input_message_content prices correct_option_ids"
)


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


async def read_params(request: web.Request) -> Params:
    """The parameters of a Bot API request, whichever way the client sent them."""
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
