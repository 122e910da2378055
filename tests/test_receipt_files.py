"""Receipt files on disk: gone when their claim is cancelled or taken back, orphans collected by
the daily chore, and a per-member quota with a kind reply. Real files in a real data folder."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import Claim, ClaimStatus, Draft, Member, Receipt
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import claim_submission, receipts
from tests.claims_world import OLA, _setup

pl, cy = Translator("pl"), Translator("cy")


def _files(data_dir: Path) -> list[Path]:
    root = data_dir / "receipts"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def _to_receipts_step(driver: MemberDriver, t: Translator) -> None:
    await driver.send("/claim")
    question = await driver.reply()
    await driver.tap(next(b for b in driver.buttons(question) if b.startswith("Planning day")))
    await driver.reply()
    await driver.tap(t("Bus, train or tram"))
    await driver.reply()
    await driver.send("2.50")  # for a meeting: its day, not asked
    await driver.reply()


async def test_receipts_of_a_cancelled_claim_are_removed_from_disk(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    await _setup(db, clock)
    ola = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    for attempt in range(3):
        await _to_receipts_step(ola, pl)
        for number in range(2):
            await ola.send_photo(TINY_PNG + f"{attempt}-{number}".encode())
            await ola.reply()
        assert len(_files(settings.panelbot_data_dir)) == 2  # kept while the claim is open
        await ola.tap(pl("Done"))
        await ola.reply()
        await ola.tap(pl("No note"))
        await ola.reply()
        await ola.tap(pl("Stop"))
        assert (await ola.reply())["text"] == pl(
            "Stop this claim? What you typed and any receipts you sent will be deleted."
        )
        assert len(_files(settings.panelbot_data_dir)) == 2  # nothing gone before the yes
        await ola.tap(pl("Yes, stop"))
        assert (await ola.reply())["text"] == pl("OK. Your claim was not sent.")
        assert _files(settings.panelbot_data_dir) == []


async def test_receipts_of_a_claim_taken_back_are_removed_from_disk(
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
    kept = []
    for unique in ("one", "two"):
        path, mime, size = receipts.store(settings.panelbot_data_dir, ola_id, unique, TINY_PNG)
        kept.append({"file_id": unique, "kind": "photo", "mime": mime, "size": size, "path": path})
    async with db.session() as session:
        sent = await claim_submission.submit(
            session,
            OLA,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="parking", amount=350, spent_on=date(2026, 1, 5), receipts=kept
                )
            ],
            note=None,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
        claim_id = sent.claim.id
    assert len(_files(settings.panelbot_data_dir)) == 2
    driver = MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await driver.send("/expenses")
    await driver.replies(2)
    await driver.tap(pl("Take this claim back"))
    await driver.reply()
    assert _files(settings.panelbot_data_dir) == []
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None and claim.status == ClaimStatus.WITHDRAWN  # the record stays
        assert (await session.scalars(select(Receipt))).all() == []


async def test_one_member_cannot_fill_the_disk_with_receipts(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    settings.panelbot_receipt_quota_mb = 1
    await _setup(db, clock)
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == OLA))
        assert member is not None
        member.language = "cy"
    ola = MemberDriver(emulator, OLA, "Agnieszka", "cy")
    await _to_receipts_step(ola, cy)
    big = b"%PDF-1.4\n" + b"0" * 600_000  # a real PDF start, 0.6 MB
    await ola.send_document(big, "first.pdf", "application/pdf")
    got = await ola.reply()
    assert got["text"] == cy.ngettext(
        "Got {n} receipt. Send another, or tap Done.",
        "Got {n} receipts. Send another, or tap Done.",
        1,
    )
    await ola.send_document(big + b"1", "second.pdf", "application/pdf")
    refused = await ola.reply()
    assert refused["text"] == cy(
        "You have sent a lot of receipts, so there is no room for more. "
        "Tap Done, or ask your coordinator for help."
    )
    assert [p.stat().st_size for p in _files(settings.panelbot_data_dir)] == [len(big)]
    # The claim goes on: nothing typed so far is lost.
    await ola.tap(cy("Done"))
    assert (await ola.reply())["text"] == cy(
        "Do you want to add a note for your coordinator? Type it, or tap No note."
    )


async def test_the_daily_chore_collects_files_no_claim_or_draft_needs(
    db: Database, clock: FrozenClock, settings: Settings
) -> None:
    from bot.services import chores
    from tests.factories import add_member, create_panel

    new = await create_panel(db, clock, "Carers Voice")
    ola = await add_member(db, clock, new.panel.id, OLA, "Agnieszka")
    data_dir = settings.panelbot_data_dir
    on_claim, mime, size = receipts.store(data_dir, ola.id, "claimed", TINY_PNG)
    in_draft, _, _ = receipts.store(data_dir, ola.id, "drafted", TINY_PNG)
    old_orphan, _, _ = receipts.store(data_dir, ola.id, "forgotten", TINY_PNG)
    young_orphan, _, _ = receipts.store(data_dir, ola.id, "arriving", TINY_PNG)
    stray_folder = data_dir / "receipts" / "4242"  # a member deleted long ago
    stray_folder.mkdir(parents=True)
    (stray_folder / "old.png").write_bytes(TINY_PNG)
    a_day_ago = time.time() - 86_400
    for old in (old_orphan, on_claim, in_draft):
        os.utime(data_dir / old, (a_day_ago, a_day_ago))
    os.utime(stray_folder / "old.png", (a_day_ago, a_day_ago))
    async with db.session() as session:
        await claim_submission.submit(
            session,
            OLA,
            panel_id=new.panel.id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="parking",
                    amount=350,
                    spent_on=date(2026, 1, 5),
                    receipts=[
                        {
                            "file_id": "c",
                            "kind": "photo",
                            "mime": mime,
                            "size": size,
                            "path": on_claim,
                        }
                    ],
                )
            ],
            note=None,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
        session.add(
            Draft(
                member_id=ola.id,
                kind="claim",
                step="receipts",
                data={"cur": {"receipts": [{"path": in_draft}]}},
                updated_at=clock.now(),
            )
        )

    report = await chores.run_daily(db, data_dir, datetime.now(UTC))
    assert report.orphan_files == 2
    left = {p.relative_to(data_dir).as_posix() for p in _files(data_dir)}
    # Needed files stay, and so does one written a moment ago (its draft may not be saved yet).
    assert left == {on_claim, in_draft, young_orphan}
    assert not stray_folder.exists()
    # An hour later the young one is an orphan too.
    later = await chores.run_daily(db, data_dir, datetime.now(UTC) + timedelta(hours=2))
    assert later.orphan_files == 1
