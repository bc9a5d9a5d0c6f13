"""Key reads cached per connection, for exactly as long as the database has not changed.

Every request that seals reads its key and the key's current material ID, and it is nearly
always the same few keys. SQLite's ``PRAGMA data_version`` changes whenever *another*
connection commits (another thread's, another process's, the ``sqlite3`` shell's) and costs a
fraction of fetching and converting a key row. Commits through the connection itself leave it
unchanged, so the store empties that connection's cache after each of its own transactions.
A cached read is therefore what a fresh read at the moment of the version check would return:
a key disabled or rotated anywhere is seen by the very next request, as without the cache.
"""

from __future__ import annotations

import sqlite3
from typing import Generic, TypeVar

_Read = TypeVar("_Read")

# Keys cached per connection; beyond this the cache starts over (a keystore this busy with
# distinct keys gains little from it anyway).
MAX_ENTRIES = 1024


class KeyReadCache(Generic[_Read]):
    """Reads by key ARN on one connection, dropped whenever the database changed."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self._cursor = connection.cursor()
        self._version: int | None = None
        self._reads: dict[str, _Read] = {}

    def current(self) -> dict[str, _Read]:
        """The reads still valid now (checks the database version: one cheap statement)."""
        (version,) = self._cursor.execute("PRAGMA data_version").fetchone()
        if version != self._version:
            self._reads.clear()
            self._version = version
        return self._reads

    def keep(self, reads: dict[str, _Read], arn: str, read: _Read) -> None:
        """Remember ``read`` in ``reads`` (from :meth:`current`, before the read was made)."""
        if len(reads) >= MAX_ENTRIES:
            reads.clear()
        reads[arn] = read

    def clear(self) -> None:
        """Forget every read: this connection itself wrote (or tried to)."""
        self._reads.clear()
