"""Key reads cached for the whole process, for exactly as long as the database has not changed.

Every request that seals reads its key and the key's current material ID, and it is nearly
always the same few keys. The reads go through one connection that the process's threads share
and that never writes. SQLite's ``PRAGMA data_version`` on it changes whenever any *other*
connection commits, and every write is another connection's (this process's threads', another
process's, the ``sqlite3`` shell's); the check costs a fraction of fetching and converting a key
row. A cached read is therefore what a fresh read at the moment of the version check would
return: a key disabled or rotated anywhere is seen by the very next request, as without the
cache.

One connection rather than one per thread because a request arrives on whichever thread is
free: with a connection per thread, each request at a low steady rate found its thread's
connection, statement cache and pages cold, which set the latency's tail (benches/README.md).
The connection is used under a lock that no one waits for: a thread that finds it taken reads
through its own connection instead.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

_Read = TypeVar("_Read")

# Keys cached; beyond this the cache starts over (a keystore this busy with distinct keys gains
# little from it anyway).
MAX_ENTRIES = 1024


class KeyReadCache(Generic[_Read]):
    """Reads by key ARN through one shared connection, dropped whenever the database changed."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self._lock = threading.Lock()
        self._cursor = connection.cursor()
        self._version: int | None = None
        self._reads: dict[str, _Read] = {}

    def read(
        self,
        arn: str,
        sql: str,
        convert: Callable[[Sequence[Any]], _Read],
        own: Callable[[], sqlite3.Connection],
    ) -> _Read | None:
        """The read of ``arn``: cached if the database is unchanged since it was made, else the
        row of ``sql`` (one parameter, the ARN) converted and remembered; ``None`` for no row.
        When another thread is using the shared connection, the row is read uncached through
        ``own()``, the calling thread's connection, rather than waiting."""
        if not self._lock.acquire(blocking=False):
            row = own().execute(sql, (arn,)).fetchone()
            return None if row is None else convert(row)
        try:
            (version,) = self._cursor.execute("PRAGMA data_version").fetchone()
            reads = self._reads
            if version != self._version:
                reads.clear()
                self._version = version
            found = reads.get(arn)
            if found is not None:
                return found
            # fetchone() leaves no read transaction open: the statement is stepped past its
            # only row when fetched, so the next version check sees every later commit.
            row = self._cursor.execute(sql, (arn,)).fetchone()
            if row is None:
                return None
            found = convert(row)
            if len(reads) >= MAX_ENTRIES:
                reads.clear()
            reads[arn] = found
            return found
        finally:
            self._lock.release()

    def __len__(self) -> int:
        return len(self._reads)
