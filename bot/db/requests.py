"""A member's question or request to their panel's coordinators, and who answered it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UTCDateTime


class MemberRequest(Base):
    """A word not understood, a support need, "not sure about payment", a claim question.

    `kind` says which (bot/services/member_requests.py KINDS); `about` names what it is about in
    that kind's terms (a glossary entry id, a meeting id, a claim id, or nothing); `text` is the
    member's own words, if any. The first coordinator to answer is kept, so a second one can be
    told who did. The reply itself is not kept: it is in the member's chat.
    """

    __tablename__ = "member_requests"
    __table_args__ = (Index("ix_member_requests_member_id_kind", "member_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    about: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
