"""The audit log: a record of coordinators' and admins' actions, and of who read sensitive lists
(the roster, attendance, poll answers) or exported anything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import AuditEvent


def record(
    session: AsyncSession,
    action: str,
    *,
    at: datetime,
    actor_id: int | None = None,
    panel_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(at=at, action=action, actor_id=actor_id, panel_id=panel_id, details=details)
    session.add(event)
    return event


def read(
    session: AsyncSession,
    what: str,
    *,
    at: datetime,
    actor_id: int | None,
    panel_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Someone saw or exported a sensitive list: who, what and when; never its content."""
    return record(session, f"read.{what}", at=at, actor_id=actor_id, panel_id=panel_id, **details)
