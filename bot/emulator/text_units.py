"""Text and entities as Telegram counts them: UTF-16 lengths, UTF-8 byte offsets in errors, and
the builder the HTML and Markdown parsers share."""

from __future__ import annotations

from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """The text cannot be parsed; str(error) is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


class Builder:
    """Accumulates output text while tracking its UTF-16 length."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length16 = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length16 += utf16_len(text)

    def close(self, entity: Entity | None, start16: int, end16: int | None = None) -> None:
        end = self.length16 if end16 is None else end16
        if entity is None or end <= start16:
            return  # Telegram silently drops empty entities
        self.entities.append({**entity, "offset": start16, "length": end - start16})

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities
