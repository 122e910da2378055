"""What a poll may be and what an answer may be: limits, kinds and the checks, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import Poll

KINDS = ("one", "many", "rating", "text")
MAX_QUESTION = 300
MAX_OPTIONS = 8
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


def parse_options(text: str) -> tuple[str, ...]:
    """One choice per line (or separated by ";"), blanks and repeats dropped."""
    parts = [p.strip(" \t-•*") for p in text.replace(";", "\n").splitlines()]
    return tuple(dict.fromkeys(p for p in parts if p))


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
