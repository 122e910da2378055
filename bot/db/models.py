"""Typed SQLAlchemy models. Every table the bot owns is declared here and created by Alembic."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, BigId, UTCDateTime


class Role(enum.StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Consent(enum.StrEnum):
    UNKNOWN = "unknown"
    GIVEN = "given"
    REFUSED = "refused"


class ReminderChoice(enum.StrEnum):
    ALL = "all"
    DAY_BEFORE = "day_before"
    NONE = "none"


class PaymentChoice(enum.StrEnum):
    BANK = "bank"
    VOUCHERS = "vouchers"
    DECLINE = "decline"
    UNSURE = "unsure"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Answer(enum.StrEnum):
    COMING = "coming"
    MAYBE = "maybe"
    CANT = "cant"
    SUPPORT = "support"  # coming, with support


class BroadcastStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


def _str_enum(kind: type[enum.StrEnum], name: str) -> Enum:
    # Stored as plain strings with a CHECK, so adding a value never needs ALTER TYPE.
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda k: [m.value for m in k],
    )


class Panel(Base):
    """One group of people with lived experience; an organisation runs many."""

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(back_populates="panel")


class Member(Base):
    """A person the bot knows by their Telegram id. Personal details come only after consent."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    display_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when Telegram says the person blocked the bot; cleared when they write again.
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deployment-wide admin (set with `panelbot admin add`), beyond PANELBOT_ADMINS.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The member turned off coordinators' news; important broadcasts still reach them.
    broadcasts_muted: Mapped[bool] = mapped_column(default=False, server_default=false())

    consent: Mapped[Consent] = mapped_column(
        _str_enum(Consent, "consent"), default=Consent.UNKNOWN, server_default="unknown"
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    easy_read: Mapped[bool] = mapped_column(default=False, server_default=false())
    reminders: Mapped[ReminderChoice] = mapped_column(
        _str_enum(ReminderChoice, "reminder_choice"),
        default=ReminderChoice.ALL,
        server_default="all",
    )
    # Quiet hours as minutes after midnight in the panel's time zone; both or neither.
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    access_needs: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    access_other: Mapped[str | None] = mapped_column(String(500))
    payment: Mapped[PaymentChoice | None] = mapped_column(
        _str_enum(PaymentChoice, "payment_choice")
    )
    # Where the person is in a multi-step conversation (onboarding, or a settings change that
    # waits for typed text). Kept in the database so a restart or days away resume the same step.
    conversation_step: Mapped[str | None] = mapped_column(String(32))
    joining_invite_id: Mapped[int | None] = mapped_column(
        ForeignKey("invites.id", ondelete="SET NULL")
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="member")


class Membership(Base):
    """A member's place in a panel, with their role there."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("panel_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role, "role"), default=Role.MEMBER)
    active: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    panel: Mapped[Panel] = relationship(back_populates="memberships")
    member: Mapped[Member] = relationship(back_populates="memberships")


class Invite(Base):
    """A code in a `t.me/<bot>?start=<code>` link that lets a person join a panel in a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role, "invite_role"), default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    panel: Mapped[Panel] = relationship()


class PanelTerm(Base):
    """A panel's own explanation of a word, which wins over the built-in glossary for that panel."""

    __tablename__ = "panel_terms"
    __table_args__ = (UniqueConstraint("panel_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))  # the normalised term, for matching
    term: Mapped[str] = mapped_column(String(100))
    definition: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class MissingWord(Base):
    """A word someone looked up and the glossary did not have. Never who asked."""

    __tablename__ = "missing_words"
    __table_args__ = (UniqueConstraint("panel_id", "word"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    word: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer, default=0)
    # The day only: a finer time could be matched to who was using the bot then.
    last_asked_on: Mapped[date] = mapped_column(Date)


class Meeting(Base):
    """A panel meeting. Times are stored in UTC and shown in the panel's time zone."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_panel_id_starts_at", "panel_id", "starts_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    address: Mapped[str | None] = mapped_column(String(500))
    map_url: Mapped[str | None] = mapped_column(String(500))
    online_url: Mapped[str | None] = mapped_column(String(500))
    access: Mapped[list[str]] = mapped_column(JSON, default=list)
    agenda: Mapped[str | None] = mapped_column(Text)
    papers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    paid: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MeetingStatus] = mapped_column(
        _str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    # Bumped on every change, so calendar apps replace the old event (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    series_id: Mapped[str | None] = mapped_column(String(40), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rsvp(Base):
    """A member's answer to a meeting invitation, and what support they need to come."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    answer: Mapped[Answer | None] = mapped_column(_str_enum(Answer, "rsvp_answer"))
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    support_other: Mapped[str | None] = mapped_column(String(500))
    # Which language, when "An interpreter" is one of the needs (the member's own words).
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column()


class Draft(Base):
    """A form a person is part-way through (a new meeting, later a claim or broadcast).

    Kept in the database so a restart or a long pause loses nothing typed so far.
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("member_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Who did what, for coordinators' and admins' actions. Never holds anonymous content."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxMessage(Base):
    """Something the bot will send later. The unique key makes enqueueing idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OutboxStatus] = mapped_column(
        _str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A claimed row is leased; if its worker dies, the lease runs out and another takes it.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Broadcast(Base):
    """A coordinator's message to many members. Each copy is an outbox row keyed by member."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # Who: {"panels": [ids], "meeting": id or null, "language": code or null}.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text)
    # A member's language -> the coordinator's own version in it; others get `text`.
    translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    media_kind: Mapped[str | None] = mapped_column(String(16))  # "photo" or "document"
    media_file_id: Mapped[str | None] = mapped_column(String(200))
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)  # glossary ids in the text
    important: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[BroadcastStatus] = mapped_column(
        _str_enum(BroadcastStatus, "broadcast_status"), default=BroadcastStatus.SCHEDULED
    )
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # The coordinator's confirmation message, edited as delivery goes.
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
