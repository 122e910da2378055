"""Where someone is in an anonymous flow (typing a poll answer, writing feedback, typing a word
to explain) is kept in memory (bot.services.anonymous), never on their row in `members`: a
change to that row, in the database, its log or a backup, would show when they did it."""

from __future__ import annotations

from bot.context import PanelContext
from bot.services import anonymous, profile


async def enter_anonymous_step(context: PanelContext, step: str) -> None:
    """Start waiting for this person's words. Their row is written only if they were in the
    middle of another form, which this one replaces (that says nothing about this one)."""
    member = context.member
    assert member is not None
    if member.conversation_step:
        await profile.set_step(context.session, member.telegram_id, None)
        await context.session.commit()
    anonymous.set_step(member.telegram_id, step)


async def leave_anonymous_step(context: PanelContext) -> None:
    member = context.member
    assert member is not None
    anonymous.clear_step(member.telegram_id)
