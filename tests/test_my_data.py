"""/mydata shows everything that points at the person, readably; never anonymous content.

The first test reads the models: every column that points at a member (a foreign key to
`members`) or holds a Telegram id must be named in `bot.services.my_data.SOURCES`, so a new
table cannot be left out of /mydata unnoticed. The others fill every such table for one person
and read what /mydata sends back.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import PanelbotApplication
from bot.db import (
    Answer,
    Base,
    Broadcast,
    Claim,
    ClaimLine,
    ClaimStatus,
    Draft,
    Feedback,
    FeedbackReply,
    LineStatus,
    Meeting,
    Member,
    MemberRequest,
    PanelTerm,
    Poll,
    PollParticipant,
    PollResponse,
    Receipt,
    Role,
    Rsvp,
)
from bot.db.engine import Database
from bot.emulator.driver import TINY_PNG, MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import audit, outbox, panels, receipts
from bot.services.access import Actor
from tests.factories import add_member, create_panel

ME, OTHER, COORDINATOR = 931_000_931, 932, 933
ANONYMOUS_FEEDBACK = "Secret worry about the chair"
ANONYMOUS_ANSWER = "Anonymous thought on buses"


def _columns_pointing_at_people() -> set[tuple[str, str]]:
    members = Base.metadata.tables["members"]
    found = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            points_at_member = any(fk.column is members.c.id for fk in column.foreign_keys)
            # Telegram ids are kept as big integers named for a person or a chat.
            holds_telegram_id = isinstance(column.type, BigInteger) and (
                column.name == "telegram_id" or column.name.endswith("chat_id")
            )
            if points_at_member or holds_telegram_id:
                found.add((table.name, column.name))
    return found


def test_every_column_that_points_at_a_person_is_covered_by_mydata() -> None:
    from bot.services import my_data

    columns = _columns_pointing_at_people()
    assert ("rsvps", "member_id") in columns and ("outbox", "chat_id") in columns  # it sees them
    missing = columns - set(my_data.SOURCES)
    assert not missing, f"add these to bot.services.my_data.SOURCES and to /mydata: {missing}"
    assert not set(my_data.SOURCES) - columns, "SOURCES names a column that no longer exists"


async def _everything_about_me(db: Database, clock: FrozenClock, settings: Settings) -> int:
    """One person with a row in every table that can point at them, plus anonymous content."""
    new = await create_panel(db, clock, "Carers Voice")
    panel_id = new.panel.id
    me = await add_member(db, clock, panel_id, ME, "Ffion", role=Role.COORDINATOR, language="ar")
    other = await add_member(db, clock, panel_id, OTHER, "Sam")
    path, mime, size = receipts.store(settings.panelbot_data_dir, me.id, "AgADme", TINY_PNG)
    now, today = clock.now(), clock.now().date()
    async with db.session() as session:
        person = await session.get(Member, me.id)
        assert person is not None
        person.quiet_start, person.quiet_end = 22 * 60, 7 * 60
        await panels.create_invite(session, Actor(ME, me.id), panel_id, now=now)
        meeting = Meeting(
            panel_id=panel_id,
            title="Planning day",
            starts_at=now + timedelta(days=3),
            created_by=me.id,
            created_at=now,
        )
        session.add(meeting)
        await session.flush()
        session.add(
            Rsvp(
                meeting_id=meeting.id,
                member_id=me.id,
                answer=Answer.SUPPORT,
                support=["travel"],
                support_other="A seat near the door",
                answered_at=now,
            )
        )
        session.add(
            Draft(
                member_id=me.id, kind="claim", step="amount", data={"typed": "12"}, updated_at=now
            )
        )
        # A question Ffion asked her coordinators, and one of Sam's she answered.
        session.add_all(
            [
                MemberRequest(
                    panel_id=panel_id,
                    member_id=me.id,
                    kind="word",
                    about="quorum",
                    text="Who counts?",
                    created_at=now,
                ),
                MemberRequest(
                    panel_id=panel_id,
                    member_id=other.id,
                    kind="payment",
                    created_at=now,
                    answered_at=now,
                    answered_by=me.id,
                ),
            ]
        )
        session.add(
            PanelTerm(
                panel_id=panel_id,
                key="pa",
                term="PA",
                definition="A helper.",
                updated_at=now,
                updated_by=me.id,
            )
        )
        session.add(
            Broadcast(
                created_by=me.id,
                text="Bus passes are here",
                send_at=now,
                created_at=now,
                report_chat_id=ME,
            )
        )
        named = Feedback(
            panel_id=panel_id, number=1, member_id=me.id, text="The lift is broken", day=today
        )
        anonymous = Feedback(panel_id=panel_id, number=2, text=ANONYMOUS_FEEDBACK, day=today)
        session.add_all([named, anonymous])
        await session.flush()
        session.add_all(
            [
                FeedbackReply(feedback_id=named.id, text="We will fix it", day=today),
                FeedbackReply(feedback_id=named.id, from_member=True, text="Thank you", day=today),
                FeedbackReply(
                    feedback_id=anonymous.id, from_member=True, text="More secrets", day=today
                ),
            ]
        )
        named_poll = Poll(
            panel_id=panel_id,
            question="Best day?",
            kind="one",
            options=["Monday", "Friday"],
            anonymous=False,
            closes_at=now,
            created_by=me.id,
            created_at=now,
        )
        anonymous_poll = Poll(
            panel_id=panel_id,
            question="Any thoughts?",
            kind="text",
            anonymous=True,
            closes_at=now,
            created_at=now,
        )
        session.add_all([named_poll, anonymous_poll])
        await session.flush()
        session.add_all(
            [
                PollParticipant(poll_id=named_poll.id, member_id=me.id, state="answered"),
                PollParticipant(poll_id=anonymous_poll.id, member_id=me.id, state="answered"),
                PollResponse(
                    id="a" * 32, poll_id=named_poll.id, member_id=me.id, choices=[1], day=today
                ),
                PollResponse(
                    id="b" * 32, poll_id=anonymous_poll.id, text=ANONYMOUS_ANSWER, day=today
                ),
            ]
        )
        mine = Claim(
            panel_id=panel_id,
            member_id=me.id,
            status=ClaimStatus.SUBMITTED,
            submitted_at=now,
            note="Bus to the hall",
        )
        theirs = Claim(
            panel_id=panel_id,
            member_id=other.id,
            status=ClaimStatus.PAID,
            submitted_at=now,
            paid_at=now,
            paid_by=me.id,
            payment_method="bank",
        )
        session.add_all([mine, theirs])
        await session.flush()
        line = ClaimLine(claim_id=mine.id, position=1, kind="transport", amount=250, spent_on=today)
        session.add_all(
            [
                line,
                ClaimLine(
                    claim_id=theirs.id,
                    position=1,
                    kind="parking",
                    amount=300,
                    spent_on=today,
                    status=LineStatus.APPROVED,
                    reviewed_by=me.id,
                    reviewed_at=now,
                ),
            ]
        )
        await session.flush()
        session.add(
            Receipt(
                line_id=line.id,
                telegram_file_id="f1",
                kind="photo",
                mime_type=mime,
                size=size,
                path=path,
            )
        )
        await outbox.enqueue(
            session,
            key="reminder:me",
            kind="meeting_reminder",
            chat_id=ME,
            member_id=me.id,
            payload={},
            due_at=now + timedelta(days=1),
            now=now,
        )
        # A refused attempt from before they joined: it names them by Telegram id only.
        audit.record(session, "refused", at=now, telegram_id=ME, what="/members")
    return me.id


async def test_mydata_exports_every_table_that_points_at_the_person_but_no_anonymous_content(
    app: PanelbotApplication,
    emulator: BotApiEmulator,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    from bot.services import my_data

    await _everything_about_me(db, clock, settings)
    ffion = MemberDriver(emulator, ME, "Ffion", language_code="ar")
    await ffion.send("/mydata")
    summary, document, receipts_file = await ffion.replies(3)
    raw = emulator.file_bytes(document["document"]["file_id"]) or b""
    export: dict[str, Any] = json.loads(raw)

    for section in set(my_data.SOURCES.values()):
        assert export[section], f"/mydata left out {section}"
    assert export["meeting_answers"][0]["answer"] == "support"
    assert export["meeting_answers"][0]["support_needs"] == ["travel"]
    assert export["meeting_answers"][0]["support_other"] == "A seat near the door"
    [asked] = export["questions_to_coordinators"]
    assert asked["kind"] == "word" and asked["your_words"] == "Who counts?"
    assert [a["kind"] for a in export["questions_you_answered"]] == ["payment"]
    assert export["unfinished_forms"][0]["so_far"] == {"typed": "12"}
    [named] = export["feedback_with_your_name"]
    assert named["text"] == "The lift is broken"
    assert [r["text"] for r in named["replies"]] == ["We will fix it", "Thank you"]
    assert export["your_answers_with_your_name"] == [
        {
            "question": "Best day?",
            "choices": ["Friday"],
            "rating": None,
            "text": None,
            "day": clock.now().date().isoformat(),
        }
    ]
    assert {q["question"] for q in export["questions_you_were_asked"]} == {
        "Best day?",
        "Any thoughts?",
    }
    assert [h["what"] for h in export["history"]].count("refused") == 1
    assert export["quiet_hours"] == {"from": "22:00", "to": "07:00"}

    # Anonymous content cannot be found for anyone, so it is not in their file or summary.
    everything = raw.decode("utf-8") + summary["text"]
    for secret in (ANONYMOUS_FEEDBACK, ANONYMOUS_ANSWER, "More secrets"):
        assert secret not in everything

    # The summary is readable: quiet hours in their language's clock, never minutes.
    ar = Translator("ar")
    assert "[1320" not in summary["text"] and "1320" not in summary["text"]
    assert ar("Quiet hours: {hours}", hours="10\u202fم\u2009–\u20097\u202fص") in summary["text"]
    assert ar("Answers to meeting invitations: {n}", n=1) in summary["text"]
    assert ar("Messages with your name: {n}", n=1) in summary["text"]
    assert ar("Poll answers with your name: {n}", n=1) in summary["text"]
    assert ar("Claims: {n}. Receipts: {receipts}.", n=1, receipts=1) in summary["text"]

    # Receipt files come as files, named as the file lists them.
    [item] = export["claims"][0]["items"]
    assert (item["amount"], export["claims"][0]["currency"]) == ("2.50", "GBP")  # not just pence
    assert receipts_file["document"]["file_name"] == "my-receipts.zip"
    archive = io.BytesIO(emulator.file_bytes(receipts_file["document"]["file_id"]) or b"")
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == [item["receipts"][0]["file"]]
        assert z.read(item["receipts"][0]["file"]) == TINY_PNG


async def test_quiet_hours_are_written_the_way_each_language_reads_a_clock(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    for offset, language in enumerate(("en", "pl")):
        member = await add_member(db, clock, new.panel.id, 940 + offset, "Jo", language=language)
        async with db.session() as session:
            row = await session.get(Member, member.id)
            assert row is not None
            row.language, row.quiet_start, row.quiet_end = language, 22 * 60 + 30, 7 * 60
    expected = {
        "en": "10:30\u202fpm\u2009–\u20097:00\u202fam",
        "pl": "22:30–07:00",
    }
    for offset, language in enumerate(("en", "pl")):
        jo = MemberDriver(emulator, 940 + offset, "Jo", language_code=language)
        await jo.send("/mydata")
        summary, _ = await jo.replies(2)
        t = Translator(language)
        assert t("Quiet hours: {hours}", hours=expected[language]) in summary["text"]


async def test_mydata_of_a_person_with_nothing_but_a_profile_lists_every_section(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from bot.services import my_data

    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 950, "Dee")
    dee = MemberDriver(emulator, 950, "Dee")
    await dee.send("/mydata")
    _, document = await dee.replies(2)
    await dee.no_reply(0.2)  # no receipts, so no zip
    export = json.loads(emulator.file_bytes(document["document"]["file_id"]) or b"{}")
    assert set(my_data.SOURCES.values()) <= set(export)
    async with db.session() as session:
        assert await session.scalar(select(Member.id).where(Member.telegram_id == 950))
