"""The meeting planner's questions, their order and how typed answers are read.

Pure rules without Telegram calls, so the planner*.py modules are only the conversation.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from bot.db import Meeting
from bot.i18n import N_
from bot.services import meeting_rules
from bot.services.meeting_rules import ACCESS_OPTIONS, MeetingDraft
from handlers.meetings.button_records import PlannerAnswer

KIND = "meeting"  # the draft's kind
PREFIX = "meeting:"  # conversation_step while making a meeting, e.g. "meeting:title"
MAX_PLACE = 500  # address and links: the size of their columns
MAX_AGENDA = 2000
MAX_PAPERS = 10
MIN_LENGTH, MAX_LENGTH = 15, 12 * 60  # minutes, as the meetings service allows
DEFAULT_ZONE = "Europe/London"


class Step(StrEnum):
    PANEL = "panel"
    TITLE = "title"
    DATE = "date"
    TIME = "time"
    LENGTH = "length"
    WHERE = "where"
    ADDRESS = "address"
    MAP = "map"
    ONLINE = "online"
    ACCESS = "access"
    AGENDA = "agenda"
    PAPERS = "papers"
    PAID = "paid"
    PREVIEW = "preview"


def current_step(name: str) -> Step:
    """The step a draft is at (a draft from an older version of the planner starts at the title)."""
    try:
        return Step(name)
    except ValueError:
        return Step.TITLE


# Steps that wait for typed words (most also take a tap).
TEXT_STEPS = frozenset(
    {
        Step.TITLE,
        Step.DATE,
        Step.TIME,
        Step.LENGTH,
        Step.ADDRESS,
        Step.MAP,
        Step.ONLINE,
        Step.AGENDA,
    }
)
IN_PERSON, ONLINE, BOTH = "in_person", "online", "both"
WHERE_LABELS = {
    IN_PERSON: N_("In person"),
    ONLINE: N_("Online"),
    BOTH: N_("In person and online"),
}
LENGTH_LABELS = {
    60: N_("1 hour"),
    90: N_("1½ hours"),
    120: N_("2 hours"),
    180: N_("3 hours"),
}

QUESTIONS = {
    Step.PANEL: N_("Which panel is the meeting for? Tap one."),
    Step.TITLE: N_("What is the meeting called? Type a short title."),
    Step.DATE: N_("What day is the meeting? Tap a day, or type a date like 25/12/2026."),
    Step.LENGTH: N_("How long is the meeting? Tap one, or type it, like 45 minutes."),
    Step.WHERE: N_("Where is the meeting? Tap one."),
    Step.ADDRESS: N_("Please type the address of the meeting place."),
    Step.MAP: N_("Do you have a link to a map of the place? Paste it here. Or tap Skip."),
    Step.ONLINE: N_("Please paste the link people use to join online. It starts with https://"),
    Step.ACCESS: N_("What does the place have? Tap all that apply, then Done."),
    Step.AGENDA: N_("What will you talk about? Type a short list. Or tap Skip."),
    Step.PAPERS: N_(
        "Do you have papers for the meeting? Send files or photos here, then tap Done."
    ),
    Step.PAID: N_("Will members be paid for their time at this meeting?"),
}
TEXT_PROBLEMS = {
    Step.TITLE: N_("Please type a title. It can be up to 200 characters."),
    Step.DATE: N_("Please type a date like 25/12/2026. Or tap a day."),
    Step.TIME: N_("Please type a time like 14:30 or 2pm. Or tap a time."),
    Step.LENGTH: N_(
        "Please type how long it is, like 90 minutes or 2 hours. It can be 15 minutes to 12 hours."
    ),
    Step.ADDRESS: N_("Please type the address. It can be up to 500 characters."),
    Step.MAP: N_("Please paste a link that starts with https://"),
    Step.ONLINE: N_("Please paste a link that starts with https://"),
    Step.AGENDA: N_("Please make it shorter. It can be up to 2000 characters."),
}
PAST_DAY = N_("That day has already gone. Please choose today or a later day.")
PAST_TIME = N_("That time has already gone. Please choose a later time.")
CLOCKS_CHANGE = N_(
    "The clocks change then, so that time does not happen on that day. Please choose another time."
)
WORDS_PLEASE = N_("Please type your answer in words. Or tap a button.")
FILE_PLEASE = N_("Please send a file or a photo. Or tap Done.")


class Forged(Exception):
    """Callback data we never sent (or that no longer fits): answered with answer_expired."""


def data(step: Step | str, value: str | int) -> str:
    """A planner button answering this step."""
    return PlannerAnswer(str(step), str(value)).pack()


# ------------------------------------------------------------------------------ the route


def next_step(step: Step, answers: dict[str, Any]) -> Step:
    where = answers.get("where")
    if step == Step.WHERE:
        return Step.ADDRESS if where in (IN_PERSON, BOTH) else Step.ONLINE
    if step == Step.MAP:
        return Step.ONLINE if where == BOTH else Step.ACCESS
    order = list(Step)
    following = {Step.ONLINE: Step.ACCESS}
    return following.get(step) or order[order.index(step) + 1]


def previous_step(step: Step, answers: dict[str, Any]) -> Step | None:
    where = answers.get("where")
    if step == Step.PANEL:
        return None
    if step == Step.TITLE:
        return Step.PANEL if int(answers.get("panels", 1)) > 1 else None
    if step == Step.ONLINE:
        return Step.MAP if where == BOTH else Step.WHERE
    if step == Step.ACCESS:
        return Step.ONLINE if where in (ONLINE, BOTH) else Step.MAP
    order = list(Step)
    return order[order.index(step) - 1]


def first_missing(answers: dict[str, Any]) -> Step | None:
    """The first question still without an answer, if any (checked before the preview)."""
    where = answers.get("where")
    needed = [
        (Step.PANEL, answers.get("panel_id")),
        (Step.TITLE, answers.get("title")),
        (Step.DATE, answers.get("date")),
        (Step.TIME, answers.get("starts_at")),
        (Step.LENGTH, answers.get("duration")),
        (Step.WHERE, where in (IN_PERSON, ONLINE, BOTH)),
        (Step.ADDRESS, where == ONLINE or answers.get("address")),
        (Step.ONLINE, where == IN_PERSON or answers.get("online_url")),
        (Step.PAID, "paid" in answers),
    ]
    return next((step for step, answer in needed if not answer), None)


def meeting_draft(answers: dict[str, Any]) -> MeetingDraft:
    where = answers["where"]
    in_person, online = where in (IN_PERSON, BOTH), where in (ONLINE, BOTH)
    chosen = answers.get("access") or []
    return MeetingDraft(
        title=answers["title"],
        starts_at=datetime.fromisoformat(answers["starts_at"]),
        duration_minutes=int(answers["duration"]),
        address=answers.get("address") if in_person else None,
        map_url=answers.get("map_url") if in_person else None,
        online_url=answers.get("online_url") if online else None,
        access=tuple(a for a in ACCESS_OPTIONS if a in chosen),
        agenda=answers.get("agenda") or None,
        papers=tuple(
            {"kind": str(p["kind"]), "file_id": str(p["file_id"]), "name": str(p["name"])}
            for p in answers.get("papers") or []
        ),
        paid=bool(answers.get("paid")),
    )


# ------------------------------------------------------------------------------ typed answers

# Unit words in every launch language, so a coordinator can type "2 awr", "90 minut" or "٩٠ دقيقة".
_HOUR_WORDS = (
    "hours|hour|hrs|hr|h|oriau|awr|uairean|uair|godziny|godzina|godzin|godz|"
    "گھنٹے|گھنٹہ|ساعات|ساعتين|ساعتان|ساعة"
)
_MINUTE_WORDS = (
    "minutes|minute|mins|min|m|munudau|munud|mionaidean|mionaid|minuty|minuta|minut|"
    "منٹ|دقائق|دقيقة|دقيقه"
)
_AND = r"(?:and|ac|a|agus|i|اور|و)"
_HOURS = re.compile(
    rf"(\d+(?:\.\d+)?)\s*(?:{_HOUR_WORDS})"
    rf"(?:\s*(?:{_AND}\s*)?(\d+)\s*(?:{_MINUTE_WORDS})?)?"
)
_MINUTES = re.compile(rf"(\d+)\s*(?:{_MINUTE_WORDS})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_length(text: str) -> int | None:
    """Minutes, from "90", "90 minutes", "1.5 hours", "1½ hours", "2h", "1h30", "1:30" or
    "half an hour". A bare number up to 12 is hours, above that minutes."""
    cleaned = " ".join(text.lower().replace("½", ".5").replace(",", ".").split())
    cleaned = cleaned.replace("an hour and a half", "1.5 hours")
    cleaned = cleaned.replace("half an hour", "30 minutes").replace("an hour", "1 hour")
    cleaned = re.sub(r"(\d)\s+\.5", r"\1.5", cleaned)
    cleaned = re.sub(r"(^|\s)\.5", r"\g<1>0.5", cleaned)
    if match := _HOURS.fullmatch(cleaned):
        minutes = float(match[1]) * 60 + int(match[2] or 0)
    elif match := _MINUTES.fullmatch(cleaned):
        minutes = int(match[1])
    elif match := _CLOCK.fullmatch(cleaned):
        minutes = int(match[1]) * 60 + int(match[2])
    elif _NUMBER.fullmatch(cleaned):
        number = float(cleaned)
        minutes = number * 60 if number <= 12 else number
    else:
        return None
    rounded = round(minutes)
    return rounded if MIN_LENGTH <= rounded <= MAX_LENGTH else None


def clean_link(text: str) -> str | None:
    """A web link (http or https), or None. "www.example.org" gets https:// in front."""
    link = text.strip()
    if link.lower().startswith("www."):
        link = "https://" + link
    if not link or len(link) > MAX_PLACE or any(ch.isspace() for ch in link):
        return None
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc:
        return None
    return link


def unsaved_meeting(draft: MeetingDraft) -> Meeting:
    """The meeting as it will be saved, for the preview. Never added to a session."""
    return meeting_rules.from_draft(draft)
