"""A member's home after joining (issue 20): /start opens the menu, each chat's command list
fits the person (a coordinator sees their commands, a member only the members'), in their
language, and a language change brings the big menu in the new language at once.

Proof these can fail: before, /start for a member said "To join a panel, open the invite
link", the per-chat list never had a coordinator command, and after a language change the
keyboard stayed in the old language until /menu."""

from __future__ import annotations

from typing import Any

from telegram import BotCommandScopeChat

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from handlers.chat.commands import COMMANDS, COORDINATOR_COMMANDS
from handlers.chat.menu_labels import MEETINGS, SEND_NEWS, SETTINGS
from tests.factories import add_member, create_panel

en, cy, pl = Translator("en"), Translator("cy"), Translator("pl")
MEMBER_NAMES = [name for name, _ in COMMANDS]
COORDINATOR_NAMES = [name for name, _ in COORDINATOR_COMMANDS]


def _keyboard(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_keyboard") or {}).get("keyboard") or []
    return [button["text"] for row in rows for button in row]


def _names(commands: list[dict[str, Any]]) -> list[str]:
    return [command["command"] for command in commands]


async def _chat_list(
    emulator: BotApiEmulator, user_id: int, names: list[str], first: str
) -> list[dict[str, Any]]:
    """The chat's own command list, once the bot has set it (it does so after replying)."""

    def ready() -> list[dict[str, Any]] | None:
        listed = emulator.commands(BotCommandScopeChat(user_id))
        fits = _names(listed) == names and listed[0]["description"] == first
        return listed if fits else None

    listed = await emulator.wait_for(ready, 5.0)
    assert listed is not None, emulator.commands(BotCommandScopeChat(user_id))
    assert emulator.effective_commands(user_id) == listed
    return listed


async def test_start_for_a_member_opens_the_menu_with_a_short_welcome(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 621, "Sam")
    sam = MemberDriver(emulator, 621, "Sam", "en")

    await sam.send("/start")
    home = await sam.reply()
    assert home["text"] == en("Welcome back, {name}!", name="Sam") + "\n\n" + en(
        "Here is your menu. Tap a button."
    )
    assert en("To join a panel, open the invite link from your coordinator.") not in home["text"]
    assert en(MEETINGS) in _keyboard(home) and en(SETTINGS) in _keyboard(home)
    assert en(SEND_NEWS) not in _keyboard(home)  # a member's menu
    await sam.no_reply()


async def test_start_for_someone_new_still_explains_the_invite_link(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    ada = MemberDriver(emulator, 622, "Ada", "en")
    await ada.send("/start")
    hello = await ada.reply()
    assert en("To join a panel, open the invite link from your coordinator.") in hello["text"]
    assert not _keyboard(hello)


async def test_a_coordinator_who_joins_gets_their_commands_in_their_chat_in_their_language(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    assert new.coordinator_invite is not None
    priya = MemberDriver(emulator, 623, "Priya", "pl")
    await priya.send(f"/start {new.coordinator_invite.code}")
    await priya.reply()
    await priya.tap("Polski")
    await priya.reply()
    await priya.tap(pl("Next"))
    await priya.reply()
    await priya.tap(pl("Yes, that is OK"))
    await priya.reply()
    await priya.tap(pl("Call me {name}", name="Priya"))
    await priya.reply()
    await priya.tap(pl("No, thank you"))
    await priya.reply()
    await priya.tap(pl("All reminders"))
    await priya.reply()
    await priya.send("od 22 do 7")
    await priya.reply()
    await priya.tap(pl("Done"))
    await priya.reply()
    await priya.tap(pl("Bank transfer"))
    done = await priya.reply()
    assert done["text"].startswith(pl("All done, {name}!", name="Priya"))

    everything = MEMBER_NAMES + COORDINATOR_NAMES
    listed = await _chat_list(emulator, 623, everything, pl("Start, or see the main menu"))
    described = {c["command"]: c["description"] for c in listed}
    assert described["members"] == pl("Who is in your panel and what they need")
    assert described["members"] != "Who is in your panel and what they need"


async def test_a_member_sees_only_member_commands_and_a_coordinator_gets_theirs_on_start(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 624, "Tom")
    # Made a coordinator from the server's command line: their list follows at /start.
    await add_member(db, clock, new.panel.id, 625, "Gwen", role=Role.COORDINATOR, language="cy")
    tom = MemberDriver(emulator, 624, "Tom", "en")
    gwen = MemberDriver(emulator, 625, "Gwen", "en")

    await tom.send("/start")
    await tom.reply()
    await gwen.send("/start")
    home = await gwen.reply()
    assert cy(SEND_NEWS) in _keyboard(home)

    await _chat_list(emulator, 624, MEMBER_NAMES, en("Start, or see the main menu"))
    everything = MEMBER_NAMES + COORDINATOR_NAMES
    await _chat_list(emulator, 625, everything, cy("Start, or see the main menu"))


async def test_a_language_change_brings_the_menu_and_commands_in_the_new_language_at_once(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    await add_member(db, clock, new.panel.id, 626, "Priya", role=Role.COORDINATOR)
    priya = MemberDriver(emulator, 626, "Priya", "en")

    await priya.send("/language")
    await priya.reply()
    await priya.tap("Cymraeg")
    said = await priya.reply()
    assert said["text"] == cy("OK. I will write to you in English from now on.")
    assert _keyboard(said) == [cy(label) for label in _keyboard_labels(coordinator=True)]
    everything = MEMBER_NAMES + COORDINATOR_NAMES
    await _chat_list(emulator, 626, everything, cy("Start, or see the main menu"))

    # The same from /settings: the menu in Polish with the confirmation, then the settings.
    await priya.send("/settings")
    await priya.reply()
    await priya.tap(cy("Change the language"))
    await priya.reply()
    await priya.tap("Polski")
    said, settings = await priya.replies(2)
    assert said["text"] == pl("OK. I will write to you in English from now on.")
    assert _keyboard(said) == [pl(label) for label in _keyboard_labels(coordinator=True)]
    assert settings["text"].startswith(pl("Saved."))
    await _chat_list(emulator, 626, everything, pl("Start, or see the main menu"))


def _keyboard_labels(*, coordinator: bool) -> list[str]:
    from handlers.chat.menu_labels import COORDINATOR_LAYOUT, LAYOUT

    layout = LAYOUT + (COORDINATOR_LAYOUT if coordinator else [])
    return [label for row in layout for label in row]
