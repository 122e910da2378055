"""Reading a clock time, or two of them, as people type them, in every launch language.

One reader for every typed time: a meeting's start ("2pm", "14:30") and quiet hours ("10pm to
7am", "22:00–07:00", "od 22 do 7", "رات 10 بجے سے صبح 7 بجے تک"). Digits may be any script's
(Arabic-Indic "٢٢", Eastern Arabic "۲۲"). The words around the numbers (am and pm, "to",
"from", "o'clock") are in the catalogues under the contexts below, so translators own them:
each lists every word people type, separated by commas. English words always count too, and
so do the language's own am and pm from CLDR (Welsh "yb" and "yh", Gaelic "m" and "f").
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import time
from functools import cache

from babel import Locale

from bot.i18n import P_, translator

AM_CONTEXT = "typed time: words for before noon (am), separated by commas"
PM_CONTEXT = "typed time: words for after noon (pm), separated by commas"
NIGHT_CONTEXT = (
    "typed time: words for at night (10 at night is 22:00, 2 at night is 02:00), "
    "separated by commas"
)
TO_CONTEXT = "typed time: words between two times (10pm to 7am), separated by commas"
SKIP_CONTEXT = (
    "typed time: words people add that can be left out (from, o'clock), separated by commas"
)
NOON_CONTEXT = "typed time: words for 12 noon, separated by commas"
MIDNIGHT_CONTEXT = "typed time: words for 12 midnight, separated by commas"

WORDS = {
    AM_CONTEXT: P_(
        "typed time: words for before noon (am), separated by commas",
        "am, in the morning, morning",
    ),
    PM_CONTEXT: P_(
        "typed time: words for after noon (pm), separated by commas",
        "pm, in the afternoon, afternoon, in the evening, evening",
    ),
    NIGHT_CONTEXT: P_(
        "typed time: words for at night (10 at night is 22:00, 2 at night is 02:00), "
        "separated by commas",
        "at night, night, tonight",
    ),
    TO_CONTEXT: P_(
        "typed time: words between two times (10pm to 7am), separated by commas",
        "to, until, till, til, and",
    ),
    SKIP_CONTEXT: P_(
        "typed time: words people add that can be left out (from, o'clock), separated by commas",
        "from, not from, between, not between, o'clock, oclock, at",
    ),
    NOON_CONTEXT: P_("typed time: words for 12 noon, separated by commas", "noon, midday, 12 noon"),
    MIDNIGHT_CONTEXT: P_(
        "typed time: words for 12 midnight, separated by commas", "midnight, 12 midnight"
    ),
}
DASHES = ("-", "–", "—", "‐", "−", "~")  # between two times in every language


class _Word(enum.Enum):
    AM = "am"
    PM = "pm"
    NIGHT = "night"
    TO = "to"
    SKIP = "skip"
    NOON = "noon"
    MIDNIGHT = "midnight"


_KINDS = {
    AM_CONTEXT: _Word.AM,
    PM_CONTEXT: _Word.PM,
    NIGHT_CONTEXT: _Word.NIGHT,
    TO_CONTEXT: _Word.TO,
    SKIP_CONTEXT: _Word.SKIP,
    NOON_CONTEXT: _Word.NOON,
    MIDNIGHT_CONTEXT: _Word.MIDNIGHT,
}
_HALVES = (_Word.AM, _Word.PM, _Word.NIGHT)
_NOT_A_LETTER_BEFORE, _NOT_A_LETTER_AFTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"
_NUMBER = re.compile(r"(\d{1,2})\s*[:.]\s*(\d{2})(?!\d)|(\d{3,4})(?!\d)|(\d{1,2})(?!\d)")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # vowel marks and the stretching line
_FOLDED = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "٫": ".", "،": ",", "؛": ","})
_LETTER_DOT = re.compile(r"(?<=[^\W\d_])\.")  # "p.m." -> "pm", "godz." -> "godz"


def normal(text: str) -> str:
    """Lower case, digits in ASCII, Arabic marks and invisible direction marks removed."""
    kept = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        if unicodedata.category(char) == "Nd":
            kept.append(str(unicodedata.decimal(char)))
        elif unicodedata.category(char) != "Cf":
            kept.append(char)
    folded = _ARABIC_MARKS.sub("", "".join(kept)).translate(_FOLDED).replace("’", "'")
    return " ".join(_LETTER_DOT.sub("", folded).split())


@cache
def _words(language: str) -> tuple[tuple[str, _Word], ...]:
    """Every word this language's people (and English speakers) type, longest first."""
    found: dict[str, _Word] = {}
    for code in dict.fromkeys(("en", language)):
        t = translator(code)
        for context, words in WORDS.items():
            for word in t.pgettext(context, words).replace("،", ",").split(","):
                if normal(word):
                    found.setdefault(normal(word), _KINDS[context])
        periods = Locale.parse(t.locale).day_periods.get("format", {})
        for width in ("abbreviated", "wide"):
            for period, kind in (("am", _Word.AM), ("pm", _Word.PM)):
                name = periods.get(width, {}).get(period)
                if name and normal(str(name)):
                    found.setdefault(normal(str(name)), kind)
    return tuple(sorted(found.items(), key=lambda item: -len(item[0])))


@cache
def _pattern(language: str) -> re.Pattern[str]:
    words = [re.escape(word).replace(r"\ ", r"\s*") for word, _ in _words(language)]
    alternatives = "|".join(f"(?P<w{i}>{word})" for i, word in enumerate(words))
    dashes = "|".join(re.escape(dash) for dash in DASHES)
    return re.compile(
        rf"{_NOT_A_LETTER_BEFORE}(?:{alternatives}){_NOT_A_LETTER_AFTER}|(?P<dash>{dashes})"
    )


@dataclass
class _Time:
    hour: int
    minute: int = 0
    half: _Word | None = None
    bare: bool = False  # an hour on its own, no minutes: "14", "8"
    fixed: bool = False  # noon or midnight, said in words


def _read(text: str, language: str) -> list[_Time | _Word] | None:
    """The typed words as times and words, in order; None if anything is left unread."""
    cleaned = normal(text).strip(" .!?,")
    kinds = _words(language)
    pieces: list[tuple[int, _Time | _Word]] = []
    rest = list(cleaned)
    for match in _pattern(language).finditer(cleaned):
        name = match.lastgroup or ""
        kind = _Word.TO if name == "dash" else kinds[int(name[1:])][1]
        pieces.append((match.start(), kind))
        rest[match.start() : match.end()] = " " * (match.end() - match.start())
    leftover = "".join(rest)
    for match in _NUMBER.finditer(leftover):
        if match[1]:
            found = _Time(int(match[1]), int(match[2]))
        elif match[3]:
            digits = match[3].zfill(4)
            found = _Time(int(digits[:2]), int(digits[2:]))
        else:
            found = _Time(int(match[4]), bare=True)
        if match[3] and len(match[3]) == 3:
            return None  # "930": 9:30 or 93 minutes past something? Ask again.
        pieces.append((match.start(), found))
    if _NUMBER.sub(" ", leftover).strip(" ,"):
        return None
    read: list[_Time | _Word] = []
    for _, piece in sorted(pieces, key=lambda item: item[0]):
        if piece is _Word.NOON:
            read.append(_Time(12, fixed=True))
        elif piece is _Word.MIDNIGHT:
            read.append(_Time(0, fixed=True))
        elif piece is not _Word.SKIP:
            read.append(piece)
    return read


def _times(read: list[_Time | _Word]) -> list[_Time] | None:
    """The times, each with its am, pm or "at night": a word after a time belongs to it
    ("10 wieczorem"), else to the time after it ("رات 10", "صبح 7")."""
    times: list[_Time] = []
    waiting: _Word | None = None
    last: _Time | _Word | None = None
    for piece in read:
        if isinstance(piece, _Time):
            if waiting is not None:
                if piece.fixed:
                    return None
                piece.half, waiting = waiting, None
            times.append(piece)
        elif piece in _HALVES:
            if isinstance(last, _Time) and last.half is None and not last.fixed:
                last.half = piece
            elif waiting is None:
                waiting = piece
            else:
                return None
        last = piece
    return None if waiting is not None else times


def _hour(found: _Time) -> int | None:
    """The hour on a 24-hour clock, or None if it cannot be one."""
    hour = found.hour
    if found.minute > 59:
        return None
    if found.half in (_Word.AM, _Word.PM):
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if found.half is _Word.PM else 0)
    if found.half is _Word.NIGHT:
        if hour > 23:
            return None
        return hour + 12 if 6 <= hour <= 11 else (0 if hour == 12 else hour)
    if hour == 24 and found.minute == 0:
        return 0
    return hour if hour <= 23 else None


def read_time(text: str, language: str = "en") -> time | None:
    """One time: "14:30", "14.30", "1430", "2pm", "2.30pm", "2:30 p.m.", "noon", "14", "٢ م",
    "2 po południu". An hour on its own without am or pm is taken only from 8 to 23 ("8" is
    08:00, "14" is 14:00): "2" could be 2am or 2pm, so the person is asked again."""
    read = _read(text, language) if len(text) <= 60 else None
    times = _times(read) if read is not None and _Word.TO not in read else None
    if not times or len(times) != 1:
        return None
    found = times[0]
    hour = _hour(found)
    if hour is None or (found.bare and found.half is None and not 8 <= found.hour <= 23):
        return None
    return time(hour, found.minute)


def read_span(text: str, language: str = "en") -> tuple[int, int] | None:
    """Two times, from and to, as minutes after midnight: "10pm to 7am", "10pm-7am",
    "22:00–07:00", "from 10pm until 7am", "22-8", "od 22 do 7", "10yh i 7yb", "٢٢–٧".
    An hour on its own is on the 24-hour clock ("22-8"), unless the other time says am or
    pm: then it takes the half that makes the span shorter ("10 to 7am" is 22:00 to 07:00,
    "9 to 5pm" is 09:00 to 17:00). None if the words are not two different times."""
    read = _read(text, language) if len(text) <= 100 else None
    times = _times(read) if read is not None else None
    if not times or len(times) != 2:
        return None
    first, second = times
    first_hour, second_hour = _hour(first), _hour(second)
    if first_hour is None or second_hour is None:
        return None
    start, end = first_hour * 60 + first.minute, second_hour * 60 + second.minute
    if first.half in (_Word.AM, _Word.PM) and second.half is None and 1 <= second.hour <= 12:
        end = _shorter(start, end, after=True)
    elif second.half in (_Word.AM, _Word.PM) and first.half is None and 1 <= first.hour <= 12:
        start = _shorter(end, start, after=False)
    return (start, end) if start != end else None


def _shorter(known: int, bare: int, *, after: bool) -> int:
    """`bare` (an hour from 1 to 12 on its own) in the morning or the afternoon, whichever
    makes the span from the start to the end shorter."""
    morning, afternoon = bare % (12 * 60), bare % (12 * 60) + 12 * 60
    day = 24 * 60

    def length(other: int) -> int:
        return (other - known) % day if after else (known - other) % day

    return min((morning, afternoon), key=length)
