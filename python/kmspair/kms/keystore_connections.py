"""SQLite connections for the keystore: one per thread, never carried across a fork.

An ``sqlite3`` connection must not be used by two threads at once, nor at all in a process forked
from the one that opened it (its locks and shared memory belong to the parent). So each thread
gets its own connection, and a forked child drops the parent's connections and opens its own.
One more connection is shared by the threads, for the cached key reads, which take turns on it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from .keystore_cache import KeyReadCache
from .keystore_errors import KeystoreError

# Long enough that a burst of writers from many processes queues rather than fails.
BUSY_TIMEOUT_SECONDS = 30.0

# Connections a forked child inherited. The child must neither use nor close them (closing
# could checkpoint or drop locks under the parent), so they stay referenced and are never
# garbage-collected.
_inherited: list[sqlite3.Connection] = []
_live: weakref.WeakSet[ThreadConnections] = weakref.WeakSet()


class ThreadConnections:
    """The connections of this process to one database file, one per thread."""

    _connections: dict[threading.Thread, sqlite3.Connection]
    _shared: KeyReadCache[Any] | None

    def __init__(self, path: Path) -> None:
        self.path = path
        self._closed = False
        self._reset()
        _live.add(self)

    def get(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        if self._pid != os.getpid():
            self._forget_parents()  # forked without the at-fork hook running
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        with self._lock:
            if self._closed:
                raise KeystoreError(f"The keystore {self.path} is closed")
            for thread in [thread for thread in self._connections if not thread.is_alive()]:
                self._connections.pop(thread).close()
            connection = connect(self.path)
            self._connections[threading.current_thread()] = connection
        self._local.connection = connection
        return connection

    def in_transaction(self) -> bool:
        """Whether this thread's connection, if it has one, is inside a transaction."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        return connection is not None and connection.in_transaction and self._pid == os.getpid()

    def shared_reads(self) -> KeyReadCache[Any]:
        """The process's cache of key reads, on the one connection the threads share for it
        (opened on first use; see keystore_cache.py)."""
        if self._pid != os.getpid():
            self._forget_parents()
        cache = self._shared
        if cache is not None:
            return cache
        with self._lock:
            if self._closed:
                raise KeystoreError(f"The keystore {self.path} is closed")
            cache = self._shared
            if cache is None:
                cache = self._shared = KeyReadCache(connect(self.path))
            return cache

    def close(self) -> None:
        """Close every connection of this process; :meth:`get` refuses from then on."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, {}
            shared, self._shared = self._shared, None
            self._local = threading.local()  # so later use says "closed", not an SQLite error
        for connection in [*connections.values(), *([shared.connection] if shared else [])]:
            connection.close()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._local = threading.local()
        # Every connection by owning thread, so close() reaches them all and the connections
        # of finished threads get closed.
        self._connections = {}
        self._shared = None

    def _forget_parents(self) -> None:
        _inherited.extend(self._connections.values())
        if self._shared is not None:
            _inherited.append(self._shared.connection)
        self._reset()


def _after_fork_in_child() -> None:
    # Runs while the child has a single thread, so no lock taken here can be held by anyone.
    for connections in list(_live):
        connections._forget_parents()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def connect(path: Path) -> sqlite3.Connection:
    """A new connection to the existing database ``path``, in explicit-transaction mode."""
    # mode=rw: SQLite must never create the file itself, with the default mode.
    connection = sqlite3.connect(
        f"{path.as_uri()}?mode=rw",
        uri=True,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
        check_same_thread=False,  # only so close() can close other threads' connections
    )
    connection.execute("PRAGMA foreign_keys = ON")
    # FULL: a key that was reported created must survive a power cut, or its ciphertexts die.
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def enable_wal(connection: sqlite3.Connection) -> None:
    """Put the database in WAL mode (persistent), so readers never wait for the writer."""
    (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while mode != "wal":
        # Switching needs every other connection gone, which processes opening a new keystore
        # at the same moment briefly prevent; the busy handler does not cover this one case.
        try:
            (mode,) = connection.execute("PRAGMA journal_mode = WAL").fetchone()
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        if mode != "wal":
            return  # a file system without shared memory: rollback journaling is still safe
