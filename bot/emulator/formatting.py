"""Telegram-style text formatting: HTML / MarkdownV2 / Markdown parsing into plain text plus
MessageEntity dicts, and the entity auto-detection Telegram applies to user messages.

Offsets and lengths are in UTF-16 code units (as in the Bot API); error messages quote UTF-8
byte offsets (as Telegram does), so that a bot's formatting bugs fail here the way they would
fail against the real server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """The text cannot be parsed; str(error) is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


class _Builder:
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


# ----------------------------------------------------------------------------------------- HTML

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")


def _decode_entity(src: str, i: int) -> tuple[str, int] | None:
    m = _ENTITY_RE.match(src, i)
    if not m:
        return None
    dec, hexa, name = m.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, m.end()) if char is not None else None
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


def _html_unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        decoded = _decode_entity(value, i) if value[i] == "&" else None
        if decoded:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


@dataclass
class _OpenTag:
    name: str
    entity: Entity | None
    start16: int


def _is_name_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "-")


def _parse_attributes(src: str, j: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(src)
    unclosed = f"Unclosed start tag at byte offset {begin}"
    while True:
        while j < n and src[j].isspace():
            j += 1
        if j >= n:
            raise EntityParseError(unclosed)
        if src[j] == ">":
            return attrs, j + 1
        k = j
        while k < n and _is_name_char(src[k]):
            k += 1
        if k == j:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, j)}'
            )
        name = src[j:k].lower()
        while k < n and src[k].isspace():
            k += 1
        if k >= n:
            raise EntityParseError(unclosed)
        if src[k] != "=":
            attrs[name] = ""
            j = k
            continue
        k += 1
        while k < n and src[k].isspace():
            k += 1
        if k >= n:
            raise EntityParseError(unclosed)
        if src[k] in "\"'":
            end = src.find(src[k], k + 1)
            if end == -1:
                raise EntityParseError(unclosed)
            attrs[name] = _html_unescape(src[k + 1 : end])
            j = end + 1
        else:
            end = k
            while end < n and not src[end].isspace() and src[end] != ">":
                end += 1
            attrs[name] = _html_unescape(src[k:end])
            j = end


def _html_entity(tag: str, attrs: dict[str, str], begin: int, parent: _OpenTag | None) -> Any:
    """The entity template a start tag opens, None for no entity, or "language" for the
    <code class="language-x"> inside <pre> (which sets the pre's language instead)."""
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        return {"type": "spoiler"}
    if tag == "a":
        href = attrs.get("href")
        return {"type": "text_link", "url": href} if href else None
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id} if emoji_id else None
    language = attrs.get("class", "")
    if (
        tag == "code"
        and parent is not None
        and parent.name == "pre"
        and language.startswith("language-")
        and parent.entity is not None
    ):
        parent.entity["language"] = language[len("language-") :]
        return None
    return {"type": _SIMPLE_TAGS[tag]}


def parse_html(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[_OpenTag] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            decoded = _decode_entity(src, i)
            if decoded is None:  # Telegram keeps an unrecognised '&' literally
                out.add("&")
                i += 1
            else:
                out.add(decoded[0])
                i = decoded[1]
            continue
        if c != "<":
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        begin = _byte_offset(src, i)
        if i + 1 < n and src[i + 1] == "/":
            end = src.find(">", i + 2)
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            if name != stack[-1].name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{stack[-1].name}>", '
                    f'found "</{name}>"'
                )
            tag = stack.pop()
            out.close(tag.entity, tag.start16)
            i = end + 1
            continue
        j = i + 1
        while j < n and _is_name_char(src[j]):
            j += 1
        name = src[i + 1 : j].lower()
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        attrs, i = _parse_attributes(src, j, name, begin)
        entity = _html_entity(name, attrs, begin, stack[-1] if stack else None)
        stack.append(_OpenTag(name, entity, out.length16))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


# ----------------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _mdv2_closes(kind: str, src: str, i: int) -> bool:
    c, nxt = src[i], src[i + 1 : i + 2]
    return {
        "bold": c == "*",
        "italic": c == "_" and nxt != "_",
        "underline": c == "_" and nxt == "_",
        "strikethrough": c == "~",
        "spoiler": c == "|" and nxt == "|",
        "code": c == "`",
        "pre": src.startswith("```", i),
        "text_link": c == "]",
    }.get(kind, False)


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, Entity, int, int]] = []  # kind, entity, start16, byte offset
    i, n = 0, len(src)
    line_start = True
    quote_start: int | None = None
    while i < n:
        c = src[i]
        if line_start and c == ">" and not stack:
            if quote_start is None:
                quote_start = out.length16
            i += 1
            line_start = False
            continue
        if line_start and quote_start is not None:
            # The quote ended at the previous newline, which stays outside the entity.
            out.close({"type": "blockquote"}, quote_start, out.length16 - 1)
            quote_start = None
        line_start = False
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if c == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            out.add(src[i + 1])
            i += 2
            continue
        if in_code and not _mdv2_closes(stack[-1][0], src, i):
            out.add(c)
            line_start = c == "\n"
            i += 1
            continue
        if c not in _MDV2_RESERVED:
            out.add(c)
            line_start = c == "\n"
            i += 1
            continue
        if stack and _mdv2_closes(stack[-1][0], src, i):
            kind, entity, start16, _ = stack.pop()
            i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
            if kind == "text_link":
                if i < n and src[i] == "(":
                    end = src.find(")", i)
                    if end == -1:
                        raise EntityParseError(
                            f"Can't find end of a url at byte offset {_byte_offset(src, i)}"
                        )
                    entity = {**entity, "url": src[i + 1 : end].replace("\\", "")}
                    i = end + 1
                else:
                    entity = {}
                out.close(entity or None, start16)
            else:
                out.close(entity, start16)
            continue
        begin = _byte_offset(src, i)
        nxt = src[i + 1 : i + 2]
        if c == "_" and nxt == "_":
            kind, step = "underline", 2
        elif c == "_":
            kind, step = "italic", 1
        elif c == "*":
            kind, step = "bold", 1
        elif c == "~":
            kind, step = "strikethrough", 1
        elif c == "|" and nxt == "|":
            kind, step = "spoiler", 2
        elif c == "[":
            kind, step = "text_link", 1
        elif src.startswith("```", i):
            kind, step = "pre", 3
        elif c == "`":
            kind, step = "code", 1
        else:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        opened: Entity = {"type": kind}
        i += step
        if kind == "pre":
            newline = src.find("\n", i)
            first_line = src[i:newline] if newline != -1 else ""
            if newline != -1 and first_line and not any(ch.isspace() for ch in first_line):
                opened["language"] = first_line
                i = newline + 1
        stack.append((kind, opened, out.length16, begin))
    if stack:
        kind, _, _, begin = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {begin}"
        )
    if quote_start is not None:
        out.close({"type": "blockquote"}, quote_start)
    return out.result()


# ------------------------------------------------------------------------------ Markdown (legacy)


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    i, n = 0, len(src)
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = _byte_offset(src, i)
        missing = f"Can't find end of the entity starting at byte offset {begin}"
        if c == "[":
            end = src.find("]", i + 1)
            if end == -1:
                raise EntityParseError(missing)
            start16 = out.length16
            out.add(src[i + 1 : end])
            i = end + 1
            if i < n and src[i] == "(":
                close = src.find(")", i)
                if close == -1:
                    raise EntityParseError(missing)
                out.close({"type": "text_link", "url": src[i + 1 : close]}, start16)
                i = close + 1
            continue
        if src.startswith("```", i):
            end = src.find("```", i + 3)
            if end == -1:
                raise EntityParseError(missing)
            body = src[i + 3 : end]
            entity: Entity = {"type": "pre"}
            first, sep, rest = body.partition("\n")
            if sep and first and not any(ch.isspace() for ch in first):
                entity["language"], body = first, rest
            start16 = out.length16
            out.add(body)
            out.close(entity, start16)
            i = end + 3
            continue
        end = src.find(c, i + 1)
        if end == -1:
            raise EntityParseError(missing)
        start16 = out.length16
        out.add(src[i + 1 : end])
        out.close({"type": kinds[c]}, start16)
        i = end + 1
    return out.result()


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
