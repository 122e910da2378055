"""Issue 20, polls: a coordinator's way on from a question with too few answers ("Open it
again" or "Keep it open longer" at a closing time tapped from three plain dates, and "Remind
people who have not answered"). Typed choices and whole-hour closing: tests/test_poll_choices.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import (
    AuditEvent,
    OutboxMessage,
    OutboxStatus,
    Poll,
    PollParticipant,
    PollResponse,
    Role,
)
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.playground import demo
from bot.playground.server import Playground
from bot.services.access import Actor
from tests.factories import add_member, create_panel
from tests.playground_fixtures import PRIYA, playground, wait_view
from tests.polls_world import (
    COORDINATOR,
    HELD,
    MEMBERS,
    _drain,
    _drivers,
    _dump,
    _poll,
    _results,
    _setup,
)

__all__ = ["playground"]  # the fixture, used by name

QUESTION = "How easy was the bus to the hall?"
EXPIRED = "This button no longer works"
TOO_FEW = "Results show when 3 people have answered."
NOT_KEPT = (
    "This question is open again. Too few people answered before, so we could not keep "
    "your answer without showing it was yours. Please answer again."
)


async def _rate(driver: MemberDriver, rating: int, words: str) -> None:
    language = MEMBERS[driver.user_id][1]
    await driver.tap(f"{rating} {Translator(language)(words)}")
    assert (await driver.reply())["text"] == Translator(language)(HELD)


async def _events(db: Database, action: str) -> list[AuditEvent]:
    async with db.session() as session:
        return list(
            (await session.scalars(select(AuditEvent).where(AuditEvent.action == action))).all()
        )


async def _poll_row(db: Database, poll_id: int) -> Poll:
    async with db.session() as session:
        poll = await session.get(Poll, poll_id)
        assert poll is not None
        return poll


async def _asked_everyone(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> tuple[int, Actor, MemberDriver, dict[int, MemberDriver]]:
    """Priya's rating question (it closes Thursday 8 January, 09:00), asked of every member."""
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    members = _drivers(emulator)
    await _drain(app)
    for driver in members.values():
        await driver.reply()
    return poll_id, actor, MemberDriver(emulator, COORDINATOR, "Priya"), members


async def test_a_closed_question_with_too_few_answers_opens_again_and_reaches_three(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    poll_id, actor, priya, members = await _asked_everyone(app, emulator, db, clock)
    await _rate(members[903], 4, "Good")
    await _rate(members[905], 2, "Poor")

    # It closes with two answers: too few to keep, so they are never stored.
    clock.advance(timedelta(days=4))
    await _drain(app)
    await app.runtime.flush_anonymous()
    notice = await priya.reply()
    assert "has closed" in notice["text"]
    assert priya.buttons(notice) == ["See the results", "Open it again"]
    async with db.session() as session:
        assert (await session.scalars(select(PollResponse))).all() == []

    # The "too few answers" card has the way on.
    card = (await _results(priya, QUESTION))[0]
    assert TOO_FEW in card["text"] and "This question is closed." in card["text"]
    assert "Open it again" in priya.buttons(card)
    assert "Remind people who have not answered" not in priya.buttons(card)

    # Three plain dates on whole hours, from now (Friday 9 January, 09:17).
    clock.advance(timedelta(minutes=17))
    await priya.tap("Open it again")
    offer = await priya.reply()
    assert offer["text"] == "When should the question close? Tap a time."
    assert priya.buttons(offer) == [
        "Saturday, 10 January 2026 at 10:00",
        "Monday, 12 January 2026 at 10:00",
        "Friday, 16 January 2026 at 10:00",
    ]
    await priya.tap("Monday, 12 January 2026 at 10:00")
    told = await priya.reply()
    assert told["text"].splitlines() == [
        "The question is open again. It now closes on Monday, 12 January 2026 at 10:00.",
        "2 answers were not kept, because too few people had answered to keep them "
        "anonymous. We are asking those people to answer again.",
    ]
    assert priya.buttons(told) == ["Remind people who have not answered"]
    assert "Monday, 12 January 2026 at 10:00" not in priya.visible_labels()  # chosen: gone

    poll = await _poll_row(db, poll_id)
    assert not poll.closed and poll.closes_at == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
    async with db.session() as session:
        closing = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "poll_close",
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
            )
        ).all()
    assert [row.due_at for row in closing] == [poll.closes_at]
    [event] = await _events(db, "poll.reopened")
    assert event.actor_id == actor.member_id and event.details["poll"] == poll_id

    # The two whose answers were not kept are asked again, in their own language; others not.
    await _drain(app)
    for telegram_id in (903, 905):
        language = MEMBERS[telegram_id][1]
        again = await members[telegram_id].reply()
        assert again["text"].startswith(Translator(language)(NOT_KEPT))
        assert QUESTION in again["text"]
    await members[902].no_reply(0.2)

    # They answer again, with one more person: three answers, stored together at closing.
    await _rate(members[903], 4, "Good")
    await _rate(members[905], 2, "Poor")
    await _rate(members[906], 5, "Very good")
    clock.advance(timedelta(days=3, hours=1))
    await _drain(app)
    await app.runtime.flush_anonymous()
    assert "has closed" in (await priya.reply())["text"]
    shown = await _results(priya, QUESTION)
    assert "3 answers so far." in shown[0]["text"]
    assert "4 Good: 1 (33%)" in shown[0]["text"]
    dump = await _dump(db)
    names = [c.name for c in PollResponse.__table__.columns]
    assert len(dump["poll_responses"]) == 3
    assert all(
        dict(zip(names, r, strict=True))["member_id"] is None for r in dump["poll_responses"]
    )
    assert not any("rating" in str(e.details) for e in await _events(db, "poll.reopened"))


async def test_keep_it_open_longer_moves_the_closing_and_the_reminder(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    poll_id, _actor, priya, members = await _asked_everyone(app, emulator, db, clock)

    card = (await _results(priya, QUESTION))[0]
    assert TOO_FEW in card["text"]
    assert priya.buttons(card) == ["Keep it open longer", "Remind people who have not answered"]
    await priya.tap("Keep it open longer")
    offer = await priya.reply()
    # Later than the closing it has now.
    assert priya.buttons(offer) == [
        "Friday, 9 January 2026 at 09:00",
        "Sunday, 11 January 2026 at 09:00",
        "Thursday, 15 January 2026 at 09:00",
    ]
    await priya.tap("Sunday, 11 January 2026 at 09:00")
    assert (await priya.reply())["text"] == (
        "The question now closes on Sunday, 11 January 2026 at 09:00."
    )
    assert len(await _events(db, "poll.extended")) == 1
    async with db.session() as session:
        reminders = (
            await session.scalars(
                select(OutboxMessage.due_at).where(OutboxMessage.kind == "poll_reminder")
            )
        ).all()
    assert set(reminders) == {datetime(2026, 1, 10, 9, 0, tzinfo=UTC)}  # a day before

    # The old closing time passes: still open, members can answer, nobody is told it closed.
    clock.advance(timedelta(days=3, hours=1))
    await _drain(app)
    await priya.no_reply(0.2)
    assert not (await _poll_row(db, poll_id)).closed
    await _rate(members[906], 3, "OK")
    # The reminder comes a day before the new closing, then the poll closes on time.
    clock.advance(timedelta(days=1, hours=23))  # Saturday 10 January, 09:00
    await _drain(app)
    reminder = await members[905].reply()
    assert reminder["text"].startswith("Reminder: please answer this question.")
    assert "Sunday, 11 January 2026 at 09:00" in reminder["text"]
    await members[906].no_reply(0.2)
    clock.advance(timedelta(days=1))
    await _drain(app)
    assert "has closed" in (await priya.reply())["text"]
    assert (await _poll_row(db, poll_id)).closed


async def test_remind_reaches_only_those_who_have_not_answered_when_it_is_sent(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    poll_id, actor, priya, members = await _asked_everyone(app, emulator, db, clock)
    await _rate(members[903], 4, "Good")
    await _rate(members[905], 2, "Poor")

    await _results(priya, QUESTION)
    await priya.tap("Remind people who have not answered")
    assert (await priya.reply())["text"] == (
        "We are sending a reminder to the 3 people who have not answered yet."
    )
    # Jo answers before the reminders go: checked when sent, so Jo gets none.
    await _rate(members[906], 5, "Very good")
    await _drain(app)
    for telegram_id in (902, 904):
        reminder = await members[telegram_id].reply()
        language = MEMBERS[telegram_id][1]
        assert reminder["text"].startswith(
            Translator(language)("Reminder: please answer this question.")
        )
    for telegram_id in (903, 905, 906):
        await members[telegram_id].no_reply(0.1)
    [event] = await _events(db, "poll.reminded")
    assert event.actor_id == actor.member_id and event.details == {"poll": poll_id}

    # Not twice within the hour.
    await priya.tap("Remind people who have not answered")
    assert (await priya.reply())["text"] == (
        "A reminder went less than an hour ago. Please wait a little, then try again."
    )
    # Everyone answers: nobody is left to remind.
    clock.advance(timedelta(hours=1, minutes=1))
    await _rate(members[902], 3, "OK")
    await _rate(members[904], 1, "Very poor")
    await priya.tap("Remind people who have not answered")
    assert (await priya.reply())["text"] == (
        "Everyone who was asked has answered. There is nobody to remind."
    )
    assert len(await _events(db, "poll.reminded")) == 1
    async with db.session() as session:
        states = set((await session.scalars(select(PollParticipant.state))).all())
    assert "waiting" not in states


async def test_forged_or_stale_change_buttons_get_the_kind_expired_answer(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id, actor = await _setup(db, clock)
    poll_id = await _poll(db, clock, actor, panel_id)
    other = await create_panel(db, clock, "Youth Panel")
    await add_member(db, clock, other.panel.id, 990, "Owen", role=Role.COORDINATOR)
    owen = MemberDriver(emulator, 990, "Owen")
    sam = MemberDriver(emulator, 905, "Sam")
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    before = await _poll_row(db, poll_id)

    def minute(at: datetime) -> int:
        return int(at.timestamp()) // 60

    later = minute(datetime(2026, 1, 20, 9, 0, tzinfo=UTC))
    for person, data in (
        (owen, f"pc:1:l:{poll_id}"),
        (owen, f"pc:1:t:{poll_id}:{later}"),
        (sam, f"pc:1:r:{poll_id}"),
        (priya, f"pc:1:t:{poll_id}:{minute(clock.now() - timedelta(hours=1))}"),  # gone by
        (priya, f"pc:1:t:{poll_id}:{later + 17}"),  # not on a whole hour: not ours
        (priya, f"pc:1:t:{poll_id}:{minute(before.closes_at)}"),  # not longer
        (priya, f"pc:1:l:{poll_id + 1000}"),
        (priya, "pc:1:t:x:y"),
    ):
        await person.send("/help")
        anchor = await person.reply()
        answer = await person.tap_data(anchor["message_id"], data)
        assert EXPIRED in answer.get("text", ""), (data, answer)
    after = await _poll_row(db, poll_id)
    assert (after.closes_at, after.closed) == (before.closes_at, before.closed)
    refused = await _events(db, "refused")
    assert {e.details.get("telegram_id") for e in refused} >= {990, 905, COORDINATOR}


async def test_the_demo_coordinator_keeps_the_demo_question_open_longer(
    playground: Playground,
) -> None:
    """The browser walk's path over plain HTTP: Priya's /results for the demo question (two
    answers, too few) offers "Keep it open longer", then three plain dates on whole hours."""
    en, base = Translator("en"), playground.url

    async def send(text: str) -> int:
        payload = {"user_id": PRIYA, "text": text}
        async with http.post(f"{base}_emulator/send", json=payload) as sent:
            return int((await sent.json())["result"]["message_id"])

    async def tap(message: dict[str, Any], label: str) -> None:
        data = next(b["callback_data"] for r in message["buttons"] for b in r if b["text"] == label)
        tapped = {"user_id": PRIYA, "message_id": message["id"], "data": data}
        async with http.post(f"{base}_emulator/tap", json=tapped) as response:
            assert response.status == 200

    def labelled(view: dict[str, Any], label: str) -> dict[str, Any] | None:
        return next(
            (
                m
                for m in reversed(view["messages"])
                if any(b["text"] == label for r in m["buttons"] for b in r)
            ),
            None,
        )

    async with aiohttp.ClientSession() as http:
        await send("/results")
        view = await wait_view(http, base, PRIYA, lambda v: labelled(v, demo.POLL_QUESTION))
        await tap(labelled(view, demo.POLL_QUESTION) or {}, demo.POLL_QUESTION)
        keep = en("Keep it open longer")
        view = await wait_view(http, base, PRIYA, lambda v: labelled(v, keep))
        card = labelled(view, keep) or {}
        assert TOO_FEW in card["text"]
        await tap(card, keep)
        when = en("When should the question close? Tap a time.")
        view = await wait_view(
            http, base, PRIYA, lambda v: any(m["text"] == when for m in v["messages"])
        )
        offer = next(m for m in reversed(view["messages"]) if m["text"] == when)
        times = [b["text"] for r in offer["buttons"] for b in r]
        assert len(times) == 3
        assert all(re.fullmatch(r"\w+, \d{1,2} \w+ \d{4} at \d\d:00", t) for t in times), times
        await tap(offer, times[1])
        told = en("The question now closes on {when}.", when=times[1])
        await wait_view(http, base, PRIYA, lambda v: any(m["text"] == told for m in v["messages"]))
