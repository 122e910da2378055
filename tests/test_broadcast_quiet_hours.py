"""News sent late in the evening: members in their quiet hours get it when their quiet hours end.
The coordinator's report counts them as waiting (not as still sending), says the message has
finished sending once only they are left, agrees with /broadcasts, and a short message with the
final figure follows when the last of them has it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Broadcast, BroadcastStatus, Member, Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.factories import add_member, create_panel
from tests.test_broadcasts import _compose, _copies

en = Translator("en")
PRIYA = 860
AWAKE = (861, 862, 863, 864, 865)
ASLEEP = (866, 867)
NEWS = "The meeting room has changed to room 4."


def _waiting(n: int) -> str:
    return en.ngettext(
        "{n} person is waiting for their quiet hours to end.",
        "{n} people are waiting for their quiet hours to end.",
        n,
        n=n,
    )


async def _status(db: Database) -> BroadcastStatus:
    async with db.session() as session:
        status = await session.scalar(select(Broadcast.status))
    assert status is not None
    return status


async def test_members_in_quiet_hours_are_counted_as_waiting_and_the_final_figure_follows(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    clock.advance(datetime(2026, 6, 1, 22, 30, tzinfo=UTC) - clock.now())  # 23:30 in London
    panel_id = (await create_panel(db, clock)).panel.id
    await add_member(db, clock, panel_id, PRIYA, "Priya", role=Role.COORDINATOR)
    for number, user_id in enumerate(AWAKE + ASLEEP):
        await add_member(db, clock, panel_id, user_id, f"Member {number}")
        MemberDriver(emulator, user_id, "Member")
    async with db.session() as session:
        for member in await session.scalars(select(Member).where(Member.telegram_id.in_(ASLEEP))):
            member.quiet_start, member.quiet_end = 22 * 60, 8 * 60
    priya = MemberDriver(emulator, PRIYA, "Priya")

    await _compose(priya, NEWS)
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    summary = (await priya.replies(3))[-1]
    assert en("It will go to {n} people.", n=7) in summary["text"]
    await priya.tap(en("Send"))
    sending = await priya.wait_edit(summary["message_id"])
    assert en("Sending: {done} of {total}", done=0, total=7) in sending["text"]

    await app.runtime.delivery.drain()  # type: ignore[union-attr]

    for user_id in AWAKE:
        assert len(await _copies(emulator, user_id, NEWS)) == 1
    for user_id in ASLEEP:
        assert not await _copies(emulator, user_id, NEWS)
    # Once the copies were queued, each progress edit counted the two asleep as waiting.
    progress = [
        c.params["text"]
        for c in emulator.calls("editMessageText")
        if c.ok and str(c.params.get("text", "")).startswith("Sending:")
    ]
    later = [text for text in progress if "of 7" not in text]
    assert later and all(_waiting(2) in text for text in later), progress
    report = emulator.message(PRIYA, summary["message_id"])
    assert report is not None
    report = dict(report)
    assert report["text"].startswith(en("Your message has finished sending."))
    assert en("Delivered: {n}", n=5) in report["text"]
    assert _waiting(2) in report["text"]
    assert await _status(db) == BroadcastStatus.SENDING  # two copies still to go

    # /broadcasts says the same.
    await priya.send("/broadcasts")
    listed = await priya.reply()
    assert (
        en(
            "Delivered {sent} of {total}. Could not reach {unreachable}. Failed {failed}.",
            sent=5,
            total=7,
            unreachable=0,
            failed=0,
        )
        in listed["text"]
    )
    assert _waiting(2) in listed["text"]

    # Another drain before morning changes nothing and sends Priya nothing.
    seen = len(emulator.messages(PRIYA))
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    assert len(emulator.messages(PRIYA)) == seen

    clock.advance(timedelta(hours=9))  # 08:30 in London: quiet hours are over
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    await app.runtime.delivery.drain()  # type: ignore[union-attr]

    for user_id in ASLEEP:
        assert len(await _copies(emulator, user_id, NEWS)) == 1
    final = await priya.reply()
    assert final["text"].startswith(
        en("Your message has now gone to the people who were waiting for their quiet hours.")
    )
    assert en("Delivered: {n}", n=7) in final["text"]
    assert "waiting for their quiet hours to end" not in final["text"]
    assert await _status(db) == BroadcastStatus.DONE
    # The first report is left as it was: it said a message would follow, and one did.
    first = emulator.message(PRIYA, summary["message_id"])
    assert first is not None and first["text"] == report["text"]
    # Only one final figure, however often the outbox runs.
    await app.runtime.delivery.drain()  # type: ignore[union-attr]
    await priya.no_reply(0.3)
