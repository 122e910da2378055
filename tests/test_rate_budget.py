"""The shared send budget (bot/rate_budget.py): what each kind of send does to the others.

These check the budget's bookkeeping, not the clock: how long the outbox would have to wait
after live answers or a refusal, never how long anything took."""

from __future__ import annotations

import time

from bot.rate_budget import BUSY_CHAT, GLOBAL_RATE, LIVE_SHARE, RateLimiter
from bot.send_window import TELEGRAM_PER_SECOND, SendWindow


async def test_live_answers_take_only_their_share_while_the_outbox_sends() -> None:
    limiter = RateLimiter()
    await limiter.acquire(1)  # the outbox is sending
    for _ in range(int(LIVE_SHARE * GLOBAL_RATE)):  # a busy onboarding morning
        await limiter.live_turn()
    # The next live answer waits for the next second's share; the outbox does not wait long.
    assert limiter.live_wait() > 0
    assert limiter.outbox_wait() <= LIVE_SHARE + 2 / GLOBAL_RATE


async def test_live_answers_may_use_the_whole_budget_while_the_outbox_is_idle() -> None:
    limiter = RateLimiter()
    for _ in range(int(LIVE_SHARE * GLOBAL_RATE) + 1):
        await limiter.live_turn()
    assert limiter.live_wait() == 0


async def test_one_chats_flood_of_answers_leaves_half_the_budget_to_everyone_else() -> None:
    limiter = RateLimiter()  # the outbox is idle: live answers may use the whole budget
    half = int(GLOBAL_RATE) // 2
    for _ in range(half):  # one person flooding: answered at once up to half the budget
        await limiter.live_turn(chat_id=1)
    assert limiter.live_wait(chat_id=1) > 0  # their next answer waits for the next second
    assert limiter.live_wait(chat_id=2) == 0  # another member's answer does not wait
    for chat in range(2, 2 + int(GLOBAL_RATE) - half):
        await limiter.live_turn(chat_id=chat)
    assert limiter.live_wait(chat_id=99) > 0  # the whole budget is used now
    # Below BUSY_CHAT answers a chat is not held back: forms send an edit and a message at once.
    fresh = RateLimiter()
    for _ in range(BUSY_CHAT - 1):
        await fresh.live_turn(chat_id=1)
    for chat in range(2, 2 + half):
        await fresh.live_turn(chat_id=chat)
    assert fresh.live_wait(chat_id=1) == 0


def test_a_refusal_for_one_chat_pauses_that_chat_only() -> None:
    limiter = RateLimiter()
    limiter.pause(5, chat_id=1)
    assert limiter.chat_paused_for(1) > 4
    assert limiter.chat_paused_for(2) == 0
    assert limiter.outbox_wait() == 0


def test_refusals_for_several_chats_at_once_pause_everything() -> None:
    limiter = RateLimiter()
    for chat in (1, 2, 3):
        limiter.pause(2, chat_id=chat)
    assert limiter.outbox_wait() > 1
    assert limiter.chat_paused_for(4) == 0  # but no chat of its own


async def test_a_chats_next_turn_counts_from_when_the_last_send_was_answered() -> None:
    limiter = RateLimiter()
    async with limiter.slot(7):
        assert limiter.chat_paused_for(7) == 0  # nothing answered yet
    assert limiter.chat_paused_for(7) > limiter.per_chat_interval  # the interval plus a margin


async def test_a_live_answer_in_a_chat_makes_the_outbox_wait_its_turn_there() -> None:
    limiter = RateLimiter()
    await limiter.live_turn()
    limiter.chat_used(9)  # a live answer to chat 9 was just answered by Telegram
    assert limiter.chat_paused_for(9) > limiter.per_chat_interval
    assert limiter.chat_paused_for(10) == 0


def test_refused_live_answers_do_not_pause_the_outbox() -> None:
    limiter = RateLimiter()
    for chat in range(1, 50):  # a burst of live answers over Telegram's limit
        limiter.pause(1, chat_id=chat, live=True)
    assert limiter.outbox_wait() == 0
    assert limiter.chat_paused_for(1) > 0  # the refused chat itself waits


def test_no_send_starts_while_thirty_were_answered_within_the_second_or_are_on_their_way() -> None:
    window = SendWindow()
    sends = [window.start() for _ in range(TELEGRAM_PER_SECOND - 1)]
    assert window.wait() == 0  # the 30th may go
    assert window.wait(room_for=2) > 0  # the outbox leaves it to a live answer
    last = window.start()
    assert 0 < window.wait() < 0.01  # all 30 still on their way: look again shortly
    for send in [*sends, last]:
        send.done()
    # Telegram counted each one at some moment before its answer: the next send waits until
    # the first answer is a second old, so it cannot be the 31st of any second.
    assert 0.9 < window.wait() <= 1.01
    sends[0].answered = time.monotonic() - 1.0  # a second has passed since the first answer
    assert window.wait() == 0
    booked = window.start()
    booked.cancel()  # booked, then not sent: it does not count
    assert window.wait() == 0
