"""One table of questions (bot/services/questions.py) drives joining, /settings and /mydata; and
joining, on the form engine, has Back with the earlier answer kept, an honest Stop, and a way
to carry on after leaving it half-way.

Proof these can fail: before the table, a row added to it would reach none of the three (the
order was written out in handlers/onboarding.py, the settings in handlers/preferences.py, the
export in bot/services/my_data.py), and joining had no Back or Stop at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Consent, Draft, Member
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import my_data, profile, questions
from bot.services.questions import Kind, Option, Question
from handlers.joining import asking
from handlers.joining.onboarding import KEPT, STOPPED
from tests.factories import add_member, create_panel

en = Translator("en")


async def _set_news(session: object, telegram_id: int, answer: str) -> object:
    if answer not in ("yes", "no"):
        raise profile.InvalidAnswer("news")
    member = await profile.get_member(session, telegram_id)  # type: ignore[arg-type]
    member.broadcasts_muted = answer == "no"
    return member


# A question that exists only in this test: one row, one setter, a column (an existing one).
NEWS = Question(
    step="coordinator_news",
    kind=Kind.TAP,
    asked=("Would you like news from your coordinators?",),
    options=(Option("yes", "Yes, send me news"), Option("no", "No news, thank you")),
    tapped=_set_news,
    setting="News, asked as a question",
    shown=("News by question: {answer}", "answer"),
    my_data="news_by_question",
    value=lambda member: not member.broadcasts_muted,
)


@pytest.fixture
def news_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table with the test's row before the payment question."""
    rows = list(questions.QUESTIONS)
    at = next(i for i, row in enumerate(rows) if row.step == "payment")
    monkeypatch.setattr(questions, "QUESTIONS", (*rows[:at], NEWS, *rows[at:]))


async def _member(db: Database, telegram_id: int) -> Member:
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
        assert member is not None
        return member


def _answer(row: Question) -> str:
    """A tap that answers each walked question."""
    return {
        "language": "English",
        "name": "Call me Robin",
        "easy_read": en("No, thank you"),
        "quiet": en("No, any time is fine"),
        "access": en("Done"),
    }.get(row.step) or en(row.options[0].label)


async def _walk(person: MemberDriver, code: str) -> list[str]:
    """Join by the table: the question texts met, in order."""
    await person.send(f"/start {code}")
    met = []
    for row in questions.walk():
        question = await person.reply()
        met.append(question["text"])
        await person.tap(_answer(row))
    done = await person.reply()
    assert done["text"].startswith(en("All done, {name}!", name="Robin"))
    return met


async def test_joining_asks_the_tables_questions_in_its_order(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    met = await _walk(MemberDriver(emulator, 701, "Robin", "en"), new.member_invite.code)
    expected = [asking.text_of(en, row, panel="Carers Voice") for row in questions.walk()]
    assert met == expected


async def test_a_row_added_to_the_table_is_asked_when_joining_and_in_settings_and_shown_in_mydata(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    news_row: None,
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    robin = MemberDriver(emulator, 702, "Robin", "en")
    met = await _walk(robin, new.member_invite.code)
    assert "Would you like news from your coordinators?" in met
    assert met.index("Would you like news from your coordinators?") == len(met) - 2
    assert not (await _member(db, 702)).broadcasts_muted  # "Yes, send me news"

    await robin.send("/settings")
    listed = await robin.reply()
    labels = [en(row.setting or "") for row in questions.settings()]
    assert robin.buttons(listed)[: len(labels)] == labels
    assert "News, asked as a question" in labels
    assert "News by question: On" in listed["text"]
    await robin.tap("News, asked as a question")
    assert (await robin.reply())["text"] == "Would you like news from your coordinators?"
    await robin.tap("No news, thank you")
    saved = (await robin.reply())["text"]
    assert saved.startswith("Saved.") and "News by question: Off" in saved
    assert (await _member(db, 702)).broadcasts_muted

    async with db.session() as session:
        export = await my_data.export_member(session, 702)
    assert export is not None and export["news_by_question"] is False
    keys = [row.my_data for row in questions.table() if row.my_data]
    assert [key for key in export if key in keys] == keys


async def test_back_goes_to_the_question_before_with_the_answer_kept(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    sam = MemberDriver(emulator, 703, "Sam", "en")
    await sam.send(f"/start {new.member_invite.code}")
    first = await sam.reply()
    assert en("Back") not in sam.buttons(first) and en("Stop") in sam.buttons(first)
    for label in ("English", "Next", "Yes, that is OK"):
        await sam.tap(label)
        await sam.reply()
    await sam.send("Sammy")
    easy_read = await sam.reply()
    assert en("Back") in sam.buttons(easy_read)

    await sam.tap(en("Back"))
    name = await sam.reply()
    assert name["text"].startswith(en("What should we call you? Type a first name or a nickname."))
    assert en("Call me {name}", name="Sammy") in sam.buttons(name)  # the answer given, kept
    assert (await _member(db, 703)).display_name == "Sammy"
    await sam.tap(en("Call me {name}", name="Sammy"))
    assert (await sam.reply())["text"] == easy_read["text"]

    # Back from "Something else" comes to the access question; Back from there to quiet hours.
    for label in ("No, thank you", "All reminders", "No, any time is fine"):
        await sam.tap(label)
        await sam.reply()
    await sam.tap(en("Hearing loop"))
    await sam.tap(en("Something else"))
    await sam.reply()
    await sam.send("A seat near the door")
    access = await sam.reply()
    assert "✓ " + en("Hearing loop") in sam.buttons(access)
    await sam.tap(en("Back"))
    quiet = await sam.reply()
    assert quiet["text"].startswith(en("Are there times when we should not send you messages?"))
    member = await _member(db, 703)
    assert member.access_needs == ["hearing_loop"] and member.access_other == "A seat near the door"


@pytest.mark.parametrize("how", ["Stop", "/cancel"])
async def test_stopping_joining_says_so_plainly_and_keeps_nothing(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    how: str,
) -> None:
    new = await create_panel(db, clock)
    cy = Translator("cy")
    jo = MemberDriver(emulator, 704, "Jo", "cy")
    await jo.send(f"/start {new.member_invite.code}")
    await jo.reply()
    for label in ("Cymraeg", cy("Next"), cy("Yes, that is OK"), cy("Call me {name}", name="Jo")):
        await jo.tap(label)
        await jo.reply()
    if how == "Stop":
        await jo.tap(cy("Stop"))
    else:
        await jo.send("/cancel")
    stopped = await jo.reply()
    assert stopped["text"] == cy(STOPPED)
    assert "reply_keyboard" not in stopped  # no menu: they are in no panel

    member = await _member(db, 704)
    assert (member.display_name, member.consent, member.conversation_step) == (
        None,
        Consent.UNKNOWN,
        None,
    )
    assert member.joining_invite_id is None and member.language == "cy"
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Draft)) == 0
    await jo.send("/start")
    assert cy("Welcome back. Let us carry on where you left off.") not in (await jo.reply())["text"]
    # Opening the link again starts afresh.
    await jo.send(f"/start {new.member_invite.code}")
    assert (await jo.reply())["text"] == cy("Which language would you like? Tap one.")


async def test_a_command_mid_joining_is_done_and_start_carries_on_where_they_were(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    kim = MemberDriver(emulator, 705, "Kim", "en")
    await kim.send(f"/start {new.member_invite.code}")
    await kim.reply()
    for label in ("English", "Next", "Yes, that is OK", "Call me Kim"):
        await kim.tap(label)
        await kim.reply()
    await kim.send("/help")
    kept, help_text = await kim.replies(2)
    assert kept["text"] == en(KEPT)
    assert en("Here is what I can do.") in help_text["text"]

    await kim.send("/start")
    welcome, question = await kim.replies(2)
    assert welcome["text"] == en("Welcome back. Let us carry on where you left off.")
    easy_read = questions.question("easy_read")
    assert easy_read is not None and question["text"] == en(easy_read.asked[0])
    assert en("Back") in kim.buttons(question)  # the way back is kept too
    await kim.tap(en("Back"))
    assert (await kim.reply())["text"].startswith(en("What should we call you?"))


async def test_settings_list_the_tables_settings_in_its_order(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, 706, "Dee")
    dee = MemberDriver(emulator, 706, "Dee", "en")
    await dee.send("/settings")
    listed = await dee.reply()
    rows = questions.settings()
    assert dee.buttons(listed) == [
        *(en(row.setting or "") for row in rows),
        en("Turn news off"),
        en("Leave a panel"),
    ]
    lines = listed["text"].split("\n")
    starts = [en(row.shown[0]).split("{")[0] for row in rows if row.shown]
    found = [next(i for i, line in enumerate(lines) if line.startswith(s)) for s in starts]
    assert found == sorted(found)
    # Stop while a setting waits for words: nothing changes, the menu is back.
    await dee.tap(en("Change my name"))
    await dee.reply()
    await dee.tap(en("Stop"))
    stopped = await dee.reply()
    assert stopped["text"] == en("OK. Nothing has changed.")
    assert "reply_keyboard" in stopped
    assert (await _member(db, 706)).display_name == "Dee"


def test_every_row_is_whole() -> None:
    """Each row can be asked and answered: a setter for what it accepts, words for mistakes."""
    for row in questions.table():
        if row.kind is Kind.TEXT:
            assert row.typed is not None and row.mistake, row.step
        if row.setting is not None:
            assert row.shown is not None and (row.tapped or row.typed), row.step
    steps = [row.step for row in questions.table()]
    assert len(steps) == len(set(steps)) and "news" not in steps  # "news": the settings toggle
