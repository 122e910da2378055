"""Finance export of claims: one row per claim line, totals per member, and a zip of receipts.

CSV with the standard library; XLSX with openpyxl (well kept, writes real spreadsheets rather
than hand-made XML). Amounts are Decimals made from integer pence, never floats.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot.db import Claim, ClaimLine, ClaimStatus, LineStatus, Meeting, Member
from bot.services import audit
from bot.services.access import Actor, require_coordinator
from bot.services.money import minor_to_decimal
from bot.services.receipts import extension_of
from bot.services.spreadsheet import append_row, csv_bytes
from bot.services.vocabularies import expense_kinds

HEADER = (
    "claim",
    "item",
    "member id",
    "member",
    "meeting",
    "kind",
    "quantity",
    "amount",
    "currency",
    "status",
    "spent on",
    "submitted at",
    "reviewed at",
    "reviewer",
    "paid at",
    "payment method",
    "payment preference",
    "receipts",
)
TOTALS_HEADER = ("member id", "member", "currency", "claimed", "approved", "paid")
# Shown for a member who used /forgetme; their kept claims carry a pseudonym instead of an id.
FORGOTTEN = "(forgotten)"


@dataclass(frozen=True)
class Export:
    rows: list[tuple[object, ...]]
    totals: list[tuple[object, ...]]
    receipts: list[tuple[str, str]]  # (name in the zip, path under the data dir)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


async def collect(
    session: AsyncSession,
    actor: Actor,
    panel_id: int,
    start: date,
    end: date,
    *,
    now: datetime,
    fmt: str,
) -> Export:
    """Lines spent from `start` to `end` (both included) in the panel; withdrawn claims left out.

    Every export is in the audit log: who, which panel and dates, what format, how many lines."""
    await require_coordinator(session, actor, panel_id)
    reviewer, payer = aliased(Member), aliased(Member)
    result = await session.execute(
        select(
            ClaimLine,
            Claim,
            Member.display_name,
            Meeting.title,
            reviewer.display_name,
            payer.display_name,
        )
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .outerjoin(Member, Member.id == Claim.member_id)
        .outerjoin(Meeting, Meeting.id == Claim.meeting_id)
        .outerjoin(reviewer, reviewer.id == ClaimLine.reviewed_by)
        .outerjoin(payer, payer.id == Claim.paid_by)
        .where(
            Claim.panel_id == panel_id,
            Claim.status != ClaimStatus.WITHDRAWN,
            ClaimLine.spent_on >= start,
            ClaimLine.spent_on <= end,
        )
        .options(selectinload(ClaimLine.receipts))
        .order_by(Claim.id, ClaimLine.position)
    )
    rows: list[tuple[object, ...]] = []
    receipts: list[tuple[str, str]] = []
    # Totals by the member's id, never their name: two people called Sam stay two rows.
    sums: dict[tuple[str, str], list[int]] = {}
    names: dict[str, str] = {}
    for line, claim, name, title, reviewer_name, _payer in result.all():
        reference = member_reference(claim)
        names[reference] = shown_name(claim, name)
        paid = claim.status == ClaimStatus.PAID and line.status == LineStatus.APPROVED
        status = "paid" if paid else line.status.value
        rows.append(
            (
                claim.id,
                line.position,
                reference,
                names[reference],
                title or "",
                expense_kinds.export_name_of(line.kind),
                line.quantity or "",
                minor_to_decimal(line.amount, claim.currency),
                claim.currency,
                status,
                line.spent_on.isoformat(),
                _when(claim.submitted_at),
                _when(line.reviewed_at),
                reviewer_name or "",
                _when(claim.paid_at) if paid else "",
                claim.payment_method or "",
                claim.payment_preference or "",
                len(line.receipts),
            )
        )
        key = (reference, claim.currency)
        claimed, approved, paid_sum = sums.setdefault(key, [0, 0, 0])
        sums[key] = [
            claimed + line.amount,
            approved + (line.amount if line.status == LineStatus.APPROVED else 0),
            paid_sum + (line.amount if paid else 0),
        ]
        for number, receipt in enumerate(line.receipts, start=1):
            zip_name = (
                f"claim-{claim.id}-item-{line.position}-{number}.{extension_of(receipt.path)}"
            )
            receipts.append((zip_name, receipt.path))
    totals = [
        (reference, names[reference], currency, *(minor_to_decimal(v, currency) for v in values))
        for (reference, currency), values in sorted(sums.items(), key=_by_reference)
    ]
    audit.record(
        session,
        "export.claims",
        at=now,
        actor_id=actor.member_id,
        panel_id=panel_id,
        by="member" if actor.member_id is not None else "operator",
        start=start.isoformat(),
        end=end.isoformat(),
        format=fmt,
        lines=len(rows),
    )
    return Export(rows, totals, receipts)


def member_reference(claim: Claim) -> str:
    """The member's id, or the pseudonym their kept claims carry after /forgetme."""
    return str(claim.member_id) if claim.member_id is not None else claim.former_member or ""


def shown_name(claim: Claim, name: str | None) -> str:
    if claim.member_id is None:
        return FORGOTTEN
    return name or f"member {claim.member_id}"


def _by_reference(item: tuple[tuple[str, str], list[int]]) -> tuple[bool, int, str, str]:
    (reference, currency), _ = item
    # Members by number first (as numbers, so 9 comes before 10), then pseudonyms.
    return (
        not reference.isdigit(),
        int(reference) if reference.isdigit() else 0,
        reference,
        currency,
    )


def to_csv(export: Export) -> bytes:
    return csv_bytes(
        [
            HEADER,
            *export.rows,
            (),
            ("Totals per member",),
            TOTALS_HEADER,
            *export.totals,
        ]
    )


def to_xlsx(export: Export) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Claims"
    sheet.append(HEADER)
    for row in export.rows:
        append_row(sheet, row)
    money_columns = (HEADER.index("amount") + 1,)
    for column in money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.00"
    totals = book.create_sheet("Totals per member")
    totals.append(TOTALS_HEADER)
    for row in export.totals:
        append_row(totals, row)
    for row_cells in totals.iter_rows(min_row=2, min_col=4, max_col=6):
        for cell in row_cells:
            cell.number_format = "0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def receipts_zip(export: Export, data_dir: Path) -> bytes | None:
    """The receipts named by claim and item, or None when there are none."""
    if not export.receipts:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in export.receipts:
            source = data_dir / path
            if source.is_file():
                archive.write(source, name)
    return buffer.getvalue()


def file_stem(panel_id: int, start: date, end: date) -> str:
    return f"claims-panel{panel_id}-{start.isoformat()}-to-{end.isoformat()}"
