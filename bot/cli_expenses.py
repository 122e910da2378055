"""`panelbot export claims` (finance export) and `panelbot expenses rates` (a panel's rates and
limits), kept apart from bot/cli.py so that file stays small."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli_common import existing_panel, server_operator, whole_number

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

COMMANDS = ("export", "expenses")
MONEY_SETTINGS = {
    "mileage_rate": "--mileage-rate",
    "hourly_rate": "--hourly-rate",
    "session_rate": "--session-rate",
    "max_amount": "--max-amount",
    "no_receipt_limit": "--no-receipt-limit",
    "weekly_paid_limit": "--weekly-limit",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-04-06") from None


def _pounds(text: str) -> int | None:
    from bot.services.money import parse_amount

    if text.lower() == "none":
        return None
    amount = parse_amount(text, "en_GB")
    if amount.minor is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount like 12.50")
    return amount.minor


def add_commands(commands: Any) -> None:
    export = commands.add_parser("export", help="export data for finance")
    actions = export.add_subparsers(dest="action", required=True, metavar="ACTION")
    claims = actions.add_parser("claims", help="claims as CSV or XLSX, with a zip of receipts")
    claims.add_argument("--panel", dest="panel_id", required=True, type=whole_number(1))
    claims.add_argument("--from", dest="start", required=True, type=_day, metavar="DATE")
    claims.add_argument("--to", dest="end", required=True, type=_day, metavar="DATE")
    claims.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default="csv")
    claims.add_argument("--out", type=Path, default=Path("."), help="folder (default: here)")

    expenses = commands.add_parser("expenses", help="a panel's rates and limits for claims")
    expense_actions = expenses.add_subparsers(dest="action", required=True, metavar="ACTION")
    rates = expense_actions.add_parser("rates", help="show or change a panel's rates")
    rates.add_argument("panel_id", metavar="PANEL_ID", type=whole_number(1))
    for name, flag in MONEY_SETTINGS.items():
        rates.add_argument(flag, dest=name, type=_pounds, default=argparse.SUPPRESS)
    rates.add_argument("--max-age-days", type=whole_number(1, 3650), default=argparse.SUPPRESS)
    rates.add_argument("--currency", default=argparse.SUPPRESS, metavar="CODE")
    rates.add_argument(
        "--paid-time",
        choices=("hours", "sessions"),
        default=argparse.SUPPRESS,
        help="pay people's time by the hour (the default) or by the session",
    )


async def export_claims(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import claim_export

    await existing_panel(session, args.panel_id)
    if args.end < args.start:
        raise ValueError("--to is before --from")
    export = await claim_export.collect(
        session, server_operator(), args.panel_id, args.start, args.end, now=now, fmt=args.fmt
    )
    stem = claim_export.file_stem(args.panel_id, args.start, args.end)
    args.out.mkdir(parents=True, exist_ok=True)
    sheet = args.out / f"{stem}.{args.fmt}"
    content = claim_export.to_csv(export) if args.fmt == "csv" else claim_export.to_xlsx(export)
    sheet.write_bytes(content)
    lines = [f"{len(export.rows)} claim lines written to {sheet}"]
    archive = claim_export.receipts_zip(export, args.settings.panelbot_data_dir)
    if archive is not None:
        zipped = args.out / f"{stem}-receipts.zip"
        zipped.write_bytes(archive)
        lines.append(f"{len(export.receipts)} receipts written to {zipped}")
    for member_id, member, currency, claimed, approved, paid in export.totals:
        lines.append(
            f"{member} (member {member_id}): claimed {claimed} {currency}, "
            f"approved {approved}, paid {paid}"
        )
    return lines


async def expense_rates(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import claim_rules

    await existing_panel(session, args.panel_id)
    changes = {
        name: getattr(args, name)
        for name in (*MONEY_SETTINGS, "max_age_days", "currency", "paid_time")
        if hasattr(args, name)
    }
    if changes:
        rules = await claim_rules.set_policy(
            session, server_operator(), args.panel_id, now=now, **changes
        )
    else:
        rules = await claim_rules.policy(session, args.panel_id)
    return [f"{name}: {getattr(rules, name)}" for name in claim_rules.DEFAULT_POLICY]


ACTIONS = {("export", "claims"): export_claims, ("expenses", "rates"): expense_rates}
