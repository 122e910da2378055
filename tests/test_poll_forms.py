"""The polls forms on the form engine, as a coordinator and a member meet them: Back in /newpoll
goes to the question before with the earlier answer kept, a menu tap mid-/newpoll keeps the
question and /newpoll offers it back, Stop on "You said, we did" asks before the typed message
is thrown away, and Stop on a typed poll answer never touches the member's row.

Proof these can fail: on the code before the polls moved onto the engine, /newpoll had no Back
(its only button was Cancel) and threw the kept question away when opened again, "You said,
we did" had a Cancel that threw the message away without asking, and a typed answer had no
Stop button."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Draft, Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import anonymous, poll_asking
from bot.services.access import Actor
from bot.services.poll_rules import PollDraft
from tests.factories import add_member, create_panel

COORDINATOR, MEMBERS = 951, (952, 953, 954, 955)
QUESTION = "Was the room warm enough?"


async def _panel(db: Database, clock: FrozenClock) -> tuple[Actor, int]:
    new = await create_panel(db, clock, "Carers Voice")
    priya = await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    for telegram_id in MEMBERS:
        await add_member(db, clock, new.panel.id, telegram_id, f"Member {telegram_id}")
    return Actor(COORDINATOR, priya.id), new.panel.id


async def _ask(
    db: Database, clock: FrozenClock, actor: Actor, panel_id: int, **kind: object
) -> None:
    async with db.session() as session:
        await poll_asking.create(
            session,
            actor,
            PollDraft(
                panel_id=panel_id,
                anonymous=True,
                closes_at=clock.now() + timedelta(days=3),
                **kind,  # type: ignore[arg-type]
            ),
            now=clock.now(),
        )


async def _state(db: Database, telegram_id: int = COORDINATOR) -> tuple[str | None, int]:
    async with db.session() as session:
        step = await session.scalar(
            select(Member.conversation_step).where(Member.telegram_id == telegram_id)
        )
        drafts = await session.scalar(select(func.count()).select_from(Draft))
        return step, int(drafts or 0)


async def test_back_in_newpoll_goes_to_the_question_before_and_keeps_the_earlier_answers(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newpoll")
    first = await priya.reply()
    assert priya.buttons(first) == ["Stop"]  # no Back on the first question
    await priya.send(QUESTION)
    await priya.reply()
    await priya.tap("One choice")
    await priya.reply()
    await priya.send("Yes\nNo")
    assert "anonymous" in (await priya.reply())["text"]

    await priya.tap("Back")
    assert (await priya.reply())["text"].startswith("Type the choices with a comma between them")
    await priya.tap("Back")
    kind = await priya.reply()
    assert kind["text"] == "How should people answer?"
    assert "✓ One choice" in priya.buttons(kind)  # the earlier answer, ticked
    assert priya.buttons(kind)[-2:] == ["Back", "Stop"]
    await priya.tap("A rating from 1 to 5")
    await priya.reply()
    await priya.tap("With names")
    await priya.reply()
    await priya.tap("In 3 days")
    await priya.reply()
    await priya.tap("The whole panel")
    preview = await priya.reply()
    assert QUESTION in preview["text"]  # typed before going back: kept
    assert "Your name will be kept with your answer." in preview["text"]
    await priya.tap("Back")
    assert (await priya.reply())["text"] == "Who should get the question?"


async def test_a_menu_tap_mid_newpoll_keeps_the_question_and_newpoll_offers_it_back(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    await priya.send("/newpoll")
    await priya.reply()
    await priya.send(QUESTION)
    assert (await priya.reply())["text"] == "How should people answer?"

    await priya.send("Meetings")
    texts = [m["text"] for m in await priya.replies(2)]
    assert "Your question is saved. Type /newpoll to carry on with it." in texts
    assert not any("Please" in text for text in texts)  # not taken as an answer
    assert await _state(db) == (None, 1)

    await priya.send("/newpoll")
    offer = await priya.reply()
    assert offer["text"] == (
        "You have a question you did not finish. Do you want to carry on with it?"
    )
    await priya.tap("Carry on")
    assert (await priya.reply())["text"] == "How should people answer?"
    assert await _state(db) == ("newpoll:kind", 1)
    await priya.tap("Free text")
    await priya.reply()
    await priya.tap("Anonymous")
    await priya.reply()
    await priya.send("3")
    await priya.reply()
    await priya.tap("The whole panel")
    assert QUESTION in (await priya.reply())["text"]

    await priya.send("Help")  # leave it again, then start afresh
    await priya.replies(2)
    await priya.send("/newpoll")
    await priya.reply()
    await priya.tap("Start again")
    assert (await priya.reply())["text"].startswith("What do you want to ask?")
    assert await _state(db) == ("newpoll:question", 1)


async def test_stop_on_you_said_we_did_asks_before_the_message_is_thrown_away(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    actor, panel_id = await _panel(db, clock)
    question = {"question": "Which day suits you?", "options": ("Monday", "Friday")}
    await _ask(db, clock, actor, panel_id, kind="one", **question)
    members = [MemberDriver(emulator, tid, f"Member {tid}") for tid in MEMBERS]
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    for member, choice in zip(members, ("Monday", "Monday", "Friday", "Friday"), strict=True):
        await member.reply()
        await member.tap(choice)
        await member.reply()
    clock.advance(timedelta(days=4))
    await app.runtime.delivery.drain()
    await app.runtime.flush_anonymous()
    await priya.reply()  # the closing notice
    await priya.send("/results")
    await priya.reply()
    await priya.tap("Which day suits you?")
    with contextlib.suppress(AssertionError):  # the results, then the chart
        while True:
            await priya.reply(timeout=1.0)
    await priya.tap("Share with the panel")
    assert priya.buttons(await priya.reply()) == ["Stop"]
    await priya.send("We will meet on Mondays.")
    preview = await priya.reply()
    assert priya.buttons(preview)[-1] == "Stop"

    await priya.tap("Stop")
    sure = await priya.reply()
    assert sure["text"] == "Stop now? Your message will not be sent, and it will not be kept."
    await priya.tap("No, carry on")
    assert "We will meet on Mondays." in (await priya.reply())["text"]  # kept
    await priya.tap("Stop")
    await priya.reply()
    await priya.tap("Yes, stop")
    assert (await priya.reply())["text"] == "OK. Nothing was sent."
    assert await _state(db) == (None, 0)


async def test_stop_on_a_typed_poll_answer_clears_the_held_step_and_never_the_members_row(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    actor, panel_id = await _panel(db, clock)
    await _ask(db, clock, actor, panel_id, kind="rating", question="How easy was the bus?")
    sam = MemberDriver(emulator, MEMBERS[0], "Sam")
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()
    await sam.reply()
    await sam.tap("Type my answer")
    prompt = await sam.reply()
    assert sam.buttons(prompt) == ["Stop"]
    assert anonymous.step(MEMBERS[0]).startswith("pa:")
    await sam.tap("Stop")
    assert (await sam.reply())["text"] == (
        "OK. You can answer later with the buttons on the question."
    )
    assert anonymous.step(MEMBERS[0]) == ""
    assert await _state(db, MEMBERS[0]) == (None, 0)
    await sam.tap("4 Good")  # the question's buttons still work
    assert "Thank you" in (await sam.reply())["text"]
