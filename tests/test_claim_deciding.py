"""Who may decide a claim: a member's forged approve and pay buttons and another panel's
coordinator change nothing and are audited, a decided line stays decided, nobody reviews their own
claim, members cannot export, a rejection reaches the member with its reason, and a long claim is
split into messages Telegram accepts with the buttons on the last."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Claim, ClaimLine, ClaimStatus, LineStatus, Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import access, claim_review, claim_rules, claim_submission
from bot.services.access import Actor
from handlers.claims.review import ONLY_COORDINATORS
from tests.claims_world import NOW, OLA, PRIYA, _drain, _line, _quick_claim, _refusals, _setup, en
from tests.factories import add_member, create_panel

OTHER_COORDINATOR, OTHER_MEMBER = 901, 902


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
