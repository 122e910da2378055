"""Explaining words to members: panel terms first, then the glossary; unknown words counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import MissingWord, PanelTerm
from bot.services import audit
from bot.services.access import Actor, require_coordinator
from bot.services.glossary import Entry, Glossary, normalise

MAX_TERM = 100
MAX_DEFINITION = 1000


@dataclass(frozen=True)
class Explanation:
    entry: Entry | None = None
    panel_term: PanelTerm | None = None
    suggestions: tuple[Entry, ...] = ()
    fallback: bool = False

    @property
    def found(self) -> bool:
        return self.entry is not None or self.panel_term is not None


# Built once: /explain is the most common update.
_PANEL_TERM = (
    select(PanelTerm)
    .where(
        PanelTerm.panel_id.in_(bindparam("panel_ids", expanding=True)),
        PanelTerm.key == bindparam("key"),
    )
    .order_by(PanelTerm.updated_at.desc())
    .limit(1)
)


async def explain(
    session: AsyncSession,
    glossary: Glossary,
    word: str,
    *,
    language: str,
    panel_ids: list[int],
    now: datetime,
    count: bool = True,
) -> Explanation:
    """`count=False`: a missing word is not counted here; the bot holds it to count with
    others' (bot.services.anonymous), and `missing_key` says which word it was."""
    key = normalise(word)
    if panel_ids and key:
        own = await session.scalar(_PANEL_TERM, {"panel_ids": panel_ids, "key": key})
        if own is not None:
            return Explanation(panel_term=own)
    found = glossary.lookup(word, language)
    if found.entry is None and key and count:
        await count_missing(session, key, panel_ids, now=now)
    return Explanation(entry=found.entry, suggestions=found.suggestions, fallback=found.fallback)


async def count_missing(
    session: AsyncSession, word: str, panel_ids: list[int], *, now: datetime
) -> None:
    """Add one to the word's count for each of the asker's panels. Who asked is not stored."""
    if not panel_ids:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for panel_id in panel_ids:
        statement = insert(MissingWord).values(
            panel_id=panel_id, word=word[:MAX_TERM], count=1, last_asked_on=now.date()
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["panel_id", "word"],
                set_={"count": MissingWord.count + 1, "last_asked_on": now.date()},
            )
        )


async def missing_words(
    session: AsyncSession, actor: Actor, panel_id: int, *, limit: int = 15
) -> list[tuple[str, int]]:
    await require_coordinator(session, actor, panel_id)
    rows = await session.execute(
        select(MissingWord.word, MissingWord.count)
        .where(MissingWord.panel_id == panel_id)
        .order_by(MissingWord.count.desc(), MissingWord.word)
        .limit(limit)
    )
    return [(str(word), int(count)) for word, count in rows.all()]


async def save_term(
    session: AsyncSession,
    actor: Actor,
    panel_id: int,
    term: str,
    definition: str,
    *,
    now: datetime,
) -> PanelTerm:
    """Add or change a panel's own explanation. Coordinators of that panel only."""
    await require_coordinator(session, actor, panel_id)
    term, definition = " ".join(term.split()), definition.strip()
    key = normalise(term)
    if not key or len(term) > MAX_TERM or not definition or len(definition) > MAX_DEFINITION:
        raise ValueError("term or definition")
    existing = await session.scalar(
        select(PanelTerm).where(PanelTerm.panel_id == panel_id, PanelTerm.key == key)
    )
    if existing is None:
        existing = PanelTerm(
            panel_id=panel_id,
            key=key,
            term=term,
            definition=definition,
            updated_at=now,
            updated_by=actor.member_id,
        )
        session.add(existing)
    else:
        existing.term, existing.definition = term, definition
        existing.updated_at, existing.updated_by = now, actor.member_id
    # Once explained, the word is no longer "missing" for this panel.
    await session.execute(
        delete(MissingWord).where(MissingWord.panel_id == panel_id, MissingWord.word == key)
    )
    audit.record(
        session, "term.saved", at=now, actor_id=actor.member_id, panel_id=panel_id, term=term
    )
    return existing


async def remove_term(
    session: AsyncSession, actor: Actor, panel_id: int, term: str, *, now: datetime
) -> bool:
    await require_coordinator(session, actor, panel_id)
    result = await session.execute(
        delete(PanelTerm).where(PanelTerm.panel_id == panel_id, PanelTerm.key == normalise(term))
    )
    removed = bool(getattr(result, "rowcount", 0))
    if removed:
        audit.record(
            session, "term.removed", at=now, actor_id=actor.member_id, panel_id=panel_id, term=term
        )
    return removed
