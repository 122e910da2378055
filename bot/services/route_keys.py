"""The keys that seal the private ways back to anonymous messages (`feedback_routes`).

A route's chat id is sealed with Fernet (the `cryptography` library's authenticated
encryption), and its `owner` is a keyed hash (HMAC) so /forgetme can find a person's routes
without opening every one. Both keys come from one secret through HKDF.

The current key seals every new route. Old keys (rotation: PANELBOT_REPLY_KEYS_OLD) still open
routes and find them for /forgetme; so does the bot token, because versions before the reply
key existed derived the key from the token, in exactly this way. The secrets themselves come
from bot/storage.py (the setting or the key file); nothing here is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BACK_TAG_LENGTH = 28  # hex characters: fits "fbb:" + tag in the 32 of conversation_step


@dataclass(frozen=True)
class _Key:
    fernet: Fernet
    mac: bytes

    def digest(self, text: str) -> str:
        return hmac.new(self.mac, text.encode(), hashlib.sha256).hexdigest()


def _derive(secret: str) -> _Key:
    material = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=b"panelbot feedback routes"
    ).derive(secret.encode())
    return _Key(Fernet(base64.urlsafe_b64encode(material[:32])), material[32:])


class _Ring:
    """The keys in use, current first. Set once at start-up (or by a test)."""

    keys: tuple[_Key, ...] = ()
    opener: MultiFernet | None = None


def configure(current: str, old: Sequence[str] = ()) -> None:
    """Seal with `current`; open and forget with it and every old secret (blank ones skipped,
    repeats once)."""
    secrets = list(dict.fromkeys(s for s in (current, *old) if s))
    if not secrets or secrets[0] != current:
        raise ValueError("the current reply key must not be empty")
    _Ring.keys = tuple(_derive(s) for s in secrets)
    _Ring.opener = MultiFernet([k.fernet for k in _Ring.keys])


def configured() -> bool:
    return bool(_Ring.keys)


def _current() -> _Key:
    if not _Ring.keys:
        raise RuntimeError("reply route keys are not configured (route_keys.configure at start)")
    return _Ring.keys[0]


def seal(chat_id: int) -> str:
    return _current().fernet.encrypt(str(chat_id).encode()).decode()


def open_sealed(sealed: str | None) -> int | None:
    """The chat a route leads to, under any key in use; None if no key opens it."""
    if sealed is None or _Ring.opener is None:
        return None
    try:
        return int(_Ring.opener.decrypt(sealed.encode()))
    except (InvalidToken, ValueError):
        return None


def owner(chat_id: int, feedback_id: int) -> str:
    """A keyed hash of the chat and the message together, under the current key: different for
    each of a person's messages, so equal hashes in a dump cannot link two messages."""
    return _current().digest(f"{feedback_id}:{chat_id}")


def is_owner(stored: str, chat_id: int, feedback_id: int) -> bool:
    """Does a route's `owner` lead to this chat, under any key in use? Routes written before
    owners were per message hashed the chat alone; those match too."""
    return any(
        hmac.compare_digest(stored, key.digest(text))
        for key in _Ring.keys
        for text in (f"{feedback_id}:{chat_id}", str(chat_id))
    )


def back_tag(feedback_id: int) -> str:
    """What the member's row holds while they answer back: a keyed hash of the message's id,
    never the id itself, which would sit next to their name in a dump."""
    return _current().digest(f"back:{feedback_id}")[:BACK_TAG_LENGTH]


def is_back_tag(tag: str, feedback_id: int) -> bool:
    """Does `tag` name this message, under any key in use (a rotation mid-answer included)?"""
    return any(
        hmac.compare_digest(tag, key.digest(f"back:{feedback_id}")[:BACK_TAG_LENGTH])
        for key in _Ring.keys
    )
