"""An admin (PANELBOT_ADMINS) who belongs to no panel can send news to any panel, and gets no
copy of it unless they ask."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import build_application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.db import AuditEvent
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from tests.factories import add_member, create_panel

en = Translator("en")
ADE, ALEX, BEA = 870, 871, 872


async def test_an_admin_in_no_panel_sends_news_to_a_panel(
    settings: Settings, db: Database, clock: FrozenClock, emulator: BotApiEmulator
) -> None:
    carers = await create_panel(db, clock, "Carers Voice")
    youth = await create_panel(db, clock, "Youth Panel")
    await add_member(db, clock, carers.panel.id, ALEX, "Alex")
    await add_member(db, clock, youth.panel.id, BEA, "Bea")
    MemberDriver(emulator, ALEX, "Alex")
    MemberDriver(emulator, BEA, "Bea")
    ade = MemberDriver(emulator, ADE, "Ade")
    admin_settings = settings.model_copy(update={"panelbot_admins": frozenset({ADE})})
    application = build_application(admin_settings, clock=clock, db=db, tick_seconds=None)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await ade.send("/broadcast")
        who = await ade.reply()
        assert ade.buttons(who)[:2] == ["Carers Voice", "Youth Panel"]
        await ade.tap("Carers Voice")
        await ade.wait_edit(who["message_id"])
        await ade.tap(en("Next"))
        await ade.reply()
        await ade.send("The office is closed on Friday.")
        await ade.reply()
        await ade.tap(en("Next"))
        await ade.reply()
        await ade.tap(en("No"))
        await ade.reply()
        await ade.tap(en("Send now"))
        summary = (await ade.replies(3))[-1]
        assert en("It will go to {n} person.", n=1) in summary["text"]
        await ade.tap(en("Send"))
        await ade.wait_edit(summary["message_id"])
        assert application.runtime.delivery is not None
        await application.runtime.delivery.drain()
        report = emulator.message(ADE, summary["message_id"])
        assert report is not None
        assert en("Delivered: {n}", n=1) in report["text"]
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()

    def copies(user_id: int) -> int:
        return sum("office is closed" in (m.get("text") or "") for m in emulator.messages(user_id))

    assert copies(ALEX) == 1 and copies(BEA) == 0
    assert copies(ADE) == 1  # the preview only: no copy of their own
    async with db.session() as session:
        refusals = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "refused"))
        ).all()
    assert refusals == []
