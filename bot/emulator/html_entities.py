"""Telegram's HTML parse mode: tags and character references into plain text and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.emulator.text_units import Builder, Entity, EntityParseError, byte_offset

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
                f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(src, j)}'
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
    out = Builder()
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
        begin = byte_offset(src, i)
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
