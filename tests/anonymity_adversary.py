"""The database administrator as an adversary (tests/test_anonymity_adversary.py): what they can
read from the database's files and system columns, turned into "commits" (one transaction's
changes each), so the test can ask for every piece of anonymous content who it could belong to.

- SQLite: copies of the `.sqlite3` and `-wal` files taken at any moment, with the WAL replayed
  frame by frame, one commit at a time (the WAL format: sqlite.org/fileformat2.html#walformat).
- PostgreSQL: every row with its `xmin` (the transaction that wrote it) and `ctid`, read at any
  moment, and the order of transactions from the write-ahead log itself (pg_walinspect).
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Tables with one row per member (or keyed by one): a change there names that member.
MEMBER_TABLES = {
    "members": "id",
    "memberships": "member_id",
    "poll_participants": "member_id",
    "rsvps": "member_id",
    "drafts": "member_id",
    "outbox": "member_id",
}
# Where anonymous content lives, and the column that holds it.
CONTENT = {
    "poll_responses": "text",
    "feedback": "text",
    "feedback_replies": "text",
    "missing_words": "word",
}

Facts = dict[tuple[str, str], tuple[Any, ...]]  # (table, row key) -> row values


@dataclass
class Commit:
    """What one transaction changed, as the adversary sees it."""

    members: set[int] = field(default_factory=set)  # member ids whose rows changed
    content: set[str] = field(default_factory=set)  # anonymous content that first appeared
    # PostgreSQL: member ids whose rows this transaction wrote (xmin), changed or not.
    touched: set[int] = field(default_factory=set)


def _member_of(table: str, row: dict[str, Any]) -> int | None:
    column = MEMBER_TABLES.get(table)
    value = row.get(column) if column else None
    return int(value) if value is not None else None


def _content_of(table: str, row: dict[str, Any]) -> str | None:
    column = CONTENT.get(table)
    value = row.get(column) if column else None
    if table == "feedback_replies" and not row.get("from_member"):
        return None  # a coordinator's reply is not anonymous
    return str(value) if value else None


def diff(before: Facts, after: Facts) -> Commit:
    commit = Commit()
    for key in set(before) | set(after):
        if before.get(key) == after.get(key):
            continue
        table = key[0]
        for values in (before.get(key), after.get(key)):
            if values is None:
                continue
            row = dict(values)
            member = _member_of(table, row)
            if member is not None:
                commit.members.add(member)
        if key not in before and (found := _content_of(table, dict(after[key]))):
            commit.content.add(found)
        if table == "missing_words" and key in after:
            commit.content.add(str(dict(after[key])["word"]))  # a count went up
    return commit


# ------------------------------------------------------------------------------ SQLite


def sqlite_facts(path: Path) -> Facts:
    facts: Facts = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        for table in [*MEMBER_TABLES, *CONTENT]:
            cursor = connection.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for index, row in enumerate(cursor.fetchall()):
                record = tuple(zip(names, row, strict=True))
                facts[(table, _key(table, dict(record), index))] = record
    return facts


def _key(table: str, row: dict[str, Any], index: int) -> str:
    if table == "poll_responses":
        return str(row["text"])  # random ids change; the words do not
    if table == "missing_words":
        return f"{row['panel_id']}:{row['word']}"
    if "id" in row:
        return str(row["id"])
    return repr(sorted((k, str(v)) for k, v in row.items() if k in ("poll_id", "member_id")))


class SqliteAdversary:
    """Copies the database's files whenever it likes (here: after every action) and replays
    each copy's WAL frame by frame, one commit at a time. Keeps every state it saw, in order."""

    def __init__(self, database: Path, work: Path) -> None:
        self.database = database
        self.work = work
        self.states: list[Facts] = []
        self._seen: set[int] = set()
        self._copies = 0

    def copy(self) -> Path:
        """What someone copying the files at this moment gets (kept, as a backup would be)."""
        self._copies += 1
        into = self.work / f"copy{self._copies}"
        into.mkdir(parents=True, exist_ok=True)
        target = into / self.database.name
        shutil.copyfile(self.database, target)
        wal = self.database.with_name(self.database.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        return target

    def watch(self) -> None:
        copy = self.copy()
        wal_path = copy.with_name(copy.name + "-wal")
        wal = wal_path.read_bytes() if wal_path.exists() else b""
        base = copy.read_bytes()
        self._add(self._state(base, {}, None))
        if len(wal) < 32:
            return
        page_size = struct.unpack(">I", wal[8:12])[0]
        salts = wal[16:24]
        pages: dict[int, bytes] = {}
        offset = 32
        while offset + 24 + page_size <= len(wal):
            header = wal[offset : offset + 24]
            number, size_after = struct.unpack(">II", header[:8])
            if header[8:16] != salts:
                break  # a frame left over from before the last reset: not part of this log
            pages[number] = wal[offset + 24 : offset + 24 + page_size]
            offset += 24 + page_size
            if size_after:  # a commit frame
                self._add(self._state(base, pages, size_after * page_size))

    def _add(self, state: Facts) -> None:
        """States already seen (the main file again, before the WAL's frames) are skipped."""
        fingerprint = hash(frozenset(state.items()))
        if fingerprint not in self._seen:
            self._seen.add(fingerprint)
            self.states.append(state)

    def _state(self, base: bytes, pages: dict[int, bytes], size: int | None) -> Facts:
        image = bytearray(base)
        for number, data in pages.items():
            start = (number - 1) * len(data)
            if len(image) < start + len(data):
                image.extend(b"\0" * (start + len(data) - len(image)))
            image[start : start + len(data)] = data
        if size is not None:
            del image[size:]
        # Read it as a database on its own: journal mode DELETE in the header, no WAL beside it.
        image[18:20] = b"\x01\x01"
        path = self.work / "replayed.sqlite3"
        path.write_bytes(bytes(image))
        return sqlite_facts(path)

    def commits(self) -> list[Commit]:
        return [diff(a, b) for a, b in zip(self.states, self.states[1:], strict=False)]


# ------------------------------------------------------------------------------ PostgreSQL


async def postgres_facts(connection: AsyncConnection) -> dict[tuple[str, str], tuple[int, Any]]:
    """Every row with the transaction that wrote it (xmin) and where it lies (ctid)."""
    found: dict[tuple[str, str], tuple[int, Any]] = {}
    for table in [*MEMBER_TABLES, *CONTENT]:
        result = await connection.execute(
            text(f"SELECT xmin::text::bigint AS xmin_, ctid::text AS ctid_, * FROM {table}")
        )
        names = list(result.keys())
        for index, row in enumerate(result.all()):
            record = dict(zip(names, row, strict=True))
            xmin = int(record.pop("xmin_"))
            record.pop("ctid_")
            values = tuple(sorted((k, v) for k, v in record.items()))
            found[(table, _key(table, record, index))] = (xmin, values)
    return found


async def postgres_wal_read(connection: AsyncConnection, start: str) -> tuple[list[int], str]:
    """Transactions that touched this database between `start` and now, in the order the WAL
    records them, and where reading stopped (read often: old WAL segments are recycled)."""
    oid = await connection.scalar(
        text("SELECT oid FROM pg_database WHERE datname = current_database()")
    )
    end = str(await connection.scalar(text("SELECT pg_current_wal_flush_lsn()::text")))
    ahead = await connection.scalar(
        text("SELECT CAST(CAST(:end AS text) AS pg_lsn) > CAST(CAST(:start AS text) AS pg_lsn)"),
        {"start": start, "end": end},
    )
    if not ahead:
        return [], start
    rows = await connection.execute(
        text(
            "SELECT xid::text::bigint, block_ref FROM pg_get_wal_records_info("
            "CAST(CAST(:start AS text) AS pg_lsn), CAST(CAST(:end AS text) AS pg_lsn)) "
            "WHERE xid::text::bigint <> 0"
        ),
        {"start": start, "end": end},
    )
    order: list[int] = []
    for xid, block_ref in rows.all():
        if block_ref and f"/{oid}/" in block_ref and int(xid) not in order:
            order.append(int(xid))
    return order, end


def postgres_commits(
    snapshots: list[dict[tuple[str, str], tuple[int, Any]]], order: list[int]
) -> list[Commit]:
    """One commit per transaction id, in WAL order: the rows it wrote (by xmin), told apart
    from rows it rewrote unchanged by comparing with the copy taken before."""
    commits: dict[int, Commit] = {xid: Commit() for xid in order}
    previous: dict[tuple[str, str], tuple[int, Any]] = {}
    for snapshot in snapshots:
        for key, (xmin, values) in snapshot.items():
            before = previous.get(key)
            if before is not None and before[0] == xmin:
                continue  # not written since the last copy
            commit = commits.setdefault(xmin, Commit())
            table, row = key[0], dict(values)
            member = _member_of(table, row)
            if member is not None:
                commit.touched.add(member)
                if before is None or before[1] != values:
                    commit.members.add(member)
            if before is None and (found := _content_of(table, row)):
                commit.content.add(found)
            if table == "missing_words" and (before is None or before[1] != values):
                commit.content.add(str(row["word"]))
        previous = snapshot
    ordered = [x for x in order if x in commits] + [x for x in commits if x not in order]
    return [commits[x] for x in ordered]


# ------------------------------------------------------------------------------ verdict


def linked(
    commits: list[Commit], author: dict[str, int], k: int, backups: list[Commit]
) -> list[str]:
    """Content the adversary can tie to fewer than k people, with how.

    Content written in one commit cannot be told apart by when it was written: its possible
    authors are at least everyone whose content that commit holds. Below k of those, the
    adversary tries each narrow set of members they can see: those changed in the same commit,
    in the commit just before or just after it, and between two backups."""
    found = []
    for index, commit in enumerate(commits):
        mine = [c for c in commit.content if c in author]
        authors = {author[c] for c in mine}
        if not mine or len(authors) >= k:
            continue
        near = {"same commit": commit.members, "same commit, rows written": commit.touched}
        if index > 0:
            near["commit before"] = commits[index - 1].members
            near["commit before, rows written"] = commits[index - 1].touched
        if index + 1 < len(commits):
            near["commit after"] = commits[index + 1].members
            near["commit after, rows written"] = commits[index + 1].touched
        for number, backup in enumerate(backups):
            if set(mine) & backup.content:
                near[f"backups {number}"] = backup.members
        for how, members in near.items():
            for content in mine:
                if 0 < len(members) < k and author[content] in members:
                    found.append(f"{content!r} -> member {author[content]} ({how}: {members})")
    return found
