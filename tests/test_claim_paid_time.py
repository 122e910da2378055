"""Claiming paid time as a member meets it: the panel's rule (by the hour or by the session) is
used without asking, a claim for a meeting takes the meeting's day without asking, the meeting's
length is one tap, and "Yes, I came" offers "Claim for this meeting", which the coordinator then
sees in /review. Someone who chose not to be paid is offered only their costs.

Proof they can fail: on main the member is asked "Is your time paid by the hour or by the
session?" and "When was it?", no length is offered, and "Thank you for coming." has no button."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Claim, ClaimLine, Member, PaymentChoice, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import claim_rules, meeting_changes, meeting_rsvp, meeting_rules
from bot.services.access import Actor
from tests.claims_world import _drain, _setup, en
from tests.factories import ROOT, add_member, create_panel
from tests.test_cli_panels import Panelbot, panelbot  # noqa: F401  (the CLI fixture)

SAM = 805
NOTE = "Do you want to add a note for your coordinator? Type it, or tap No note."
RECEIPT = "Please send a photo or a PDF of your receipt. You can send more than one."
HOURS = "How many hours? Type a number, like 2. We pay {rate} an hour."
SESSIONS = "How many sessions? Type a number, like 1. We pay {rate} a session."


async def _lines(db: Database) -> list[tuple[str, str | None, int, date]]:
    async with db.session() as session:
        rows = await session.scalars(select(ClaimLine).order_by(ClaimLine.position))
        return [(x.kind, x.quantity, x.amount, x.spent_on) for x in rows]


@pytest.mark.parametrize(
    ("rule", "question", "rate", "one_tap", "amount"),
    [
        (None, HOURS, "£20.00", "1.5 hours (the meeting's length)", 3000),  # no rule: by the hour
        ("sessions", SESSIONS, "£50.00", "1 session", 5000),
    ],
)
async def test_paid_time_for_a_meeting_asks_neither_the_rule_nor_the_day_and_offers_its_length(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    rule: str | None,
    question: str,
    rate: str,
    one_tap: str,
    amount: int,
) -> None:
    panel_id, meeting_id = await _setup(db, clock)  # this morning's meeting, 90 minutes
    if rule is not None:
        async with db.session() as session:
            await claim_rules.set_policy(session, ROOT, panel_id, now=clock.now(), paid_time=rule)
    await add_member(db, clock, panel_id, SAM, "Sam")
    sam = MemberDriver(emulator, SAM, "Sam", "en")
    await sam.send("/claim")
    meetings = await sam.reply()
    await sam.tap(next(b for b in sam.buttons(meetings) if b.startswith("Planning day")))
    await sam.reply()
    await sam.tap(en("Paid time for taking part"))
    asked = await sam.reply()
    assert asked["text"] == en(question, rate=rate)  # not "by the hour or by the session?"
    assert sam.buttons(asked) == [one_tap, en("Back"), en("Stop")]
    await sam.tap(one_tap)
    assert (await sam.reply())["text"] == en(NOTE)  # not "When was it?"
    await sam.tap(en("No note"))
    await sam.reply()

    # Spending for the meeting takes its day too.
    await sam.tap(en("Add another item"))
    await sam.reply()
    await sam.tap(en("Bus, train or tram"))
    await sam.reply()
    await sam.send("4.20")
    assert (await sam.reply())["text"] == en(RECEIPT)
    await sam.tap(en("I have no receipt"))
    await sam.reply()
    await sam.send("The driver gave none")
    summary = await sam.reply()
    assert en("Meeting: {title}", title="Planning day") in summary["text"]
    await sam.tap(en("Send claim"))
    assert (await sam.reply())["text"].startswith(en("We got your claim."))
    monday = date(2026, 1, 5)
    assert await _lines(db) == [
        (rule or "hours", "1.5" if rule is None else "1", amount, monday),
        ("transport", None, 420, monday),
    ]
    async with db.session() as session:
        assert await session.scalar(select(Claim.meeting_id)) == meeting_id


async def test_the_paid_time_rule_is_by_the_hour_until_the_panel_sets_it_from_the_terminal(
    db: Database,
    clock: FrozenClock,
    panelbot: Panelbot,  # noqa: F811
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    shown = await panelbot("expenses", "rates", str(new.panel.id))
    assert shown.returncode == 0 and "paid_time: hours" in shown.stdout, shown
    result = await panelbot("expenses", "rates", str(new.panel.id), "--paid-time", "sessions")
    assert result.returncode == 0 and "paid_time: sessions" in result.stdout, result
    async with db.session() as session:
        assert (await claim_rules.policy(session, new.panel.id)).time_kind == "sessions"
    bad = await panelbot("expenses", "rates", str(new.panel.id), "--paid-time", "days")
    assert bad.returncode == 2 and "--paid-time" in bad.stderr


START = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)  # Tuesday 20 January, 14:00 in London


async def _came(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    payment: PaymentChoice = PaymentChoice.BANK,
) -> tuple[MemberDriver, int]:
    """A two-hour paid meeting Sam said he was coming to, and his "Yes, I came" after it."""
    new = await create_panel(db, clock, "Carers Voice")
    priya = await add_member(db, clock, new.panel.id, 801, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, SAM, "Sam")
    sam = MemberDriver(emulator, SAM, "Sam", "en")  # his chat with the bot is open
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == SAM))
        assert member is not None
        member.payment = payment
        meeting = await meeting_changes.create(
            session,
            Actor(801, priya.id),
            new.panel.id,
            meeting_rules.MeetingDraft(
                title="Planning day", starts_at=START, duration_minutes=120, paid=True
            ),
            now=clock.now(),
        )
        meeting_id = meeting.id
    await _drain(app)
    async with db.session() as session:
        await meeting_rsvp.answer(session, SAM, meeting_id, "coming", now=clock.now())
    clock.advance(START + timedelta(minutes=121) - clock.now())
    await _drain(app)
    for _ in range(50):
        if en("Yes, I came") in sam.visible_labels():
            break
        await _drain(app)
    await sam.tap(en("Yes, I came"))
    while (await sam.reply()).get("text") != en("Thank you for coming."):
        pass  # the invitation, its calendar file and the question come first
    return sam, meeting_id


async def test_yes_i_came_offers_a_claim_for_this_meeting_that_the_coordinator_then_reviews(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    sam, meeting_id = await _came(app, emulator, db, clock)
    assert sam.last_message is not None
    assert sam.buttons(sam.last_message) == [en("Claim for this meeting")]
    await sam.tap(en("Claim for this meeting"))
    asked = await sam.reply()
    assert asked["text"] == en(HOURS, rate="£20.00")
    assert sam.buttons(asked) == ["2 hours (the meeting's length)", en("Back"), en("Stop")]
    await sam.tap("2 hours (the meeting's length)")
    assert (await sam.reply())["text"] == en(NOTE)
    await sam.tap(en("No note"))
    summary = (await sam.reply())["text"]
    assert en("Meeting: {title}", title="Planning day") in summary
    assert "Paid time in hours (2 hours): £40.00 on 20 Jan 2026." in summary
    await sam.tap(en("Send claim"))
    assert (await sam.reply())["text"].startswith(en("We got your claim."))
    async with db.session() as session:
        claim = await session.scalar(select(Claim))
        assert claim is not None and claim.meeting_id == meeting_id
    assert await _lines(db) == [("hours", "2", 4000, date(2026, 1, 20))]

    # The coordinator hears of it and sees the meeting, the hours and the day in /review.
    priya = MemberDriver(emulator, 801, "Priya", "en")
    await _drain(app)
    notice = await priya.reply()
    assert "£40.00" in notice["text"]
    await priya.send("/review")
    card = ""
    for message in await priya.replies(1):
        card = message["text"]
    assert "Planning day" in card and "2 hours" in card and "20 Jan 2026" in card


async def test_a_claim_left_half_done_is_offered_back_and_start_again_is_for_this_meeting(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    sam, _ = await _came(app, emulator, db, clock)
    await sam.send("/claim")
    await sam.reply()
    await sam.tap(en("Not for a meeting"))
    await sam.reply()
    await sam.tap(en("Claim for this meeting"))  # under "Thank you for coming", still there
    asked = await sam.reply()
    assert asked["text"] == en(
        "You have a claim you did not finish. Do you want to carry on with it?"
    )
    assert sam.buttons(asked) == [en("Carry on"), en("Start again")]
    await sam.tap(en("Start again"))
    again = await sam.reply()
    assert again["text"] == en(HOURS, rate="£20.00")
    assert "2 hours (the meeting's length)" in sam.buttons(again)
    # Back goes to what to claim, then to which meeting: nothing is a dead end.
    await sam.tap(en("Back"))
    kinds = await sam.reply()
    assert kinds["text"] == en("What do you want to claim? Tap one.")
    await sam.tap(en("Back"))
    assert (await sam.reply())["text"] == en("Which meeting is this claim for? Tap one.")


async def test_someone_who_chose_no_payment_is_offered_a_claim_for_their_costs_only(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    sam, _ = await _came(app, emulator, db, clock, payment=PaymentChoice.DECLINE)
    assert sam.last_message is not None
    assert sam.buttons(sam.last_message) == [en("Claim your costs for this meeting")]
    await sam.tap(en("Claim your costs for this meeting"))
    kinds = await sam.reply()
    assert kinds["text"] == en("What do you want to claim? Tap one.")
    assert en("Paid time for taking part") not in sam.buttons(kinds)
    await sam.tap(en("Bus, train or tram"))
    await sam.reply()
    await sam.send("3.40")
    assert (await sam.reply())["text"] == en(RECEIPT)  # the meeting's day: not asked
