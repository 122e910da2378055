"""Polls and feedback. Anonymous content is kept apart from who took part (see README,
"Anonymous feedback: what we promise"): no member id, no time finer than the day, random ids.

Both tables that could be lined up against each other (`poll_participants` and
`poll_responses`) are rewritten in a random order whenever an answer arrives (see
`bot.services.poll_storage`), and on SQLite they are WITHOUT ROWID tables, stored in key order,
so the physical order of rows never follows the order people answered in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UTCDateTime


class Poll(Base):
    """A question a coordinator asks the panel, or the people at one meeting."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # one, many, rating, text
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    anonymous: Mapped[bool] = mapped_column(default=True)
    # Results stay hidden below this many answers; never below 3 (checked here and in code).
    min_answers: Mapped[int] = mapped_column(Integer, default=3)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed: Mapped[bool] = mapped_column(default=False, server_default=false())
    we_did: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("min_answers >= 3", name="min_answers_at_least_3"),)


class PollParticipant(Base):
    """That someone was asked and whether they answered or skipped: never what they said."""

    __tablename__ = "poll_participants"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting, answered, skipped


class PollResponse(Base):
    """What was said. For anonymous polls: no member id, a random id, only the day."""

    __tablename__ = "poll_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never a counter
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    # Only for named polls, where the member chose to be seen.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    choices: Mapped[list[int]] = mapped_column(JSON, default=list)
    rating: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    day: Mapped[date] = mapped_column(Date)


class Feedback(Base):
    """A message a member sent at any time: "Anonymous message #N" unless they gave their name."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("panel_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # Only when the member chose to give their name.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    wants_reply: Mapped[bool] = mapped_column(default=False)
    day: Mapped[date] = mapped_column(Date)


class FeedbackRoute(Base):
    """The private way back to the person behind an anonymous message that asked for a reply.

    Read only by the relay in `bot.services.feedback`; never shown or exported. The chat id is
    sealed (encrypted with a key derived from the bot token, which is never in the database), and
    `owner` is a keyed hash of it for /forgetme, so a dump or a backup alone names nobody.
    """

    __tablename__ = "feedback_routes"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    sealed: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(64), index=True)


class FeedbackReply(Base):
    """One turn of the conversation about a message: from the coordinators or back from the
    member. Never who wrote it on the member's side."""

    __tablename__ = "feedback_replies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    from_member: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str | None] = mapped_column(Text)  # None when it is only a voice note
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)


class FeedbackSettings(Base):
    """Per-panel choices: urgent help lines shown after feedback, and the answer threshold."""

    __tablename__ = "feedback_settings"
    __table_args__ = (CheckConstraint("min_answers >= 3", name="min_answers_at_least_3"),)

    panel_id: Mapped[int] = mapped_column(
        ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True
    )
    helplines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    min_answers: Mapped[int] = mapped_column(Integer, default=3)


class AnonymousHolder(Base):
    """A running bot process that holds anonymous content in memory (bot.services.anonymous).
    A holder that stops checking in has died: the poll answers it held are asked for again."""

    __tablename__ = "anonymous_holders"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
