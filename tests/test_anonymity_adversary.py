"""Issue 18's adversary: whoever holds the database, its files, its log and its backups.

Twelve members answer an anonymous question, send anonymous messages (with and without a way
back), answer back, and ask about words the glossary does not know, in a known order mixed with
other things (a new name in /settings, "Coming" to a meeting), through the real bot on the
emulator. The test then acts as the database administrator: after every action it copies the
database (SQLite: the `.sqlite3` and `-wal` files, the WAL replayed commit by commit; PostgreSQL:
every row with its `xmin`, and the order of transactions from the WAL with pg_walinspect), keeps
two backups taken between answers, reads the free pages and the log. For every piece of
anonymous content, the set of members it could belong to must have at least k (3) members.

Proof that it can fail: on the code before issue 18 (`git stash` the changes under bot/,
handlers/, migrations/ and locales/, keep tests/) both tests fail, every poll answer and every
message linked to its author (README, "Anonymous feedback: what we promise").
"""

from __future__ import annotations

import itertools
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import meeting_changes, meeting_rules, poll_asking, poll_rules
from bot.services.access import Actor
from tests.anonymity_adversary import (
    Commit,
    Facts,
    SqliteAdversary,
    diff,
    linked,
    postgres_commits,
    postgres_facts,
    postgres_wal_read,
)
from tests.factories import add_member, create_panel

K = 3
COORDINATOR = 8100
PEOPLE = list(range(8101, 8113))  # twelve members


class Adversary:
    """Watches the database after every action, on whichever engine the test runs."""

    def __init__(self, db: Database, work: Path) -> None:
        self.db = db
        self.postgres = db.is_postgres
        self.snapshots: list[dict[tuple[str, str], tuple[int, Any]]] = []
        self.sqlite: SqliteAdversary | None = None
        self.start_lsn = ""  # PostgreSQL: where the next read of the WAL starts
        self.order: list[int] = []  # PostgreSQL: transactions in WAL order
        self._slot: AsyncConnection | None = None
        if not self.postgres:
            database = make_url(str(db.engine.url)).database
            assert database is not None
            self.sqlite = SqliteAdversary(Path(database), work)

    async def begin(self) -> None:
        if self.postgres:
            # A temporary replication slot, as a WAL archiver would hold: the server keeps every
            # WAL segment from now on, until this connection closes.
            self._slot = await self.db.engine.connect()
            await self._slot.execute(
                text("SELECT pg_create_physical_replication_slot(:name, true, true)"),
                {"name": f"adversary_{secrets.token_hex(4)}"},
            )
            async with self.db.engine.connect() as connection:
                await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_walinspect"))
                await connection.commit()
                self.start_lsn = str(
                    await connection.scalar(text("SELECT pg_current_wal_flush_lsn()::text"))
                )
        await self.watch()

    async def watch(self) -> None:
        if self.sqlite is not None:
            self.sqlite.watch()
            return
        async with self.db.engine.connect() as connection:
            self.snapshots.append(await postgres_facts(connection))
            xids, self.start_lsn = await postgres_wal_read(connection, self.start_lsn)
            self.order += [x for x in xids if x not in self.order]

    def backup(self) -> Facts:
        """A backup taken now: the database's rows as they are."""
        if self.sqlite is not None:
            return self.sqlite.states[-1]
        return {key: values for key, (_xmin, values) in self.snapshots[-1].items()}

    async def end(self) -> None:
        if self._slot is not None:
            await self._slot.close()

    async def commits(self) -> list[Commit]:
        if self.sqlite is not None:
            return self.sqlite.commits()
        return postgres_commits(self.snapshots, self.order)


async def _world(db: Database, clock: FrozenClock) -> tuple[int, dict[int, int]]:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(
        db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    for number, telegram_id in enumerate(PEOPLE):
        await add_member(db, clock, new.panel.id, telegram_id, f"Person {number}")
    actor = Actor(COORDINATOR, coordinator.id)
    async with db.session() as session:
        await meeting_changes.create(
            session,
            actor,
            new.panel.id,
            meeting_rules.MeetingDraft(
                title="Planning day", starts_at=clock.now() + timedelta(days=9)
            ),
            now=clock.now(),
        )
        await poll_asking.create(
            session,
            actor,
            poll_rules.PollDraft(
                panel_id=new.panel.id,
                question="What should change?",
                kind="text",
                anonymous=True,
                closes_at=clock.now() + timedelta(days=3),
            ),
            now=clock.now(),
        )
        ids = dict((await session.execute(select(Member.telegram_id, Member.id))).all())
    return new.panel.id, ids


async def _answer(driver: MemberDriver, words: str) -> None:
    await driver.tap("Write my answer")
    await driver.reply()
    await driver.send(words)
    await driver.reply()


async def _feedback(driver: MemberDriver, mode: str, words: str) -> None:
    await driver.send("/feedback")
    await driver.reply()
    await driver.tap(mode)
    await driver.reply()
    await driver.send(words)
    await driver.reply()


async def _rename(driver: MemberDriver, name: str) -> None:
    await driver.send("/settings")
    await driver.reply()
    await driver.tap("Change my name")
    await driver.reply()
    await driver.send(name)
    await driver.reply()


async def _explain_from_menu(driver: MemberDriver, word: str) -> None:
    await driver.send("Explain a word")
    await driver.reply()
    await driver.send(word)
    await driver.reply()


def _answered(emulator: BotApiEmulator, telegram_id: int) -> Callable[[], bool]:
    """Whether the invitation tapped shows the answer (it is edited in place)."""
    return lambda: any(
        "Your answer: Coming" in (m.get("text") or "") for m in emulator.messages(telegram_id)
    )


async def _tick(app: PanelbotApplication) -> None:
    """The periodic job: the anonymous writer (where there is one), then the outbox."""
    writer = getattr(app.runtime, "flush_anonymous", None)
    if writer is not None:
        await writer()
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


@pytest.mark.slow
async def test_the_database_admin_cannot_tie_anonymous_content_to_fewer_than_k_members(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # what a production deployment logs
    _, ids = await _world(db, clock)
    adversary = Adversary(db, tmp_path / "adversary")
    await adversary.begin()
    try:
        await _script(app, emulator, db, clock, ids, adversary, caplog)
    finally:
        await adversary.end()


async def _script(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    ids: dict[int, int],
    adversary: Adversary,
    caplog: pytest.LogCaptureFixture,
) -> None:
    people = {tid: MemberDriver(emulator, tid, f"Person {n}") for n, tid in enumerate(PEOPLE)}
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await _tick(app)
    for driver in people.values():
        await driver.replies(3)  # the meeting, its calendar file and the question
    await adversary.watch()

    author: dict[str, int] = {}  # every piece of anonymous content -> the member who wrote it
    backups: list[Facts] = []

    async def act(telegram_id: int, words: str | None, action: Any) -> None:
        if words is not None:
            author[words] = ids[telegram_id]
        await action
        await adversary.watch()

    for i, telegram_id in enumerate(PEOPLE):
        driver = people[telegram_id]
        words = f"poll answer {i} from someone"
        await act(telegram_id, words, _answer(driver, words))
        if i % 3 == 0:
            words = f"anonymous note {i}, no reply"
            await act(telegram_id, words, _feedback(driver, "Anonymous. No reply needed", words))
        if i % 3 == 1:
            other = PEOPLE[(i + 5) % 12]
            words = f"anonymous note {i}, reply please"
            await act(other, words, _feedback(people[other], "Anonymous. I'd like a reply", words))
        if i % 4 == 2:
            other = PEOPLE[(i + 3) % 12]
            await act(other, None, _rename(people[other], f"New name {i}"))
        if i % 4 == 3:
            other = PEOPLE[(i + 7) % 12]
            await act(other, None, people[other].tap("Coming"))
            assert await emulator.wait_for(_answered(emulator, other), 5)  # on the card
        if i % 4 == 1:  # "Explain a word" from the menu, then the word typed
            other = PEOPLE[(i + 1) % 12]
            word = f"zorbleflux{i}"
            await act(other, word, _explain_from_menu(people[other], word))
        if i % 4 == 3:
            other = PEOPLE[(i + 1) % 12]
            word = f"zorbleflux{i}"
            await act(other, word, people[other].send(f"/explain {word}"))
            await people[other].reply()
        if i in (4, 8):
            backups.append(adversary.backup())
        if i % 4 == 3:
            await _tick(app)
            await adversary.watch()

    # A coordinator answers a message that asked for a reply; its writer answers back.
    await _tick(app)
    await adversary.watch()
    await priya.replies(len(emulator.messages(COORDINATOR)))  # the notices so far
    notices = [m for m in emulator.messages(COORDINATOR) if "Reply" in priya.buttons(m)]
    assert notices, "no anonymous message with a way back reached the coordinator"
    button = notices[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await priya.tap_data(notices[0]["message_id"], button)
    await priya.reply()
    await priya.send("Thank you. What would help most?")
    await priya.reply()
    await adversary.watch()
    writer = next(
        (
            tid
            for tid in PEOPLE
            if any("A coordinator replied" in (m.get("text") or "") for m in emulator.messages(tid))
        ),
        None,
    )
    assert writer is not None, priya.transcript()
    await people[writer].reply()
    await people[writer].tap("Answer back")
    await people[writer].reply()
    await act(writer, "answer back: a ramp", people[writer].send("answer back: a ramp"))
    await people[writer].reply()
    others = [t for t in PEOPLE if t != writer][:2]
    for n, other in enumerate(others):
        words = f"late note {n}"
        await act(other, words, _feedback(people[other], "Anonymous. No reply needed", words))
    await _tick(app)
    await adversary.watch()
    backups.append(adversary.backup())

    # The question closes; whatever still waits is written.
    clock.advance(timedelta(days=4))
    await _tick(app)
    await adversary.watch()
    await _tick(app)
    await adversary.watch()

    # Everything was stored in the end (nothing lost on the way) ...
    final = adversary.backup()
    stored = {str(dict(v).get(c)) for (t, _), v in final.items() for c in ("text", "word")}
    assert set(author) <= stored, set(author) - stored
    # ... and nothing can be tied to fewer than k members.
    backup_diffs = [diff(a, b) for a, b in itertools.pairwise(backups)]
    links = linked(await adversary.commits(), author, K, backup_diffs)
    assert not links, "\n".join(links)

    # The log a production deployment keeps (INFO and above) holds none of it.
    for content in author:
        assert content not in caplog.text

    if adversary.sqlite is not None:
        await _free_pages_hold_no_old_copies(db, adversary.sqlite, author)


async def _free_pages_hold_no_old_copies(
    db: Database, adversary: SqliteAdversary, author: dict[str, int]
) -> None:
    """Deleted rows and freed pages are zeroed (secure_delete), and the WAL is emptied after
    anonymous writes: the raw files hold each answer once, where the table has it."""
    async with db.engine.connect() as connection:
        assert await connection.scalar(text("PRAGMA secure_delete")) == 1
    copy = adversary.copy()
    raw = copy.read_bytes()
    wal = copy.with_name(copy.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    for content in author:
        if not content.startswith("zorbleflux"):
            assert raw.count(content.encode()) <= 1, content


async def test_a_database_error_logs_no_values(db: Database) -> None:
    """A failed statement's message (which goes to the log) shows the statement, never the
    values in it: they may be someone's anonymous words."""
    words = "my secret anonymous words"
    with pytest.raises(Exception) as failure:
        async with db.engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO no_such_table (words) VALUES (:words)"), {"words": words}
            )
    assert "no_such_table" in str(failure.value)
    assert words not in str(failure.value)
