"""The authorization table (tests/authorization_table.py) tried along the other ways in: typed or
tapped in a group chat, arriving as an edit of an earlier message, inline mode, and an invite
revoked or expired after it was opened. Each is tried by the victim panel's OWN coordinator (or
a newcomer with a real link), who would be allowed in a private chat: only the way in refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Membership
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import glossary, panels
from handlers.joining.onboarding import INVITE_PROBLEMS
from tests.authorization_table import (
    ACTIONS_FOR_EVERYONE,
    BUTTONS_FOR_EVERYONE,
    COMMANDS_FOR_EVERYONE,
    MATRIX,
)
from tests.factories import ROOT, create_panel
from tests.test_authorization_matrix import COORDINATOR_A, _snapshot, _world

GROUP = -1009876543210
PRIVATE_PLEASE = "Please write to me in a private chat"
EDITED = "I do not read changes to a message"


def _everything(ids: dict[str, int]) -> tuple[list[str], list[str]]:
    """(commands, button data): every MATRIX row, every command anyone may use and a button of
    every feature anyone may tap, with the victim panel's ids filled in."""
    commands = [a.render(**ids) for a in MATRIX if a.via == "command"]
    commands += [f"/{name}" for name in COMMANDS_FOR_EVERYONE]
    buttons = [a.render(**ids) for a in MATRIX if a.via == "button"]
    buttons += [f"{feature}:1:x" for feature in BUTTONS_FOR_EVERYONE]
    buttons += [
        f"{f}:1:{action}" for f, actions in ACTIONS_FOR_EVERYONE.items() for action in actions
    ]
    return commands, buttons


async def test_in_a_group_chat_every_action_only_points_to_the_private_chat(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ids = await _world(db, clock)
    emulator.add_group(GROUP, "Carers Voice chat")
    MemberDriver(emulator, COORDINATOR_A, "Priya")
    commands, buttons = _everything(ids)
    before = await _snapshot(db)
    problems = []
    for n, text in enumerate(commands, start=1):
        emulator.user_sends_text(COORDINATOR_A, text, group_id=GROUP)
        await emulator.wait_for(lambda n=n: len(emulator.messages(GROUP)) >= n, 5.0)
        said = emulator.messages(GROUP)
        if len(said) != n or PRIVATE_PLEASE not in said[-1]["text"]:
            problems.append(f"{text!r} in a group: {[m['text'] for m in said[n - 1 :]]}")
    anchor = emulator.messages(GROUP)[0]["message_id"]
    for data in buttons:
        query = emulator.user_taps(COORDINATOR_A, anchor, data, group_id=GROUP)
        answer = await emulator.wait_for(lambda q=query: emulator.answer_for(q), 5.0)
        if not answer or PRIVATE_PLEASE not in str(answer.get("text")):
            problems.append(f"button {data!r} in a group: {answer}")
    assert not problems, "\n".join(problems)
    assert len(emulator.messages(GROUP)) == len(commands)
    assert emulator.messages(COORDINATOR_A) == []  # nothing went to her private chat either
    assert await _snapshot(db) == before


async def test_a_command_arriving_as_an_edit_does_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ids = await _world(db, clock)
    priya = MemberDriver(emulator, COORDINATOR_A, "Priya")
    sent = await priya.send("hello")
    await priya.reply()
    commands, _ = _everything(ids)
    before = await _snapshot(db)
    problems = []
    for text in commands:
        emulator.user_edits_text(COORDINATOR_A, sent["message_id"], text)
        answer = (await priya.reply())["text"]
        if EDITED not in answer:
            problems.append(f"{text!r} as an edit: {answer!r}")
    await priya.no_reply(within=0.3)
    assert not problems, "\n".join(problems)
    assert await _snapshot(db) == before


@pytest.mark.parametrize("query", ["Bea", "members", "claim", "Carers Voice", "PIP"])
async def test_inline_queries_get_glossary_words_only(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    query: str,
) -> None:
    await _world(db, clock)
    MemberDriver(emulator, COORDINATOR_A, "Priya")
    before = await _snapshot(db)
    query_id = emulator.user_sends_inline_query(COORDINATOR_A, query)
    await emulator.wait_for(lambda: emulator.inline_results(query_id) is not None, 5.0)
    results = emulator.inline_results(query_id)
    assert results is not None
    known = glossary.load().entries
    for result in results:
        assert result["id"] in known, result
        shown = str(result)
        for private in ("Bea", "Carers Voice", "The room was too cold", "4.20"):
            assert private not in shown
    assert await _snapshot(db) == before


# ---------------------------------------------------------------- invites changed after opening

NEWCOMER = 7400
STEPS = (  # (what the newcomer does, how the bot is expected to have answered before)
    ("tap", "English"),
    ("tap", "Next"),
    ("tap", "Yes, that is OK"),
    ("type", "Noor"),
    ("tap", "No, thank you"),
    ("tap", "All reminders"),
    ("tap", "No, any time is fine"),
    ("tap", "Done"),
    ("tap", "Not sure: please talk to me"),
)
# Where the invite changes: before a tap, before a typed answer, before the last answer, and
# before /start brings the newcomer back to their question.
WHEN = {"a tapped answer": 1, "a typed answer": 3, "the last answer": 8, "/start again": 5}


async def _revoke(db: Database, clock: FrozenClock, code: str) -> None:
    async with db.session() as session:
        await panels.revoke_invite(session, ROOT, code, now=clock.now())


async def _expire(db: Database, clock: FrozenClock, code: str) -> None:
    clock.advance(timedelta(days=31))  # member invites here last 30 days, coordinator links 2


CHANGES: dict[str, Callable[[Database, FrozenClock, str], Awaitable[None]]] = {
    "revoked": _revoke,
    "expired": _expire,
}


@pytest.mark.parametrize("when", list(WHEN))
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("role", ["member", "coordinator"])
async def test_an_invite_changed_after_opening_joins_nobody(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    role: str,
    change: str,
    when: str,
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    if role == "member":
        async with db.session() as session:
            invite = await panels.create_invite(
                session,
                ROOT,
                new.panel.id,
                now=clock.now(),
                expires_at=clock.now() + timedelta(days=30),
            )
            await session.commit()
            code = invite.code
    else:
        code = new.coordinator_invite.code
    noor = MemberDriver(emulator, NEWCOMER, "Noor")
    await noor.send(f"/start {code}")
    await noor.reply()
    stop = WHEN[when]
    for how, what in STEPS[:stop]:
        await (noor.tap(what) if how == "tap" else noor.send(what))
        await noor.reply()
    await CHANGES[change](db, clock, code)
    if when == "/start again":
        await noor.send("/start")
    else:
        how, what = STEPS[stop]
        await (noor.tap(what) if how == "tap" else noor.send(what))
    answer = (await noor.reply())["text"]
    assert any(str(problem) in answer for problem in INVITE_PROBLEMS.values()), answer
    async with db.session() as session:
        assert (await session.scalars(select(Membership))).all() == []
