"""The rules around a member's claims: taking a claim back before review but not after, the same
claim twice flagged to both sides, paid time with running totals and a heads-up past the weekly
limit (and not offered to those who declined payment or for an unpaid meeting), and /mydata and
/forgetme covering claims and their receipt files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Claim, ClaimLine, ClaimStatus, Member, PaymentChoice
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import claim_review, claim_rules, claim_submission, receipts
from bot.services.access import Actor
from tests.claims_world import NOW, OLA, PRIYA, _drain, _quick_claim, _setup, en
from tests.factories import ROOT, add_member


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


async def test_paid_time_shows_running_totals_and_a_heads_up_past_the_weekly_limit(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    async with db.session() as session:
        await claim_rules.set_policy(
            session, ROOT, panel_id, now=NOW, weekly_paid_limit=5000, paid_time="sessions"
        )
    ola = MemberDriver(emulator, 804, "Dana", "en")
    await add_member(db, clock, panel_id, 804, "Dana")
    await ola.send("/claim")
    await ola.reply()
    await ola.tap("Not for a meeting")
    await ola.reply()
    await ola.tap("Paid time for taking part")
    # The panel pays by the session: the member is not asked which.
    assert (await ola.reply())["text"] == en(
        "How many sessions? Type a number, like 1. We pay {rate} a session.", rate="£50.00"
    )
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
