"""Coordinators' own words in other languages: one row per (kind, object, field, language)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId


class TextVersion(Base):
    """A coordinator's version of a poll's, meeting's or "You said, we did" text in one language.

    `field` "original" marks the language the coordinator wrote in (its text is empty), so a member
    in any other language without a version can be told plainly that the words are not translated.
    No foreign key: `object_id` names a row of the table `kind` says; removing it removes these.
    """

    __tablename__ = "text_versions"
    __table_args__ = (
        Index("ix_text_versions_key", "kind", "object_id", "field", "language", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "poll", "meeting" or "we_did"
    object_id: Mapped[int] = mapped_column(BigInteger)
    field: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
