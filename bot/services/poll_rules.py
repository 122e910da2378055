"""What a poll may be and what an answer may be: limits, kinds and the checks, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import Poll

KINDS = ("one", "many", "rating", "text")
MAX_QUESTION = 300
MAX_OPTIONS = 10
MAX_OPTION = 60
MAX_TEXT_ANSWER = 10_000
RATINGS = (1, 2, 3, 4, 5)


class PollError(Exception):
    """Something about the poll a coordinator asked for is not possible; `code` says what."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AnonymityLocked(PollError):
    def __init__(self) -> None:
        super().__init__("anonymity_locked")


@dataclass(frozen=True)
class PollDraft:
    panel_id: int
    question: str
    kind: str
    options: tuple[str, ...] = ()
    anonymous: bool = True
    closes_at: datetime | None = None
    meeting_id: int | None = None


def validate(draft: PollDraft, now: datetime) -> None:
    if not draft.question.strip() or len(draft.question) > MAX_QUESTION:
        raise PollError("question")
    if draft.kind not in KINDS:
        raise PollError("kind")
    if draft.kind in ("one", "many"):
        if not 2 <= len(draft.options) <= MAX_OPTIONS:
            raise PollError("options")
        if any(not o.strip() or len(o) > MAX_OPTION for o in draft.options):
            raise PollError("options")
    if draft.closes_at is None or draft.closes_at <= now + timedelta(minutes=30):
        raise PollError("closes_at")


# On one line, choices are split at commas (also the Arabic comma, used in Urdu too) and
# semicolons: a phone chat that sends on Enter cannot type one choice per line.
SEPARATORS = re.compile("[,;\u060c\u061b]")


def split_choices(text: str) -> list[str]:
    """The choices as typed, repeats kept (so a repeat can be pointed out): one per line, or
    on one line with commas between them. On several lines a comma stays inside its choice
    ("Yes, please")."""
    lines = [line for line in text.splitlines() if line.strip()]
    pieces = lines if len(lines) > 1 else SEPARATORS.split(text)
    parts = [piece.strip(" \t-•*") for piece in pieces]
    return [part for part in parts if part]


def repeated_choice(choices: list[str]) -> str | None:
    """The first choice typed twice (ignoring case and spaces), or None."""
    seen: set[str] = set()
    for choice in choices:
        same = " ".join(choice.casefold().split())
        if same in seen:
            return choice
        seen.add(same)
    return None


def parse_options(text: str) -> tuple[str, ...]:
    """The choices of a stored or typed text, blanks and repeats dropped."""
    return tuple(dict.fromkeys(split_choices(text)))


def next_whole_hour(moment: datetime, zone: str) -> datetime:
    """`moment` rounded up to the next whole hour of the panel's clock (in UTC): a question
    closing "at 13:42" looks like a mistake. Whole hours are found in the panel's time zone,
    since some zones are half an hour off UTC."""
    local = moment.astimezone(ZoneInfo(zone))
    floored = local.replace(minute=0, second=0, microsecond=0)
    if floored == local:
        return moment.astimezone(UTC)
    return floored.astimezone(UTC) + timedelta(hours=1)


def is_open(poll: Poll, now: datetime) -> bool:
    return not poll.closed and poll.closes_at > now


def check_answer(
    poll: Poll, *, choices: list[int] | None, rating: int | None, text: str | None
) -> bool:
    if poll.kind == "one":
        return choices is not None and len(choices) == 1 and 0 <= choices[0] < len(poll.options)
    if poll.kind == "many":
        return bool(choices) and all(0 <= c < len(poll.options) for c in choices or [])
    if poll.kind == "rating":
        return rating in RATINGS
    return text is not None and bool(text.strip()) and len(text) <= MAX_TEXT_ANSWER
