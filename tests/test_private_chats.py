"""Personal things only in a private chat: every command typed in a group, and every button tapped
there, gets one plain "write to me in private" and nothing about anyone; an edited message is
never taken as a command or an answer."""

from __future__ import annotations

from typing import Any

from telegram.ext import CommandHandler

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import profile
from tests.factories import add_member, create_panel

GROUP = -1001234567890
PRIYA, BEA = 8100, 8101
PRIVATE_PLEASE = "Please write to me in a private chat"
EDITED = "I do not read changes to a message"


def _registered_commands(app: PanelbotApplication) -> list[str]:
    commands: set[str] = set()
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
    return sorted(commands)


async def _panel_with_needs(db: Database, clock: FrozenClock) -> int:
    panel = (await create_panel(db, clock, "Carers Voice")).panel.id
    await add_member(db, clock, panel, PRIYA, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel, BEA, "Bea Secret", access_needs=["bsl"])
    async with db.session() as session:
        await profile.set_payment(session, BEA, "vouchers")
    return panel


async def _group_messages(emulator: BotApiEmulator, count: int) -> list[Any]:
    await emulator.wait_for(lambda: len(emulator.messages(GROUP)) >= count, 5.0)
    return emulator.messages(GROUP)


async def test_every_command_typed_in_a_group_gets_only_a_private_chat_pointer(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel_with_needs(db, clock)
    emulator.add_group(GROUP, "Carers Voice chat")
    MemberDriver(emulator, PRIYA, "Priya")
    MemberDriver(emulator, BEA, "Bea")
    commands = _registered_commands(app)
    assert {"members", "attendance", "mydata", "meetings", "settings", "menu"} <= set(commands)
    for n, command in enumerate(commands, start=1):
        emulator.user_sends_text(PRIYA, f"/{command}", group_id=GROUP)
        said = await _group_messages(emulator, n)
        assert len(said) == n, f"/{command}: {[m['text'] for m in said[n - 1 :]]}"
        last = said[-1]
        assert PRIVATE_PLEASE in last["text"], f"/{command} answered {last['text']!r}"
        link = last["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert link == f"https://t.me/{emulator.bot_username}"
    everything = " ".join(m["text"] for m in emulator.messages(GROUP))
    for secret in ("Bea Secret", "BSL", "Vouchers", "Payment"):
        assert secret not in everything
    # Plain chatter in the group is not the bot's business: no answer at all.
    emulator.user_sends_text(BEA, "See you all on Tuesday", group_id=GROUP)
    emulator.user_sends_text(PRIYA, "/members", group_id=GROUP)
    said = await _group_messages(emulator, len(commands) + 1)
    assert len(said) == len(commands) + 1


async def test_a_button_tapped_in_a_group_shows_nothing_there(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel = await _panel_with_needs(db, clock)
    emulator.add_group(GROUP, "Carers Voice chat")
    MemberDriver(emulator, PRIYA, "Priya")
    emulator.user_sends_text(PRIYA, "/menu", group_id=GROUP)
    pointer = (await _group_messages(emulator, 1))[0]
    for data in (f"members:1:{panel}", "set:1:open", "menu:1:meetings"):
        query = emulator.user_taps(PRIYA, pointer["message_id"], data, group_id=GROUP)
        await emulator.wait_for(lambda q=query: emulator.answer_for(q) is not None, 5.0)
        answer = emulator.answer_for(query)
        assert answer is not None and PRIVATE_PLEASE in answer["text"], data
        assert answer["show_alert"]
    await MemberDriver(emulator, PRIYA, "Priya").no_reply(within=0.3)
    assert len(emulator.messages(GROUP)) == 1


async def test_an_edited_message_is_not_a_command(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    await _panel_with_needs(db, clock)
    priya = MemberDriver(emulator, PRIYA, "Priya")
    sent = await priya.send("hello")
    assert "did not understand" in (await priya.reply())["text"]
    emulator.user_edits_text(PRIYA, sent["message_id"], "/members")
    answer = (await priya.reply())["text"]
    assert EDITED in answer
    assert "Bea Secret" not in answer
    await priya.no_reply(within=0.3)


async def test_an_edited_answer_does_not_change_what_was_answered(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    new = await create_panel(db, clock, "Carers Voice")
    sam = MemberDriver(emulator, 8102, "Sam")
    await sam.send(f"/start {new.member_invite.code}")
    await sam.reply()
    await sam.tap("English")
    await sam.reply()
    await sam.tap("Next")
    await sam.reply()
    await sam.tap("Yes, that is OK")
    await sam.reply()
    typed = await sam.send("Samira")
    assert "easy" in (await sam.reply())["text"].lower()
    emulator.user_edits_text(8102, typed["message_id"], "Mallory")
    assert EDITED in (await sam.reply())["text"]
    async with db.session() as session:
        me = await profile.get_member(session, 8102)
        assert me.display_name == "Samira"
        assert me.conversation_step == "joining:easy_read"  # still at the question after the name
