"""Half-finished forms (bot/services/drafts.py) on a real database: a step reads its draft once,
and what a rolled-back step wrote is never taken for the truth afterwards."""

from __future__ import annotations

from sqlalchemy import event

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.services import drafts
from tests.factories import add_member, create_panel


async def test_a_step_reads_once_and_a_rollback_forgets_what_it_wrote(
    db: Database, clock: FrozenClock
) -> None:
    panel = await create_panel(db, clock)
    member = await add_member(db, clock, panel.panel.id, 4401, "Nia")
    async with db.session() as session:
        await drafts.save(session, member.id, "claim", step="amount", now=clock.now(), cur={})
        await session.commit()

    statements: list[str] = []
    event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_: statements.append(sql),
    )
    async with db.session() as session:
        draft = await drafts.get(session, member.id, "claim")
        assert draft is not None and draft.step == "amount"
        saved = await drafts.save(
            session, member.id, "claim", step="date", now=clock.now(), cur={"amount": 250}
        )
        assert saved.data == {"cur": {"amount": 250}}
        # One read and one write: the save used what the step had already read.
        assert [sql.split()[0] for sql in statements] == ["SELECT", "UPDATE"]
        await session.rollback()
        # The write was rolled back: the next look asks the database again.
        again = await drafts.get(session, member.id, "claim")
        assert again is not None and (again.step, again.data) == ("amount", {"cur": {}})

        await drafts.discard(session, member.id, "claim")
        assert await drafts.get(session, member.id, "claim") is None
        await session.commit()
    async with db.session() as session:
        assert await drafts.get(session, member.id, "claim") is None
