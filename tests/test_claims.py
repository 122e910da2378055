"""Expenses end to end: a Polish member claims a bus fare with a receipt photo and 2 hours of paid
time after a meeting; the coordinator approves one line and queries the other; the member answers;
the claim is approved and paid; finance exports it as CSV and XLSX with the receipt in a zip."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Claim, ClaimLine, ClaimStatus, LineStatus, Receipt
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from tests.claims_world import OLA, PRIYA, _drain, _setup, en, pl
from tests.factories import create_panel
from tests.test_cli_panels import Panelbot, panelbot  # noqa: F401  (the CLI fixture)


def plain(html: str) -> str:
    return html.replace("<b>", "").replace("</b>", "")


async def _claim_bus_and_time(ola: MemberDriver) -> None:
    """The member's side of making the claim, every message checked in Polish."""
    await ola.send("/claim")
    question = await ola.reply()
    assert question["text"] == pl("Which meeting is this claim for? Tap one.")
    meeting_label = next(b for b in ola.buttons(question) if b.startswith("Planning day"))
    assert "sty 2026" in meeting_label  # the day in Polish
    await ola.tap(meeting_label)
    kinds = await ola.reply()
    assert kinds["text"] == pl("What do you want to claim? Tap one.")
    await ola.tap(pl("Bus, train or tram"))
    assert (await ola.reply())["text"] == pl("How much did you spend? Type the amount, like 12.50.")

    await ola.send("-3")
    assert (await ola.reply())["text"] == pl(
        "The amount must be more than 0. Please type it again."
    )
    await ola.send("dużo")
    assert (await ola.reply())["text"] == pl("Please type the amount in numbers, like 12.50.")
    await ola.send("2,50")
    receipt_question = await ola.reply()  # the day is the meeting's: not asked
    assert receipt_question["text"] == pl(
        "Please send a photo or a PDF of your receipt. You can send more than one."
    )
    await ola.send_document(b"MZ\x90\x00not a receipt", "virus.exe", "application/octet-stream")
    assert (await ola.reply())["text"] == pl(
        "I can only take photos and PDF files. Please send a photo of the receipt."
    )
    await ola.send_photo(TINY_PNG)
    got = await ola.reply()
    assert got["text"] == pl.ngettext(
        "Got {n} receipt. Send another, or tap Done.",
        "Got {n} receipts. Send another, or tap Done.",
        1,
    )
    await ola.tap(pl("Done"))
    assert (await ola.reply())["text"] == pl(
        "Do you want to add a note for your coordinator? Type it, or tap No note."
    )
    await ola.tap(pl("No note"))
    summary = await ola.reply()
    assert pl.money(250) in summary["text"] and "2,50" in summary["text"]

    await ola.tap(pl("Add another item"))
    await ola.reply()
    await ola.tap(pl("Paid time for taking part"))
    rate_question = await ola.reply()  # by the hour, the panel's rule: not asked
    assert pl.money(2000) in rate_question["text"]
    await ola.send("2")
    summary = await ola.reply()
    text = summary["text"]
    assert plain(pl("Total: {amount}", amount=pl.money(4250))) in text
    assert "42,50" in text  # Polish decimal comma
    assert pl("How you are paid: {way}", way=pl("Bank transfer")) in text
    assert pl("Paid time this week: {amount}.", amount=pl.money(4000)) in text
    await ola.tap(pl("Send claim"))
    sent = await ola.reply()
    assert sent["text"].startswith(pl("We got your claim. Your coordinator will check it."))


async def test_a_polish_member_claims_gets_queried_answers_and_is_paid_then_finance_exports_it(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
    panelbot: Panelbot,  # noqa: F811
    tmp_path: Path,
) -> None:
    panel_id, meeting_id = await _setup(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    priya = MemberDriver(emulator, PRIYA, "Priya", "en")
    await _claim_bus_and_time(ola)

    async with db.session() as session:
        claim = await session.scalar(select(Claim))
        assert claim is not None
        assert (claim.meeting_id, claim.status, claim.payment_preference) == (
            meeting_id,
            ClaimStatus.SUBMITTED,
            "bank",
        )
        lines = list(await session.scalars(select(ClaimLine).order_by(ClaimLine.position)))
        assert [(x.kind, x.amount, x.quantity) for x in lines] == [
            ("transport", 250, None),
            ("hours", 4000, "2"),
        ]
        receipt = await session.scalar(select(Receipt))
        assert receipt is not None and receipt.line_id == lines[0].id
        stored = settings.panelbot_data_dir / receipt.path
        assert stored.read_bytes() == TINY_PNG
        bus, hours = lines[0].id, lines[1].id
        claim_id, ola_member_id = claim.id, claim.member_id

    # The coordinator hears of it, sees the receipt, approves the bus fare and asks about the time.
    await _drain(app)
    notice = await priya.reply()
    assert notice["text"] == plain(
        en(
            "New claim {n} from {name}: {amount}. Type /review to check it.",
            n=claim_id,
            name="Agnieszka",
            amount="£42.50",
        )
    )
    await priya.send("/review")
    photo, card = await priya.replies(2)
    assert "photo" in photo and photo["caption"] == en(
        "Receipt for item {n} of claim {claim}", n=1, claim=claim_id
    )
    assert "£2.50" in card["text"] and "£40.00" in card["text"]
    assert en("Their paid time that week: {amount}.", amount="£40.00") in card["text"]
    await priya.tap("Approve item 1")
    await priya.wait_edit(card["message_id"])  # the card itself shows the decision
    await priya.tap("Ask about item 2")
    await priya.reply()
    await priya.send("Which meeting were the 2 hours for?")
    sent, nothing_left = await priya.replies(2)
    assert sent["text"] == en("Sent. They will see it in their language.")
    assert nothing_left["text"] == en("No claims are waiting for you. Well done.")
    asked = await priya.wait_edit(card["message_id"])
    assert en("Question for you") in asked["text"] and not priya.buttons(asked)

    await _drain(app)
    approved, question = await ola.replies(2)
    assert approved["text"] == pl(
        "Good news: {what}, {amount}, is approved.",
        what=pl("Bus, train or tram"),
        amount=pl.money(250),
    )
    assert question["text"].startswith(
        pl(
            "Your coordinator has a question about {what}, {amount}:",
            what=pl("Paid time in hours"),
            amount=pl.money(4000),
        )
    )
    await ola.tap(pl("Answer the question"))
    assert (await ola.reply())["text"].endswith(pl("Please type your answer."))
    await ola.send("Planning day, 10 do 12")
    assert (await ola.reply())["text"] == pl("Thank you. We sent your answer to your coordinator.")

    await _drain(app)
    await priya.reply()  # "answered your question"
    await priya.send("/review")
    card = (await priya.replies(2))[-1]
    assert "Planning day, 10 do 12" in card["text"]
    await priya.tap("Approve item 2")
    ready = await priya.wait_edit(card["message_id"])
    assert "Mark paid" in priya.buttons(ready)
    await priya.tap("Mark paid")
    await priya.wait_edit(card["message_id"])
    marked = await priya.tap("Bank transfer")
    assert marked["text"] == en("Claim {n} is marked as paid.", n=claim_id)
    paid = await priya.wait_edit(card["message_id"])
    assert not priya.buttons(paid)
    method = en("Bank transfer")
    assert (
        en("Claim {n} is paid: {amount}, by {method}.", n=claim_id, amount="£42.50", method=method)
        in paid["text"]
    )
    assert (await priya.reply())["text"] == en("No claims are waiting for you. Well done.")

    await _drain(app)
    hours_ok, paid = await ola.replies(2)
    assert hours_ok["text"].startswith(
        pl(
            "Good news: {what}, {amount}, is approved.",
            what=pl("Paid time in hours"),
            amount=pl.money(4000),
        )
    )
    assert (
        pl(
            "Claim {n} is approved: {amount}. We will tell you when it is paid.",
            n=claim_id,
            amount=pl.money(4250),
        )
        in hours_ok["text"]
    )
    assert paid["text"] == pl(
        "Claim {n} is paid: {amount}, by {method}.",
        n=claim_id,
        amount=pl.money(4250),
        method=pl("Bank transfer"),
    )
    assert "42,50" in paid["text"]

    await ola.send("/expenses")
    _, listing, totals = await ola.replies(3)
    assert pl("Paid") in listing["text"] and pl.money(4250) in listing["text"]
    assert totals["text"].startswith(pl("Paid time this week: {amount}.", amount=pl.money(4000)))

    async with db.session() as session:
        decisions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.action.like("claim.%"))
            )
        )
        assert decisions == ["claim.approve", "claim.ask", "claim.approve", "claim.paid"]
        line_statuses = list(await session.scalars(select(ClaimLine.status)))
        assert line_statuses == [LineStatus.APPROVED, LineStatus.APPROVED]
        assert (await session.get(Claim, claim_id)).status == ClaimStatus.PAID  # type: ignore[union-attr]
    del bus, hours

    # Finance: the CLI writes CSV with totals, and a zip with the receipt named by claim.
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
    rows = list(csv.reader(io.StringIO(sheet.read_text("utf-8-sig"))))
    assert rows[0][:10] == [
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
    ]
    assert rows[1][2:10] == [
        str(ola_member_id),
        "Agnieszka",
        "Planning day",
        "Public transport",
        "",
        "2.50",
        "GBP",
        "paid",
    ]
    assert rows[2][5:10] == ["Paid time (hours)", "2", "40.00", "GBP", "paid"]
    assert rows[1][13] == "Priya" and rows[1][15] == "bank" and rows[1][16] == "bank"
    totals_at = rows.index(["member id", "member", "currency", "claimed", "approved", "paid"])
    assert rows[totals_at + 1] == [
        str(ola_member_id),
        "Agnieszka",
        "GBP",
        "42.50",
        "42.50",
        "42.50",
    ]
    with zipfile.ZipFile(
        out / f"claims-panel{panel_id}-2026-01-01-to-2026-01-31-receipts.zip"
    ) as z:
        assert z.namelist() == [f"claim-{claim_id}-item-1-1.png"]
        assert z.read(f"claim-{claim_id}-item-1-1.png") == TINY_PNG

    # ...and a coordinator gets the same as XLSX in the bot with /export.
    await priya.send("/export")
    await priya.reply()
    await priya.tap("This month, XLSX")
    spreadsheet, archive = await priya.replies(2)
    assert spreadsheet["document"]["file_name"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(emulator.file_bytes(spreadsheet["document"]["file_id"]) or b""))
    claims_sheet = [list(r) for r in book["Claims"].iter_rows(values_only=True)]
    assert [r[7] for r in claims_sheet[1:]] == [2.5, 40]
    member_totals = [list(r) for r in book["Totals per member"].iter_rows(values_only=True)]
    assert member_totals[1] == [str(ola_member_id), "Agnieszka", "GBP", 42.5, 42.5, 42.5]
    with zipfile.ZipFile(
        io.BytesIO(emulator.file_bytes(archive["document"]["file_id"]) or b"")
    ) as z:
        assert z.namelist() == [f"claim-{claim_id}-item-1-1.png"]


async def test_the_operator_sets_a_panels_rates_from_the_terminal(
    db: Database,
    clock: FrozenClock,
    panelbot: Panelbot,  # noqa: F811
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    result = await panelbot(
        "expenses", "rates", str(new.panel.id), "--hourly-rate", "25", "--weekly-limit", "£100"
    )
    assert result.returncode == 0, result.stderr
    assert "hourly_rate: 2500" in result.stdout and "weekly_paid_limit: 10000" in result.stdout
    async with db.session() as session:
        from bot.services import claim_rules

        rules = await claim_rules.policy(session, new.panel.id)
        assert (rules.hourly_rate, rules.weekly_paid_limit, rules.mileage_rate) == (2500, 10000, 45)
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "expenses.policy")
        )
        assert event is not None and event.details == {
            "hourly_rate": 2500,
            "weekly_paid_limit": 10000,
        }
    bad = await panelbot("expenses", "rates", str(new.panel.id), "--hourly-rate", "lots")
    assert bad.returncode == 2 and "not an amount" in bad.stderr
