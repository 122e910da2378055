"""Expense and paid-time claims: a panel's rates and limits, claims, their lines and receipts.

Money is always an integer number of minor units (pence) with a currency code; never a float.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, BigId, UTCDateTime
from bot.db.models import _str_enum


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    QUERY = "query"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    WITHDRAWN = "withdrawn"


class LineStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    QUERY = "query"
    APPROVED = "approved"
    REJECTED = "rejected"


class ExpensePolicy(Base):
    """A panel's rates and limits. A panel without a row uses the defaults in services."""

    __tablename__ = "expense_policies"

    panel_id: Mapped[int] = mapped_column(
        ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    mileage_rate: Mapped[int] = mapped_column(Integer)  # minor units per mile
    hourly_rate: Mapped[int] = mapped_column(Integer)
    session_rate: Mapped[int] = mapped_column(Integer)
    max_amount: Mapped[int] = mapped_column(Integer)  # one line, before review
    no_receipt_limit: Mapped[int] = mapped_column(Integer)
    max_age_days: Mapped[int] = mapped_column(Integer)
    # A limit the organisation chooses for paid time per week (e.g. a benefits earnings limit).
    weekly_paid_limit: Mapped[int | None] = mapped_column(Integer)
    # How the panel pays for people's time: "hours" (at hourly_rate) or "sessions" (at
    # session_rate). The member is never asked; a panel that set nothing pays by the hour.
    paid_time: Mapped[str] = mapped_column(String(16), default="hours", server_default="hours")


class Claim(Base):
    """A member's claim. After /forgetme an approved or paid claim is a finance record: it loses
    the member (`member_id` NULL) and every note, keeps a pseudonym, and is deleted after
    `retain_until` (PANELBOT_FINANCE_RETENTION_YEARS)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    # A random reference, the same on all of one forgotten member's kept claims; never derived
    # from their id or Telegram id.
    former_member: Mapped[str | None] = mapped_column(String(40))
    retain_until: Mapped[date | None] = mapped_column(Date, index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    status: Mapped[ClaimStatus] = mapped_column(
        _str_enum(ClaimStatus, "claim_status"), default=ClaimStatus.SUBMITTED
    )
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    note: Mapped[str | None] = mapped_column(Text)
    # The member's payment preference when they claimed, so finance sees what was asked for.
    payment_preference: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    payment_method: Mapped[str | None] = mapped_column(String(16))
    # Bumped on every change of status; makes each notice's outbox key unique.
    version: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", order_by="ClaimLine.position", cascade="all, delete-orphan"
    )


class ClaimLine(Base):
    __tablename__ = "claim_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    # Miles, hours or sessions for kinds paid at a rate; None for a typed amount.
    quantity: Mapped[str | None] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units
    spent_on: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why a taxi
    no_receipt_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[LineStatus] = mapped_column(
        _str_enum(LineStatus, "line_status"), default=LineStatus.SUBMITTED
    )
    question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("claim_lines.id", ondelete="SET NULL")
    )

    claim: Mapped[Claim] = relationship(back_populates="lines")
    receipts: Mapped[list[Receipt]] = relationship(
        back_populates="line", order_by="Receipt.id", cascade="all, delete-orphan"
    )


class Receipt(Base):
    """A receipt kept twice: by Telegram file id (to show it) and as a file under the data dir."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("claim_lines.id", ondelete="CASCADE"), index=True
    )
    telegram_file_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # photo or document
    mime_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(300))  # relative to PANELBOT_DATA_DIR

    line: Mapped[ClaimLine] = relationship(back_populates="receipts")
