"""Right-to-left text that reads right on a phone (Unicode bidirectional algorithm, UAX #9).

Urdu and Arabic lines often hold left-to-right pieces: a phone number, a command, an amount, an
English name. Left alone, a phone shows "116 123" as "123 116", "/review" as "review/", and a line
that begins with an English name turns left-to-right as a whole. The cure is to mark each piece as
an island with its own direction (isolates), and to start a line with a right-to-left mark when its
first letter would otherwise be Latin. Telegram's apps lay text out one line (paragraph) at a time,
so every mark here is per line: an isolate never spans a line break.
"""

from __future__ import annotations

import re
import unicodedata

LRI = "\u2066"  # left-to-right isolate: numbers, commands, amounts
FSI = "\u2068"  # first-strong isolate: a value whose direction comes from its own first letter
PDI = "\u2069"  # ends an isolate
RLM = "\u200f"  # right-to-left mark: makes a line right-to-left when it would start Latin
LRM = "\u200e"
CONTROLS = frozenset({LRI, FSI, PDI, RLM, LRM, "\u2067", "\u202a", "\u202b", "\u202c"})

# Never touched: HTML tags and entities, {name} fields, and web links (a mark inside a link would
# break it; a link is left-to-right letters anyway).
# Pieces already isolated are left as they are.
_PROTECTED = re.compile(
    r"(<[^<>]*>|&#?\w+;|\{[^{}]*\}|https?://\S*|[\u2066\u2067\u2068][^\u2069\n]*\u2069)"
)
# A run of left-to-right words: Latin letters and digits, optionally a leading / + @ £ (commands,
# phone numbers, handles, amounts), words joined by single spaces or . : / - so that "NHS 111",
# "116 123" and "BSL (British Sign Language)" stay whole. Sentence punctuation at the end stays out.
_WORD = r"\(?[/+@£$€#]?[A-Za-z0-9](?:[\w.:/\-’']*[\w)])?"
_LTR_RUN = re.compile(rf"{_WORD}(?: {_WORD})*", re.ASCII)


def strip_controls(text: str) -> str:
    """The text without direction marks: for comparing what a person tapped with a label."""
    return "".join(char for char in text if char not in CONTROLS)


def isolate(value: str, *, mark: str = FSI) -> str:
    """Each line of `value` as its own island, so it cannot reorder the text around it."""
    return "\n".join(f"{mark}{line}{PDI}" if line else line for line in value.split("\n"))


def isolate_left_to_right(value: str) -> str:
    """Numbers, amounts and codes: always shown left to right, whatever surrounds them."""
    return isolate(strip_controls(value), mark=LRI)


def quote(text: str) -> str:
    """Someone's own words (an agenda, help lines) inside a right-to-left message: each line keeps
    its own direction as a whole, and sits on a right-to-left line."""
    return "\n".join(
        f"{RLM}{FSI}{line}{PDI}" if line.strip() else line for line in text.split("\n")
    )


def shield_template(template: str) -> str:
    """Isolate the left-to-right runs written into a right-to-left message itself."""
    pieces = _PROTECTED.split(template)
    for index in range(0, len(pieces), 2):  # even pieces are plain text; odd ones are protected
        pieces[index] = _LTR_RUN.sub(lambda run: f"{LRI}{run.group(0)}{PDI}", pieces[index])
    return "".join(pieces)


def right_to_left_lines(text: str) -> str:
    """Start with a right-to-left mark every line whose first strong letter is not Arabic script."""
    return "\n".join(
        line if _first_strong_is_right_to_left(line) else f"{RLM}{line}"
        for line in text.split("\n")
    )


def _first_strong_is_right_to_left(line: str) -> bool | None:
    """UAX #9 rule P2: the first strong letter outside isolates (and outside HTML tags)."""
    depth = 0
    in_tag = False
    seen_text = False
    for char in line:
        if char == "<":
            in_tag = True
        elif char == ">" and in_tag:
            in_tag = False
            continue
        if in_tag:
            continue
        if char in (LRI, FSI, "\u2067"):
            depth += 1
            seen_text = True
            continue
        if char == PDI:
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
        if not char.isspace():
            seen_text = True
    # No strong letter outside isolates: a phone would guess left-to-right from the isolates.
    return not seen_text


def right_to_left(template: str, values: dict[str, object]) -> str:
    """Fill a right-to-left message: shielded template, isolated values, right-to-left lines."""
    shielded = shield_template(template)
    if values:
        shielded = shielded.format(**{key: isolate(str(value)) for key, value in values.items()})
    return right_to_left_lines(shielded)
