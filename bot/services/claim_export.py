"""Finance export of claims: one row per claim line, totals per member, and a zip of receipts.

CSV with the standard library; XLSX with openpyxl (well kept, writes real spreadsheets rather
than hand-made XML). Amounts are Decimals made from integer pence, never floats.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot.db import Claim, ClaimLine, ClaimStatus, LineStatus, Meeting, Member
from bot.services.access import Actor, require_coordinator
from bot.services.money import minor_to_decimal
from bot.services.receipts import extension_of

HEADER = (
    "claim",
    "item",
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
TOTALS_HEADER = ("member", "currency", "claimed", "approved", "paid")
KIND_NAMES = {
    "transport": "Public transport",
    "mileage": "Mileage",
    "taxi": "Taxi",
    "parking": "Parking",
    "care": "Replacement care or PA",
    "childcare": "Childcare",
    "food": "Food",
    "phone": "Phone or data",
    "other": "Other",
    "hours": "Paid time (hours)",
    "sessions": "Paid time (sessions)",
}


@dataclass(frozen=True)
class Export:
    rows: list[tuple[object, ...]]
    totals: list[tuple[object, ...]]
    receipts: list[tuple[str, str]]  # (name in the zip, path under the data dir)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


async def collect(
    session: AsyncSession, actor: Actor, panel_id: int, start: date, end: date
) -> Export:
    """Lines spent from `start` to `end` (both included) in the panel; withdrawn claims left out."""
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
        .join(Member, Member.id == Claim.member_id)
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
    sums: dict[tuple[str, str], list[int]] = {}
    for line, claim, name, title, reviewer_name, _payer in result.all():
        paid = claim.status == ClaimStatus.PAID and line.status == LineStatus.APPROVED
        status = "paid" if paid else line.status.value
        rows.append(
            (
                claim.id,
                line.position,
                name or f"member {claim.member_id}",
                title or "",
                KIND_NAMES.get(line.kind, line.kind),
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
        key = (name or f"member {claim.member_id}", claim.currency)
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
        (member, currency, *(minor_to_decimal(v, currency) for v in values))
        for (member, currency), values in sorted(sums.items())
    ]
    return Export(rows, totals, receipts)


def to_csv(export: Export) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(export.rows)
    writer.writerow(())
    writer.writerow(("Totals per member",))
    writer.writerow(TOTALS_HEADER)
    writer.writerows(export.totals)
    # A byte-order mark so spreadsheet programs read names with accents correctly.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(export: Export) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Claims"
    sheet.append(HEADER)
    for row in export.rows:
        sheet.append(list(row))
    money_columns = (HEADER.index("amount") + 1,)
    for column in money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.00"
    totals = book.create_sheet("Totals per member")
    totals.append(TOTALS_HEADER)
    for row in export.totals:
        totals.append(list(row))
    for row_cells in totals.iter_rows(min_row=2, min_col=3, max_col=5):
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
