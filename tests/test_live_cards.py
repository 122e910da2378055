"""One live card per thing (issue 20): an invitation, a /meetings card and a /review card are
edited in place to show the answer or the claim as it is now, instead of a new message under
them; old buttons act on what is true now, answer kindly, and never act twice; an edit that would
change nothing is not asked for (Telegram refuses it: "message is not modified")."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Answer, AuditEvent, Claim, ClaimStatus, Member, Role, Rsvp
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import claim_submission, meeting_changes, meeting_rules
from bot.services.access import Actor
from handlers.claims.review import DEALT_WITH
from handlers.meetings.cards import WHAT_HELPS, YOUR_ANSWER
from handlers.meetings.invited import ANSWER_NOW, GONE
from tests.claims_world import OLA, PRIYA, _drain, _setup
from tests.factories import add_member, create_panel

en, pl = Translator("en"), Translator("pl")
COORDINATOR, SAM = 701, 702
START = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)


async def _meeting(db: Database, clock: FrozenClock) -> tuple[int, int]:
    """A panel with coordinator Priya and member Sam, and one meeting Sam is invited to."""
    new = await create_panel(db, clock, "Carers Voice")
    priya = await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, SAM, "Sam")
    async with db.session() as session:
        meeting = await meeting_changes.create(
            session,
            Actor(COORDINATOR, priya.id),
            new.panel.id,
            meeting_rules.MeetingDraft(title="Planning day", starts_at=START, address="Town Hall"),
            now=clock.now(),
        )
    return new.panel.id, meeting.id


async def _rsvp(db: Database, meeting_id: int) -> Rsvp:
    async with db.session() as session:
        rsvp = await session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting_id))
        assert rsvp is not None
        return rsvp


def _not_modified(emulator: BotApiEmulator) -> list[str]:
    """Edits Telegram refused because they changed nothing."""
    return [
        call.description or ""
        for call in emulator.calls()
        if call.method.startswith("edit") and "not modified" in (call.description or "")
    ]


async def test_an_answered_invitation_shows_the_answer_in_place_with_buttons_to_change_it(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    _, meeting_id = await _meeting(db, clock)
    sam = MemberDriver(emulator, SAM, "Sam")
    MemberDriver(emulator, COORDINATOR, "Priya")
    await _drain(app)
    invitation, _calendar = await sam.replies(2)

    toast = await sam.tap(en("Coming"))
    assert toast["text"] == en("Thank you. We saved your answer: {answer}.", answer=en("Coming"))
    card = await sam.wait_edit(invitation["message_id"])
    assert card["text"].startswith("New meeting: Planning day")  # still the invitation
    assert "Where: Town Hall" in card["text"]
    assert en(YOUR_ANSWER, answer=en("Coming")) in card["text"]
    assert en("Can you come? Tap one answer.") not in card["text"]
    assert sam.buttons(card) == [
        "✓ " + en("Coming"),
        en("Maybe"),
        en("Can't come"),
        en("I need support to come"),
    ]
    await sam.no_reply()  # the card says it: no new message under it

    await sam.tap(en("Maybe"))  # changed from the invitation itself
    card = await sam.wait_edit(invitation["message_id"])
    assert en(YOUR_ANSWER, answer=en("Maybe")) in card["text"]
    assert "✓ " + en("Maybe") in sam.buttons(card)
    assert (await _rsvp(db, meeting_id)).answer == Answer.MAYBE

    edits = len(card["edit_history"])
    await sam.tap(en("Maybe"))  # the same answer again: nothing to change
    await sam.no_reply()
    shown = emulator.message(SAM, invitation["message_id"])
    assert shown is not None and len(shown["edit_history"]) == edits
    assert _not_modified(emulator) == []


async def test_a_meetings_card_shows_the_new_answer_and_the_support_needed(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _meeting(db, clock)
    sam = MemberDriver(emulator, SAM, "Sam")
    MemberDriver(emulator, COORDINATOR, "Priya")
    await _drain(app)
    await sam.replies(2)
    await sam.send("/meetings")
    _, card = await sam.replies(2)
    assert en(YOUR_ANSWER, answer=en("not answered yet")) in card["text"]

    await sam.tap_data(card["message_id"], _data(card, en("Coming")))
    shown = await sam.wait_edit(card["message_id"])
    assert en(YOUR_ANSWER, answer=en("Coming")) in shown["text"]
    assert en("not answered yet") not in shown["text"]
    assert shown["text"].startswith("Planning day")
    assert sam.buttons(shown)[-1] == en("Calendar file")
    await sam.no_reply()

    await sam.tap_data(card["message_id"], _data(shown, en("I need support to come")))
    shown = await sam.wait_edit(card["message_id"])
    assert en(YOUR_ANSWER, answer=en("I need support to come")) in shown["text"]
    assert (await sam.reply())["text"] == en(
        "What would help you come? Tap all that apply, then Done."
    )
    await sam.tap(en("Help with travel"))
    await sam.tap(en("Done"))
    await sam.reply()  # "We told the coordinator"
    shown = await sam.wait_edit(card["message_id"])  # the card they were asked from shows them
    assert en(WHAT_HELPS, needs=en("Help with travel")) in shown["text"]
    await sam.send("/meetings")
    _, again = await sam.replies(2)
    assert en(WHAT_HELPS, needs=en("Help with travel")) in again["text"]
    assert "✓ " + en("I need support to come") in sam.buttons(again)


def _data(message: dict[str, object], label: str) -> str:
    """The callback data of the button `label` (ticked or not) on one message."""
    rows = message["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    return next(
        b["callback_data"] for row in rows for b in row if b["text"].removeprefix("✓ ") == label
    )


async def test_an_old_support_list_acts_on_the_answer_saved_now(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    _, meeting_id = await _meeting(db, clock)
    sam = MemberDriver(emulator, SAM, "Sam")
    MemberDriver(emulator, COORDINATOR, "Priya")
    await _drain(app)
    invitation, _ = await sam.replies(2)
    await sam.tap(en("I need support to come"))
    support = await sam.reply()
    await sam.wait_edit(invitation["message_id"])
    # Changed on the invitation while the list of needs is still in the chat.
    await sam.tap_data(invitation["message_id"], _data(invitation, en("Can't come")))
    card = await sam.wait_edit(invitation["message_id"])
    assert en(YOUR_ANSWER, answer=en("Can't come")) in card["text"]

    told = await sam.tap_data(support["message_id"], _data(support, en("Help with travel")))
    assert told["show_alert"] is True
    assert told["text"] == en(ANSWER_NOW, answer=en("Can't come"))
    emptied = await sam.wait_edit(support["message_id"])
    assert sam.buttons(emptied) == []
    rsvp = await _rsvp(db, meeting_id)
    assert rsvp.answer == Answer.CANT and rsvp.support == []


async def test_an_answer_on_the_card_of_a_cancelled_meeting_is_refused_and_its_buttons_go(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    _, meeting_id = await _meeting(db, clock)
    sam = MemberDriver(emulator, SAM, "Sam")
    MemberDriver(emulator, COORDINATOR, "Priya")
    await _drain(app)
    invitation, _ = await sam.replies(2)
    coordinator = await _member_id(db)
    async with db.session() as session:
        await meeting_changes.cancel(
            session, Actor(COORDINATOR, coordinator), meeting_id, now=clock.now()
        )
    answer = await sam.tap(en("Coming"))
    assert answer["text"] == en(GONE) and answer["show_alert"] is True
    emptied = await sam.wait_edit(invitation["message_id"])
    assert sam.buttons(emptied) == []
    assert (await _rsvp(db, meeting_id)).answer is None


async def _member_id(db: Database) -> int:
    async with db.session() as session:
        found = await session.scalar(select(Member.id).where(Member.telegram_id == COORDINATOR))
        assert found is not None
        return found


# ------------------------------------------------------------------------------ /review


async def _two_item_claim(db: Database, clock: FrozenClock, panel_id: int) -> int:
    async with db.session() as session:
        sent = await claim_submission.submit(
            session,
            OLA,
            panel_id=panel_id,
            meeting_id=None,
            lines=[
                claim_submission.NewLine(
                    kind="transport",
                    amount=amount,
                    spent_on=date(2026, 1, 5),
                    no_receipt_reason="The driver gave none",
                )
                for amount in (250, 400)
            ],
            note=None,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
        return sent.claim.id


async def _count(db: Database, action: str) -> int:
    async with db.session() as session:
        return (
            await session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            )
        ) or 0


async def test_a_review_card_is_edited_in_place_after_each_decision_until_it_is_paid(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    claim_id = await _two_item_claim(db, clock, panel_id)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await priya.send("/review")
    card = await priya.reply()
    card_id = card["message_id"]

    assert (await priya.tap(en("Approve item {n}", n=1)))["text"] == en("Approved.")
    shown = await priya.wait_edit(card_id)
    await priya.no_reply()  # no second card under it
    assert en("Approve item {n}", n=1) not in priya.buttons(shown)
    assert en("Approve item {n}", n=2) in priya.buttons(shown)

    await priya.tap(en("Reject item {n}", n=2))
    await priya.reply()  # why?
    await priya.send("No bus that day")
    assert (await priya.reply())["text"] == en("Rejected. They will see your reason.")
    shown = await priya.wait_edit(card_id)  # the card, not a new one, after the typed reason
    assert "No bus that day" not in priya.buttons(shown)
    assert priya.buttons(shown)[0] == en("Mark paid")
    assert en("Reject item {n}", n=2) not in priya.buttons(shown)

    await priya.tap(en("Mark paid"))
    shown = await priya.wait_edit(card_id)
    assert shown["text"].endswith(en("How was it paid? Tap one."))
    assert en("Back") in priya.buttons(shown)
    await priya.tap(en("Back"))
    shown = await priya.wait_edit(card_id)
    assert priya.buttons(shown)[0] == en("Mark paid")
    await priya.tap(en("Mark paid"))
    await priya.wait_edit(card_id)
    toast = await priya.tap(en("Bank transfer"))
    assert toast["text"] == en("Claim {n} is marked as paid.", n=claim_id)
    final = await priya.wait_edit(card_id)
    assert priya.buttons(final) == []  # finished: its final state, nothing left to tap
    assert (
        en(
            "Claim {n} is paid: {amount}, by {method}.",
            n=claim_id,
            amount="£2.50",
            method=en("Bank transfer"),
        )
        in final["text"]
    )
    assert (await priya.reply())["text"] == en("No claims are waiting for you. Well done.")
    assert _not_modified(emulator) == []


async def test_buttons_on_an_old_review_card_answer_kindly_and_never_act_twice(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    claim_id = await _two_item_claim(db, clock, panel_id)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, OLA, "Agnieszka", "pl")
    await priya.send("/review")
    old = await priya.reply()
    await priya.send("/review")  # the same claim again, in a second card
    new = await priya.reply()
    for position in (1, 2):
        await priya.tap_data(new["message_id"], _data(new, en("Approve item {n}", n=position)))
        new = await priya.wait_edit(new["message_id"])
    approve_first = _data(old, en("Approve item {n}", n=1))
    answer = await priya.tap_data(old["message_id"], approve_first)
    assert answer["text"] == en(DEALT_WITH) and answer["show_alert"] is True
    caught_up = await priya.wait_edit(old["message_id"])  # shows the claim as it is now
    assert en("Approve item {n}", n=1) not in priya.buttons(caught_up)
    assert en("Mark paid") in priya.buttons(caught_up)
    assert await _count(db, "claim.approve") == 2

    await priya.tap_data(new["message_id"], _data(new, en("Mark paid")))
    how = await priya.wait_edit(new["message_id"])
    pay = _data(how, en("Bank transfer"))
    await priya.tap_data(new["message_id"], pay)
    await priya.wait_edit(new["message_id"])
    await priya.reply()  # no more claims
    again = await priya.tap_data(caught_up["message_id"], _data(caught_up, en("Mark paid")))
    assert again["text"] == en(DEALT_WITH)
    paid_twice = await priya.tap_data(new["message_id"], pay)  # a second tap on the same way
    assert paid_twice["text"] == en(DEALT_WITH)
    assert await _count(db, "claim.paid") == 1
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None and claim.status == ClaimStatus.PAID
    final = emulator.message(PRIYA, caught_up["message_id"])
    assert final is not None and priya.buttons(final) == []


async def test_next_claim_takes_the_buttons_off_the_card_left_behind(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, _ = await _setup(db, clock)
    await _two_item_claim(db, clock, panel_id)
    await _two_item_claim(db, clock, panel_id)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/review")
    first = await priya.reply()
    await priya.tap(en("Next claim"))
    second = await priya.reply()
    assert en("Approve item {n}", n=1) in priya.buttons(second)
    left = await priya.wait_edit(first["message_id"])
    assert priya.buttons(left) == []  # it comes back with /review, so one card is live


async def test_a_card_too_long_for_one_message_is_sent_again_in_parts_and_the_old_goes_quiet(
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
                    no_receipt_reason="<&>" * 100,
                )
                for n in range(10)
            ],
            note="A note " * 40,
            now=clock.now(),
            today=date(2026, 1, 5),
        )
    priya = MemberDriver(emulator, PRIYA, "Priya")
    await priya.send("/review")
    parts = [await priya.reply()]
    while not priya.buttons(parts[-1]):
        parts.append(await priya.reply())
    await priya.tap(en("Approve item {n}", n=1))
    quiet = await priya.wait_edit(parts[-1]["message_id"])
    assert priya.buttons(quiet) == []
    again = [await priya.reply()]
    while not priya.buttons(again[-1]):
        again.append(await priya.reply())
    assert all(len(m["text"]) <= 4096 for m in again)
    assert en("Approve item {n}", n=1) not in priya.buttons(again[-1])
    assert en("Approve item {n}", n=2) in priya.buttons(again[-1])
