"""Telegram's MarkdownV2 and legacy Markdown parse modes into plain text and entities."""

from __future__ import annotations

from bot.emulator.text_units import Builder, Entity, EntityParseError, byte_offset

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
    out = Builder()
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
                            f"Can't find end of a url at byte offset {byte_offset(src, i)}"
                        )
                    entity = {**entity, "url": src[i + 1 : end].replace("\\", "")}
                    i = end + 1
                else:
                    entity = {}
                out.close(entity or None, start16)
            else:
                out.close(entity, start16)
            continue
        begin = byte_offset(src, i)
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
    out = Builder()
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
        begin = byte_offset(src, i)
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
