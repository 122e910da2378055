"""Faults: the bot killed with SIGKILL while sending reminders, half-way through planning a
meeting and half-way through a claim, Telegram answering 429, 5xx and dropped connections in
bursts, and the database briefly out of reach. Nothing is lost, nothing is doubled, people are
told kindly what is happening."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.clock import Clock, FrozenClock
from bot.context import PanelbotApplication
from bot.db import Answer, Claim, ClaimLine, Draft, Meeting, OutboxMessage, OutboxStatus, Role, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import meeting_changes, meeting_rules
from bot.services.access import Actor
from handlers.guards import errors
from tests.factories import add_member, create_panel
from tests.test_crash_safety import _start_bot, processes  # noqa: F401  (a fixture)

COORDINATOR = 9500


async def _panel_with_members(db: Database, clock: Clock, people: list[int]) -> tuple[int, int]:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(
        db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    for user_id in people:
        await add_member(db, clock, new.panel.id, user_id, f"Member {user_id}")
    return new.panel.id, coordinator.id


async def _statuses(db: Database) -> Counter[OutboxStatus]:
    async with db.session() as session:
        return Counter((await session.scalars(select(OutboxMessage.status))).all())


def _duplicates(emulator: BotApiEmulator, user_id: int) -> list[str]:
    texts = [m.get("text") or m.get("caption") or "" for m in emulator.messages(user_id)]
    return [text for text, n in Counter(texts).items() if n > 1]


def _reminders(emulator: BotApiEmulator, user_id: int) -> int:
    return sum(
        1 for m in emulator.messages(user_id) if (m.get("text") or "").startswith("Reminder")
    )


@pytest.mark.slow
async def test_killed_while_sending_reminders_then_restarted_everyone_gets_one_reminder(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    people = list(range(9501, 9531))
    clock = Clock()
    for user_id in [COORDINATOR, *people]:
        emulator.add_user(user_id, f"Member {user_id}")
    _, coordinator_id = await _panel_with_members(db, clock, people)
    async with db.session() as session:
        # Planned five minutes ago for two hours later: invitations and the two-hour reminder
        # are all due now.
        planned = clock.now() - timedelta(minutes=5)
        await meeting_changes.create(
            session,
            Actor(COORDINATOR, coordinator_id),
            1,
            meeting_rules.MeetingDraft(
                title="Planning day", starts_at=planned + timedelta(hours=2, minutes=1)
            ),
            now=planned,
        )

    first = _start_bot(emulator, database_url, tmp_path)
    processes.append(first)
    assert await emulator.wait_for(lambda: sum(_reminders(emulator, p) for p in people) >= 5, 60), (
        tmp_path / "bot.log"
    ).read_text()
    emulator.hold()
    await emulator.wait_held(1, timeout=10)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    emulator.release(drop=True)
    assert sum(_reminders(emulator, p) for p in people) < len(people)

    second = _start_bot(emulator, database_url, tmp_path)
    processes.append(second)
    assert await emulator.wait_for(lambda: all(_reminders(emulator, p) >= 1 for p in people), 90), (
        tmp_path / "bot.log"
    ).read_text()
    for _ in range(100):
        if set(await _statuses(db)) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # time for any stray duplicate to show up

    for user_id in people:
        assert _reminders(emulator, user_id) == 1, emulator.messages(user_id)
        assert _duplicates(emulator, user_id) == [], user_id
    assert set(await _statuses(db)) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}
    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0


@pytest.mark.slow
async def test_killed_half_way_through_planning_a_meeting_the_planner_carries_on(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    await _panel_with_members(db, Clock(), [9601])
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    first = _start_bot(emulator, database_url, tmp_path)
    processes.append(first)
    await priya.send("/newmeeting")
    assert "title" in (await priya.reply(timeout=30))["text"].lower()
    await priya.send("Planning day")
    await priya.reply(timeout=10)  # which day?
    # The answer to "which day" is saved, then the bot dies while its reply is on the way.
    emulator.hold()
    next_year = Clock().now().year + 1
    await priya.send(f"25/12/{next_year}")
    await emulator.wait_held(1, timeout=10)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    emulator.release(drop=True)

    second = _start_bot(emulator, database_url, tmp_path)
    processes.append(second)
    await priya.send("/newmeeting")
    offer = await priya.reply(timeout=30)
    assert "You have a meeting you did not finish." in offer["text"]
    assert "Planning day" in offer["text"]
    await priya.tap("Carry on")
    question = await priya.reply(timeout=10)
    async with db.session() as session:
        drafts = (await session.scalars(select(Draft))).all()
    assert len(drafts) == 1
    # Asked exactly the question the saved draft is at: the typed day was kept, or asked again.
    assert drafts[0].step in ("date", "time")
    assert ("time" if drafts[0].step == "time" else "day") in question["text"].lower()
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 0
    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0


async def test_killed_half_way_through_a_claim_the_item_comes_back_and_is_sent_once(
    emulator: BotApiEmulator,
    db: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    await _panel_with_members(db, Clock(), [9602])
    ola = MemberDriver(emulator, 9602, "Ola")
    first = _start_bot(emulator, database_url, tmp_path)
    processes.append(first)
    await ola.send("/claim")
    await ola.reply(timeout=30)
    await ola.tap("Not for a meeting")
    await ola.reply(timeout=10)
    await ola.tap("Bus, train or tram")
    await ola.reply(timeout=10)
    await ola.send("4.20")
    await ola.reply(timeout=10)
    await ola.tap("Today")
    await ola.reply(timeout=10)
    await ola.tap("I have no receipt")
    await ola.reply(timeout=10)
    # The reason completes the item; the bot dies while "add a note?" is on the way.
    emulator.hold()
    await ola.send("The bus driver gave none")
    await emulator.wait_held(1, timeout=10)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    emulator.release(drop=True)

    second = _start_bot(emulator, database_url, tmp_path)
    processes.append(second)
    await ola.send("/claim")
    back = await ola.reply(timeout=30)
    assert back["text"] == (
        "You have a claim you did not finish. Do you want to carry on with it?"
    ), ola.transcript()
    await ola.tap("Carry on")
    # It carries on where it was: the note question that was on the way when the bot died.
    note = await ola.reply(timeout=10)
    assert note["text"].startswith("Do you want to add a note"), ola.transcript()
    await ola.tap("No note")
    summary = await ola.reply(timeout=10)
    assert "4.20" in summary["text"], ola.transcript()
    await ola.tap("Send claim")
    assert (await ola.reply(timeout=10))["text"].startswith("We got your claim.")
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Claim)) == 1
        assert (await session.scalars(select(ClaimLine.amount))).all() == [420]
    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0


async def test_bursts_of_429_5xx_and_dropped_connections_lose_nothing_and_double_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    people = list(range(9701, 9721))
    for user_id in [COORDINATOR, *people]:
        emulator.add_user(user_id, f"Member {user_id}")
    _, coordinator_id = await _panel_with_members(db, clock, people)
    async with db.session() as session:
        await meeting_changes.create(
            session,
            Actor(COORDINATOR, coordinator_id),
            1,
            meeting_rules.MeetingDraft(
                title="Planning day", starts_at=clock.now() + timedelta(hours=2, minutes=1)
            ),
            now=clock.now(),
        )
    clock.advance(timedelta(minutes=2))  # the invitations and the two-hour reminder are due
    delivery = app.runtime.delivery
    assert delivery is not None
    # First Telegram out of reach: the requests in flight are cut off.
    emulator.hold()
    drain = asyncio.create_task(delivery.drain())
    await emulator.wait_held(1, timeout=10)
    emulator.release(drop=True)
    await drain
    # Then bursts of flood control and server errors.
    emulator.fail_next("sendMessage", 429, count=4, retry_after=1)
    emulator.fail_next("sendDocument", 502, count=3)
    emulator.fail_next("sendMessage", 500, count=3)
    emulator.fail_next("sendMessage", 504, count=2)
    for _ in range(30):
        clock.advance(timedelta(seconds=30))
        await delivery.drain()
        if set(await _statuses(db)) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}:
            break
    async with db.session() as session:
        failed = (
            await session.execute(
                select(OutboxMessage.key, OutboxMessage.attempts, OutboxMessage.last_error).where(
                    OutboxMessage.status == OutboxStatus.FAILED
                )
            )
        ).all()
    assert failed == []
    assert set(await _statuses(db)) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}
    for user_id in people:
        assert _reminders(emulator, user_id) == 1, emulator.messages(user_id)
        assert any("New meeting" in (m.get("text") or "") for m in emulator.messages(user_id))
        assert _duplicates(emulator, user_id) == [], user_id


class _Outage:
    """The database out of reach for a moment: on SQLite another program holds the write lock
    longer than the bot waits for it; on PostgreSQL new connections are refused and the bot's
    are cut (pg_terminate_backend)."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self._lock: sqlite3.Connection | None = None

    async def begin(self) -> None:
        if self.url.get_backend_name() == "sqlite":
            self._lock = sqlite3.connect(str(self.url.database), isolation_level=None)
            self._lock.execute("BEGIN IMMEDIATE")
            return
        await self._admin(
            f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS false',
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self.url.database}' AND pid <> pg_backend_pid()",
        )

    async def end(self) -> None:
        if self._lock is not None:
            self._lock.execute("ROLLBACK")
            self._lock.close()
            self._lock = None
            return
        await self._admin(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true')

    async def _admin(self, *statements: str) -> None:
        dsn = self.url.set(drivername="postgresql", database="postgres")
        admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            for statement in statements:
                await admin.execute(statement)
        finally:
            await admin.close()


async def test_when_the_database_is_briefly_out_of_reach_the_answer_is_kept_and_saved_later(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(errors, "DATABASE_RETRY_SECONDS", (0.5, 1.0, 2.0, 4.0))
    panel_id, coordinator_id = await _panel_with_members(db, clock, [9801])
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(COORDINATOR, coordinator_id),
            panel_id,
            meeting_rules.MeetingDraft(
                title="Planning day", starts_at=clock.now() + timedelta(days=3)
            ),
            now=clock.now(),
        )
    emulator.add_user(9801, "Ann", language_code="en")
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    ann = MemberDriver(emulator, 9801, "Ann")  # the invitation is already in the chat
    invitation = next(m for m in emulator.messages(9801) if "New meeting" in (m.get("text") or ""))

    outage = _Outage(database_url)
    await outage.begin()
    try:
        emulator.user_taps(9801, invitation["message_id"], f"mt:1:rsvp:{meeting.id}:coming")
        sorry = await ann.reply(timeout=20)
        assert sorry["text"] == "Sorry, I cannot get to my records just now. I will try again soon."
    finally:
        await outage.end()

    def answered() -> bool:  # the invitation itself shows the answer, edited in place
        shown = emulator.message(9801, invitation["message_id"]) or {}
        return "Your answer: Coming" in (shown.get("text") or "")

    assert await emulator.wait_for(answered, 20)
    async with db.session() as session:
        answers = (
            await session.scalars(select(Rsvp.answer).where(Rsvp.meeting_id == meeting.id))
        ).all()
    assert Answer("coming") in answers
    await ann.no_reply(within=2.5)  # handled once: no second go at the same tap
    for _ in range(50):  # the kept update is forgotten once it has been handled
        if not app.bot_data.get("database_retries"):
            break
        await asyncio.sleep(0.05)
    assert not app.bot_data.get("database_retries")
    # And the bot is well again: the next thing works straight away.
    await ann.send("/meetings")
    assert "1 meeting coming up" in (await ann.reply())["text"]
