"""Tests acting as Telegram users: joining (add_user, add_group), writing and editing text,
sending photos, documents, voice notes and stickers, and blocking or unblocking the bot."""

from __future__ import annotations

import copy
import time

from bot.emulator import formatting
from bot.emulator.composing import MAX_TEXT
from bot.emulator.files import FileStore, image_size
from bot.emulator.records import JSON, ChatState, StoredMessage


class UserActions(FileStore):
    """What a person does in a Telegram client, turned into updates for the bot."""

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
