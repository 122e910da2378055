from bot.db.base import Base
from bot.db.models import (
    AuditEvent,
    Consent,
    Invite,
    Member,
    Membership,
    MissingWord,
    OutboxMessage,
    OutboxStatus,
    Panel,
    PanelTerm,
    PaymentChoice,
    ReminderChoice,
    Role,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Consent",
    "Invite",
    "Member",
    "Membership",
    "MissingWord",
    "OutboxMessage",
    "OutboxStatus",
    "Panel",
    "PanelTerm",
    "PaymentChoice",
    "ReminderChoice",
    "Role",
]
