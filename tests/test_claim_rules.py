"""Claims: who may decide (forged buttons change nothing and are audited), taking a claim back,
duplicates, wrong input kept kindly at the same question, limits and the paid-time heads-up."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import (
    AuditEvent,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    Member,
    PaymentChoice,
    Role,
)
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import access, claim_review, claim_rules, claim_submission, receipts
from bot.services.access import Actor
from handlers.claims.review import ONLY_COORDINATORS
from tests.factories import ROOT, add_member, create_panel
from tests.test_claims import NOW, OLA, PRIYA, _drain, _setup

en = Translator("en")
OTHER_COORDINATOR, OTHER_MEMBER = 901, 902


async def _quick_claim(
    db: Database, clock: FrozenClock, panel_id: int, telegram_id: int = OLA, amount: int = 250
) -> tuple[int, int]:
    """A claim made through the service (the form itself is tested in test_claims.py)."""
    async with db.session() as session:
        sent = await claim_submission.submit(
            session,
            telegram_id,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport",
                    amount=amount,
                    spent_on=date(2026, 1, 5),
                    no_receipt_reason="The driver gave none",
                )
            ],
            note=None,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
        return sent.claim.id, sent.claim.lines[0].id


async def _line(db: Database, line_id: int) -> ClaimLine:
    async with db.session() as session:
        line = await session.get(ClaimLine, line_id)
        assert line is not None
        return line


async def _refusals(db: Database) -> list[AuditEvent]:
    async with db.session() as session:
        return list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "claim.refused"))
        )


async def test_a_member_forging_approve_and_pay_buttons_changes_nothing_and_is_audited(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    claim_id, line_id = await _quick_claim(db, clock, panel_id)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await ola.send("/expenses")
    messages = await ola.replies(2)
    for forged in (f"rv:1:a:{line_id}", f"rv:1:pm:{claim_id}:bank", f"rv:1:p:{claim_id}"):
        answer = await ola.tap_data(messages[-1]["message_id"], forged)
        assert answer["text"] == Translator("pl")(ONLY_COORDINATORS)
        assert answer["show_alert"] is True
    assert (await _line(db, line_id)).status == LineStatus.SUBMITTED
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None and claim.status == ClaimStatus.SUBMITTED
        ola_id = await session.scalar(select(Member.id).where(Member.telegram_id == OLA))
    refusals = await _refusals(db)
    assert [(r.actor_id, r.details["attempted"]) for r in refusals] == [
        (ola_id, "approve"),
        (ola_id, "pay"),
        (ola_id, "view"),
    ]
    assert all(r.details["claim_id"] == claim_id for r in refusals)


async def test_a_coordinator_of_another_panel_cannot_see_or_approve_and_is_audited(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    other = await create_panel(db, clock, "Young Carers")
    await add_member(db, clock, other.panel.id, OTHER_COORDINATOR, "Sam", role=Role.COORDINATOR)
    claim_id, line_id = await _quick_claim(db, clock, panel_id)
    sam = MemberDriver(emulator, OTHER_COORDINATOR, "Sam", "en")
    await sam.send("/review")
    assert (await sam.reply())["text"] == en("No claims are waiting for you. Well done.")
    last = sam.last_message
    assert last is not None
    answer = await sam.tap_data(last["message_id"], f"rv:1:a:{line_id}")
    assert answer["text"] == en(ONLY_COORDINATORS)
    answer = await sam.tap_data(last["message_id"], f"rv:1:r:{line_id}")
    assert answer["text"] == en(ONLY_COORDINATORS)
    assert (await _line(db, line_id)).status == LineStatus.SUBMITTED
    refusals = await _refusals(db)
    assert [r.details["attempted"] for r in refusals] == ["approve", "view"]
    assert all(r.details["claim_panel_id"] == panel_id for r in refusals)
    del claim_id


async def test_approved_lines_cannot_be_decided_again_and_coordinators_never_review_their_own(
    db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    claim_id, line_id = await _quick_claim(db, clock, panel_id)
    async with db.session() as session:
        priya = await session.scalar(select(Member.id).where(Member.telegram_id == PRIYA))
        await claim_review.decide(session, Actor(PRIYA, priya), line_id, "approve", now=NOW)
    async with db.session() as session:
        try:
            await claim_review.decide(
                session, Actor(PRIYA, priya), line_id, "reject", now=NOW, text="changed my mind"
            )
        except claim_rules.ClaimProblem as problem:
            assert problem.code == "decided"
        else:
            raise AssertionError("an approved line was rejected")
    assert (await _line(db, line_id)).status == LineStatus.APPROVED
    own_claim, own_line = await _quick_claim(db, clock, panel_id, telegram_id=PRIYA)
    async with db.session() as session:
        try:
            await claim_review.decide(session, Actor(PRIYA, priya), own_line, "approve", now=NOW)
        except access.NotAllowed:
            pass
        else:
            raise AssertionError("a coordinator approved their own claim")
    assert (await _line(db, own_line)).status == LineStatus.SUBMITTED
    del claim_id, own_claim


async def test_a_member_takes_a_claim_back_before_review_but_not_after(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    older, _ = await _quick_claim(db, clock, panel_id)
    newer, newer_line = await _quick_claim(db, clock, panel_id, amount=900)
    pl = Translator("pl")
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await ola.send("/expenses")
    await ola.replies(3)  # heading, then newest first: the last card is the older claim
    await ola.tap(pl("Take this claim back"))
    assert (await ola.reply())["text"] == pl(
        "Claim {n} is taken back. Nobody will pay it.", n=older
    )
    async with db.session() as session:
        assert (await session.get(Claim, older)).status == ClaimStatus.WITHDRAWN  # type: ignore[union-attr]
        priya = await session.scalar(select(Member.id).where(Member.telegram_id == PRIYA))
        await claim_review.decide(session, Actor(PRIYA, priya), newer_line, "approve", now=NOW)
    last = ola.last_message
    assert last is not None
    await ola.tap_data(last["message_id"], f"cx:1:w:{newer}")  # its button, from before
    assert (await ola.reply())["text"] == pl(
        "Your coordinator has started checking this claim, so it cannot be taken back now."
    )
    async with db.session() as session:
        assert (await session.get(Claim, newer)).status == ClaimStatus.APPROVED  # type: ignore[union-attr]


async def test_the_same_claim_twice_is_flagged_to_the_member_and_the_coordinator(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    await _quick_claim(db, clock, panel_id)
    async with db.session() as session:
        sent = await claim_submission.submit(
            session,
            OLA,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport", amount=250, spent_on=date(2026, 1, 5), no_receipt_reason="x"
                )
            ],
            note=None,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
        assert sent.duplicates == [1]
    priya = MemberDriver(emulator, PRIYA, "Priya", "en")
    await _drain(app)
    notices = await priya.replies(2)
    assert en("Part of it looks the same as an earlier claim.") in notices[1]["text"]
    await priya.send("/review")
    await priya.reply()
    await priya.tap("Next claim")
    card = await priya.reply()
    assert en("Item {n} looks the same as an earlier claim. Please check.", n=1) in card["text"]
    await priya.tap("Next claim")
    assert (await priya.reply())["text"] == en(
        "That was the last one. Type /review to start again."
    )


async def test_wrong_amounts_dates_and_files_get_a_kind_message_and_the_same_question(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, 803, "Rhys", "en")
    panel_id = 1
    await add_member(db, clock, panel_id, 803, "Rhys")
    await ola.send("/claim")
    await ola.reply()
    await ola.tap("Not for a meeting")
    await ola.reply()
    await ola.tap("Taxi")
    assert (await ola.reply())["text"] == en("Why did you need a taxi? Type a short reason.")
    await ola.send("My wheelchair does not fit on the bus")
    await ola.reply()
    await ola.send("600")
    assert (await ola.reply())["text"] == en(
        "That is more than {limit}. Please check it, or ask your coordinator.", limit="£500.00"
    )
    await ola.send("12.345")
    assert (await ola.reply())["text"] == en(
        "Please use at most 2 numbers after the point, like 12.50."
    )
    await ola.send("£14")
    await ola.reply()
    await ola.send("tomorrow")
    assert (await ola.reply())["text"] == en(
        "That day has not come yet. Please pick the day you spent the money."
    )
    await ola.send("1/1/2025")
    assert (await ola.reply())["text"] == en(
        "That is too long ago. Claims must be within {days} days.", days=90
    )
    await ola.send("<b>not a date</b>")
    assert (await ola.reply())["text"] == en("Please type a date like 3/11/2026, or tap a button.")
    await ola.send("4/1")  # no year: the 4th of January just gone
    await ola.reply()
    await ola.send_document(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "big.pdf")
    assert (await ola.reply())["text"] == en(
        "That file is too big. Please send a smaller photo or PDF."
    )
    await ola.tap("I have no receipt")
    assert (await ola.reply())["text"] == en(
        "For more than {limit} we need a receipt. Please send a photo of it.", limit="£10.00"
    )
    await ola.send_document()  # a small PDF
    await ola.reply()
    await ola.tap("Done")
    await ola.reply()
    await ola.send("Thanks")
    summary = await ola.reply()
    assert "£14.00 on 4 Jan 2026" in summary["text"]
    assert (
        en("Why a taxi: {reason}", reason="My wheelchair does not fit on the bus")
        in (summary["text"])
    )
    await ola.tap("Send claim")
    await ola.reply()
    async with db.session() as session:
        line = await session.scalar(select(ClaimLine))
        assert line is not None and (line.kind, line.amount, line.spent_on) == (
            "taxi",
            1400,
            date(2026, 1, 4),
        )


async def test_paid_time_shows_running_totals_and_a_heads_up_past_the_weekly_limit(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    async with db.session() as session:
        await claim_rules.set_policy(session, ROOT, panel_id, now=NOW, weekly_paid_limit=5000)
    ola = MemberDriver(emulator, 804, "Dana", "en")
    await add_member(db, clock, panel_id, 804, "Dana")
    await ola.send("/claim")
    await ola.reply()
    await ola.tap("Not for a meeting")
    await ola.reply()
    await ola.tap("Paid time for taking part")
    await ola.reply()
    await ola.tap("By the session")
    await ola.reply()
    await ola.send("1,5")
    await ola.reply()
    await ola.tap("Yesterday")
    await ola.reply()  # the note
    await ola.tap("No note")
    summary = (await ola.reply())["text"]
    assert en("Paid time this week: {amount}.", amount="£75.00") in summary
    assert en("Paid time this tax year (from 6 April): {amount}.", amount="£75.00") in summary
    assert (
        en(
            "Heads-up: this takes your paid time this week to {amount}. "
            "Your panel's weekly limit is {limit}.",
            amount="£75.00",
            limit="£50.00",
        )
        in summary
    )
    assert en("For free advice about benefits, ask Citizens Advice or your benefits adviser.") in (
        summary
    )


async def test_paid_time_is_not_offered_to_someone_who_declined_payment_or_for_an_unpaid_meeting(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock, paid=False)
    pl = Translator("pl")  # she chose Polish
    ola = MemberDriver(emulator, OLA, "Agnieszka", "en")
    await ola.send("/claim")
    question = await ola.reply()
    await ola.tap(next(b for b in ola.buttons(question) if b.startswith("Planning day")))
    kinds = await ola.reply()
    assert pl("Paid time for taking part") not in ola.buttons(kinds)
    answer = await ola.tap_data(kinds["message_id"], "cl:1:k:hours")
    assert answer is not None
    assert (await ola.reply())["text"] == pl(
        "Paid time cannot be claimed for this meeting. Please remove it."
    )
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == OLA))
        assert member is not None
        member.payment = PaymentChoice.DECLINE
    await ola.send("/claim")
    await ola.reply()
    await ola.tap(pl("Not for a meeting"))
    kinds = await ola.reply()
    assert pl("Paid time for taking part") not in ola.buttons(kinds)
    assert pl("Bus, train or tram") in ola.buttons(kinds)


async def test_a_rejected_item_reaches_the_member_with_the_reason_and_the_claim_stays_rejected(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    claim_id, line_id = await _quick_claim(db, clock, panel_id)
    priya = MemberDriver(emulator, PRIYA, "Priya", "en")
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await priya.send("/review")
    await priya.reply()
    await priya.tap("Reject item 1")
    assert (await priya.reply())["text"] == en(
        "Why is item {n} not approved? Type a short reason. They will see it.", n=1
    )
    await priya.send("<b>No bus</b> that day")
    rejected, _ = await priya.replies(2)
    assert rejected["text"] == en("Rejected. They will see your reason.")
    await _drain(app)
    notice = await ola.reply()
    pl = Translator("pl")
    assert notice["text"].startswith(
        pl(
            "Sorry: {what}, {amount}, is not approved.",
            what=pl("Bus, train or tram"),
            amount=pl.money(250),
        )
    )
    assert pl("Why: {reason}", reason="<b>No bus</b> that day") in notice["text"]  # shown as typed
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None and claim.status == ClaimStatus.REJECTED
        line = await session.get(ClaimLine, line_id)
        assert line is not None and line.reject_reason == "<b>No bus</b> that day"
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.reject"))
        assert event is not None and event.at == NOW and event.details["line_id"] == line_id


async def test_a_day_is_picked_on_the_calendar_and_an_item_is_changed_before_sending(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, 803, "Rhys", "en")
    await add_member(db, clock, 1, 803, "Rhys")
    await ola.send("/claim")
    await ola.reply()
    await ola.tap("Not for a meeting")
    await ola.reply()
    await ola.tap("Parking")
    await ola.reply()
    await ola.send("4")
    await ola.reply()
    await ola.tap("Another day")
    calendar = await ola.reply()
    assert "2" in ola.buttons(calendar) and "20" in ola.buttons(calendar)
    answer = await ola.tap_data(calendar["message_id"], "cl:1:d:pk:d:2026-01-20")
    assert answer is not None
    assert (await ola.reply())["text"] == en(
        "That day has not come yet. Please pick the day you spent the money."
    )
    await ola.tap("2")
    await ola.reply()  # receipts
    await ola.tap("I have no receipt")
    await ola.reply()
    await ola.send("Pay and display machine")
    await ola.reply()  # note
    await ola.tap("No note")
    summary = await ola.reply()
    assert "£4.00 on 2 Jan 2026" in summary["text"]
    await ola.tap("Change item 1")
    await ola.reply()
    await ola.tap("Food and drink")
    await ola.reply()
    await ola.send("6.20")
    await ola.reply()
    await ola.tap("Yesterday")
    await ola.reply()
    await ola.tap("I have no receipt")
    await ola.reply()
    await ola.send("Lost it")
    summary = await ola.reply()
    assert "Food and drink: £6.20 on 4 Jan 2026" in summary["text"]
    assert "Parking" not in summary["text"]
    await ola.tap("Send claim")
    await ola.reply()
    async with db.session() as session:
        lines = list(await session.scalars(select(ClaimLine)))
        assert [(x.kind, x.amount, x.no_receipt_reason) for x in lines] == [
            ("food", 620, "Lost it")
        ]


async def test_members_cannot_export_claims(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    await _quick_claim(db, clock, panel_id)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "en")
    await ola.send("/export")
    assert (await ola.reply())["text"] == Translator("pl")(ONLY_COORDINATORS)
    await ola.send("/review")
    assert (await ola.reply())["text"] == Translator("pl")(ONLY_COORDINATORS)
    last = ola.last_message
    assert last is not None
    answer = await ola.tap_data(last["message_id"], f"ex:1:{panel_id}:year:csv")
    assert answer["text"] == Translator("pl")(ONLY_COORDINATORS)
    await ola.no_reply()


async def test_a_long_claim_is_split_into_messages_telegram_accepts_with_buttons_on_the_last(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    async with db.session() as session:
        await claim_submission.submit(
            session,
            OLA,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="food",
                    amount=100 + n,
                    spent_on=date(2026, 1, 5),
                    no_receipt_reason="<&>" * 100,  # 300 letters that grow when escaped
                )
                for n in range(claim_rules.MAX_LINES)
            ],
            note="A note " * 40,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
    priya = MemberDriver(emulator, PRIYA, "Priya", "en")
    await priya.send("/review")
    parts = [await priya.reply()]
    while not priya.buttons(parts[-1]):
        parts.append(await priya.reply())
    await priya.no_reply()
    assert len(parts) > 1 and all(len(m["text"]) <= 4096 for m in parts)
    assert "Approve item 10" in priya.buttons(parts[-1])
    assert "<&><&>" in parts[0]["text"]  # shown as typed, not as markup
    assert "10. Food and drink" in "".join(m["text"] for m in parts)


async def test_an_unsent_claim_comes_back_and_a_photo_where_an_amount_was_wanted_is_refused(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    other = await create_panel(db, clock, "Young Carers")
    await add_member(db, clock, 1, 805, "Kim")
    await add_member(db, clock, other.panel.id, 805, "Kim")
    kim = MemberDriver(emulator, 805, "Kim", "en")
    await kim.send("/claim")
    await kim.reply()
    await kim.tap("Not for a meeting")
    assert (await kim.reply())["text"] == en("Which panel is this claim for? Tap one.")
    await kim.tap("Young Carers")
    await kim.reply()
    await kim.tap("Parking")
    await kim.reply()
    await kim.send_photo()
    assert (await kim.reply())["text"] == en("Please type the amount in numbers, like 12.50.")
    await kim.send("3")
    await kim.reply()
    await kim.tap("Today")
    await kim.reply()
    await kim.tap("I have no receipt")
    await kim.reply()
    await kim.send("Machine broken")
    await kim.reply()
    await kim.tap("No note")
    await kim.reply()
    await kim.send(en("Expenses"))  # the menu button, part-way: the claim is not lost
    back = await kim.reply()
    assert back["text"] == en(
        "You have a claim you did not finish. Do you want to carry on with it?"
    )
    await kim.tap(en("Carry on"))
    assert "£3.00" in (await kim.reply())["text"]
    await kim.tap("Send claim")
    await kim.reply()
    async with db.session() as session:
        claim = await session.scalar(select(Claim))
        assert claim is not None and claim.panel_id == other.panel.id


async def test_mydata_shows_claims_and_forgetme_deletes_them_with_the_receipt_files(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    panel_id, _ = await _setup(db, clock)
    async with db.session() as session:
        ola_id = await session.scalar(select(Member.id).where(Member.telegram_id == OLA))
    assert ola_id is not None
    path, mime, size = receipts.store(settings.panelbot_data_dir, ola_id, "AgADx", TINY_PNG)
    async with db.session() as session:
        await claim_submission.submit(
            session,
            OLA,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="parking",
                    amount=350,
                    spent_on=date(2026, 1, 5),
                    receipts=[
                        {"file_id": "f1", "kind": "photo", "mime": mime, "size": size, "path": path}
                    ],
                )
            ],
            note="Town Hall car park",
            now=clock.now(),
            today=date(2026, 1, 5),
        )
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await ola.send("/mydata")
    _, document, receipts_file = await ola.replies(3)
    export = json.loads(emulator.file_bytes(document["document"]["file_id"]) or b"{}")
    assert export["claims"][0]["items"][0]["amount_in_pence"] == 350
    assert export["claims"][0]["note"] == "Town Hall car park"
    claim_id = export["claims"][0]["claim"]
    [listed] = export["claims"][0]["items"][0]["receipts"]
    assert listed["file"] == f"claim-{claim_id}-item-1-1.png" and listed["bytes"] == len(TINY_PNG)
    assert receipts_file["document"]["file_name"] == "my-receipts.zip"
    zipped = io.BytesIO(emulator.file_bytes(receipts_file["document"]["file_id"]) or b"")
    with zipfile.ZipFile(zipped) as archive:
        assert archive.read(listed["file"]) == TINY_PNG
    assert (settings.panelbot_data_dir / path).is_file()

    await ola.send("/forgetme")
    await ola.reply()
    await ola.tap(Translator("pl")("Yes, delete everything"))
    await ola.reply()
    assert not (settings.panelbot_data_dir / path).exists()
    async with db.session() as session:
        assert await session.scalar(select(Claim.id)) is None
        assert await session.scalar(select(ClaimLine.id)) is None
