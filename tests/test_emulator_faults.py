"""The Bot API emulator's faults, as Telegram gives them: a blocked user, injected errors and
delays, requests held and dropped at a gate, and strict rate limits."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.emulator import BotApiEmulator
from tests.emulator_fixtures import USER, bot, emu

__all__ = ["bot", "emu"]  # the fixtures, used by name


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_blocked_user_and_injected_failures(bot: Bot, emu: BotApiEmulator) -> None:
    emu.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    emu.unblock(USER)
    updates = await bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]

    emu.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
        await bot.send_message(USER, "hi")
    emu.fail_next("sendMessage", 500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "hi")
    emu.fail_next("sendmessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "hi")
    emu.delay_next("sendMessage", 0.6)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.2)
    assert emu.delivered_count() == 0  # nothing delivered before the slow one finishes
    await emu.wait_for(lambda: emu.delivered_count() == 1, 2)
    assert emu.messages(USER)[0]["text"] == "slow"  # Telegram got it, the client timed out
    assert [c.status for c in emu.calls("sendMessage")] == [403, 429, 500, 502, 200]
    assert emu.calls("sendMessage")[1].get("status") == 429 and emu.calls()[-1]["ok"]


async def test_hold_gate(bot: Bot, emu: BotApiEmulator) -> None:
    emu.hold()
    task = asyncio.create_task(bot.send_message(USER, "first"))
    held = await emu.wait_held(1)
    assert held[0].method == "sendMessage" and held[0].outcome == "held"
    assert emu.delivered_count() == 0 and not task.done()
    assert await bot.get_me()  # non-send methods still flow
    emu.release()
    assert (await task).text == "first"
    assert emu.delivered_count() == 1

    # The bot "dies" while its request is parked: the request never reaches Telegram.
    emu.hold()
    task = asyncio.create_task(bot.send_message(USER, "lost"))
    await emu.wait_held(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    emu.release()
    assert await emu.wait_for(lambda: emu.calls()[-1].outcome == "dropped", 2)
    assert emu.delivered_count() == 1

    emu.hold(["sendMessage"])
    task = asyncio.create_task(bot.send_message(USER, "cut"))
    await emu.wait_held(1)
    emu.release(drop=True)
    with pytest.raises(NetworkError):
        await task
    assert [m["text"] for m in emu.messages(USER)] == ["first"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_strict_limits(bot: Bot, emu: BotApiEmulator) -> None:
    emu.strict_limits = True
    for i in range(3):  # burst allowance per chat
        await bot.send_message(USER, f"m{i}")
    with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
        await bot.send_message(USER, "too fast")
    assert "Too Many Requests: retry after 1" in (emu.calls()[-1].description or "")
    assert emu.delivered_count() == 3
