from bot.db.base import Base
from bot.db.models import (
    AuditEvent,
    Member,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Panel,
    Role,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Member",
    "Membership",
    "OutboxMessage",
    "OutboxStatus",
    "Panel",
    "Role",
]
