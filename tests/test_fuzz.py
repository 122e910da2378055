"""Fuzzing (hypothesis): every conversation step and command fed odd input. Nothing crashes, the
emulator never rejects what the bot sends (too long, bad HTML), and the person always gets an
answer.

CI runs a few examples per step (FUZZ_EXAMPLES, default 12); by hand, for a long run:
    FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_fuzz.py -q

To fuzz a new step, add an entry to STEPS: where the person stands (conversation_step, and the
draft if the step belongs to a multi-step form: `draft` for the meeting planner, `form` for any
other kind) and their role. Steps and forms may name the world's ids ({panel}, {poll_text}...).
New commands go in COMMANDS; callback features come from the button registry.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import bot.app  # noqa: F401  (registers every feature's buttons)
from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, MemberRequest, PollParticipant, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import anonymous, drafts
from handlers.chat import button_data
from tests.factories import add_member, create_panel

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # One bot per test, many people: each example is a new person, so the fixtures are shared.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CRASH = "something went wrong"


@dataclass(frozen=True)
class Place:
    """Where a person stands when the odd input arrives."""

    step: str | None = None  # may name the world's ids: {panel}, {meeting}, {poll_one}...
    role: Role | None = Role.MEMBER  # None: a stranger who never joined
    draft: dict[str, Any] = field(default_factory=dict)  # a meeting draft: its step and answers
    # Any other form's draft: its kind, step and answers ("{panel}" and the like become ids).
    form: tuple[str, str, dict[str, Any]] | None = None
    asked: bool = False  # sent the world's questions (polls), so typed answers count


def _meeting(step: str) -> Place:
    return Place(step=f"meeting:{step}", role=Role.COORDINATOR, draft={"step": step})


def _poll_form(step: str) -> Place:
    answers = {"panel_id": "{panel}", "type": "one", "question": "Which day suits you?"}
    return Place(step=f"newpoll:{step}", role=Role.COORDINATOR, form=("poll", step, answers))


def _claim(step: str) -> Place:
    answers = {
        "panel_id": "{panel}",
        "meeting_id": None,
        "lines": [],
        "cur": {"kind": "transport"},
        "edit": None,
        "note": None,
        "note_asked": False,
        "options": [],
    }
    return Place(step=f"claim:{step}", form=("claim", step, answers))


def _news(step: str) -> Place:
    answers = {"panels": ["{panel}"], "meeting": None, "language": None, "translations": {}}
    if step != "text":
        answers |= {"text": "The meeting room has moved.", "important": False}
    return Place(step=f"bcast:{step}", role=Role.COORDINATOR, form=("broadcast", step, answers))


STEPS: dict[str, Place] = {
    "a stranger with no conversation": Place(role=None),
    "a member with no conversation": Place(),
    "a coordinator with no conversation": Place(role=Role.COORDINATOR),
    "joining: name": Place(step="name"),
    "joining: quiet hours": Place(step="quiet"),
    "joining: other access needs": Place(step="access_other"),
    "joining: a button step (reminders)": Place(step="reminders"),
    "settings: name": Place(step="settings:name"),
    "settings: quiet hours": Place(step="settings:quiet"),
    "settings: other access needs": Place(step="settings:access_other"),
    "glossary: which word": Place(step="explain"),
    "meeting: support needs in words": Place(step="mtsup:{meeting}"),
    "meeting: new time": Place(step="mtmove:{meeting}", role=Role.COORDINATOR),
    "meeting: an interpreter's language": Place(step="mtint:{meeting}"),
    "request: a coordinator's answer": Place(step="rqr:{request}", role=Role.COORDINATOR),
    "claim: a question about it": Place(step="claimq:{claim}"),
    **{f"planner: {s}": _meeting(s) for s in ("title", "date", "time", "length", "address")},
    **{f"planner: {s}": _meeting(s) for s in ("map", "online", "agenda", "papers", "preview")},
    **{f"new question: {s}": _poll_form(s) for s in ("question", "options", "kind")},
    "question: typed choice": Place(step="pa:{poll_one}", asked=True),
    "question: typed rating": Place(step="pa:{poll_rating}", asked=True),
    "question: written answer": Place(step="pa:{poll_text}", asked=True),
    "question: written answer, not sent it": Place(step="pa:{poll_text}"),
    "results: what we did": Place(step="pshare:{poll_one}", role=Role.COORDINATOR),
    "feedback: writing anonymously": Place(step="fb:anon:{panel}"),
    "feedback: writing with a reply": Place(step="fb:reply:{panel}"),
    "feedback: a coordinator's reply": Place(step="fbr:{feedback}", role=Role.COORDINATOR),
    "feedback: answering back, not theirs": Place(step="fbb:{feedback}"),
    **{f"claim: {s}": _claim(s) for s in ("amount", "date", "receipts", "note", "reason")},
    "claim: no receipt reason": _claim("noreceipt"),
    "claim: answering a question": Place(step="claimans:{line}"),
    "review: reason": Place(step="review:r:{line}", role=Role.COORDINATOR),
    "review: question": Place(step="review:q:{line}", role=Role.COORDINATOR),
    **{f"news: {s}": _news(s) for s in ("text", "at", "tr:cy", "when")},
}

COMMANDS = [
    "start", "help", "menu", "meetings", "settings", "explain", "language", "mydata",
    "forgetme", "leave", "members", "invite", "newpanel", "newmeeting", "attendance",
    "jargon", "addterm", "removeterm", "checktext", "newpoll", "results", "minanswers",
    "feedback", "helplines", "claim", "expenses", "review", "export", "broadcast", "broadcasts",
]  # fmt: skip
# Every button prefix the bot registers (handlers.chat.button_data), so a new feature is fuzzed too.
FEATURES = sorted(button_data.prefixes())
ODD = [
    "<b>", "</i>", "<a href='javascript:alert(1)'>x</a>", "&amp;", "&", "<", ">", "&lt;b&gt;",
    "*bold* _it_ `code` [link](http://x.y)", "```\npre\n```", "||spoiler||",
    "مرحبا بكم في الاجتماع", "שלום", "اردو میں لکھیں", "\u202eRTL override", "\u200f\u200e",
    "👨‍👩‍👧‍👦", "🏳️‍🌈", "e\u0301\u0301\u0301", "\u0000", "\ufeff", "   ", "\n\n\n", ".",
    "25/12/2026 14:00", "2 hours", "https://example.org/meet", "PIP = a benefit", "0", "-1",
    "99999999999999999999", "/", "//", "/start@panelbot", "{name}", "%s", "{0}",
]  # fmt: skip


def _clip(text: str) -> str:
    """Telegram clients send 1..4096 characters (UTF-16 units); longer text arrives split."""
    text = text.replace("\x00", "")
    while len(text.encode("utf-16-le")) // 2 > 4096:
        text = text[:-1]
    return text if text.strip() else "."  # clients do not send blank messages


texts = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(ODD),
    st.lists(st.sampled_from(ODD), min_size=2, max_size=6).map(" ".join),
    st.sampled_from(["x" * 10_000, "ب" * 10_000, "😀" * 5_000, "<b>" * 3_000]),
).map(_clip)
inputs = st.one_of(
    texts.map(lambda t: ("text", t)),
    st.tuples(st.sampled_from(COMMANDS), texts).map(lambda c: ("text", _clip(f"/{c[0]} {c[1]}"))),
    st.sampled_from([("photo", ""), ("sticker", ""), ("document", "")]),
    st.tuples(
        st.sampled_from(FEATURES),
        st.sampled_from(["0", "1", "2", "x", ""]),
        st.lists(st.text(max_size=12) | st.integers(-5, 10**12).map(str), max_size=4),
    ).map(lambda c: ("tap", ":".join([c[0], c[1], *c[2]]))),
    st.text(max_size=64).map(lambda t: ("tap", t)),
)

_ids = itertools.count(880_000)
ANONYMOUS_STEPS = ("fb:", "fbb:", "pa:", "explain")


@dataclass
class World:
    panel_id: int
    meeting_id: int
    ids: dict[str, int]  # what steps and forms may name: panel, meeting, poll_one, line...


@pytest.fixture
async def world(db: Database, clock: FrozenClock, emulator: BotApiEmulator) -> World:
    from bot.services import (
        claim_submission,
        feedback,
        meeting_changes,
        meeting_rules,
        member_requests,
        poll_asking,
        poll_rules,
    )
    from bot.services.access import Actor

    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(db, clock, new.panel.id, 879_999, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, 879_998, "Bea")
    # An anonymous question needs at least three people to ask (poll_asking.create).
    await add_member(db, clock, new.panel.id, 879_997, "Cai")
    await add_member(db, clock, new.panel.id, 879_996, "Dee")
    emulator.add_user(879_998, "Bea")  # her chat exists, so replies to her message arrive
    priya, now = Actor(879_999, coordinator.id), clock.now()
    ids = {"panel": new.panel.id}
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            priya,
            new.panel.id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=now + timedelta(days=9)),
            now=now,
        )
        ids["meeting"] = meeting.id
        for kind, options in (("one", ("Monday", "Friday")), ("rating", ()), ("text", ())):
            draft = poll_rules.PollDraft(
                panel_id=new.panel.id,
                question="How was the day?",
                kind=kind,
                options=options,
                closes_at=now + timedelta(days=7),
            )
            ids[f"poll_{kind}"] = (await poll_asking.create(session, priya, draft, now=now))[0].id
        await session.commit()
        sent = await feedback.submit(session, 879_998, new.panel.id, "reply", now=now, text="Hi")
        ids["feedback"] = sent.id
        claim = await claim_submission.submit(
            session,
            879_998,
            panel_id=new.panel.id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport", amount=300, spent_on=now.date(), no_receipt_reason="Bus"
                )
            ],
            note=None,
            now=now,
            today=now.date(),
        )
        ids["line"] = claim.claim.lines[0].id
        ids["claim"] = claim.claim.id
        bea = await session.scalar(select(Member.id).where(Member.telegram_id == 879_998))
        assert bea is not None
        await member_requests.ask(
            session, member_id=bea, kind="word", about="quorum", text="Who counts?", now=now
        )
        ids["request"] = await session.scalar(select(func.max(MemberRequest.id)))
        await session.commit()
    return World(new.panel.id, meeting.id, ids)


def _fill(value: Any, ids: dict[str, int]) -> Any:
    """A form's answers with "{panel}" and the like replaced by the world's ids."""
    if isinstance(value, str) and value.startswith("{") and value.strip("{}") in ids:
        return ids[value.strip("{}")]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def _place(db: Database, clock: FrozenClock, world: World, place: Place, user: int) -> None:
    if place.role is None:
        return
    member = await add_member(db, clock, world.panel_id, user, "Sam", role=place.role)
    async with db.session() as session:
        row = await session.scalar(select(Member).where(Member.id == member.id))
        assert row is not None
        step = place.step.format(**world.ids) if place.step else None
        if step and step.startswith(ANONYMOUS_STEPS):
            anonymous.set_step(user, step)  # anonymous flows are kept off the member's row
        else:
            row.conversation_step = step
        if place.asked:
            for kind in ("one", "rating", "text"):
                session.add(PollParticipant(poll_id=world.ids[f"poll_{kind}"], member_id=member.id))
        if place.form:
            kind, step, answers = place.form
            await drafts.save(
                session, member.id, kind, step=step, now=clock.now(), **_fill(answers, world.ids)
            )
        if place.draft:
            starts = clock.now() + timedelta(days=5)
            await drafts.save(
                session,
                member.id,
                "meeting",
                step=place.draft["step"],
                now=clock.now(),
                panel_id=world.panel_id,
                panels=1,
                title="Planning day",
                date=starts.date().isoformat(),
                starts_at=starts.isoformat(),
                duration=90,
                where="both",
                address="Town Hall",
                online_url="https://example.org/meet",
                access=[],
                papers=[],
                paid=False,
            )


async def _send(person: MemberDriver, kind: str, value: str) -> str:
    """Send it; return what the person was told (a reply, or the answer to their tap)."""
    if kind == "tap":
        anchor = person.last_message or (await person.reply())
        answer = await person.tap_data(anchor["message_id"], value, timeout=10)
        return str(answer.get("text") or "")
    if kind == "text":
        await person.send(value)
    elif kind == "photo":
        await person.send_photo()
    elif kind == "sticker":
        await person.send_sticker()
    else:
        await person.send_document()
    return str((await person.reply(timeout=10)).get("text") or "")


@pytest.mark.parametrize("where", list(STEPS))
@FUZZ
@given(odd=inputs)
async def test_odd_input_at_every_step_gets_a_kind_answer_and_nothing_is_rejected(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    world: World,
    where: str,
    odd: tuple[str, str],
) -> None:
    user = next(_ids)
    await _place(db, clock, world, STEPS[where], user)
    person = MemberDriver(emulator, user, "Sam")
    if odd[0] == "tap":  # a message to tap on, as a real client needs one
        await person.send("/help")
        await person.reply()
    calls_before = len(emulator.calls())
    told = await _send(person, *odd)
    rejected = [
        f"{c.method}: {c.description}"
        for c in emulator.calls()[calls_before:]
        if c.outcome == "error" and c.status == 400
    ]
    transcript = person.transcript()
    assert not rejected, f"{where} {odd!r}: the emulator refused {rejected}\n{transcript}"
    assert CRASH not in told and CRASH not in transcript, f"{where} {odd!r}\n{transcript}"


async def test_help_in_a_panel_with_very_many_coordinators_arrives_in_parts(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    """Found by the fuzzer: /help names every coordinator; 150 of them passed 4096 characters."""
    new = await create_panel(db, clock, "Carers Voice")
    for n in range(150):
        await add_member(
            db, clock, new.panel.id, 870_000 + n, f"Coordinator number {n}", role=Role.COORDINATOR
        )
    sam = MemberDriver(emulator, 870_000, "Sam")
    await sam.send("/help")

    def whole_list() -> list[str] | None:
        texts = [m.get("text") or "" for m in emulator.messages(870_000)]
        return texts if any("Coordinator number 149" in t for t in texts) else None

    texts = await emulator.wait_for(whole_list, 5)
    assert texts is not None, sam.transcript()
    assert len(texts) >= 2 and texts[0].startswith("Here is what I can do.")
    assert all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in texts)
    everything = "\n".join(texts)
    assert all(f"is Coordinator number {n}." in everything for n in range(1, 150))
