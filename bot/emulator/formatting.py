"""Telegram-style text formatting: HTML / MarkdownV2 / Markdown parsing into plain text plus
MessageEntity dicts, and the entity auto-detection Telegram applies to user messages.

Offsets and lengths are in UTF-16 code units (as in the Bot API); error messages quote UTF-8
byte offsets (as Telegram does), so that a bot's formatting bugs fail here the way they would
fail against the real server.
"""

from __future__ import annotations

import re

from bot.emulator.html_entities import parse_html
from bot.emulator.markdown_entities import parse_markdown, parse_markdown_v2
from bot.emulator.text_units import Entity, EntityParseError, utf16_len

__all__ = ["Entity", "EntityParseError", "detect_entities", "parse", "parse_html", "strip_text"]


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Parse `text` according to a Bot API parse_mode (None/"" means plain text)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace the way Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


# ------------------------------------------------------------------------- entity auto-detection

_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("email", re.compile(r"(?<![\w.@])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("url", re.compile(r"(?<![\w@])(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:/[^\s]*)?")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def detect_entities(text: str) -> list[Entity]:
    """Entities Telegram adds to a user's plain message (commands, mentions, links...)."""
    taken: list[tuple[int, int]] = []
    found: list[Entity] = []
    for kind, pattern in _AUTO_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group()),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found
