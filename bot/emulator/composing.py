"""How a bot message is composed and checked before it is stored: formatted text and captions
(parse_mode or entities, length limits), inline and reply keyboards, replies; then storing a
new message and applying an edit to one, with Telegram's errors for each mistake."""

from __future__ import annotations

import copy
import itertools
import re
import time
from typing import Any

from bot.emulator import formatting
from bot.emulator.params import Params
from bot.emulator.records import JSON, ChatState, StoredMessage, bad_request, words
from bot.emulator.state import EmulatorState

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
INLINE_BUTTON_ACTIONS = words(
    "url callback_data web_app login_url switch_inline_query "
    "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
    "callback_game pay"
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class MessageComposer(EmulatorState):
    """Checks what the bot asks to send or edit, and records the result."""

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

    def _caption(self, params: Params) -> JSON:
        caption, entities = self._formatted(
            params, "caption", "caption_entities", MAX_CAPTION, caption=True
        )
        return {"caption": caption, "caption_entities": entities}

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
