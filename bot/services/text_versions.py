"""Coordinators' own words in other languages: polls, meetings and "You said, we did".

A coordinator may add a version of their text for each launch language, as broadcasts do. Each
member gets their language's version; when there is none and they read another language than the
coordinator wrote in, the renderer marks the original plainly as not translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import TextVersion
from bot.languages import LAUNCH_LANGUAGES

POLL, MEETING, WE_DID = "poll", "meeting", "we_did"
FIELDS = {
    POLL: ("question", "options"),
    MEETING: ("title", "agenda", "address"),
    WE_DID: ("text",),
}
ORIGINAL = "original"  # the marker row: which language the coordinator wrote in


@dataclass(frozen=True)
class Words:
    """One member's words for one object: their version where there is one, else the original."""

    texts: dict[str, str] = field(default_factory=dict)
    # The language of the original when it is shown untranslated to someone who reads another.
    untranslated_from: str | None = None

    def get(self, name: str, original: str | None) -> str | None:
        return self.texts.get(name) or original


async def save(
    session: AsyncSession,
    kind: str,
    object_id: int,
    *,
    original: str,
    versions: Mapping[str, Mapping[str, str]],
) -> None:
    """Record the original's language and each other-language version (replacing any before)."""
    await session.execute(
        delete(TextVersion).where(TextVersion.kind == kind, TextVersion.object_id == object_id)
    )
    rows = [TextVersion(kind=kind, object_id=object_id, field=ORIGINAL, language=original, text="")]
    for language, texts in versions.items():
        if language == original or language not in LAUNCH_LANGUAGES:
            continue
        rows += [
            TextVersion(kind=kind, object_id=object_id, field=name, language=language, text=text)
            for name, text in texts.items()
            if name in FIELDS[kind] and text
        ]
    session.add_all(rows)
    await session.flush()


async def words(session: AsyncSession, kind: str, object_id: int, language: str) -> Words:
    rows = (
        await session.execute(
            select(TextVersion.field, TextVersion.language, TextVersion.text).where(
                TextVersion.kind == kind, TextVersion.object_id == object_id
            )
        )
    ).all()
    original = next((r.language for r in rows if r.field == ORIGINAL), None)
    texts = {r.field: r.text for r in rows if r.language == language and r.field != ORIGINAL}
    missing = original is not None and language != original and not texts
    return Words(texts, original if missing else None)


async def copy(session: AsyncSession, kind: str, from_id: int, to_id: int) -> None:
    """Give a copy (a repeated meeting) the same versions as the object it copies."""
    rows = (
        await session.scalars(
            select(TextVersion).where(TextVersion.kind == kind, TextVersion.object_id == from_id)
        )
    ).all()
    session.add_all(
        TextVersion(kind=kind, object_id=to_id, field=r.field, language=r.language, text=r.text)
        for r in rows
    )
    await session.flush()
