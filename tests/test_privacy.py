"""A member's own data: /mydata shows it, /forgetme deletes it, /leave leaves one panel."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import (
    AuditEvent,
    Base,
    Invite,
    Member,
    Membership,
    OutboxMessage,
    Panel,
    PaymentChoice,
    Role,
)
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import outbox, panels
from bot.services.access import Actor
from tests.factories import add_member, create_panel

EN = Translator("en")
NOTHING_STORED = "We do not keep anything about you. There is nothing to show or delete."


async def _give_details(
    db: Database, telegram_id: int, *, other: str, payment: PaymentChoice
) -> None:
    async with db.session() as session:
        await session.execute(
            update(Member)
            .where(Member.telegram_id == telegram_id)
            .values(access_other=other, payment=payment, quiet_start=22 * 60, quiet_end=8 * 60)
        )


async def _dump_every_table(db: Database) -> str:
    """Every row of every table, as text: what someone reading the database would see."""
    lines = []
    async with db.session() as session:
        # Every table the models declare (sorted_tables warns about the invites/members cycle).
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            for row in (await session.execute(select(table))).all():
                lines.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(lines)


async def test_mydata_shows_a_summary_and_sends_everything_as_a_file(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(
        db, clock, new.panel.id, 701, "Bea <b>", access_needs=["step_free", "quiet_space"]
    )
    await _give_details(db, 701, other="A chair with arms", payment=PaymentChoice.VOUCHERS)
    bea = MemberDriver(emulator, 701, "Bea")

    await bea.send("/mydata")
    text, document = await bea.replies(2)
    summary = text["text"]
    assert summary.startswith(EN("Here is what we keep about you."))
    assert EN("Name: {name}", name="Bea <b>") in summary  # shown as typed, not as HTML
    assert EN("Language: {language}", language="English") in summary
    assert EN("Easy read: off") in summary
    assert EN("Reminders: {choice}", choice=EN("All reminders")) in summary
    # Written by Babel for British English, with its narrow spaces: "10 pm – 8 am".
    assert EN("Quiet hours: {hours}", hours="10\u202fpm\u2009–\u20098\u202fam") in summary
    assert "Step-free access; A quiet space; Other: A chair with arms" in summary
    assert EN("Payment: {choice}", choice=EN("Vouchers")) in summary
    assert "• Carers Voice: " + EN("Member") in summary

    assert document["document"]["file_name"] == "my-panelbot-data.json"
    data = emulator.file_bytes(document["document"]["file_id"])
    assert data is not None
    export = json.loads(data.decode("utf-8"))
    assert export["telegram_id"] == 701
    assert export["name"] == "Bea <b>"
    assert export["access_other"] == "A chair with arms"
    assert export["payment"] == "vouchers"
    assert [p["panel"] for p in export["panels"]] == ["Carers Voice"]
    assert export["panels"][0]["role"] == "member"


async def test_mydata_for_a_stranger_says_nothing_is_kept(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    stranger = MemberDriver(emulator, 702, "Sam", language_code="cy")
    await stranger.send("/mydata")
    assert (await stranger.reply())["text"] == Translator("cy")(NOTHING_STORED)
    await stranger.no_reply(0.2)  # and no file


async def test_forgetme_yes_leaves_nothing_that_names_the_person(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    telegram_id, name, other = 987_654_321, "Zebedee Quill", "Ramp at the back door please"
    new = await create_panel(db, clock, "Carers Voice")
    second = await create_panel(db, clock, "Kidney Group")
    await add_member(db, clock, new.panel.id, 703, "Olu", role=Role.COORDINATOR)
    member = await add_member(
        db,
        clock,
        new.panel.id,
        telegram_id,
        name,
        role=Role.COORDINATOR,
        language="pl",
        access_needs=["bsl"],
    )
    await add_member(db, clock, second.panel.id, telegram_id, name, language="pl")
    await _give_details(db, telegram_id, other=other, payment=PaymentChoice.BANK)
    # A history to unlink: an invite they made, and messages waiting for them.
    async with db.session() as session:
        actor = Actor(telegram_id, member.id)
        await panels.create_invite(session, actor, new.panel.id, now=clock.now())
        for key, member_id in (("reminder:1", member.id), ("by-chat-only", None)):
            await outbox.enqueue(
                session,
                key=key,
                kind="message",
                chat_id=telegram_id,
                member_id=member_id,
                payload={"text": f"Hello {name}"},
                due_at=clock.now() + timedelta(days=1),
                now=clock.now(),
            )
    before = await _dump_every_table(db)
    assert str(telegram_id) in before and name in before and other in before  # the dump sees them
    pl = Translator("pl")
    zeb = MemberDriver(emulator, telegram_id, "Zebedee", language_code="pl")

    await zeb.send("/forgetme")
    question = await zeb.reply()
    assert question["text"].startswith(pl("If you say yes, we will delete:"))
    assert pl("We keep a record of what happened in each panel.") in question["text"]
    assert zeb.buttons(question) == [pl("Yes, delete everything"), pl("No, keep my data")]
    await zeb.tap(pl("Yes, delete everything"))
    done = await zeb.reply()
    assert done["text"].startswith(pl("Done. We deleted your data."))
    assert (
        pl("Do you want to come back one day? Ask a coordinator for a new invite link.")
        in done["text"]
    )
    assert zeb.buttons(await zeb.wait_edit(question["message_id"])) == []

    dump = await _dump_every_table(db)
    assert str(telegram_id) not in dump
    assert name not in dump and "Zebedee" not in dump
    assert other not in dump
    async with db.session() as session:
        assert await session.scalar(select(Member).where(Member.telegram_id == telegram_id)) is None
        assert await session.scalar(select(Member.id).where(Member.id == member.id)) is None
        remaining = (await session.scalars(select(Panel.name).order_by(Panel.id))).all()
        assert remaining == ["Carers Voice", "Kidney Group"]
        # The other coordinator is untouched; the invite stays but no longer says who made it.
        assert await session.scalar(select(Member).where(Member.telegram_id == 703)) is not None
        invites = (await session.scalars(select(Invite))).all()
        assert len(invites) == 5 and all(i.created_by != member.id for i in invites)
        assert (await session.scalars(select(OutboxMessage))).all() == []
        forgotten = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "member.forgotten"))
        ).all()
        assert len(forgotten) == 1 and forgotten[0].actor_id is None
        # Their earlier actions stay in the history, unlinked.
        made = await session.scalar(select(AuditEvent).where(AuditEvent.action == "invite.created"))
        assert made is not None and made.actor_id is None


async def test_forgetme_no_deletes_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 704, "Dee")
    dee = MemberDriver(emulator, 704, "Dee")
    await dee.send("/forgetme")
    await dee.reply()
    await dee.tap("No, keep my data")
    assert (await dee.reply())["text"] == EN("OK. Nothing was deleted.")
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 704))
        assert member is not None and member.display_name == "Dee"
        active = await session.scalar(
            select(Membership.active).where(Membership.member_id == member.id)
        )
        assert active is True
        assert (
            await session.scalar(
                select(AuditEvent.id).where(AuditEvent.action == "member.forgotten")
            )
            is None
        )


async def test_forgetme_for_a_stranger_and_forged_buttons(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 706, "Eve")
    stranger = MemberDriver(emulator, 705, "Sam")
    await stranger.send("/forgetme")
    assert (await stranger.reply())["text"] == EN(NOTHING_STORED)

    eve = MemberDriver(emulator, 706, "Eve")
    await eve.send("/forgetme")
    question = await eve.reply()
    expired = EN("This button no longer works. Type /help to see what you can do now.")
    for forged in ("forget:1:YES", "forget:0:yes", "forget:1:yes:706"):
        assert (await eve.tap_data(question["message_id"], forged))["text"] == expired
    async with db.session() as session:
        assert await session.scalar(select(Member).where(Member.telegram_id == 706)) is not None


async def test_leave_is_one_tap_and_is_recorded(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    first = await create_panel(db, clock, "Carers Voice")
    second = await create_panel(db, clock, "Kidney Group")
    other = await create_panel(db, clock, "Not Mine")
    member = await add_member(db, clock, first.panel.id, 707, "Fay")
    await add_member(db, clock, second.panel.id, 707, "Fay")
    fay = MemberDriver(emulator, 707, "Fay")

    await fay.send("/leave")
    question = await fay.reply()
    assert question["text"] == EN("Which panel do you want to leave? Tap its name.")
    assert fay.buttons(question) == ["Carers Voice", "Kidney Group", EN("No, I want to stay")]
    await fay.tap("Kidney Group")
    left = await fay.reply()
    assert left["text"].startswith(EN("You have left {panel}.", panel="Kidney Group"))

    async with db.session() as session:
        rows = (
            await session.execute(
                select(Membership.panel_id, Membership.active).where(
                    Membership.member_id == member.id
                )
            )
        ).all()
        assert dict(rows) == {first.panel.id: True, second.panel.id: False}
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "membership.left")
        )
        assert event is not None
        assert (event.actor_id, event.panel_id) == (member.id, second.panel.id)

    # Stale or forged: a panel already left, a panel never joined, nonsense.
    for data in (f"leave:1:{second.panel.id}", f"leave:1:{other.panel.id}"):
        await fay.tap_data(question["message_id"], data)
        assert (await fay.reply())["text"] == EN("You are not in that panel any more.")
    expired = EN("This button no longer works. Type /help to see what you can do now.")
    for data in ("leave:1:x", "leave:1:99999999999999999999999", "leave:1:"):
        assert (await fay.tap_data(question["message_id"], data))["text"] == expired

    await fay.send("/leave")
    again = await fay.reply()
    assert fay.buttons(again) == ["Carers Voice", EN("No, I want to stay")]
    await fay.tap(EN("No, I want to stay"))
    assert (await fay.reply())["text"] == EN("OK. Nothing has changed.")
    async with db.session() as session:
        assert (
            await session.scalar(
                select(Membership.active).where(
                    Membership.member_id == member.id, Membership.panel_id == first.panel.id
                )
            )
            is True
        )


async def test_leave_with_no_panels(app: PanelbotApplication, emulator: BotApiEmulator) -> None:
    stranger = MemberDriver(emulator, 708, "Gus", language_code="ar")
    await stranger.send("/leave")
    assert (await stranger.reply())["text"] == Translator("ar")("You are not in any panel.")
