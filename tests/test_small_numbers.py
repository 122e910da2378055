"""Small numbers (issue 18): counts leave out the person looking; results go to members only
when more than k answered and not all the same; an anonymous question to fewer than k people is
refused with a plain reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import poll_answers, poll_asking, poll_results
from bot.services.access import Actor
from bot.services.poll_rules import PollDraft, PollError
from tests.factories import add_member, create_panel

COORDINATOR = 8700


async def _panel(db: Database, clock: FrozenClock, members: int) -> tuple[int, Actor]:
    new = await create_panel(db, clock, "Carers Voice")
    coordinator = await add_member(
        db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR
    )
    for n in range(members):
        await add_member(db, clock, new.panel.id, 8701 + n, f"Person {n}")
    return new.panel.id, Actor(COORDINATOR, coordinator.id)


async def _rating_poll(db: Database, clock: FrozenClock, actor: Actor, panel_id: int) -> int:
    draft = PollDraft(
        panel_id=panel_id,
        question="Was it OK?",
        kind="rating",
        anonymous=True,
        closes_at=clock.now() + timedelta(days=3),
    )
    async with db.session() as session:
        poll, _ = await poll_asking.create(session, actor, draft, now=clock.now())
    return poll.id


async def _answers(db: Database, clock: FrozenClock, poll_id: int, ratings: list[int]) -> None:
    async with db.session() as session:
        for n, rating in enumerate(ratings):
            await poll_answers.answer(session, 8701 + n, poll_id, now=clock.now(), rating=rating)


@pytest.mark.parametrize(
    ("ratings", "shareable"),
    [
        ([4, 2, 5], False),  # k answers: each member would see only k-1 besides their own
        ([4, 2, 5, 3], True),
        ([4, 4, 4, 4], False),  # all the same: everyone would know what each person said
    ],
)
async def test_results_go_to_members_only_above_k_and_not_when_all_the_same(
    db: Database, clock: FrozenClock, ratings: list[int], shareable: bool
) -> None:
    panel_id, actor = await _panel(db, clock, 5)
    poll_id = await _rating_poll(db, clock, actor, panel_id)
    await _answers(db, clock, poll_id, ratings)
    async with db.session() as session:
        result = await poll_results.results(session, actor, poll_id)
        assert not result.hidden and result.shareable is shareable
        if not shareable:
            with pytest.raises(PollError, match="not_shareable"):
                await poll_results.share(session, actor, poll_id, "We listened.", now=clock.now())


async def test_a_member_looking_does_not_count_their_own_answer(
    db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _panel(db, clock, 4)
    poll_id = await _rating_poll(db, clock, actor, panel_id)
    await _answers(db, clock, poll_id, [4, 2, 5])
    async with db.session() as session:
        from sqlalchemy import select

        from bot.db import Member, Poll

        answered = await session.scalar(select(Member.id).where(Member.telegram_id == 8701))
        poll = await session.get(Poll, poll_id)
        assert poll is not None
        poll.we_did = "We listened."
        await session.flush()
        # Three answers: the coordinator (who did not answer) may see them; a member who
        # answered sees only two besides their own, so not the results.
        assert not (await poll_results.results(session, actor, poll_id)).hidden
        assert await poll_results.shared_results(session, poll_id, answered) is None


async def test_an_anonymous_question_to_fewer_than_k_people_is_refused_with_a_reason(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _panel(db, clock, 2)
    with pytest.raises(PollError, match="audience"):
        await _rating_poll(db, clock, actor, panel_id)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newpoll")
    await priya.reply()
    await priya.send("Was the room warm enough?")
    await priya.reply()
    await priya.tap("A rating from 1 to 5")
    await priya.reply()
    await priya.tap("Anonymous")
    await priya.reply()
    await priya.tap("In 3 days")
    await priya.reply()
    await priya.tap("The whole panel")
    await priya.reply()
    await priya.tap("Send")
    refusal = (await priya.reply())["text"]
    assert refusal.startswith("Too few people would get this question.")
    assert "ask with names" in refusal
