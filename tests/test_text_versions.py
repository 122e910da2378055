"""Coordinators' own words in other languages, end to end: a poll's question and choices, a
meeting's title, agenda and address, and "You said, we did". A Polish member gets the Polish
version; an Arabic member, with no Arabic version, gets the original marked as not translated."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, Poll, Role, TextVersion
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import meeting_changes, poll_asking, text_versions
from bot.services.access import Actor
from bot.services.meeting_rules import MeetingDraft
from bot.services.poll_rules import PollDraft
from handlers.polls.answers import TYPE_HINTS
from tests.factories import add_member, create_panel

COORDINATOR, OLA, AMAL, SAM = 931, 932, 933, 934
NOT_TRANSLATED = "(Not translated: this is the coordinator's own words in {language}.)"


async def _setup(db: Database, clock: FrozenClock) -> int:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, COORDINATOR, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, OLA, "Ola", language="pl")
    await add_member(db, clock, new.panel.id, AMAL, "Amal", language="ar")
    await add_member(db, clock, new.panel.id, SAM, "Sam", language="en")
    return new.panel.id


def _members(emulator: BotApiEmulator) -> tuple[MemberDriver, MemberDriver, MemberDriver]:
    return (
        MemberDriver(emulator, OLA, "Ola", "pl"),
        MemberDriver(emulator, AMAL, "Amal", "ar"),
        MemberDriver(emulator, SAM, "Sam"),
    )


async def _shared(member: MemberDriver) -> str:
    """The shared results, after the thanks for an answer held back and any closing notice."""
    while True:
        text = str((await member.reply())["text"])
        if "Mondays" in text or "poniedziałki" in text:
            return text


async def _drain(app: PanelbotApplication) -> None:
    assert app.runtime.delivery is not None
    await app.runtime.delivery.drain()


async def test_a_polish_member_gets_the_polish_poll_and_an_arabic_member_the_marked_original(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    ola, amal, sam = _members(emulator)
    await priya.send("/newpoll")
    await priya.reply()
    await priya.send("Which day suits you?")
    await priya.reply()
    await priya.tap("One choice")
    await priya.reply()
    await priya.send("Monday\nFriday")
    await priya.reply()
    await priya.tap("Anonymous")
    await priya.reply()
    await priya.tap("In 3 days")
    await priya.reply()
    await priya.tap("The whole panel")
    preview = await priya.reply()
    assert "Which day suits you?" in preview["text"]
    await priya.tap("Add a version in another language")
    languages = await priya.reply()
    assert "Polski" in priya.buttons(languages) and "English" not in priya.buttons(languages)
    await priya.tap("Polski")
    assert "Type the question in Polski." in (await priya.reply())["text"]
    await priya.send("Który dzień Ci pasuje?")
    assert "Type the choices in Polski" in (await priya.reply())["text"]
    await priya.send("Poniedziałek\nŚroda\nPiątek")  # one too many: asked again, nothing lost
    assert "same number of choices" in (await priya.reply())["text"]
    await priya.send("Poniedziałek\nPiątek")
    english = await priya.reply()
    assert "Which day suits you?" in english["text"]
    polish = await priya.reply()
    assert "This is what people who speak Polski will see:" in polish["text"]
    assert "Który dzień Ci pasuje?" in polish["text"]
    assert "Check of the Polski version:" in polish["text"]
    await priya.tap("Send")
    assert "Sent. 3 people will get the question." in (await priya.reply())["text"]

    await _drain(app)
    question = await ola.reply()
    assert "Który dzień Ci pasuje?" in question["text"]
    assert "Which day suits you?" not in question["text"]
    assert {"Poniedziałek", "Piątek"} <= set(ola.buttons(question))
    assert "Monday" not in ola.buttons(question)
    assert Translator("pl")(NOT_TRANSLATED, language="English") not in question["text"]
    await ola.tap(Translator("pl")("Type my answer"))
    await ola.reply()
    await ola.send("Piątek")  # a choice typed in words, in Polish
    assert (await ola.reply())["text"] != Translator("pl")(TYPE_HINTS["one"])

    original = await amal.reply()
    assert "Which day suits you?" in original["text"]
    assert Translator("ar")(NOT_TRANSLATED, language="English") in original["text"]
    assert {"Monday", "Friday"} <= set(amal.buttons(original))

    plain = await sam.reply()
    assert "Which day suits you?" in plain["text"] and "Not translated" not in plain["text"]

    async with db.session() as session:
        stored = (await session.execute(select(TextVersion.language, TextVersion.field))).all()
    assert set(stored) == {("en", "original"), ("pl", "question"), ("pl", "options")}


async def test_a_polish_member_gets_the_polish_meeting_invitation_and_arabic_the_marked_original(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _setup(db, clock)
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    ola, amal, sam = _members(emulator)
    await priya.send("/newmeeting")
    await priya.reply()
    for typed in ("Leaflet review", "25/12/2026", "2pm", "2 hours"):
        await priya.send(typed)
        await priya.reply()
    await priya.tap("In person")
    await priya.reply()
    await priya.send("Town Hall, Room 2. The lift is by the front door.")
    await priya.reply()
    await priya.tap("Skip")
    await priya.reply()
    await priya.tap("Done")
    await priya.reply()
    await priya.send("We will read the new leaflet together.")
    await priya.reply()
    await priya.tap("No papers")
    await priya.reply()
    await priya.tap("No")
    await priya.replies(2)
    await priya.tap("Add a version in another language")
    await priya.reply()
    await priya.tap("Polski")
    assert "Type the meeting title in Polski." in (await priya.reply())["text"]
    await priya.send("Przegląd ulotki")
    assert "Type what you will talk about in Polski." in (await priya.reply())["text"]
    await priya.send("Razem przeczytamy nową ulotkę.")
    assert "Type the address and how to get there in Polski." in (await priya.reply())["text"]
    await priya.send("Ratusz, sala 2. Winda jest przy drzwiach.")
    english, polish, check = await priya.replies(3)
    assert "Leaflet review" in english["text"]
    assert "Przegląd ulotki" in polish["text"] and "Razem przeczytamy" in polish["text"]
    assert "Check of the Polski version:" in polish["text"]
    assert "Tap Send to invite everyone" in check["text"]
    await priya.tap("Send")
    assert "Sent." in (await priya.reply())["text"]

    await _drain(app)
    invitation = await ola.reply()
    for words in ("Przegląd ulotki", "Razem przeczytamy nową ulotkę.", "Ratusz, sala 2."):
        assert words in invitation["text"]
    for words in ("Leaflet review", "read the new leaflet", "Town Hall"):
        assert words not in invitation["text"]
    assert "Not translated" not in invitation["text"]

    original = await amal.reply()
    assert "Leaflet review" in original["text"] and "Town Hall, Room 2." in original["text"]
    assert Translator("ar")(NOT_TRANSLATED, language="English") in original["text"]
    plain = await sam.reply()
    assert "Leaflet review" in plain["text"] and "Not translated" not in plain["text"]

    # The meeting's card in /meetings chooses the same way.
    for member in (ola, amal):
        with contextlib.suppress(AssertionError):  # the calendar file after the invitation
            while True:
                await member.reply(timeout=1.0)
    await ola.send("/meetings")
    _count, card = await ola.replies(2)
    assert "Przegląd ulotki" in card["text"] and "Ratusz, sala 2." in card["text"]
    await amal.send("/meetings")
    _count, card = await amal.replies(2)
    assert "Leaflet review" in card["text"]
    assert Translator("ar")(NOT_TRANSLATED, language="English") in card["text"]


async def test_you_said_we_did_is_previewed_and_checked_and_goes_in_each_members_language(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = await _setup(db, clock)
    await add_member(db, clock, panel_id, 935, "Jo")
    async with db.session() as session:
        coordinator = await session.scalar(
            select(Member.id).where(Member.telegram_id == COORDINATOR)
        )
        assert coordinator is not None
        await poll_asking.create(
            session,
            Actor(COORDINATOR, coordinator),
            PollDraft(
                panel_id=panel_id,
                question="Which day suits you?",
                kind="one",
                options=("Monday", "Friday"),
                anonymous=True,
                closes_at=clock.now() + timedelta(days=3),
            ),
            now=clock.now(),
        )
    priya = MemberDriver(emulator, COORDINATOR, "Priya")
    ola, amal, sam = _members(emulator)
    jo = MemberDriver(emulator, 935, "Jo")  # members see results only from k+1 answers
    await _drain(app)
    for member, choice in ((ola, "Monday"), (amal, "Monday"), (sam, "Friday"), (jo, "Friday")):
        await member.reply()
        await member.tap(choice)
        await member.reply()
    clock.advance(timedelta(days=4))  # the poll closes and its held answers are written
    await _drain(app)
    await app.runtime.flush_anonymous()
    assert "has closed" in (await priya.reply())["text"]

    await priya.send("/results")
    await priya.reply()
    await priya.tap("Which day suits you?")
    with contextlib.suppress(AssertionError):  # the results, then the chart
        while True:
            await priya.reply(timeout=1.0)
    await priya.tap("Share with the panel")
    assert "You said, we did" in (await priya.reply())["text"]
    await priya.send("We will facilitate the co-production of an evaluation framework.")
    preview = await priya.reply()
    assert "This is what members will see:" in preview["text"]
    assert "co-production" in preview["text"] and "This reads well" not in preview["text"]
    assert priya.buttons(preview)[:3] == ["Send", "Edit", "Add a version in another language"]
    async with db.session() as session:
        assert (await session.scalar(select(Poll.we_did))) is None  # nothing went yet

    await priya.tap("Edit")
    await priya.reply()
    await priya.send("We will meet on Mondays.")
    preview = await priya.reply()
    assert "We will meet on Mondays." in preview["text"] and "This reads well" in preview["text"]
    await priya.tap("Add a version in another language")
    await priya.reply()
    await priya.tap("Polski")
    assert "Type your message in Polski." in (await priya.reply())["text"]
    await priya.send("Będziemy się spotykać w poniedziałki.")
    english, polish = await priya.replies(2)
    assert "We will meet on Mondays." in english["text"]
    assert "Check of the Polski version:" in polish["text"]
    await priya.tap("Send")
    assert "Sent. 4 people will get the results." in (await priya.reply())["text"]

    await _drain(app)
    shared = await _shared(ola)
    assert "Będziemy się spotykać w poniedziałki." in shared and "Mondays" not in shared
    shared = await _shared(amal)
    assert "We will meet on Mondays." in shared
    assert Translator("ar")(NOT_TRANSLATED, language="English") in shared
    shared = await _shared(sam)
    assert "We will meet on Mondays." in shared and "Not translated" not in shared


async def test_versions_fall_back_to_the_original_and_a_repeated_meeting_keeps_them(
    db: Database, clock: FrozenClock
) -> None:
    panel_id = await _setup(db, clock)
    async with db.session() as session:
        coordinator = await session.scalar(select(Member.id).where(Member.telegram_id == 931))
        assert coordinator is not None
        actor = Actor(COORDINATOR, coordinator)
        draft = MeetingDraft(
            title="Leaflet review",
            starts_at=clock.now() + timedelta(days=2),
            duration_minutes=60,
            agenda="We read the leaflet.",
        )
        meeting = await meeting_changes.create(session, actor, panel_id, draft, now=clock.now())
        unknown = await text_versions.words(session, "meeting", meeting.id, "ar")
        assert unknown.texts == {} and unknown.untranslated_from is None  # made before versions
        await text_versions.save(
            session,
            "meeting",
            meeting.id,
            original="en",
            versions={"pl": {"title": "Przegląd ulotki", "unknown": "x"}, "xx": {"title": "?"}},
        )
        polish = await text_versions.words(session, "meeting", meeting.id, "pl")
        assert polish.texts == {"title": "Przegląd ulotki"} and polish.untranslated_from is None
        assert polish.get("agenda", meeting.agenda) == "We read the leaflet."  # not given: original
        arabic = await text_versions.words(session, "meeting", meeting.id, "ar")
        assert arabic.texts == {} and arabic.untranslated_from == "en"
        english = await text_versions.words(session, "meeting", meeting.id, "en")
        assert english.texts == {} and english.untranslated_from is None
        [copy] = await meeting_changes.repeat(
            session, actor, meeting.id, every="week", times=1, now=clock.now()
        )
        repeated = await text_versions.words(session, "meeting", copy.id, "pl")
        assert repeated.texts == {"title": "Przegląd ulotki"}
        await session.commit()
