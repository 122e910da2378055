"""Poll answers stay anonymous: a dump of the whole database links no answer to anyone (no ids,
no precise times, no matching row order), ids are rewritten with each answer, anonymity cannot be
switched off once answers exist, and results need at least three answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Membership, Poll, PollResponse
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import feedback, feedback_settings, poll_answers, poll_asking, poll_results
from bot.services.access import Actor, NotAllowed
from bot.services.poll_rules import AnonymityLocked
from tests.polls_world import COORDINATOR, HELD, MEMBERS, _close, _drain, _dump, _poll, _setup


async def test_a_database_dump_links_no_answer_to_any_member(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock, extra=3)
    poll_id = await _poll(db, clock, actor, panel_id, kind="text", question="What should change?")
    people = {tid: MemberDriver(emulator, tid, "x") for tid in [*MEMBERS, 950, 951, 952]}
    await _drain(app)
    async with db.session() as session:
        member_ids = set((await session.scalars(select(Membership.member_id))).all())
    # Eight people answer in an order unlike their ids, each at a different minute.
    order = [952, 904, 906, 902, 950, 905, 903, 951]
    moments = []
    for index, telegram_id in enumerate(order):
        driver = people[telegram_id]
        await driver.reply()
        clock.advance(timedelta(minutes=7))
        moments.append(clock.now())
        t = Translator(MEMBERS.get(telegram_id, ("", "en"))[1])
        await driver.tap(t("Write my answer"))
        await driver.reply()
        await driver.send(f"answer number {index}")
        assert (await driver.reply())["text"] == t(HELD)
    await app.runtime.flush_anonymous()  # eight wait: five are written, three kept back
    await _close(app, clock)  # the closing writes the last three

    dump = await _dump(db)
    columns = {c.name for c in PollResponse.__table__.columns}
    assert "member_id" in columns  # only ever filled for named polls
    responses = dump["poll_responses"]
    assert len(responses) == 8
    for row in responses:
        record = dict(zip([c.name for c in PollResponse.__table__.columns], row, strict=False))
        assert record["member_id"] is None
        assert len(str(record["id"])) == 32 and not str(record["id"]).isdecimal()
        # Only the day: a plain date, never a time of day.
        assert str(record["day"]) in {str(m.date()) for m in moments}
        assert ":" not in str(record["day"])
    # The order rows are stored in is not the order people answered in: not for what was said,
    # and not for who took part.
    said = [
        row[[c.name for c in PollResponse.__table__.columns].index("text")] for row in responses
    ]
    assert said != [f"answer number {i}" for i in range(8)]
    participants = [r for r in dump["poll_participants"] if r[0] == poll_id]
    async with db.session() as session:
        by_telegram = dict(
            (await session.execute(text("SELECT telegram_id, id FROM members"))).all()
        )
    answered_order = [by_telegram[t] for t in order]
    assert [r[1] for r in participants if r[2] == "answered"] != answered_order
    # No stored time anywhere in the database is one of the moments an answer was given.
    for table, rows in dump.items():
        for row in rows:
            for value in row:
                if isinstance(value, datetime | str):
                    for moment in moments:
                        assert moment.isoformat()[:16] not in str(value).replace(" ", "T"), table
    # Nothing about an answer went into the outbox or the audit log.
    for table in ("outbox", "audit_log"):
        for row in dump[table]:
            assert "answer number" not in repr(row)
    assert {r[1] for r in participants} <= member_ids


async def test_each_answer_rewrites_the_answers_with_new_random_ids(
    db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        await poll_answers.answer(session, 902, poll_id, now=clock.now(), rating=2)
        await poll_answers.answer(session, 903, poll_id, now=clock.now(), rating=4)
    async with db.session() as session:
        before = set((await session.scalars(select(PollResponse.id))).all())
        await poll_answers.answer(session, 904, poll_id, now=clock.now(), rating=5)
    async with db.session() as session:
        after = set((await session.scalars(select(PollResponse.id))).all())
    assert len(before) == 2 and len(after) == 3
    assert not before & after  # an id seen earlier never points at the same answer again


async def test_anonymity_stays_on_once_there_are_answers_and_the_threshold_is_never_below_three(
    db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        poll = await poll_asking.set_anonymous(session, actor, poll_id, False)
        assert poll.anonymous is False  # no answers yet: still allowed
        await poll_asking.set_anonymous(session, actor, poll_id, True)
        await poll_answers.answer(session, 902, poll_id, now=clock.now(), rating=3)
    async with db.session() as session:
        with pytest.raises(AnonymityLocked):
            await poll_asking.set_anonymous(session, actor, poll_id, False)
        with pytest.raises(NotAllowed):
            await poll_asking.set_anonymous(session, Actor(902, None), poll_id, True)
    async with db.session() as session:
        assert (await session.get(Poll, poll_id)).anonymous is True  # type: ignore[union-attr]
        with pytest.raises(feedback.FeedbackError):
            await feedback_settings.set_min_answers(session, actor, panel_id, 2)
        await feedback_settings.set_min_answers(session, actor, panel_id, 4)
    second = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        for telegram_id, rating in ((902, 1), (903, 2), (904, 3)):
            await poll_answers.answer(session, telegram_id, second, now=clock.now(), rating=rating)
        result = await poll_results.results(session, actor, second)
        assert result.hidden and result.counts == []  # 3 answers, the panel asked for 4
        await poll_answers.answer(session, 905, second, now=clock.now(), rating=4)
        assert not (await poll_results.results(session, actor, second)).hidden
    # The database refuses a threshold below 3 even if code tried.
    async with db.sessions() as session:
        poll = await session.get(Poll, second)
        assert poll is not None
        poll.min_answers = 2
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_a_coordinator_sets_the_answers_needed_but_never_below_three(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/minanswers")
    assert "show from 3 answers" in (await priya.reply())["text"]
    for bad in ("2", "0", "-4", "three", "99999"):
        await priya.send(f"/minanswers {bad}")
        assert "It cannot be below 3." in (await priya.reply())["text"]
    await priya.send("/minanswers 5")
    assert "show from 5 answers" in (await priya.reply())["text"]
    poll_id = await _poll(db, clock, actor, panel_id)
    async with db.session() as session:
        assert (await session.get(Poll, poll_id)).min_answers == 5  # type: ignore[union-attr]
    sam = MemberDriver(emulator, 905, "Sam")
    await sam.send("/minanswers 3")
    assert "coordinator" in (await sam.reply())["text"].lower()
