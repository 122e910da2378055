"""Reading sensitive lists leaves a trace: the roster, attendance, poll answers and every export
(bot and terminal) write who, what and when to the audit log, and never what was read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Member, Poll, PollResponse
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.test_cli_panels import Panelbot, panelbot  # noqa: F401  (the CLI fixture)
from tests.test_meetings import _drain, _setup

en = Translator("en")
SECRETS = ("Rhys", "A quiet seat", "Agnieszka", "Buses are awful", "travel")


async def _reads(db: Database) -> list[AuditEvent]:
    async with db.session() as session:
        events = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.startswith("read.") | AuditEvent.action.startswith("export."))
            .order_by(AuditEvent.id)
        )
        return list(events.all())


async def test_roster_attendance_results_and_exports_are_audited_without_their_content(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
    panelbot: Panelbot,  # noqa: F811
    tmp_path: Path,
) -> None:
    panel_id, meeting_id = await _setup(db, clock)
    async with db.session() as session:
        priya_id = await session.scalar(select(Member.id).where(Member.telegram_id == 801))
        poll = Poll(
            panel_id=panel_id,
            question="How were the buses?",
            kind="text",
            anonymous=True,
            closes_at=clock.now() - timedelta(hours=1),
            closed=True,
            created_at=clock.now() - timedelta(days=1),
        )
        session.add(poll)
        await session.flush()
        for number in range(3):
            session.add(
                PollResponse(
                    id=f"{number:032x}",
                    poll_id=poll.id,
                    text="Buses are awful",
                    day=clock.now().date(),
                )
            )
        poll_id = poll.id
    rhys = MemberDriver(emulator, 803, "Rhys", "cy")
    await _drain(app)
    await rhys.replies(2)
    cy = Translator("cy")
    await rhys.tap(cy("I need support to come"))
    await rhys.reply()
    await rhys.tap(cy("Help with travel"))
    await rhys.tap(cy("Something else"))
    await rhys.reply()
    await rhys.send("A quiet seat")
    await rhys.reply()
    assert await _reads(db) == []

    priya = MemberDriver(emulator, 801, "Priya")
    await _drain(app)
    try:  # her invitation and the support note came first
        while True:
            await priya.reply(timeout=0.5)
    except AssertionError:
        pass
    await priya.send("/members")
    assert "Rhys" in (await priya.reply())["text"]
    await priya.send("/attendance")
    await priya.reply()
    await priya.tap(next(b for b in priya.buttons(priya.last_message or {}) if "Planning" in b))
    await priya.reply()
    await priya.send("/results")
    await priya.reply()
    await priya.tap("How were the buses?")
    await priya.reply()
    await priya.tap("Download the answers")
    await priya.reply()
    await priya.send("/export")
    await priya.reply()
    await priya.tap("This month, CSV")
    await priya.reply()
    result = await panelbot(
        "export",
        "claims",
        "--panel",
        str(panel_id),
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "out"),
        PANELBOT_DATA_DIR=str(settings.panelbot_data_dir),
    )
    assert result.returncode == 0, result.stderr

    reads = await _reads(db)
    assert [(e.action, e.actor_id, e.panel_id) for e in reads] == [
        ("read.roster", priya_id, panel_id),
        ("read.attendance", priya_id, panel_id),
        ("read.poll_results", priya_id, panel_id),
        ("read.poll_answers_export", priya_id, panel_id),
        ("export.claims", priya_id, panel_id),
        ("export.claims", None, panel_id),  # the server's operator, from the terminal
    ]
    assert reads[1].details == {"meeting": meeting_id}
    assert reads[2].details == {"poll": poll_id}
    assert reads[4].details["format"] == "csv" and reads[4].details["by"] == "member"
    assert reads[5].details["format"] == "xlsx" and reads[5].details["by"] == "operator"
    assert all(e.at is not None for e in reads)
    written = repr([(e.action, e.details) for e in reads])
    for secret in SECRETS:
        assert secret not in written
