"""MemberDriver: a scripted Telegram user for end-to-end tests of the bot via the emulator.

All waiting is event-driven through BotApiEmulator.wait_for, so tests run as fast as the bot
answers. Failures raise AssertionError carrying the chat transcript.
"""

from __future__ import annotations

import base64
import unicodedata
from typing import Any

from bot.emulator.server import BotApiEmulator

JSON = dict[str, Any]

# A valid 1x1 PNG, the default photo.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
# Characters stripped from both ends of a button label when matching loosely: whitespace,
# emoji/symbols, variation selectors, joiners and keycap marks.
_DECORATION_CATEGORIES = ("Z", "So", "Sk", "Mn", "Me", "Cf", "Cc")


def normalize_label(label: str) -> str:
    def decorative(char: str) -> bool:
        return char.isspace() or unicodedata.category(char).startswith(_DECORATION_CATEGORIES)

    start, end = 0, len(label)
    while start < end and decorative(label[start]):
        start += 1
    while end > start and decorative(label[end - 1]):
        end -= 1
    return label[start:end]


def inline_buttons(message: JSON) -> list[JSON]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


class MemberDriver:
    """Acts as one Telegram user (private chat) talking to the bot."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str = "Ada",
        language_code: str | None = "en",
        *,
        username: str | None = None,
    ) -> None:
        self.emulator = emulator
        self.user_id = user_id
        emulator.add_user(user_id, first_name, language_code=language_code, username=username)
        # Messages already in the chat are not "new" replies for this driver.
        self._returned: set[int] = {m["message_id"] for m in self._bot_messages()}
        self._seen_edits: dict[int, int] = {}

    # ------------------------------------------------------------------------------ sending

    async def send(self, text: str) -> JSON:
        return self.emulator.user_sends_text(self.user_id, text)

    async def send_photo(self, data: bytes | None = None, caption: str | None = None) -> JSON:
        return self.emulator.user_sends_photo(self.user_id, data or TINY_PNG, caption)

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4\n%%EOF\n",
        file_name: str = "receipt.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> JSON:
        return self.emulator.user_sends_document(self.user_id, data, file_name, mime_type, caption)

    async def send_voice(self, data: bytes = b"OggS\x00voice") -> JSON:
        return self.emulator.user_sends_voice(self.user_id, data)

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        return self.emulator.user_sends_sticker(self.user_id, emoji)

    # ---------------------------------------------------------------------------- receiving

    def _bot_messages(self, include_deleted: bool = True) -> list[JSON]:
        return self.emulator.messages(self.user_id, include_deleted=include_deleted)

    def _next_unreturned(self) -> JSON | None:
        for message in self._bot_messages():
            if message["message_id"] not in self._returned:
                return message
        return None

    def _mark_returned(self, message: JSON) -> JSON:
        self._returned.add(message["message_id"])
        self._seen_edits[message["message_id"]] = len(message["edit_history"])
        return message

    async def reply(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The next bot message not returned yet (as it is now; may since be edited/deleted)."""
        message = await self.emulator.wait_for(self._next_unreturned, timeout)
        if message is None:
            raise AssertionError(
                f"no reply from the bot within {timeout}s\n--- transcript ---\n{self.transcript()}"
            )
        return self._mark_returned(message)

    async def replies(self, n: int, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """The next n bot messages, all within one overall timeout."""

        def enough() -> list[JSON] | None:
            fresh = [m for m in self._bot_messages() if m["message_id"] not in self._returned]
            return fresh[:n] if len(fresh) >= n else None

        found = await self.emulator.wait_for(enough, timeout)
        if found is None:
            got = sum(1 for m in self._bot_messages() if m["message_id"] not in self._returned)
            raise AssertionError(
                f"expected {n} replies within {timeout}s, got {got}\n--- transcript ---\n"
                f"{self.transcript()}"
            )
        return [self._mark_returned(m) for m in found]

    async def no_reply(self, within: float = 0.5) -> None:
        """Assert the bot sends nothing new in this chat for `within` seconds."""
        message = await self.emulator.wait_for(self._next_unreturned, within)
        if message is not None:
            self._mark_returned(message)
            raise AssertionError(
                f"unexpected reply: {message.get('text') or message.get('caption')!r}\n"
                f"--- transcript ---\n{self.transcript()}"
            )

    async def wait_edit(self, message_id: int, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Wait until the message is edited beyond the version this driver last returned
        (or beyond its current version if the driver never returned it)."""
        current = self.emulator.message(self.user_id, message_id)
        if current is None:
            raise AssertionError(f"message {message_id} does not exist")
        baseline = self._seen_edits.get(message_id, len(current["edit_history"]))

        def edited() -> JSON | None:
            message = self.emulator.message(self.user_id, message_id)
            return message if message and len(message["edit_history"]) > baseline else None

        message = await self.emulator.wait_for(edited, timeout)
        if message is None:
            raise AssertionError(
                f"message {message_id} was not edited within {timeout}s\n--- transcript ---\n"
                f"{self.transcript()}"
            )
        return self._mark_returned(message)

    # ------------------------------------------------------------------------------ tapping

    def _find_button(self, label: str) -> tuple[JSON, JSON] | None:
        wanted = normalize_label(label)
        for message in reversed(self._bot_messages(include_deleted=False)):
            buttons = inline_buttons(message)
            for button in buttons:
                if button["text"] == label:
                    return message, button
            for button in buttons:
                if normalize_label(button["text"]) == wanted:
                    return message, button
        return None

    async def tap(self, label: str, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Tap the inline button `label` on the newest bot message that has it; return the
        bot's answerCallbackQuery parameters."""
        found = self._find_button(label)
        if found is None:
            visible = [
                f"[{m['message_id']}] {self.buttons(m)}"
                for m in self._bot_messages(include_deleted=False)
                if inline_buttons(m)
            ]
            raise AssertionError(
                f"no inline button {label!r}; visible buttons:\n"
                + ("\n".join(visible) or "(none)")
                + f"\n--- transcript ---\n{self.transcript()}"
            )
        message, button = found
        if "callback_data" not in button:
            raise AssertionError(f"button {label!r} is not a callback button: {button}")
        return await self.tap_data(message["message_id"], button["callback_data"], timeout)

    async def tap_data(self, message_id: int, data: str, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Send a callback query with arbitrary (possibly forged or stale) data."""
        if message_id not in self._seen_edits:
            current = self.emulator.message(self.user_id, message_id)
            if current is not None:
                self._seen_edits[message_id] = len(current["edit_history"])
        query_id = self.emulator.user_taps(self.user_id, message_id, data)
        answer = await self.emulator.wait_for(lambda: self.emulator.answer_for(query_id), timeout)
        if answer is None:
            raise AssertionError(
                f"the bot did not answer the callback query ({data!r}) within {timeout}s\n"
                f"--- transcript ---\n{self.transcript()}"
            )
        return answer

    # ---------------------------------------------------------------------------- inspection

    @staticmethod
    def buttons(message: JSON) -> list[str]:
        return [button["text"] for button in inline_buttons(message)]

    def visible_labels(self) -> set[str]:
        """The labels of every inline button still visible in the chat."""
        return {
            b["text"] for m in self._bot_messages(include_deleted=False) for b in inline_buttons(m)
        }

    @property
    def last_message(self) -> JSON | None:
        """The newest bot message still visible in the chat."""
        visible = self._bot_messages(include_deleted=False)
        return visible[-1] if visible else None

    def transcript(self) -> str:
        lines = []
        for message in self.emulator.messages(
            self.user_id, include_deleted=True, include_user=True
        ):
            who = "bot" if message["from"].get("is_bot") else "user"
            body = message.get("text") or message.get("caption") or ""
            for kind in ("photo", "document", "sticker", "poll"):
                if kind in message:
                    body = f"<{kind}> {body}".rstrip()
            notes = []
            if self.buttons(message):
                notes.append("buttons: " + " | ".join(self.buttons(message)))
            if message["edit_history"]:
                notes.append(f"edited x{len(message['edit_history'])}")
            if message["deleted"]:
                notes.append("deleted")
            suffix = f"  ({'; '.join(notes)})" if notes else ""
            lines.append(f"[{message['message_id']}] {who}: {body}{suffix}")
        return "\n".join(lines) or "(empty chat)"
