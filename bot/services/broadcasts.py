"""Coordinator broadcasts: one message to many members, each copy an outbox row.

A broadcast is saved with one `broadcast_start` outbox row due at its send time. When that row
comes due, the audience is worked out (so people who joined meanwhile are included) and one
`broadcast` row per member is added with the key `outbox_keys.broadcast_copy`
(`bc:<id>:m:<member>`): the unique key is what makes a second copy impossible, even if the
start runs again after a crash.
Who is reached is worked out in bot.services.broadcast_audience.

A copy for someone in their quiet hours waits until they end (marked `quiet` in its payload).
`figures` counts those apart from the copies still going, for the coordinator's progress and
/broadcasts alike. When only those are left the broadcast is reported (`finished_at` set, still
SENDING); when the last of them has gone it is DONE and the coordinator is told the final figure.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import (
    Broadcast,
    BroadcastStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
)
from bot.services import audit, glossary, outbox, outbox_keys
from bot.services.access import Actor, NotAllowed, coordinated_panels, require_coordinator
from bot.services.broadcast_audience import (
    Audience,
    InvalidBroadcast,
    check_audience,
    panels_of,
    recipients,
)
from bot.services.broadcast_figures import QUIET, Figures, figures
from bot.services.outbox_keys import Kind
from bot.services.reminders import in_quiet_hours

MAX_TEXT = 3500  # leaves room for the heading within Telegram's 4096
MAX_CAPTION = 900  # Telegram allows 1024 under a photo or file
MAX_AHEAD = timedelta(days=366)

__all__ = ["QUIET", "Figures", "figures"]  # the counts live in broadcast_figures


def check_text(text: str, *, with_file: bool) -> str:
    cleaned = text.strip()
    if not cleaned and not with_file:
        raise InvalidBroadcast("empty")
    if len(cleaned) > (MAX_CAPTION if with_file else MAX_TEXT):
        raise InvalidBroadcast("long")
    return cleaned


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    audience: Audience,
    text: str,
    translations: dict[str, str],
    media_kind: str | None,
    media_file_id: str | None,
    important: bool,
    send_at: datetime,
    now: datetime,
    report_chat_id: int,
    report_message_id: int | None,
) -> Broadcast:
    """Save a broadcast and queue its start. Checks the person may reach every panel in it."""
    await check_audience(session, actor, audience)
    with_file = media_kind is not None
    if media_kind not in (None, "photo", "document") or (with_file and not media_file_id):
        raise InvalidBroadcast("file")
    text = check_text(text, with_file=with_file)
    versions = {lang: check_text(v, with_file=with_file) for lang, v in translations.items() if v}
    if send_at > now + MAX_AHEAD:
        raise InvalidBroadcast("far")
    send_at = max(send_at, now)
    broadcast = Broadcast(
        created_by=actor.member_id,
        audience=audience.as_json(),
        text=text,
        translations=versions,
        media_kind=media_kind,
        media_file_id=media_file_id,
        terms=glossary.load().find_in_text(text)[:5],
        important=important,
        status=BroadcastStatus.SCHEDULED,
        send_at=send_at,
        total=0,
        report_chat_id=report_chat_id,
        report_message_id=report_message_id,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    await outbox.enqueue(
        session,
        key=outbox_keys.broadcast_start(broadcast.id),
        kind=Kind.BROADCAST_START,
        chat_id=report_chat_id,
        member_id=actor.member_id,
        payload={"broadcast_id": broadcast.id},
        due_at=send_at,
        now=now,
    )
    for panel_id in await panels_of(session, audience):
        audit.record(
            session,
            "broadcast.create",
            at=now,
            actor_id=actor.member_id,
            panel_id=panel_id,
            broadcast_id=broadcast.id,
        )
    return broadcast


def _after_quiet(moment: datetime, zone: ZoneInfo, quiet: tuple[int, int]) -> datetime:
    """The first moment after `moment` when the member's quiet hours are over."""
    end = quiet[1]
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(3):
        wall = datetime.combine(day, time(end // 60, end % 60), tzinfo=zone)
        if wall > local:
            return wall.astimezone(moment.tzinfo)
        day += timedelta(days=1)
    return moment


async def start(session: AsyncSession, broadcast_id: int, *, now: datetime) -> int:
    """Add one outbox row per member. Safe to run again: existing keys are left alone."""
    claimed = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_([BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING]),
        )
        .values(status=BroadcastStatus.SENDING)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        return 0  # cancelled before it started
    broadcast = await session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    people = await recipients(
        session, Audience.from_json(broadcast.audience), sender=broadcast.created_by
    )
    rows = []
    for person in people:
        due, quiet, zone = now, person.quiet, ZoneInfo(person.zone)
        payload: dict[str, object] = {"broadcast_id": broadcast_id}
        if not broadcast.important and quiet and in_quiet_hours(now, zone, quiet):
            due = _after_quiet(now, zone, quiet)
            payload[QUIET] = True
        rows.append(
            dict(
                key=outbox_keys.broadcast_copy(broadcast_id, person.member_id),
                kind=Kind.BROADCAST,
                chat_id=person.telegram_id,
                member_id=person.member_id,
                payload=payload,
                due_at=due,
                status=OutboxStatus.PENDING,
                attempts=0,
                created_at=now,
            )
        )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if rows:
        statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
        await session.execute(statement, rows)
    broadcast.total = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.key.startswith(
                outbox_keys.broadcast_copies(broadcast_id), autoescape=True
            )
        )
    ) or len(rows)
    return len(rows)


async def sending(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING)
    )
    return list(rows.all())


async def reported(session: AsyncSession, broadcast_id: int, *, now: datetime) -> bool:
    """Only copies waiting for quiet hours are left and the coordinator has been told: from now
    on their report is not edited as those go. True for the one caller that did it."""
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status == BroadcastStatus.SENDING,
            Broadcast.finished_at.is_(None),
        )
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def finish(
    session: AsyncSession, broadcast_id: int, *, now: datetime, tell_at: datetime | None = None
) -> bool:
    """Mark a broadcast done once no copy is left to go. True for the one caller that did it.
    With `tell_at`, the coordinator's final figure is queued for then, in the same transaction
    (it comes after copies that waited for quiet hours: their first report said they would)."""
    if (await figures(session, broadcast_id, now=now)).by_status.get(OutboxStatus.PENDING):
        return False
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
        .values(status=BroadcastStatus.DONE, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return False
    broadcast = await session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    if tell_at is not None and broadcast.report_chat_id is not None:
        await outbox.enqueue(
            session,
            key=outbox_keys.broadcast_final(broadcast_id),
            kind=Kind.BROADCAST_FINAL,
            chat_id=broadcast.report_chat_id,
            member_id=broadcast.created_by,
            payload={"broadcast_id": broadcast_id},
            due_at=tell_at,
            now=now,
        )
    return True


async def _may_see(session: AsyncSession, actor: Actor, broadcast: Broadcast) -> None:
    for panel_id in await panels_of(session, Audience.from_json(broadcast.audience)):
        await require_coordinator(session, actor, panel_id)


async def get_for(session: AsyncSession, actor: Actor, broadcast_id: int) -> Broadcast:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotAllowed("no such broadcast")
    await _may_see(session, actor, broadcast)
    return broadcast


async def cancel(session: AsyncSession, actor: Actor, broadcast_id: int, *, now: datetime) -> bool:
    """Cancel a scheduled broadcast. False if it has already started (or was cancelled)."""
    await get_for(session, actor, broadcast_id)
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
        .values(status=BroadcastStatus.CANCELLED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return False
    await outbox.cancel_pending(
        session, key_prefix=outbox_keys.broadcast_start(broadcast_id), reason="cancelled"
    )
    audit.record(session, "broadcast.cancel", at=now, actor_id=actor.member_id, id=broadcast_id)
    return True


async def unreachable_names(session: AsyncSession, actor: Actor, broadcast_id: int) -> list[str]:
    await get_for(session, actor, broadcast_id)
    rows = await session.scalars(
        select(Member.display_name)
        .join(OutboxMessage, OutboxMessage.member_id == Member.id)
        .where(
            OutboxMessage.key.startswith(
                outbox_keys.broadcast_copies(broadcast_id), autoescape=True
            ),
            OutboxMessage.status == OutboxStatus.UNREACHABLE,
        )
        .order_by(Member.display_name)
    )
    return [name or "?" for name in rows.all()]


async def listing(
    session: AsyncSession, actor: Actor, *, now: datetime, limit: int = 10
) -> list[tuple[Broadcast, Figures]]:
    """Recent and scheduled broadcasts to panels this person coordinates, newest first."""
    mine = {panel_id for panel_id, _ in await coordinated_panels(session, actor)}
    found: list[tuple[Broadcast, Figures]] = []
    rows = await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(200))
    for broadcast in rows.all():
        try:
            panel_ids = await panels_of(session, Audience.from_json(broadcast.audience))
        except NotAllowed:
            continue
        if (actor.is_admin or set(panel_ids) <= mine) and panel_ids:
            found.append((broadcast, await figures(session, broadcast.id, now=now)))
        if len(found) >= limit:
            break
    return found


async def latest_for(session: AsyncSession, member_id: int) -> tuple[Broadcast, datetime] | None:
    """The newest broadcast this member was sent, and when."""
    row = (
        await session.execute(
            select(Broadcast, OutboxMessage.sent_at)
            .join(OutboxMessage, OutboxMessage.payload["broadcast_id"].as_integer() == Broadcast.id)
            .where(
                OutboxMessage.member_id == member_id,
                OutboxMessage.kind == Kind.BROADCAST,
                OutboxMessage.status == OutboxStatus.SENT,
            )
            .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
            .limit(1)
        )
    ).first()
    if row is None or row[1] is None:
        return None
    return row[0], row[1]


async def for_copy(
    session: AsyncSession, broadcast_id: int, member_id: int | None
) -> tuple[Broadcast, Member] | None:
    """What a member's copy needs at send time; None if it should no longer go."""
    broadcast = await session.get(Broadcast, broadcast_id)
    member = await session.get(Member, member_id) if member_id is not None else None
    if broadcast is None or member is None or broadcast.status == BroadcastStatus.CANCELLED:
        return None
    if member.broadcasts_muted and not broadcast.important:
        return None
    return broadcast, member
