"""The playground's demo panel: people and sample content, made through the real services.

One function per feature, called in order by `seed`. A feature that wants sample content in the
playground (a poll, a claim, a broadcast) adds one function here and one line to `SEEDERS`.
Everything a seeder queues for members goes through the outbox, so the running bot sends it
exactly as it would in real use.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Consent, Member, Membership, ReminderChoice, Role
from bot.services import (
    claim_submission,
    meeting_changes,
    meeting_rsvp,
    meeting_rules,
    panels,
    poll_answers,
    poll_asking,
    poll_rules,
    receipts,
)
from bot.services.access import Actor
from bot.services.anonymous import Hold

PANEL_NAME = "Carers Voice"
TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class Person:
    """Someone the visitor can be. `joined=False` people start with only an invite link."""

    telegram_id: int
    name: str
    language: str
    role: Role = Role.MEMBER
    joined: bool = True
    about: str = ""


# Launch languages across the cast, with right-to-left Urdu and Arabic.
PEOPLE = (
    Person(
        1001,
        "Priya",
        "en",
        Role.COORDINATOR,
        about=(
            "The panel's coordinator. Try /attendance, /results (a question's answers), "
            "/review (a claim is waiting) or /newmeeting."
        ),
    ),
    Person(
        1002,
        "Agnieszka",
        "pl",
        about="A member who writes in Polish. Answer the question about the leaflet, or /meetings.",
    ),
    Person(
        1003,
        "Amina",
        "ur",
        about="A member who writes in Urdu (right to left). She has a question to answer.",
    ),
    Person(1004, "Rhys", "cy", about="A member who writes in Welsh. He said he is coming already."),
    Person(
        1005,
        "Morag",
        "gd",
        about=(
            "A member who writes in Scottish Gaelic. She asked for help with travel and sent a "
            "claim for her bus fare. Try /expenses."
        ),
    ),
    Person(
        1006,
        "Sam",
        "en",
        joined=False,
        about="New: Sam has an invite link but has not joined yet. Tap Start to join.",
    ),
    Person(
        1007,
        "Layla",
        "ar",
        joined=False,
        about="New: Layla writes in Arabic and has an invite link. Tap Start to join.",
    ),
)


@dataclass
class Demo:
    panel_id: int = 0
    panel_name: str = PANEL_NAME
    timezone: str = TIMEZONE
    member_invite: str = ""
    people: tuple[Person, ...] = PEOPLE
    member_ids: dict[int, int] = field(default_factory=dict)  # telegram id -> member id
    meeting_ids: list[int] = field(default_factory=list)
    poll_id: int = 0
    claim_id: int = 0
    # Where the bot keeps its files (receipts), and how a member's photo gets into the Bot API
    # emulator: it returns (file_id, file_unique_id), as Telegram does for an upload.
    data_dir: Path | None = None
    upload_photo: Callable[[bytes], tuple[str, str]] | None = None
    # The bot's hold for anonymous answers (bot.services.anonymous), so demo answers wait too.
    hold: Hold | None = None

    def person(self, name: str) -> Person:
        return next(p for p in self.people if p.name == name)

    @property
    def coordinator(self) -> Person:
        return next(p for p in self.people if p.role == Role.COORDINATOR)

    def coordinator_actor(self) -> Actor:
        person = self.coordinator
        return Actor(person.telegram_id, self.member_ids[person.telegram_id])


Seeder = Callable[[AsyncSession, Demo, datetime], Awaitable[None]]


async def add_panel(session: AsyncSession, demo: Demo, now: datetime) -> None:
    operator = Actor(telegram_id=0, member_id=None, is_admin=True)
    new = await panels.create_panel(
        session, operator, demo.panel_name, now=now, timezone=demo.timezone, language="en"
    )
    demo.panel_id = new.panel.id
    demo.member_invite = new.member_invite.code


async def add_people(session: AsyncSession, demo: Demo, now: datetime) -> None:
    """People who have finished joining, as if they had tapped through it already."""
    for person in demo.people:
        if not person.joined:
            continue
        member = Member(
            telegram_id=person.telegram_id,
            created_at=now,
            display_name=person.name,
            language=person.language,
            consent=Consent.GIVEN,
            consent_at=now,
            reminders=ReminderChoice.ALL,
            access_needs=[],
        )
        session.add(member)
        await session.flush()
        session.add(
            Membership(panel_id=demo.panel_id, member_id=member.id, role=person.role, joined_at=now)
        )
        demo.member_ids[person.telegram_id] = member.id
    await session.flush()


def _local(now: datetime, zone: str, days: int, at: time) -> datetime:
    """`days` from today at a local clock time, so sample meetings look like real ones."""
    local_day = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=days)
    return datetime.combine(local_day, at, tzinfo=ZoneInfo(zone))


async def add_meetings(session: AsyncSession, demo: Demo, now: datetime) -> None:
    """Two meetings: one in person in three days (so its day-before reminder is still to come),
    one online in ten days. Invitations go to every member through the outbox."""
    actor = demo.coordinator_actor()
    drafts = (
        meeting_rules.MeetingDraft(
            title="Planning day",
            starts_at=_local(now, demo.timezone, 3, time(14, 0)),
            duration_minutes=120,
            address="Town Hall, High Street",
            access=("step_free", "hearing_loop", "quiet_room"),
            agenda="1. Bus passes\n2. The new carers' leaflet\n3. Any other business",
            paid=True,
        ),
        meeting_rules.MeetingDraft(
            title="Online catch-up",
            starts_at=_local(now, demo.timezone, 10, time(18, 30)),
            duration_minutes=60,
            online_url="https://meet.example.org/carers-voice",
            agenda="How did the planning day go?",
        ),
    )
    for draft in drafts:
        meeting = await meeting_changes.create(session, actor, demo.panel_id, draft, now=now)
        demo.meeting_ids.append(meeting.id)


async def answer_invitations(session: AsyncSession, demo: Demo, now: datetime) -> None:
    """A few answers already in, so the coordinator's /attendance has something to show.
    The visitor's own people (Agnieszka, Amina and the newcomers) are left to answer."""
    first = demo.meeting_ids[0]
    rhys, morag = demo.person("Rhys").telegram_id, demo.person("Morag").telegram_id
    await meeting_rsvp.answer(session, rhys, first, "coming", now=now)
    await meeting_rsvp.answer(session, morag, first, "support", now=now)
    await meeting_rsvp.toggle_support(session, morag, first, "travel")


POLL_QUESTION = "How easy to read is the new carers' leaflet?"


async def add_poll(session: AsyncSession, demo: Demo, now: datetime) -> None:
    """An anonymous 1 to 5 rating, asked of every member through the outbox, closing in six days
    (a fast-forward shows the reminder and the closing)."""
    draft = poll_rules.PollDraft(
        panel_id=demo.panel_id,
        question=POLL_QUESTION,
        kind="rating",
        anonymous=True,
        closes_at=_local(now, demo.timezone, 6, time(17, 0)),
    )
    poll, _ = await poll_asking.create(session, demo.coordinator_actor(), draft, now=now)
    demo.poll_id = poll.id


async def answer_poll(session: AsyncSession, demo: Demo, now: datetime) -> None:
    """Two answers in: fewer than the three results need, so the coordinator's /results says
    they are hidden. One more answer (Agnieszka or Amina, by the visitor) shows them."""
    for name, rating in (("Rhys", 4), ("Morag", 2)):
        outcome, _ = await poll_answers.answer(
            session,
            demo.person(name).telegram_id,
            demo.poll_id,
            now=now,
            rating=rating,
            hold=demo.hold,  # held like any answer, to be written with the others
        )
        assert outcome in (poll_answers.Outcome.SAVED, poll_answers.Outcome.HELD), outcome


def receipt_photo(lines: tuple[str, ...]) -> bytes:
    """A small picture of a bus ticket, as a phone photo would be (JPEG)."""
    from matplotlib.figure import Figure  # drawn in memory, no display needed

    figure = Figure(figsize=(2.4, 3.2), dpi=100, facecolor="#fbf8ef")
    for row, line in enumerate(lines):
        figure.text(0.08, 0.88 - row * 0.13, line, fontsize=11, family="monospace")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="jpeg")
    return buffer.getvalue()


TICKET = ("Highland Buses", "Day return", "Inverness", "  to Town Hall", "", "Paid £6.40")


async def add_claim(session: AsyncSession, demo: Demo, now: datetime) -> None:
    """Morag's claim from yesterday: a bus fare with a photo of the ticket, and parking the
    machine gave no ticket for. It waits for the coordinator's /review."""
    if demo.upload_photo is None or demo.data_dir is None:
        raise ValueError("the claim needs somewhere to keep its receipt")
    morag = demo.person("Morag").telegram_id
    member_id = demo.member_ids[morag]
    today = now.astimezone(ZoneInfo(demo.timezone)).date()
    yesterday = today - timedelta(days=1)
    photo = receipt_photo(TICKET)
    file_id, unique_id = demo.upload_photo(photo)
    path, mime, size = receipts.store(demo.data_dir, member_id, unique_id, photo)
    ticket = {"file_id": file_id, "kind": "photo", "mime": mime, "size": size, "path": path}
    lines = [
        claim_submission.NewLine(
            kind="transport", amount=640, spent_on=yesterday, receipts=[ticket]
        ),
        claim_submission.NewLine(
            kind="parking",
            amount=300,
            spent_on=yesterday,
            no_receipt_reason="The machine gave no ticket.",
        ),
    ]
    submitted = await claim_submission.submit(
        session,
        morag,
        panel_id=demo.panel_id,
        meeting_id=None,
        lines=lines,
        note="For the visit to the Town Hall about the leaflet.",
        now=now,
        today=today,
    )
    demo.claim_id = submitted.claim.id


# Order matters: people need the panel, meetings and polls need the coordinator.
SEEDERS: tuple[Seeder, ...] = (
    add_panel,
    add_people,
    add_meetings,
    answer_invitations,
    add_poll,
    answer_poll,
    add_claim,
)


async def seed(session: AsyncSession, now: datetime, demo: Demo | None = None) -> Demo:
    demo = demo or Demo()
    for seeder in SEEDERS:
        await seeder(session, demo, now)
    return demo
