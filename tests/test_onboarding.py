"""Joining a panel from an invite link, as a person on a phone would: tapping, mostly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import AuditEvent, Consent, Invite, Member, Membership, ReminderChoice, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import panels, questions
from tests.factories import ROOT, create_panel


async def _member(db: Database, telegram_id: int) -> Member | None:
    async with db.session() as session:
        return await session.scalar(select(Member).where(Member.telegram_id == telegram_id))


async def test_a_new_person_joins_in_urdu_by_tapping_only(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    ur = Translator("ur")
    amina = MemberDriver(emulator, 601, "Amina", language_code="ur")

    await amina.send(f"/start {new.member_invite.code}")
    assert (await amina.reply())["text"] == ur("Which language would you like? Tap one.")
    await amina.tap("اردو")
    about = await amina.reply()
    assert about["text"].startswith(ur("You are invited to join {panel}.", panel="Carers Voice"))
    await amina.tap(ur("Next"))
    consent = await amina.reply()
    assert consent["text"] == ur(questions.CONSENT_QUESTION)
    await amina.tap(ur("Yes, that is OK"))
    await amina.reply()
    await amina.tap(ur("Call me {name}", name="Amina"))
    await amina.reply()
    await amina.tap(ur("No, thank you"))
    await amina.reply()
    await amina.tap(ur("Only the day before"))
    await amina.reply()
    await amina.tap(ur("Not from 10pm to 8am"))
    access = await amina.reply()
    await amina.tap(ur("Hearing loop"))
    ticked = await amina.wait_edit(access["message_id"])
    assert "✓ " + ur("Hearing loop") in amina.buttons(ticked)
    await amina.tap(ur("BSL interpreter"))
    await amina.wait_edit(access["message_id"])
    await amina.tap(ur("Done"))
    payment = await amina.reply()
    assert (
        ur("Payments can affect some benefits. Vouchers are not always safer.") in payment["text"]
    )
    await amina.tap(ur("Vouchers"))
    done = await amina.reply()
    assert done["text"].startswith(ur("All done, {name}!", name="Amina"))
    assert ur("Meetings") in str(done["reply_keyboard"])

    member = await _member(db, 601)
    assert member is not None
    assert (member.language, member.display_name, member.consent) == ("ur", "Amina", Consent.GIVEN)
    assert member.reminders == ReminderChoice.DAY_BEFORE
    assert (member.quiet_start, member.quiet_end) == (22 * 60, 8 * 60)
    assert member.access_needs == ["hearing_loop", "bsl"]
    assert str(member.payment) == "vouchers"
    assert member.conversation_step is None
    async with db.session() as session:
        membership = await session.scalar(
            select(Membership).where(Membership.member_id == member.id)
        )
        joined = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "membership.joined")
        )
    assert membership is not None and membership.role == Role.MEMBER
    assert membership.panel_id == new.panel.id
    assert joined is not None and joined.actor_id == member.id


async def test_someone_who_leaves_half_way_resumes_at_the_same_step(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    en = Translator("en")
    sam = MemberDriver(emulator, 602, "Sam", language_code="en")
    await sam.send(f"/start {new.member_invite.code}")
    await sam.reply()
    await sam.tap("English")
    await sam.reply()
    await sam.tap("Next")
    await sam.reply()
    await sam.tap("Yes, that is OK")
    await sam.reply()  # the name question; Sam puts the phone down here

    clock.advance(timedelta(days=3))
    await sam.send("/start")
    welcome_back, question = await sam.replies(2)
    assert welcome_back["text"] == en("Welcome back. Let us carry on where you left off.")
    assert question["text"].startswith(
        en("What should we call you? Type a first name or a nickname.")
    )
    # Typing where a name is wanted works, and odd input is refused kindly first.
    await sam.send_photo()
    assert (await sam.reply())["text"] == en("Please type your answer in words. Or tap a button.")
    await sam.send("🙂🙂🙂")
    assert (await sam.reply())["text"] == en(
        "Please type a name with letters in it. It can be up to 40 characters."
    )
    await sam.send("  <b>Sammy</b>  ")
    easy_read = await sam.reply()
    assert easy_read["text"] == en(
        "Would you like easy read messages? They are shorter and simpler."
    )
    member = await _member(db, 602)
    assert member is not None and member.display_name == "<b>Sammy</b>"
    assert member.conversation_step == "joining:easy_read"


async def test_saying_no_to_consent_keeps_nothing_personal(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    jo = MemberDriver(emulator, 603, "Jo", language_code="cy")
    cy = Translator("cy")
    await jo.send(f"/start {new.member_invite.code}")
    await jo.reply()
    await jo.tap("Cymraeg")
    await jo.reply()
    await jo.tap(cy("Next"))
    await jo.reply()
    await jo.tap(cy("Tell me more"))
    more = await jo.reply()
    assert "/forgetme" in more["text"] and "/mydata" in more["text"]
    await jo.tap(cy("No"))
    refusal = await jo.reply()
    assert refusal["text"].startswith(cy("That is OK. We have not kept your details."))

    member = await _member(db, 603)
    assert member is not None
    assert member.consent == Consent.REFUSED
    assert member.display_name is None and member.access_needs == [] and member.payment is None
    assert member.conversation_step is None and member.joining_invite_id is None
    async with db.session() as session:
        assert (await session.scalars(select(Membership))).all() == []


async def test_a_coordinator_joins_with_the_coordinator_code(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Access Group")
    priya = MemberDriver(emulator, 604, "Priya", language_code="en")
    await priya.send(f"/start {new.coordinator_invite.code}")
    await priya.reply()
    await priya.tap("English")
    about = await priya.reply()
    assert "as a coordinator" in about["text"]
    for label in (
        "Next",
        "Yes, that is OK",
        "Call me Priya",
        "No, thank you",
        "All reminders",
        "No, any time is fine",
        "Done",
        "Not sure: please talk to me",
    ):
        await priya.tap(label)
        await priya.reply()
    async with db.session() as session:
        role = await session.scalar(select(Membership.role))
    assert role == Role.COORDINATOR
    assert "/members" in (priya.last_message or {}).get("text", "")


async def test_broken_invite_links_get_a_clear_kind_answer(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    async with db.session() as session:
        expiring = await panels.create_invite(
            session, ROOT, new.panel.id, now=clock.now(), expires_at=clock.now() + timedelta(days=1)
        )
        once = await panels.create_invite(session, ROOT, new.panel.id, now=clock.now(), max_uses=1)
        revoked = await panels.create_invite(session, ROOT, new.panel.id, now=clock.now())
        await panels.revoke_invite(session, ROOT, revoked.code, now=clock.now())
    clock.advance(timedelta(days=2))
    first = MemberDriver(emulator, 605, "Ola", language_code="pl")
    await first.send(f"/start {once.code}")
    await first.reply()

    pl = Translator("pl")
    kim = MemberDriver(emulator, 606, "Kim", language_code="pl")
    cases = {
        expiring.code: "This invite link is too old. Please ask your coordinator for a new one.",
        once.code: "This invite link has been used too many times. "
        "Please ask your coordinator for a new one.",
        revoked.code: "This invite link has been turned off. "
        "Please ask your coordinator for a new one.",
        "not-a-real-code": "This invite link does not work. "
        "Please check it, or ask your coordinator for a new one.",
        "<script>": "This invite link does not work. "
        "Please check it, or ask your coordinator for a new one.",
    }
    for code, english in cases.items():
        await kim.send(f"/start {code}")
        assert (await kim.reply())["text"] == pl(english)
    assert await _member(db, 606) is None
    async with db.session() as session:
        uses = await session.scalar(select(Invite.uses).where(Invite.code == once.code))
    assert uses == 1


async def test_settings_change_an_answer_and_easy_read_shortens_messages(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from tests.factories import add_member

    new = await create_panel(db, clock)
    await add_member(db, clock, new.panel.id, 607, "Dee")
    dee = MemberDriver(emulator, 607, "Dee", language_code="en")
    en = Translator("en")
    await dee.send(en("Settings"))  # the menu button
    settings = await dee.reply()
    assert "Dee" in settings["text"]
    await dee.tap("Reminders")
    await dee.reply()
    await dee.tap("No reminders")
    # One message: the confirmation on top of the settings as they are now.
    saved = (await dee.reply())["text"]
    assert saved.startswith("Saved.\n\n" + en("Your settings:"))
    assert en("Reminders: {answer}", answer="No reminders") in saved

    await dee.tap("Easy read on or off")
    await dee.reply()
    await dee.tap("Yes, easy read")
    await dee.reply()
    await dee.tap("Reminders")
    question = await dee.reply()
    easy = Translator("en", easy_read=True)("How should we remind you about meetings?")
    assert question["text"] == easy != "How should we remind you about meetings?"

    await dee.tap("Quiet hours")
    await dee.reply()
    await dee.send("25:00-07:00")
    assert (await dee.reply())["text"] == en(
        "Sorry, I could not read those times. "
        "Please type two times, like 10pm to 7am or 22:00-07:00. Or tap a button."
    )
    await dee.send("21:30 - 7")
    assert (await dee.reply())["text"].startswith("Saved.")
    member = await _member(db, 607)
    assert member is not None
    assert member.reminders == ReminderChoice.NONE and member.easy_read
    assert (member.quiet_start, member.quiet_end) == (21 * 60 + 30, 7 * 60)


async def test_help_names_the_coordinator_of_each_panel(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from tests.factories import add_member

    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 608, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, new.panel.id, 609, "Tom")
    tom = MemberDriver(emulator, 609, "Tom", language_code="en")
    await tom.send("/help")
    text = (await tom.reply())["text"]
    assert "Your coordinator for Carers Voice is Priya." in text
    assert "/settings" in text


async def test_forged_onboarding_buttons_change_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock)
    eve = MemberDriver(emulator, 610, "Eve", language_code="en")
    await eve.send(f"/start {new.member_invite.code}")
    question = await eve.reply()
    # Jumping ahead to the payment step, or sending nonsense, does not store anything.
    await eve.tap_data(question["message_id"], "ob:1:j:payment:bank")
    assert (await eve.reply())["text"] == "Which language would you like? Tap one."
    answer = await eve.tap_data(question["message_id"], "ob:1:j:language:xx")
    assert answer["text"].startswith("This button no longer works.")
    await eve.tap_data(question["message_id"], "ob:1:s:payment:bank")  # settings before consent
    member = await _member(db, 610)
    assert (
        member is not None
        and member.payment is None
        and member.conversation_step == "joining:language"
    )


async def test_a_member_joins_a_second_panel_without_answering_everything_again(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    from tests.factories import add_member

    first = await create_panel(db, clock, "Carers Voice")
    second = await create_panel(db, clock, "Young Carers")
    await add_member(db, clock, first.panel.id, 611, "Nia")
    nia = MemberDriver(emulator, 611, "Nia", language_code="en")
    await nia.send(f"/start {second.member_invite.code}")
    assert (await nia.reply())["text"] == "Welcome to Young Carers! You are now a member."
    await nia.send(f"/start {second.member_invite.code}")
    assert (await nia.reply())["text"] == "You are already in Young Carers."
    async with db.session() as session:
        panel_ids = set((await session.scalars(select(Membership.panel_id))).all())
    assert panel_ids == {first.panel.id, second.panel.id}
