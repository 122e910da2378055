"""Every coordinator and admin action, tried by people who may not do it: refused kindly, nothing
changed, each attempt in the audit log. The rows live in tests/authorization_table.py."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import cli
from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, MemberRequest, Role
from bot.db.base import Base
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import (
    broadcast_audience,
    broadcasts,
    claim_submission,
    feedback,
    meeting_changes,
    meeting_rules,
    member_requests,
    poll_asking,
    poll_rules,
)
from bot.services.access import Actor
from handlers.guards import errors
from handlers.meetings import buttons as meeting_handlers
from handlers.people import member_removal
from tests.authorization_table import (
    ACTIONS_FOR_EVERYONE,
    BUTTONS_FOR_EVERYONE,
    COMMANDS_FOR_EVERYONE,
    KIND_REFUSALS,
    MATRIX,
    OPERATOR_ONLY,
    Attempt,
    matrix_buttons,
    matrix_commands,
)
from tests.factories import add_member, create_panel

COORDINATOR_A, MEMBER_A, COORDINATOR_B, STRANGER = 7100, 7101, 7200, 7300
BEA = 7102  # another member of the victim panel: her question, message and claim are the targets
ATTACKERS = {
    "a member of the panel": MEMBER_A,
    "a coordinator of another panel": COORDINATOR_B,
    "a stranger who never joined": STRANGER,
}
ADMIN_ONLY = {"newpanel"}


async def _world(db: Database, clock: FrozenClock) -> dict[str, int]:
    """The victim panel with a meeting, and Bea's question, anonymous message and claim. The
    question goes out before Agnieszka joins, so it is not hers to answer."""
    victim = await create_panel(db, clock, "Carers Voice")
    other = await create_panel(db, clock, "Youth Panel")
    panel_id = victim.panel.id
    coordinator = await add_member(
        db, clock, panel_id, COORDINATOR_A, "Priya", role=Role.COORDINATOR
    )
    bea = await add_member(db, clock, panel_id, BEA, "Bea")
    # An anonymous question needs at least three people to ask (poll_asking.create).
    await add_member(db, clock, panel_id, 70_001, "Cai")
    await add_member(db, clock, panel_id, 70_002, "Dee")
    priya = Actor(COORDINATOR_A, coordinator.id)
    now = clock.now()
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            priya,
            panel_id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=now + timedelta(days=7)),
            now=now,
        )
        poll, _ = await poll_asking.create(
            session,
            priya,
            poll_rules.PollDraft(
                panel_id=panel_id,
                question="Which day suits you?",
                kind="one",
                options=("Monday", "Friday"),
                closes_at=now + timedelta(days=7),
            ),
            now=now,
        )
        await session.commit()
        message = await feedback.submit(
            session, BEA, panel_id, "reply", now=now, text="The room was too cold."
        )
        sent = await claim_submission.submit(
            session,
            BEA,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport", amount=420, spent_on=now.date(), no_receipt_reason="Bus"
                )
            ],
            note=None,
            now=now,
            today=now.date(),
        )
        await session.commit()
        news = await broadcasts.create(
            session,
            priya,
            audience=broadcast_audience.Audience(panel_ids=(panel_id,)),
            text="The meeting room has moved.",
            translations={},
            media_kind=None,
            media_file_id=None,
            important=False,
            send_at=now + timedelta(days=2),
            now=now,
            report_chat_id=COORDINATOR_A,
            report_message_id=None,
        )
        await session.commit()
        question = await member_requests.ask(
            session,
            member_id=bea.id,
            kind=member_requests.CLAIM,
            about=str(sent.claim.id),
            text="When will I be paid?",
            now=now,
        )
        assert question == 1
        request = await session.scalar(select(MemberRequest.id))
        await session.commit()
        ids = {
            "panel": panel_id,
            "meeting": meeting.id,
            "poll": poll.id,
            "feedback": message.id,
            "claim": sent.claim.id,
            "line": sent.claim.lines[0].id,
            "broadcast": news.id,
            "bea": bea.id,
            "request": request,
        }
    await add_member(db, clock, panel_id, MEMBER_A, "Agnieszka")
    await add_member(db, clock, other.panel.id, COORDINATOR_B, "Owen", role=Role.COORDINATOR)
    return ids


async def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log, in a stable order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    async with db.session() as session:
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            if table.name == "audit_log":
                continue
            rows = (await session.execute(select(table))).all()
            dump[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return dump


async def _refusals(db: Database, telegram_id: int) -> int:
    async with db.session() as session:
        events = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "refused"))
        ).all()
    return sum(1 for e in events if (e.details or {}).get("telegram_id") == telegram_id)


async def _refusal_text(person: MemberDriver, attempt: Attempt, data: str, anchor: int) -> str:
    if attempt.via == "command":
        return str((await person.reply())["text"])
    answer = await person.tap_data(anchor, data)
    if answer.get("text"):
        return str(answer["text"])
    return str((await person.reply())["text"])


def _tried_by(attempt: Attempt, who: str) -> bool:
    """A coordinator's commands, and buttons naming nothing of the victim panel's, act on their
    own panel or draft, so another panel's coordinator tries only admin commands and buttons
    carrying the victim panel's ids. Members and strangers try everything."""
    if ATTACKERS[who] != COORDINATOR_B:
        return True
    if attempt.via == "command":
        return attempt.text.split()[0].lstrip("/") in ADMIN_ONLY
    return "{" in attempt.text


@pytest.mark.parametrize("who", list(ATTACKERS))
async def test_every_coordinator_action_is_refused_kindly_changes_nothing_and_is_audited(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    who: str,
) -> None:
    ids = await _world(db, clock)
    person = MemberDriver(emulator, ATTACKERS[who], "Mallory")
    await person.send("/help")
    anchor = (await person.reply())["message_id"]
    problems = []
    for attempt in MATRIX:
        if not _tried_by(attempt, who):
            continue
        before = await _snapshot(db)
        audited = await _refusals(db, person.user_id)
        text = attempt.render(**ids)
        if attempt.via == "command":
            await person.send(text)
        answer = await _refusal_text(person, attempt, text, anchor)
        if not any(kind in answer for kind in KIND_REFUSALS):
            problems.append(f"{attempt.action} ({text}): not a kind refusal: {answer!r}")
        for _ in range(50):  # the refusal is audited when the update ends, just after the reply
            if await _refusals(db, person.user_id) > audited:
                break
            await asyncio.sleep(0.05)
        else:
            problems.append(f"{attempt.action} ({text}): not in the audit log")
        after = await _snapshot(db)
        changed = [name for name in before if before[name] != after[name]]
        if changed:
            problems.append(f"{attempt.action} ({text}): changed {changed}")
    assert not problems, "\n".join(problems) + "\n--- transcript ---\n" + person.transcript()


async def test_the_panel_s_own_coordinator_is_not_refused(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    """The control: the same table's actions work for the person they belong to."""
    meeting_id = (await _world(db, clock))["meeting"]
    priya = MemberDriver(emulator, COORDINATOR_A, "Priya")
    await priya.send("/members")
    assert "Members of Carers Voice" in (await priya.reply())["text"]
    await priya.send("/invite")
    assert "Here is a new invite link for" in (await priya.reply())["text"]
    await priya.send("/attendance")
    listing = await priya.reply()
    answer = await priya.tap_data(listing["message_id"], f"mt:1:att:{meeting_id}")
    assert not answer.get("text")
    assert "Planning day" in (await priya.reply())["text"]
    await priya.send("/results")
    assert "Which question?" in (await priya.reply())["text"]
    await priya.send("/helplines")
    assert "Members see this after they send feedback" in (await priya.reply())["text"]
    await priya.send("/review")
    assert "Claim" in (await priya.reply())["text"]
    assert await _refusals(db, COORDINATOR_A) == 0


def _prefix(pattern: str) -> str:
    """The feature of a callback pattern like ^nm: or ^start:1:(language|help)$."""
    match = re.match(r"\^?([A-Za-z0-9_]+)", pattern)
    assert match, f"cannot read a feature from the callback pattern {pattern!r}"
    return match.group(1)


def _registry(app: PanelbotApplication) -> tuple[set[str], set[str]]:
    """The commands and button features the running bot answers: its registered handlers are
    the registry, so a feature cannot add one without this test seeing it."""
    commands: set[str] = set()
    prefixes: set[str] = set()
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
            elif isinstance(handler, CallbackQueryHandler):
                if handler.pattern is None:
                    # Only the kind "this button no longer works" may take every button.
                    assert handler.callback is errors.stale_button, handler.callback
                    continue
                pattern = getattr(handler.pattern, "pattern", handler.pattern)
                prefixes.add(_prefix(str(pattern)))
    return commands, prefixes


def test_no_command_or_button_is_missing_from_the_table(app: PanelbotApplication) -> None:
    commands, prefixes = _registry(app)
    in_table = matrix_buttons()
    assert commands - matrix_commands() - set(COMMANDS_FOR_EVERYONE) == set(), (
        "add these commands to tests/authorization_table.py (MATRIX or COMMANDS_FOR_EVERYONE)"
    )
    assert prefixes - set(in_table) - set(BUTTONS_FOR_EVERYONE) == set(), (
        "add these buttons to tests/authorization_table.py (MATRIX or BUTTONS_FOR_EVERYONE)"
    )
    # And no row for something the bot no longer answers: it would test nothing.
    assert (matrix_commands() | set(COMMANDS_FOR_EVERYONE)) - commands == set()
    assert (set(in_table) | set(BUTTONS_FOR_EVERYONE)) - prefixes == set()
    # Mixed features: each sub-action is either tried in the matrix or listed as everyone's.
    for feature, everyone in ACTIONS_FOR_EVERYONE.items():
        assert everyone.isdisjoint(in_table.get(feature, set())), feature
    mt_actions = {kind.ACTION for kind in meeting_handlers._ACTIONS}
    assert mt_actions - in_table["mt"] - ACTIONS_FOR_EVERYONE["mt"] == set()
    assert {kind.ACTION for kind in meeting_handlers._COORDINATOR} - in_table["mt"] == set()
    assert set(member_removal.ACTIONS) == in_table["rm"] | ACTIONS_FOR_EVERYONE["rm"]


def test_every_terminal_action_is_a_conscious_choice() -> None:
    """`panelbot ...` actions run with the operator's full rights; each is listed, so a new one
    that should have a way in the bot too is noticed."""
    assert set(cli.ACTIONS) == set(OPERATOR_ONLY)
