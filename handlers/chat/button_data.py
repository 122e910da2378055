"""What a button carries, typed: one registry of prefixes, a small record per action.

A button's data is "prefix:version:action:field:field" (Telegram allows 64 bytes). Each action is
a frozen dataclass registered with its feature's prefix and version:

    @button_data("fm", 1, "back")
    @dataclass(frozen=True)
    class FormBack(ButtonData):
        form: Annotated[str, Longest(24)]

`FormBack(form="claim").pack()` gives "fm:1:back:claim"; `FormBack.unpack(data)` gives the
record, or None for a forged, stale (older version) or other button; `read(data, *records)` gives
the first of several records that reads it, for a feature's one button handler. An action may be
several words ("s:edit": the summary's "change item" tap) so that buttons made before the records
keep their bytes, or none ("") for an old format whose first field is an id. Fields are `int` (a
database id: up to 19 digits) or `str` with the most characters it may have (`Longest`), so
`check_registry()` (run at start-up) proves every button of every kind fits in 64 bytes, that no
two features share a prefix or one prefix has two versions, and that no data could be read by two
records (a feature's handler then dispatches on the one record `read` gives).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

SEPARATOR = ":"
TELEGRAM_LIMIT = 64  # bytes of callback data
LONGEST_ID = 19  # digits of a 64-bit database id


@dataclass(frozen=True)
class Longest:
    """The most characters (ASCII) a str field may hold."""

    characters: int


class ButtonData:
    """Base of every registered button record (see the module's docstring)."""

    PREFIX: ClassVar[str]
    VERSION: ClassVar[int]
    ACTION: ClassVar[str]

    def pack(self) -> str:
        values = [str(getattr(self, f.name)) for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        for value, (name, _, longest) in zip(values, _fields(type(self)), strict=True):
            if SEPARATOR in value or len(value.encode()) > longest:
                raise ValueError(f"{type(self).__name__}.{name} cannot carry {value!r}")
        return SEPARATOR.join([*_head(type(self)), *values])

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        if not data:
            return None
        parts = data.split(SEPARATOR)
        head = _head(cls)
        fields = _fields(cls)
        if parts[: len(head)] != head or len(parts) != len(head) + len(fields):
            return None
        values: dict[str, Any] = {}
        for raw, (name, kind, longest) in zip(parts[len(head) :], fields, strict=True):
            if len(raw.encode()) > longest:
                return None
            if kind is int:
                if not (raw.isascii() and raw.isdecimal()):
                    return None
                values[name] = int(raw)
            else:
                values[name] = raw
        return cls(**values)


def _head(cls: type[ButtonData]) -> list[str]:
    return [cls.PREFIX, str(cls.VERSION), *(cls.ACTION.split(SEPARATOR) if cls.ACTION else [])]


A = TypeVar("A", bound=ButtonData)
B = TypeVar("B", bound=ButtonData)
C = TypeVar("C", bound=ButtonData)


@typing.overload
def read(data: str | None, one: type[A], /) -> A | None: ...
@typing.overload
def read(data: str | None, one: type[A], two: type[B], /) -> A | B | None: ...
@typing.overload
def read(data: str | None, one: type[A], two: type[B], three: type[C], /) -> A | B | C | None: ...
@typing.overload
def read(data: str | None, /, *kinds: type[ButtonData]) -> ButtonData | None: ...
def read(data: str | None, /, *kinds: type[ButtonData]) -> ButtonData | None:
    """The first of these records that reads the data, or None (forged, stale or another's)."""
    for kind in kinds:
        if (record := kind.unpack(data)) is not None:
            return record
    return None


# (prefix, action, how many fields): "invite:1:<panel>" and "invite:1:<panel>:<days>" are two.
_REGISTRY: dict[tuple[str, str, int], type[ButtonData]] = {}
_VERSIONS: dict[str, tuple[int, str]] = {}  # prefix -> (version, the module that owns it)
Record = TypeVar("Record", bound=type[ButtonData])


def button_data(prefix: str, version: int, action: str) -> typing.Callable[[Record], Record]:
    """Register one action's record under its feature's prefix and version."""

    def register(cls: Record) -> Record:
        key = (prefix, action, len(dataclasses.fields(cls)))  # type: ignore[arg-type]
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"two buttons are {prefix}:{action} with {key[2]} fields")
        owner = cls.__module__.rsplit(".", 1)[0]
        known = _VERSIONS.setdefault(prefix, (version, owner))
        if known != (version, owner):
            raise ValueError(f"prefix {prefix!r} is used by {known} and by {(version, owner)}")
        cls.PREFIX, cls.VERSION, cls.ACTION = prefix, version, action
        _REGISTRY[key] = cls
        return cls

    return register


def prefixes() -> dict[str, int]:
    return {prefix: version for prefix, (version, _) in _VERSIONS.items()}


def records() -> tuple[type[ButtonData], ...]:
    return tuple(_REGISTRY.values())


_FIELDS: dict[type, list[tuple[str, type, int]]] = {}


def _fields(cls: type[ButtonData]) -> list[tuple[str, type, int]]:
    # Reading type hints is slow, and check_registry asks for every pair of records.
    if cls not in _FIELDS:
        _FIELDS[cls] = _read_fields(cls)
    return _FIELDS[cls]


def _read_fields(cls: type[ButtonData]) -> list[tuple[str, type, int]]:
    hints = typing.get_type_hints(cls, include_extras=True)
    found = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        hint = hints[field.name]
        if typing.get_origin(hint) is typing.Annotated:
            kind, *extras = typing.get_args(hint)
            longest = next((e.characters for e in extras if isinstance(e, Longest)), None)
        else:
            kind, longest = hint, None
        if kind is int:
            longest = LONGEST_ID + 1  # a minus sign, though ids are positive
        if kind not in (int, str) or longest is None:
            raise TypeError(f"{cls.__name__}.{field.name}: int, or str with Longest(n)")
        found.append((field.name, kind, longest))
    return found


def longest_packed(cls: type[ButtonData]) -> int:
    head = len(SEPARATOR.join(_head(cls)).encode())
    return head + sum(len(SEPARATOR) + longest for _, _, longest in _fields(cls))


def check_registry() -> None:
    """At start-up: every registered button fits Telegram's 64 bytes, whatever it carries, and
    no button's data could be read by two records (one's words and fields another's words).
    The registry is fixed once the handlers are imported, so a process checks it once."""
    registry = tuple(_REGISTRY.values())
    if registry not in _CHECKED:
        _check(registry)
        _CHECKED.add(registry)


_CHECKED: set[tuple[type[ButtonData], ...]] = set()


def _check(registry: tuple[type[ButtonData], ...]) -> None:
    for cls in registry:
        if longest_packed(cls) > TELEGRAM_LIMIT:
            raise ValueError(
                f"{cls.__name__} can need {longest_packed(cls)} bytes; Telegram allows 64"
            )
        for other in registry:
            if other is not cls and _could_read_alike(cls, other):
                raise ValueError(f"{cls.__name__} and {other.__name__} could read the same data")


def _could_read_alike(one: type[ButtonData], other: type[ButtonData]) -> bool:
    """Could one string unpack as both? Only if their words agree where both have words, the
    segment counts are equal, and every word of one sits where the other has a str field (an int
    field never reads a word: actions are words, not numbers)."""
    heads = _head(one), _head(other)
    kinds = [
        [*(None for _ in h), *(kind for _, kind, _ in _fields(c))]
        for h, c in zip(heads, (one, other), strict=True)
    ]
    if len(kinds[0]) != len(kinds[1]):
        return False
    for i in range(len(kinds[0])):
        words = [h[i] if i < len(h) else None for h in heads]
        if words[0] is not None and words[1] is not None:
            if words[0] != words[1]:
                return False
        elif words[0] is not None or words[1] is not None:
            word = words[0] or words[1] or ""
            field = kinds[1][i] if words[0] is not None else kinds[0][i]
            if field is int and not word.isdecimal():
                return False
    return True
