"""Finance and poll exports: a member id column, totals by id (two people called Sam stay two
rows), and text a person typed never runs as a formula when finance opens the file.

The attacker is a member who calls themselves `=HYPERLINK(...)` or answers a poll with `=1+2`:
each risky cell must come out as text, read with openpyxl and csv as finance would.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Claim, ClaimLine, ClaimStatus, LineStatus, Poll, PollResponse, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from tests.factories import add_member, create_panel
from tests.test_cli_panels import Panelbot, panelbot  # noqa: F401  (the CLI fixture)

PRIYA = 960
# What OWASP lists as the start of a formula (bot.services.spreadsheet has its own copy).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RISKY_NAMES = ('=HYPERLINK("http://x.test","Sam")', "+1+1", "-2+3", "@SUM(1)", "\tTab", "\rCR")


async def _paid_claims(db: Database, clock: FrozenClock) -> tuple[int, dict[str, int]]:
    """Two members called Sam, and one member for each risky name, each paid £8 on 2 January."""
    new = await create_panel(db, clock, "Carers Voice")
    panel_id = new.panel.id
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    people = [("Sam", 961), ("Sam", 962)] + [(n, 970 + i) for i, n in enumerate(RISKY_NAMES)]
    ids: dict[str, int] = {}
    for name, telegram_id in people:
        member = await add_member(db, clock, panel_id, telegram_id, name)
        ids[f"{name}:{telegram_id}"] = member.id
    async with db.session() as session:
        for member_id in ids.values():
            claim = Claim(
                panel_id=panel_id,
                member_id=member_id,
                status=ClaimStatus.PAID,
                submitted_at=clock.now() - timedelta(days=2),
                paid_at=clock.now(),
                payment_method="bank",
            )
            session.add(claim)
            await session.flush()
            session.add(
                ClaimLine(
                    claim_id=claim.id,
                    position=1,
                    kind="transport",
                    amount=800,
                    spent_on=date(2026, 1, 2),
                    status=LineStatus.APPROVED,
                )
            )
    return panel_id, ids


def _check_totals(totals: list[list[object]], ids: dict[str, int], money: object) -> None:
    header, *rows = totals
    assert header[:2] == ["member id", "member"]
    sams = [row for row in rows if row[1] == "Sam"]
    # Two people, two rows, each with their own id and their own £8.
    assert sorted(str(row[0]) for row in sams) == sorted(
        str(ids[key]) for key in ids if key.startswith("Sam:")
    )
    assert all(row[3:6] == [money, money, money] for row in sams)


async def test_csv_totals_by_member_id_and_risky_text_is_quoted(
    db: Database,
    clock: FrozenClock,
    settings: Settings,
    panelbot: Panelbot,  # noqa: F811
    tmp_path: Path,
) -> None:
    panel_id, ids = await _paid_claims(db, clock)
    out = tmp_path / "finance"
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
        "csv",
        "--out",
        str(out),
        PANELBOT_DATA_DIR=str(settings.panelbot_data_dir),
    )
    assert result.returncode == 0, result.stderr
    sheet = out / f"claims-panel{panel_id}-2026-01-01-to-2026-01-31.csv"
    text = sheet.read_bytes().decode("utf-8-sig")  # as bytes: a carriage return stays one
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    assert header[2:4] == ["member id", "member"]
    totals_at = rows.index(["Totals per member"]) + 1
    claim_rows, totals = rows[1 : totals_at - 2], rows[totals_at:]
    _check_totals(totals, ids, "8.00")  # type: ignore[arg-type]
    names = [row[3] for row in claim_rows]
    for risky in RISKY_NAMES:
        assert "'" + risky in names  # one leading quote: a spreadsheet shows it as text
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"a live formula cell: {cell!r}"
    # The terminal's summary names each Sam by id too.
    assert sum("Sam (member " in line for line in result.stdout.splitlines()) == 2


async def test_xlsx_from_the_cli_and_the_bot_keeps_risky_text_as_text(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
    panelbot: Panelbot,  # noqa: F811
    tmp_path: Path,
) -> None:
    panel_id, ids = await _paid_claims(db, clock)
    out = tmp_path / "finance"
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
        str(out),
        PANELBOT_DATA_DIR=str(settings.panelbot_data_dir),
    )
    assert result.returncode == 0, result.stderr
    from_cli = (out / f"claims-panel{panel_id}-2026-01-01-to-2026-01-31.xlsx").read_bytes()

    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/export")
    await priya.reply()
    await priya.tap("This month, XLSX")
    document = await priya.reply()
    from_bot = emulator.file_bytes(document["document"]["file_id"]) or b""

    for content in (from_cli, from_bot):
        book = load_workbook(io.BytesIO(content))
        by_id = {str(row[2].value): row[3] for row in book["Claims"].iter_rows(min_row=2)}
        for number, risky in enumerate(RISKY_NAMES):
            cell = by_id[str(ids[f"{risky}:{970 + number}"])]
            assert cell.data_type == "s", f"{risky!r} is not a text cell"
            # The name itself is unchanged (XML reads a lone carriage return as a new line).
            assert cell.value in (risky, risky.replace("\r", "\n"))
        totals = [list(r) for r in book["Totals per member"].iter_rows(values_only=True)]
        _check_totals(totals, ids, 8)
        # No formula anywhere in the file's sheets.
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


async def test_the_poll_answers_csv_keeps_risky_answers_as_text(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, PRIYA, "Priya", role=Role.COORDINATOR)
    answers = ["=1+2", "-5 stars", "@me", "Fine"]
    async with db.session() as session:
        poll = Poll(
            panel_id=new.panel.id,
            question="Anything else?",
            kind="text",
            anonymous=True,
            closes_at=clock.now() - timedelta(hours=1),
            closed=True,
            created_at=clock.now() - timedelta(days=2),
        )
        session.add(poll)
        await session.flush()
        for number, answer in enumerate(answers):
            session.add(
                PollResponse(
                    id=f"{number:032x}", poll_id=poll.id, text=answer, day=clock.now().date()
                )
            )
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/results")
    await priya.reply()
    await priya.tap("Anything else?")
    await priya.reply()
    await priya.tap("Download the answers")
    sheet = await priya.reply()
    data = (emulator.file_bytes(sheet["document"]["file_id"]) or b"").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == ["Answer"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["'=1+2", "'-5 stars", "'@me", "Fine"])
    async with db.session() as session:
        read = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "read.poll_answers_export")
        )
    assert read is not None and read.details == {"poll": poll.id}
