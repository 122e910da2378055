"""/newpanel and /invite in the real bot, driven through the emulator as people would use them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.context import PanelbotApplication
from bot.db import Invite, Panel, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.services import panels
from handlers.people.admin import ONLY_ADMINS, ONLY_COORDINATORS
from tests import factories
from tests.conftest import TOKEN

CONFIGURED_ADMIN = 900
LINK = re.compile(r"https://t\.me/panelbot_test_bot\?start=([A-Za-z0-9_-]{20,64})")
en = Translator("en")


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str, tmp_path: Path) -> Settings:
    """As in conftest, with one deployment admin named in PANELBOT_ADMINS."""
    return load_settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=emulator.base_url,
        telegram_file_base_url=emulator.base_file_url,
        database_url=database_url,
        panelbot_data_dir=tmp_path / "data",
        panelbot_admins=str(CONFIGURED_ADMIN),
    )


async def invite_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count(Invite.id))) or 0)


async def invite_by_code(db: Database, code: str) -> Invite:
    async with db.session() as session:
        invite = await session.scalar(select(Invite).where(Invite.code == code))
    assert invite is not None, code
    return invite


async def test_a_configured_admin_makes_a_panel_and_gets_both_links(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database
) -> None:
    admin = MemberDriver(emulator, CONFIGURED_ADMIN, "Priya")
    await admin.send("/newpanel   Carers <b>Voice</b>  ")
    text = (await admin.reply())["text"]

    assert text.startswith("The new panel Carers <b>Voice</b> is ready.")
    codes = LINK.findall(text)
    assert len(codes) == 2, text
    member_invite = await invite_by_code(db, codes[0])
    coordinator_invite = await invite_by_code(db, codes[1])
    assert member_invite.role == Role.MEMBER
    assert coordinator_invite.role == Role.COORDINATOR
    assert member_invite.panel_id == coordinator_invite.panel_id
    assert text.index(en("Send this link to people you want to invite as members:")) < text.index(
        codes[0]
    )
    async with db.session() as session:
        panel = await session.get(Panel, member_invite.panel_id)
    assert panel is not None and panel.name == "Carers <b>Voice</b>"


async def test_an_admin_added_by_the_server_operator_can_make_a_panel(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    async with db.session() as session:
        await panels.add_admin(session, 901, now=clock.now())
    admin = MemberDriver(emulator, 901, "Tomasz", language_code="pl")
    await admin.send("/newpanel Głos Opiekunów")
    text = (await admin.reply())["text"]
    assert len(LINK.findall(text)) == 2, text
    assert "Głos Opiekunów" in text


async def test_newpanel_without_a_name_says_how_to_use_it(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database
) -> None:
    admin = MemberDriver(emulator, CONFIGURED_ADMIN, "Priya")
    await admin.send("/newpanel")
    text = (await admin.reply())["text"]
    assert text.startswith(en("To make a new panel, type /newpanel and then its name."))
    await admin.send("/newpanel " + "x" * 201)
    text = (await admin.reply())["text"]
    assert text == en("That name is too long. Please use up to 200 letters.")
    async with db.session() as session:
        assert await session.scalar(select(func.count(Panel.id))) == 0


async def test_a_coordinator_gets_a_member_invite_for_their_panel(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await factories.create_panel(db, clock, "Carers Voice")
    coordinator = await factories.add_member(
        db, clock, new.panel.id, 700, "Sam", role=Role.COORDINATOR
    )
    sam = MemberDriver(emulator, 700, "Sam")

    await sam.send("/invite")
    text = (await sam.reply())["text"]
    assert text.startswith(en("Here is a new invite link for {panel}.", panel="Carers Voice"))
    (code,) = LINK.findall(text)
    invite = await invite_by_code(db, code)
    assert invite.panel_id == new.panel.id
    assert invite.role == Role.MEMBER
    assert invite.created_by == coordinator.id
    assert invite.expires_at is None

    await sam.send("/invite 7")
    text = (await sam.reply())["text"]
    (code,) = LINK.findall(text)
    invite = await invite_by_code(db, code)
    assert invite.expires_at == clock.now() + timedelta(days=7)
    last_day = en.date(clock.now() + timedelta(days=7))
    assert en("The link stops working on {date}.", date=last_day) in text

    before = await invite_count(db)
    await sam.send("/invite next week")
    text = (await sam.reply())["text"]
    assert text.startswith(en("Please type how many days the link should work, like /invite 7."))
    assert await invite_count(db) == before


async def test_a_plain_member_is_kindly_refused_and_nothing_is_written(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await factories.create_panel(db, clock)
    await factories.add_member(db, clock, new.panel.id, 701, "Ola", language="pl")
    before = await invite_count(db)
    ola = MemberDriver(emulator, 701, "Ola", language_code="pl")
    polish = Translator("pl")

    await ola.send("/invite")
    assert (await ola.reply())["text"] == polish(ONLY_COORDINATORS)
    await ola.send("/invite 7")
    assert (await ola.reply())["text"] == polish(ONLY_COORDINATORS)
    await ola.send("/newpanel My own panel")
    assert (await ola.reply())["text"] == polish(ONLY_ADMINS)

    stranger = MemberDriver(emulator, 702, "Kim")
    await stranger.send("/invite")
    assert (await stranger.reply())["text"] == en(ONLY_COORDINATORS)

    assert await invite_count(db) == before
    async with db.session() as session:
        assert await session.scalar(select(func.count(Panel.id))) == 1


async def test_a_coordinator_of_two_panels_chooses_one_by_tapping(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    first = await factories.create_panel(db, clock, "Carers Voice")
    second = await factories.create_panel(db, clock, "Young <Voices>")
    for new in (first, second):
        await factories.add_member(db, clock, new.panel.id, 703, "Dee", role=Role.COORDINATOR)
    dee = MemberDriver(emulator, 703, "Dee")

    await dee.send("/invite 3")
    question = await dee.reply()
    assert question["text"] == en("Which panel is the invite for? Tap one.")
    assert dee.buttons(question) == ["Carers Voice", "Young <Voices>"]
    answer = await dee.tap("Young <Voices>")
    assert not answer.get("text")
    text = (await dee.reply())["text"]
    assert "Young <Voices>" in text
    (code,) = LINK.findall(text)
    invite = await invite_by_code(db, code)
    assert invite.panel_id == second.panel.id
    assert invite.expires_at == clock.now() + timedelta(days=3)

    # The buttons are gone, so the list cannot be tapped twice by mistake (the edit comes just
    # after the answer to the tap, so wait for it rather than race it).
    def buttons_gone() -> bool:
        edited = emulator.message(703, question["message_id"])
        return edited is not None and not (edited.get("reply_markup") or {}).get("inline_keyboard")

    assert await emulator.wait_for(buttons_gone, 5)


async def test_a_forged_button_for_another_panel_gets_a_refusal_not_a_link(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    mine = await factories.create_panel(db, clock, "Carers Voice")
    theirs = await factories.create_panel(db, clock, "Other Panel")
    await factories.add_member(db, clock, mine.panel.id, 704, "Eve", role=Role.COORDINATOR)
    await factories.add_member(db, clock, mine.panel.id, 705, "Max", role=Role.COORDINATOR)
    await factories.add_member(db, clock, theirs.panel.id, 705, "Max", role=Role.COORDINATOR)
    eve = MemberDriver(emulator, 704, "Eve")
    max_ = MemberDriver(emulator, 705, "Max")
    # Max has a real list of buttons; Eve forges a tap on a message of her own.
    await max_.send("/invite")
    await max_.reply()
    await eve.send("/start")
    message = await eve.reply()
    before = await invite_count(db)

    for forged in (
        f"invite:1:{theirs.panel.id}",
        "invite:1:999999",
        f"invite:1:{theirs.panel.id}:7",
    ):
        answer = await eve.tap_data(message["message_id"], forged)
        assert answer["text"] == en(ONLY_COORDINATORS), forged
    for stale in ("invite:1:abc", "invite:0:1", "invite:1", "invite:1:1:0", "invite:1:1:2:3"):
        answer = await eve.tap_data(message["message_id"], stale)
        assert answer["text"] == en(
            "This button no longer works. Type /help to see what you can do now."
        ), stale
    await eve.no_reply()
    assert await invite_count(db) == before
