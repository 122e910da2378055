"""Receipt files: which kinds are accepted, and keeping a copy under PANELBOT_DATA_DIR.

A copy is kept as well as the Telegram file id because finance needs the files themselves
(in the export's zip), and Telegram's copies are not ours to keep.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot import storage

MAX_BYTES = 10 * 1024 * 1024  # a phone photo or a scanned PDF is far below this
MAX_PER_LINE = 5

# What a file's first bytes say it is. Trusting these, not the name or the stated type,
# keeps a renamed file of another kind out.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


class ReceiptRefused(Exception):
    """Not a photo or PDF, or too big. `reason` is "type" or "size"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_BYTES:
        raise ReceiptRefused("size")


def sniff(data: bytes) -> tuple[str, str]:
    """(mime type, file extension) of an accepted receipt, else ReceiptRefused("type")."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    for signature, mime, extension in _SIGNATURES:
        if data.startswith(signature):
            return mime, extension
    raise ReceiptRefused("type")


def member_folder(data_dir: Path, member_id: int) -> Path:
    return data_dir / "receipts" / str(member_id)


def bytes_kept(data_dir: Path, member_id: int) -> int:
    folder = member_folder(data_dir, member_id)
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) if folder.is_dir() else 0


def store(
    data_dir: Path, member_id: int, unique_id: str, data: bytes, *, quota: int | None = None
) -> tuple[str, str, int]:
    """Keep the file; returns (path relative to the data dir, mime type, size).

    `quota` is how many bytes of receipts one member may have on disk (PANELBOT_RECEIPT_QUOTA_MB):
    past it the file is refused with reason "quota", so one person cannot fill the disk.
    """
    check_size(len(data))
    mime, extension = sniff(data)
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", unique_id)[:80] or "receipt"
    relative = Path("receipts") / str(member_id) / f"{safe}.{extension}"
    target = data_dir / relative
    over = quota is not None and bytes_kept(data_dir, member_id) + len(data) > quota
    if over and not target.exists():  # the same file again replaces itself, so it always fits
        raise ReceiptRefused("quota")
    # Receipts show names, addresses and bank details: only the bot's account may read them.
    for folder in (data_dir, data_dir / "receipts", target.parent):
        storage.tighten_dir(folder)
    storage.write_private(target, data)
    return relative.as_posix(), mime, len(data)


def extension_of(path: str) -> str:
    return Path(path).suffix.lstrip(".") or "bin"
