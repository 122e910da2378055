"""Which processes are using an SQLite database's outbox, told by the kernel rather than by rows.

Each bot process holds a shared `flock` on `<database>.workers` for as long as it lives; the
kernel drops a killed process's lock with it. A process that starts and finds nobody else
holding the lock knows every outbox lease in the database belongs to a process that is gone,
and may free them at once instead of waiting the lease out. Finding someone else there, it
leaves the leases alone: they may be that living process's work in hand.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path
from typing import BinaryIO

POLL_SECONDS = 0.05


class SqliteWorkers:
    def __init__(self, database_file: Path) -> None:
        self.path = database_file.with_name(database_file.name + ".workers")
        self._file: BinaryIO | None = None  # a file object, so a dropped one closes itself

    def try_alone(self) -> bool:
        """Take the lock for this process alone, if no other process holds it. While it is held
        alone, other processes wait in `join` before they claim anything."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        self._file = os.fdopen(descriptor, "r+b")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    async def join(self) -> None:
        """Hold the lock shared with the other living processes (waiting, without blocking the
        event loop, while one that has just started frees dead leases)."""
        assert self._file is not None, "try_alone first"
        while True:
            try:
                fcntl.flock(self._file, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                await asyncio.sleep(POLL_SECONDS)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
