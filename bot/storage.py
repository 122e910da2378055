"""Files panelbot keeps on disk (the SQLite database, receipts, the reply-route key), private
to the account the bot runs as: folders 0700, files 0600, whatever the umask says.

Receipts and the database hold people's names, access needs and payment details; on a shared
server the usual 0755/0644 would let every local user read them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.config import ConfigError, Settings

FOLDER_MODE = 0o700
FILE_MODE = 0o600
REPLY_KEY_FILE = "reply-routes.key"
MIN_REPLY_KEY_LENGTH = 32
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def private_dir(path: Path) -> Path:
    """Make `path` (and any missing parents) as folders only the bot's account can open.
    Folders that already existed above the first missing one are left as they are."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, not widened
    return path


def tighten_dir(path: Path) -> Path:
    """One of panelbot's own folders (the data folder, receipts): made, or made private."""
    private_dir(path)
    os.chmod(path, FOLDER_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a file only the bot's account can read, replacing any earlier one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)  # an earlier file may have had a wider mode
        handle.write(data)


def prepare_sqlite_file(database: str) -> None:
    """Before SQLite opens the file: make it 0600 (SQLite gives its -wal and -shm files the
    mode of the database file), in a private folder if the folder is new."""
    path = Path(database)
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for companion in (path, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if companion.exists():
            os.chmod(companion, FILE_MODE)


def reply_key(settings: Settings) -> str:
    """The key that seals new reply routes: PANELBOT_REPLY_KEY, else the key file in the data
    folder, written (0600) with a new random key on first use."""
    tighten_dir(settings.panelbot_data_dir)
    given = settings.panelbot_reply_key.get_secret_value().strip()
    if given:
        if len(given) < MIN_REPLY_KEY_LENGTH:
            raise ConfigError(
                f"PANELBOT_REPLY_KEY is too short: use at least {MIN_REPLY_KEY_LENGTH} random "
                f"characters. Make one with: {MAKE_SECRET}"
            )
        return given
    path = settings.panelbot_data_dir / REPLY_KEY_FILE
    if not path.exists():
        write_private(path, (secrets.token_urlsafe(32) + "\n").encode())
    key = path.read_text().strip()
    if len(key) < MIN_REPLY_KEY_LENGTH:
        raise ConfigError(
            f"{path} does not hold a reply key. Restore it from a backup, or delete it to start "
            "a new one (replies to earlier anonymous messages then cannot be delivered)."
        )
    return key


def old_reply_keys(settings: Settings) -> list[str]:
    """Keys that still open and forget routes, never seal new ones: PANELBOT_REPLY_KEYS_OLD,
    then the bot token, which sealed every route before the reply key existed."""
    return [*(key.get_secret_value() for key in settings.panelbot_reply_keys_old), settings.token]
