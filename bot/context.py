"""Per-update context: the person, their language and a database session, loaded once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import Translator, resolve_language, translator
from bot.runtime import Runtime
from bot.services import access, members
from bot.services.members import MemberView

log = logging.getLogger(__name__)


class UpdateScope:
    """Things that live exactly as long as one update: its session is closed when it ends."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._session: AsyncSession | None = None
        self.member: MemberView | None = None
        self.language: str | None = None
        self.kept_for_retry = False  # handlers/guards/errors.py: this update will be handled again

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.runtime.db.sessions()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            try:
                await access.write_refusals(self._session, self.runtime.clock.now())
            except Exception:  # the person already has their answer; keep the bot going
                log.warning("Could not audit a refused attempt", exc_info=True)
            # Anything a handler did not commit is rolled back here.
            await self._session.close()
            self._session = None


_scope: ContextVar[UpdateScope | None] = ContextVar("panelbot_update_scope", default=None)


class PanelbotApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, bracketing each update with its own scope (session, member, language)."""

    runtime: Runtime
    # Set by build_application when the outbox tick runs; tests that drain by hand leave it unset.
    outbox_waker: Callable[[], None] | None = None

    def wake_outbox(self) -> None:
        """Send what was just queued now rather than at the next tick (up to a second later)."""
        if self.outbox_waker is not None:
            self.outbox_waker()

    async def start(self) -> None:
        if self.runtime.delivery is not None:
            self.runtime.delivery.resume()
        await super().start()

    async def stop(self) -> None:
        # Stop the outbox after its batch in hand; PTB then waits for that task to end.
        if self.runtime.delivery is not None:
            self.runtime.delivery.request_stop()
        await super().stop()

    async def process_update(self, update: object) -> None:
        scope = UpdateScope(self.runtime)
        token = _scope.set(scope)
        try:
            await super().process_update(update)
        finally:
            await scope.close()
            _scope.reset(token)


class PanelContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler receives."""

    @property
    def runtime(self) -> Runtime:
        return self.application.runtime  # type: ignore[attr-defined]

    def wake_outbox(self) -> None:
        self.application.wake_outbox()  # type: ignore[attr-defined]

    @property
    def scope(self) -> UpdateScope:
        scope = _scope.get()
        if scope is None:  # jobs and error handlers outside an update get a scope of their own
            scope = UpdateScope(self.runtime)
            _scope.set(scope)
        return scope

    @property
    def session(self) -> AsyncSession:
        return self.scope.session

    @property
    def member(self) -> MemberView | None:
        return self.scope.member

    @property
    def t(self) -> Translator:
        language = self.scope.language or self.runtime.settings.panelbot_default_language
        member = self.scope.member
        return translator(language, bool(member and member.easy_read))

    def has_admin_rights(self) -> bool:
        member = self.member
        if member is None:
            return False
        return member.is_admin or member.telegram_id in self.runtime.settings.panelbot_admins

    async def reload_member(self, telegram_id: int) -> MemberView | None:
        """After a change to the person (language, easy read), read them again for this update."""
        self.scope.member = await members.load_for_update(self.session, telegram_id)
        return self.scope.member

    async def refresh_member(self, telegram_id: int) -> MemberView | None:
        """After a change to the person's own settings (not their panels): the same as
        reload_member, built from the row this update already holds rather than read again."""
        view = self.scope.member
        person = members.loaded(self.session, telegram_id)
        if view is None or person is None:
            return await self.reload_member(telegram_id)
        self.scope.member = members.view_of(
            person, panel_ids=view.panel_ids, roles=view.roles, panel_language=view.panel_language
        )
        return self.scope.member


async def load_person(update: object, context: PanelContext) -> None:
    """Group -1 TypeHandler: who is writing, in which language. One query per update."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    scope = context.scope
    user = update.effective_user
    scope.member = await members.load_for_update(scope.session, user.id)
    member = scope.member
    if member and member.unreachable and update.my_chat_member is None:
        # They wrote to us, so they can be reached again (handlers/guards/reachability.py decides
        # for a block or an unblock, which is not writing to us).
        await members.mark_reachable(scope.session, user.id)
        await scope.session.commit()
    scope.language = resolve_language(
        member.language if member else None,
        user.language_code,
        member.panel_language if member else None,
        context.runtime.settings.panelbot_default_language,
    )


def current_member() -> MemberView | None:
    """The person behind the update being handled, for synchronous filters."""
    scope = _scope.get()
    return scope.member if scope else None
