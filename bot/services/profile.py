"""A member's own answers: name, easy read, reminders, quiet hours, access needs, payment.

Used by onboarding and by /settings. Every change checks the value, so a forged button or odd
text can never store something the bot would not offer.
"""

from __future__ import annotations

import unicodedata
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db import Member, PaymentChoice, ReminderChoice
from bot.languages import LAUNCH_LANGUAGES
from bot.services import anonymous, members, typed_times

ACCESS_NEEDS = (
    "step_free",
    "hearing_loop",
    "bsl",
    "large_print",
    "easy_read",
    "quiet_space",
    "support_worker",
)
QUIET_PRESETS = {"22-8": (22 * 60, 8 * 60), "21-9": (21 * 60, 9 * 60)}  # "none": any time
MAX_NAME = 40
MAX_OTHER_NEED = 500


# Built once: building a statement costs about as much CPU as running it.
_MEMBER = select(Member).where(Member.telegram_id == bindparam("who"))
_MEMBERS = cast(Table, Member.__table__)
_SET_STEP = (
    update(_MEMBERS)
    .where(_MEMBERS.c.telegram_id == bindparam("who"))
    .values(conversation_step=bindparam("new_step", type_=_MEMBERS.c.conversation_step.type))
)


class InvalidAnswer(ValueError):
    """The person's answer cannot be used; the handler asks again kindly."""


async def get_member(session: AsyncSession, telegram_id: int) -> Member:
    # Several changes in one update share the row: a SELECT would hand back the same object.
    member = members.loaded(session, telegram_id)
    if member is not None:
        return member
    member = await session.scalar(_MEMBER, {"who": telegram_id})
    if member is None:
        raise LookupError("unknown member")
    # The identity map holds rows weakly: keep this one for the update, so the next change or
    # the settings shown after it find it there instead of asking the database again.
    session.info["person"] = member
    return member


def clean_name(text: str) -> str:
    """A first name or nickname: letters needed, control characters and extra spaces removed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    name = " ".join(kept.split())
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        raise InvalidAnswer("name")
    return name


def parse_quiet_hours(text: str, language: str = "en") -> tuple[int, int]:
    """'10pm to 7am', '22:00-08:00', '22-8' or '21.30 to 7', in the person's language or in
    English (bot/services/typed_times.py), as minutes after midnight."""
    hours = typed_times.read_span(text, language)
    if hours is None:
        raise InvalidAnswer("quiet")
    return hours


def format_quiet_hours(start: int | None, end: int | None) -> str | None:
    if start is None or end is None:
        return None
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


async def set_name(session: AsyncSession, telegram_id: int, text: str) -> Member:
    member = await get_member(session, telegram_id)
    member.display_name = clean_name(text)
    return member


async def set_language(session: AsyncSession, telegram_id: int, language: str) -> Member:
    if language not in LAUNCH_LANGUAGES:
        raise InvalidAnswer("language")
    member = await get_member(session, telegram_id)
    member.language = language
    return member


async def choose_easy_read(session: AsyncSession, telegram_id: int, answer: str) -> Member:
    if answer not in ("yes", "no"):
        raise InvalidAnswer("easy_read")
    return await set_easy_read(session, telegram_id, answer == "yes")


async def set_easy_read(session: AsyncSession, telegram_id: int, on: bool) -> Member:
    member = await get_member(session, telegram_id)
    member.easy_read = on
    return member


async def set_reminders(session: AsyncSession, telegram_id: int, choice: str) -> Member:
    member = await get_member(session, telegram_id)
    try:
        member.reminders = ReminderChoice(choice)
    except ValueError:
        raise InvalidAnswer("reminders") from None
    return member


async def set_quiet_hours(
    session: AsyncSession, telegram_id: int, hours: tuple[int, int] | None
) -> Member:
    member = await get_member(session, telegram_id)
    if hours is not None and not all(0 <= h < 24 * 60 for h in hours):
        raise InvalidAnswer("quiet")
    member.quiet_start, member.quiet_end = hours if hours else (None, None)
    return member


async def choose_quiet_hours(session: AsyncSession, telegram_id: int, choice: str) -> Member:
    """A tapped choice: "none", or one of QUIET_PRESETS."""
    if choice != "none" and choice not in QUIET_PRESETS:
        raise InvalidAnswer("quiet")
    return await set_quiet_hours(session, telegram_id, QUIET_PRESETS.get(choice))


async def type_quiet_hours(session: AsyncSession, telegram_id: int, text: str) -> Member:
    member = await get_member(session, telegram_id)
    hours = parse_quiet_hours(text, member.language or "en")
    return await set_quiet_hours(session, telegram_id, hours)


async def toggle_access_need(session: AsyncSession, telegram_id: int, need: str) -> Member:
    if need not in ACCESS_NEEDS:
        raise InvalidAnswer("access")
    member = await get_member(session, telegram_id)
    needs = set(member.access_needs or [])
    needs.symmetric_difference_update({need})
    # A new list, in a stable order, so SQLAlchemy sees the change to the JSON column.
    member.access_needs = [n for n in ACCESS_NEEDS if n in needs]
    return member


async def set_access_other(session: AsyncSession, telegram_id: int, text: str | None) -> Member:
    member = await get_member(session, telegram_id)
    if text is None:
        member.access_other = None
        return member
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == "\n").strip()
    if not kept or len(kept) > MAX_OTHER_NEED:
        raise InvalidAnswer("access_other")
    member.access_other = kept
    return member


async def set_payment(session: AsyncSession, telegram_id: int, choice: str) -> Member:
    member = await get_member(session, telegram_id)
    try:
        member.payment = PaymentChoice(choice)
    except ValueError:
        raise InvalidAnswer("payment") from None
    return member


async def set_step(session: AsyncSession, telegram_id: int, step: str | None) -> None:
    """Where the person is in a conversation. Every form step moves it, usually with nothing
    else about the person changing: then a plain UPDATE, no ORM object loaded or flushed.
    Any step here ends an anonymous flow the person was in (bot.services.anonymous)."""
    anonymous.clear_step(telegram_id)
    member = members.loaded(session, telegram_id)
    if member is not None and session.is_modified(member):
        member.conversation_step = step  # saved in the same UPDATE as the other changes
        return
    await session.execute(_SET_STEP, {"who": telegram_id, "new_step": step})
    if member is not None:
        set_committed_value(member, "conversation_step", step)
