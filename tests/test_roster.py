"""/members: coordinators see who is in their panel and what they need; nobody else does."""

from __future__ import annotations

from sqlalchemy import update

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Member, PaymentChoice, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from handlers.chat.text import pack, telegram_length
from tests.factories import add_member, create_panel

EN = Translator("en")
REFUSAL = "Sorry, only the coordinators of a panel can see who is in it."


async def _set(db: Database, telegram_id: int, **values: object) -> None:
    async with db.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == telegram_id).values(**values)
        )


async def test_a_coordinator_sees_members_and_their_needs_in_words(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 801, "Olu", role=Role.COORDINATOR)
    await add_member(
        db, clock, new.panel.id, 802, "Ann", access_needs=["step_free", "bsl", "support_worker"]
    )
    await _set(db, 802, access_other="<ramp> & a chair", payment=PaymentChoice.VOUCHERS)
    await add_member(db, clock, new.panel.id, 803, "Ben")
    # Half-way through joining, as the joining form marks it (migration c3f1a9e27b60).
    await _set(db, 803, conversation_step="joining:payment", payment=PaymentChoice.DECLINE)
    olu = MemberDriver(emulator, 801, "Olu")

    await olu.send("/members")
    text = (await olu.reply())["text"]
    assert text.startswith(EN("Members of {panel}", panel="Carers Voice"))
    assert EN.ngettext("{n} person", "{n} people", 3) in text
    ann = text[text.index("Ann") : text.index("Ben")]
    assert "Ann (" + EN("Member") + ")" in ann
    assert EN("Finished joining") in ann
    needs = "Step-free access; BSL interpreter; A support worker or carer comes too"
    assert EN("Needs: {needs}", needs=needs + "; Other: <ramp> & a chair") in ann
    assert EN("Payment: {choice}", choice=EN("Vouchers")) in ann
    ben = text[text.index("Ben") :]
    assert EN("Still joining") in ben
    assert EN("Needs: nothing") in ben
    assert EN("Payment: {choice}", choice=EN("No payment wanted")) in ben
    # Coordinators come first; nothing beyond the agreed details is shown.
    assert text.index("Olu (" + EN("Coordinator") + ")") < text.index("Ann")
    assert "802" not in text and "step_free" not in text


async def test_members_and_strangers_are_refused(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 811, "Ann", language="cy")
    ann = MemberDriver(emulator, 811, "Ann", language_code="cy")
    await ann.send("/members")
    assert (await ann.reply())["text"] == Translator("cy")(REFUSAL)

    stranger = MemberDriver(emulator, 812, "Sam")
    await stranger.send("/members")
    assert (await stranger.reply())["text"] == EN(REFUSAL)
    # Even a well-formed button for a real panel is refused.
    message = stranger.last_message
    assert message is not None
    await stranger.tap_data(message["message_id"], f"members:1:{new.panel.id}")
    assert (await stranger.reply())["text"] == EN(REFUSAL)


async def test_a_forged_panel_id_from_another_coordinator_shows_nothing(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_a = await create_panel(db, clock, "Carers Voice")
    panel_b = await create_panel(db, clock, "Kidney Group")
    await add_member(db, clock, panel_a.panel.id, 821, "Olu", role=Role.COORDINATOR)
    await add_member(db, clock, panel_a.panel.id, 822, "Ann")
    await add_member(db, clock, panel_b.panel.id, 823, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_b.panel.id, 824, "Secretname", access_needs=["bsl"])
    olu = MemberDriver(emulator, 821, "Olu")

    await olu.send("/members")
    own = await olu.reply()
    assert "Ann" in own["text"]
    await olu.tap_data(own["message_id"], f"members:1:{panel_b.panel.id}")
    assert (await olu.reply())["text"] == EN(REFUSAL)
    await olu.tap_data(own["message_id"], "members:1:424242")  # no such panel
    assert (await olu.reply())["text"] == EN(REFUSAL)
    expired = EN("This button no longer works. Type /help to see what you can do now.")
    for forged in ("members:1:x", "members:1:", "members:2:1", "members:1:1:2", "members:1:١"):
        assert (await olu.tap_data(own["message_id"], forged))["text"] == expired
    await olu.no_reply(0.2)
    seen = "\n".join(m.get("text", "") for m in emulator.messages(821))
    for word in ("Secretname", "Priya", "Kidney Group"):
        assert word not in seen


async def test_a_coordinator_of_two_panels_chooses_one(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_a = await create_panel(db, clock, "Carers Voice")
    panel_b = await create_panel(db, clock, "Kidney Group")
    await add_member(db, clock, panel_a.panel.id, 831, "Olu", role=Role.COORDINATOR)
    await add_member(db, clock, panel_b.panel.id, 831, "Olu", role=Role.COORDINATOR)
    await add_member(db, clock, panel_a.panel.id, 832, "Ann")
    await add_member(db, clock, panel_b.panel.id, 833, "Bo")
    olu = MemberDriver(emulator, 831, "Olu")

    await olu.send("/members")
    question = await olu.reply()
    assert question["text"] == EN("Which panel? Tap one.")
    assert olu.buttons(question) == ["Carers Voice", "Kidney Group"]
    await olu.tap("Kidney Group")
    text = (await olu.reply())["text"]
    assert text.startswith(EN("Members of {panel}", panel="Kidney Group"))
    assert "Bo" in text and "Ann" not in text


async def test_a_large_panel_is_split_into_messages_telegram_accepts(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 841, "Olu", role=Role.COORDINATOR)
    for i in range(40):
        telegram_id = 10_000 + i
        await add_member(db, clock, new.panel.id, telegram_id, f"Person {i:02d}")
        await _set(db, telegram_id, access_other=("<&> " * 40).strip())
    olu = MemberDriver(emulator, 841, "Olu")

    await olu.send("/members")

    def everyone_shown() -> str | None:
        text = "\n".join(m["text"] for m in emulator.messages(841))
        return text if "Person 39" in text else None

    # 41 people with long escaped notes need several messages; each is sent whole.
    everything = await emulator.wait_for(everyone_shown, 5.0)
    assert everything is not None
    messages = emulator.messages(841)
    assert len(messages) >= 3
    for i in range(40):
        assert everything.count(f"Person {i:02d}") == 1
    assert all(telegram_length(m["text"]) <= 4096 for m in messages)


def test_pack_never_splits_a_person_and_respects_the_limit() -> None:
    blocks = [f"<b>P{i}</b>\n" + "x" * 90 for i in range(30)]
    messages = pack("Header", blocks, limit=500)
    assert messages[0].startswith("Header\n\n")
    assert all(telegram_length(m) <= 500 for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(["Header", *blocks])
    assert telegram_length("😀") == 2
