"""Files: photos, documents, voice notes and stickers the bot uploads or a user sends, their
file ids and paths, getFile, and the size limits Telegram sets on uploads and downloads."""

from __future__ import annotations

import mimetypes
import re
import secrets
import struct

from bot.emulator.params import Params
from bot.emulator.records import JSON, ApiError, StoredFile, Upload, bad_request
from bot.emulator.state import EmulatorState

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


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


class FileStore(EmulatorState):
    """Stores files by id and path, and describes them as the Bot API does."""

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

    def _user_file(self, data: bytes, kind: str, name: str | None, mime: str | None) -> StoredFile:
        return self._store_file(Upload(name, mime, data), kind)

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

    @staticmethod
    def _voice(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": 3,
            "mime_type": stored.mime_type or "audio/ogg",
            "file_size": len(stored.data),
        }

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

    def file_bytes(self, file_id: str) -> bytes | None:
        stored = self._files.get(file_id)
        return stored.data if stored else None
