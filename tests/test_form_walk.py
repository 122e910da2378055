"""Every form, walked step by step the way a person would, from the forms' own step lists.

For each registered form that declares its steps (handlers/forms), a coordinator who is also a
member opens it in English and in Arabic (right to left) and, at every step of the path its
examples take:
- an edited earlier message changes nothing (the step stays);
- Back (from the second step on) asks the step before, and answering it again comes back here;
- a menu button does what it says (Meetings), leaving the form with its draft kept; opening
  the form again offers to carry on, and "Carry on" comes back to this very step;
- /menu shows the menu and leaves the form, kept, in the same way;
and at the end /cancel stops it (after "Yes, stop" where the form asks first) with nothing
half-stored. A new step, or a new form, is walked without a new test.

Proof it can fail: with the Back row removed from one question of the claim form, or with
rules.py's pause switched off, the walk stops at that step with the transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import bot.app  # noqa: F401  (imports every feature, so every form is registered)
from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Draft, Meeting, Member, PaymentChoice, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import anonymous
from handlers.chat.menu_labels import MEETINGS
from handlers.forms import Accepts, Form, Step, Where, registered
from handlers.forms.engine import BACK, CARRY_ON, YES_STOP
from tests.factories import add_member, create_panel

WHO, NEWCOMER = 960, 970  # a coordinator who is also a member; someone with an invite link
NOW = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
WALKED = [form for form in registered() if form.steps and form.opened_by]


def test_every_form_with_a_draft_declares_its_steps_and_how_it_is_opened() -> None:
    """So the walk below covers it: a draft form without steps would escape it."""
    for form in registered():
        if form.draft and form.name != "we_did":  # opened from a poll's results, not a command
            assert form.steps and form.opened_by, f"{form.name} declares no steps or opener"
    assert WALKED, "no form declares its steps: the walk would test nothing"


async def _world(db: Database, clock: FrozenClock, language: str) -> str:
    """A panel where the walker coordinates and belongs, with a meeting this morning (to claim
    for) and enough members for an anonymous question."""
    clock.advance(NOW - clock.now())
    new = await create_panel(db, clock, "Carers Voice")
    walker = await add_member(
        db, clock, new.panel.id, WHO, "Priya", role=Role.COORDINATOR, language=language
    )
    for n in range(4):
        await add_member(db, clock, new.panel.id, WHO + 1 + n, f"Member {n}")
    async with db.session() as session:
        row = await session.get(Member, walker.id)
        assert row is not None
        row.payment = PaymentChoice.BANK
        session.add(
            Meeting(
                panel_id=new.panel.id,
                title="Planning day",
                starts_at=NOW - timedelta(hours=6),
                paid=True,
                created_at=NOW - timedelta(days=10),
            )
        )
    return new.member_invite.code


async def _step(db: Database, form: Form, who: int) -> str | None:
    """The form's step as the person's marker says, matched to a declared step: a marker may
    carry an id after the step's name ("anon:3" is the step "anon")."""
    if form.where is Where.HELD:
        marker: str | None = anonymous.step(who)
    else:
        async with db.session() as session:
            marker = await session.scalar(
                select(Member.conversation_step).where(Member.telegram_id == who)
            )
    if not marker or not marker.startswith(form.prefix):
        return None
    raw = marker.removeprefix(form.prefix)
    for step in form.steps:
        if raw == step.name or raw.startswith(f"{step.name}:"):
            return step.name
    return raw


async def _drafts(db: Database, form: Form) -> int:
    async with db.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(Draft).where(Draft.kind == form.name)
        )
        return int(count or 0)


async def _settle(person: MemberDriver) -> None:
    """Wait until the bot has said everything it will say about the last action: its first
    reply (a slow machine may take seconds), then until the chat has been quiet a moment."""
    with contextlib.suppress(AssertionError):
        await person.reply(timeout=5)
    while True:
        try:
            await person.reply(timeout=0.4)
        except AssertionError:
            return


async def _until(db: Database, form: Form, wanted: str | None, person: MemberDriver) -> None:
    for _ in range(250):
        if await _step(db, form, person.user_id) == wanted:
            await _settle(person)
            return
        await asyncio.sleep(0.02)
    raise AssertionError(
        f"{form.name}: expected step {wanted!r}, at {await _step(db, form, person.user_id)!r}\n"
        f"--- transcript ---\n{person.transcript()}"
    )


async def _carry_on(
    db: Database, form: Form, wanted: str, person: MemberDriver, t: Translator
) -> None:
    """After reopening a form left half-done: tap "Carry on" when it is offered (joining
    carries on without asking), then wait until the form is back at `wanted`. Waits for the
    offer itself, not for a quiet chat, so a slow machine cannot make it tap too early."""
    for _ in range(250):
        offer = person.last_message
        if offer is not None and t(CARRY_ON) in person.buttons(offer):
            await person.tap(t(CARRY_ON))
            break
        if await _step(db, form, person.user_id) == wanted:
            break
        await asyncio.sleep(0.02)
    await _until(db, form, wanted, person)


async def _open(person: MemberDriver, t: Translator, form: Form, invite: str = "") -> None:
    """Open the form as its first opener says; joining opens from an invite link the first
    time (`invite`), then with /start."""
    opener = form.opened_by[0]
    if opener == "/start" and invite:
        opener = f"/start {invite}"
    await person.send(opener if opener.startswith("/") else t(opener))


async def _reach(db: Database, form: Form, person: MemberDriver, t: Translator) -> int:
    """After opening: the first step asked. A form that opens with a choice on buttons holds
    nothing until it is made (feedback's "how"): then its example is tapped."""
    first = form.steps[0]
    for _ in range(75):
        now = await _step(db, form, person.user_id)
        if now is not None:
            await _settle(person)
            return [step.name for step in form.steps].index(now)
        await asyncio.sleep(0.02)
    if first.accepts is not Accepts.TAP:
        raise AssertionError(f"{form.name} did not open\n{person.transcript()}")
    await _settle(person)
    await _answer(person, t, first)
    return await _next(db, form, 0, person)


async def _answer(person: MemberDriver, t: Translator, step: Step) -> dict[str, object]:
    if step.accepts is Accepts.TAP:
        await person.tap(t(step.example))
        return {}
    if step.accepts is Accepts.FILE:
        # A file, then the button that moves on (its label may change once a file came).
        await person.send_photo()
        await _settle(person)
        moving_on = t(step.example)
        await person.tap(moving_on if moving_on in person.visible_labels() else t("Done"))
        return {}
    return await person.send(step.example)


async def _next(db: Database, form: Form, index: int, person: MemberDriver) -> int:
    """Where answering step `index` led: a later step of the list (side steps the examples
    skip are allowed), or the end (-1)."""
    names = [step.name for step in form.steps]
    for _ in range(250):
        now = await _step(db, form, person.user_id)
        if now is None and index >= 0:  # the form ended (opening: not started yet)
            await _settle(person)
            return -1
        if now is not None and now in names and names.index(now) > index:
            await _settle(person)
            return names.index(now)
        await asyncio.sleep(0.02)
    raise AssertionError(
        f"{form.name}: after step {index} ({names[index] if index >= 0 else 'opening'}) stayed at "
        f"{await _step(db, form, person.user_id)!r}\n--- transcript ---\n{person.transcript()}"
    )


# Each form is walked once, in English or in Arabic (right to left) by turns: every step's
# rules are the engine's, so one language per form is enough to find a step that breaks them.
# Joining's first example picks English, so it is walked in English.
LANGUAGES = {
    form.name: "en" if form.opened_by[0] == "/start" else ("ar", "en")[n % 2]
    for n, form in enumerate(WALKED)
}


@pytest.mark.parametrize(
    "form", WALKED, ids=[f"{form.name}-{LANGUAGES[form.name]}" for form in WALKED]
)
async def test_every_step_of_every_form_can_be_left_stopped_and_gone_back_from(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    form: Form,
) -> None:
    language = LANGUAGES[form.name]
    invite = await _world(db, clock, language)
    t = Translator(language)
    joining = form.opened_by[0] == "/start"
    who = NEWCOMER if joining else WHO
    person = MemberDriver(emulator, who, "Sam" if joining else "Priya", language)
    await _open(person, t, form, invite)
    index, came_from, last_typed = await _reach(db, form, person, t), -1, None
    while index >= 0:
        step = form.steps[index]
        if last_typed is not None:  # an edit of an earlier answer is not an answer
            emulator.user_edits_text(who, int(str(last_typed["message_id"])), "changed")
            await _settle(person)
            assert await _step(db, form, who) == step.name, person.transcript()
        if came_from >= 0:
            previous = form.steps[came_from]
            await person.tap(t(BACK))
            await _until(db, form, previous.name, person)
            await _answer(person, t, previous)
            await _until(db, form, step.name, person)
        for leave in (t(MEETINGS), "/menu"):
            await person.send(leave)
            await _until(db, form, None, person)
            if form.draft:
                assert await _drafts(db, form) == 1, f"{form.name}: the draft was not kept"
                await _open(person, t, form)
                await _carry_on(db, form, step.name, person, t)
            else:
                await _open(person, t, form)
                assert await _reach(db, form, person, t) == index, person.transcript()
        if index == len(form.steps) - 1:
            break
        sent = await _answer(person, t, step)
        last_typed = sent if step.accepts is Accepts.TEXT else last_typed
        came_from, index = index, await _next(db, form, index, person)
    if await _step(db, form, who) is not None:
        await person.send("/cancel")
        await _settle(person)
        if await _step(db, form, who) is not None:  # asked first: something would be thrown away
            await person.tap(t(YES_STOP))
        await _until(db, form, None, person)
        assert t(form.stopped) in person.transcript()
    assert await _drafts(db, form) == 0, f"{form.name}: something half-stored was kept"
