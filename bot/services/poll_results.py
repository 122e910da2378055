"""A poll's results under the small-numbers rule (bot.services.small_numbers), sharing them with
"You said, we did", and the spreadsheet of answers."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Poll, PollParticipant, PollResponse
from bot.services import outbox, outbox_keys
from bot.services.access import Actor, require_coordinator
from bot.services.outbox_keys import Kind
from bot.services.poll_rules import RATINGS, PollError
from bot.services.poll_storage import answer_count, asked_in_panel
from bot.services.small_numbers import MIN_ANSWERS

_random = random.SystemRandom()


@dataclass
class Results:
    poll: Poll
    asked: int
    answered: int  # responses kept (skips are not answers)
    hidden: bool
    so_far: int = 0  # people who answered, with those whose answers wait to be written
    counts: list[int] = field(default_factory=list)  # per option, or per rating 1..5
    average: float | None = None
    texts: list[str] = field(default_factory=list)  # random order

    @property
    def shareable(self) -> bool:
        """Whether members may see the results: more than k answers (so each member sees at
        least k besides their own), and not all the same (which would show each answer)."""
        if self.hidden or self.answered < max(MIN_ANSWERS, self.poll.min_answers) + 1:
            return False
        if self.poll.kind == "text":
            return len(set(self.texts)) > 1
        return any(0 < count < self.answered for count in self.counts)

    def percent(self, count: int) -> int:
        return round(100 * count / self.answered) if self.answered else 0


async def _answered_by(session: AsyncSession, poll: Poll, member_id: int | None) -> bool:
    if member_id is None:
        return False
    state = await session.scalar(
        select(PollParticipant.state).where(
            PollParticipant.poll_id == poll.id, PollParticipant.member_id == member_id
        )
    )
    return state == "answered"


async def _results(session: AsyncSession, poll: Poll, viewer: int | None = None) -> Results:
    """The results as `viewer` (a member id) may see them: their own answer is not counted
    towards the threshold, since they know it."""
    asked = int(
        await session.scalar(
            select(func.count())
            .select_from(PollParticipant)
            .where(PollParticipant.poll_id == poll.id)
        )
        or 0
    )
    rows = (
        await session.execute(
            select(PollResponse.choices, PollResponse.rating, PollResponse.text).where(
                PollResponse.poll_id == poll.id
            )
        )
    ).all()
    others = len(rows) - (1 if await _answered_by(session, poll, viewer) else 0)
    result = Results(poll, asked, len(rows), hidden=others < max(MIN_ANSWERS, poll.min_answers))
    result.so_far = max(len(rows), await answer_count(session, poll.id))
    if result.hidden:
        return result  # nothing at all about the answers until there are enough
    if poll.kind in ("one", "many"):
        chosen = Counter(c for r in rows for c in (r[0] or []))
        result.counts = [chosen.get(i, 0) for i in range(len(poll.options))]
    elif poll.kind == "rating":
        ratings = [int(r[1] or 0) for r in rows]
        rated = Counter(ratings)
        result.counts = [rated.get(v, 0) for v in RATINGS]
        result.average = round(sum(ratings) / len(ratings), 1)
    else:
        result.texts = [r[2] for r in rows if r[2]]
        _random.shuffle(result.texts)
    return result


async def results(session: AsyncSession, actor: Actor, poll_id: int) -> Results:
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise PollError("missing")
    await require_coordinator(session, actor, poll.panel_id)
    return await _results(session, poll, actor.member_id)


async def shared_results(
    session: AsyncSession, poll_id: int, viewer: int | None = None
) -> Results | None:
    """For the message members get once a coordinator has shared the results: None when
    they may not be shown to members (see `Results.shareable`)."""
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.we_did is None:
        return None
    result = await _results(session, poll, viewer)
    return result if result.shareable else None


async def share(
    session: AsyncSession, actor: Actor, poll_id: int, we_did: str, *, now: datetime
) -> int:
    """Send the results and "You said, we did" to everyone who was asked. Returns how many."""
    result = await results(session, actor, poll_id)
    if result.hidden:
        raise PollError("hidden")
    if not result.shareable:
        raise PollError("not_shareable")
    we_did = we_did.strip()
    if not we_did or len(we_did) > 2000:
        raise PollError("we_did")
    poll = result.poll
    poll.we_did = we_did
    people = await asked_in_panel(session, poll)
    version = secrets.token_hex(4)  # a second share (a correction) is a new message
    for member_id, chat_id in people:
        await outbox.enqueue(
            session,
            key=outbox_keys.poll_shared(poll.id, version, member_id),
            kind=Kind.POLL_SHARED,
            chat_id=chat_id,
            member_id=member_id,
            payload={"poll_id": poll.id},
            due_at=now,
            now=now,
        )
    await session.commit()
    return len(people)


async def export_answers(session: AsyncSession, actor: Actor, poll_id: int) -> list[list[str]]:
    """A spreadsheet of the answers: one row per answer, random order, never who gave it."""
    result = await results(session, actor, poll_id)
    if result.hidden:
        raise PollError("hidden")
    poll = result.poll
    rows = (
        await session.execute(
            select(PollResponse.choices, PollResponse.rating, PollResponse.text).where(
                PollResponse.poll_id == poll.id
            )
        )
    ).all()
    out = []
    for choices, rating, text in rows:
        if poll.kind in ("one", "many"):
            out.append(["; ".join(poll.options[c] for c in choices if c < len(poll.options))])
        elif poll.kind == "rating":
            out.append([str(rating)])
        else:
            out.append([text or ""])
    _random.shuffle(out)
    return out
