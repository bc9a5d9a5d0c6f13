"""Spreading pre-forked workers' connections evenly: each worker accepts only while it holds
no more open connections than any other.

Pre-forked workers accept on one shared listening socket, and a kept-alive connection stays
with the worker that accepted it. Left to the kernel, whichever worker happens to be running
when connections arrive takes most of them: 8 connections opened together went 6/2 or 7/1 in a
quarter of the tries on two busy cores (``benches/worker_spread.py``), and in one benchmark run
all 8 went to one worker, leaving it (one core, because of its GIL) to answer everything. So
every worker publishes its count of open connections in a small table of shared memory made
before the fork, and a worker that holds more than the least loaded one leaves a waiting
connection to it. To never strand a connection behind a worker that is slow to take it, one
that has waited :data:`MAX_DEFER_SECONDS` is taken by whoever sees it.

The counts are advisory: a reader may see a count that is a moment old, which can cost one
connection of balance, never a connection.
"""

from __future__ import annotations

import mmap
import select
import socket
import struct
import threading
import time

# Longest a connection waits for the least loaded worker before another one takes it.
MAX_DEFER_SECONDS = 0.05
# How often a deferring worker looks again whether the connection was taken.
_DEFER_POLL_SECONDS = 0.001
_SLOT = struct.Struct("q")
_ABSENT = -1  # a slot with no worker serving from it (not started, exited or stopping)


class ConnectionTable:
    """Open connections per worker, in memory shared by the processes forked after it is made.

    Made by the pre-forking parent; each worker serves through :meth:`slot`, and the parent
    marks a worker that exited with :meth:`mark_absent`.
    """

    def __init__(self, workers: int) -> None:
        # Anonymous and MAP_SHARED (mmap's default): children forked later share the pages.
        self._memory = mmap.mmap(-1, _SLOT.size * workers)
        self._workers = workers
        for number in range(workers):
            self.mark_absent(number)

    def __repr__(self) -> str:
        return f"ConnectionTable(workers={self._workers})"

    def mark_absent(self, number: int) -> None:
        """Worker ``number`` takes no connections (it exited): nobody defers to it."""
        _SLOT.pack_into(self._memory, number * _SLOT.size, _ABSENT)

    def counts(self) -> list[int]:
        """Every slot's count of open connections, -1 for a slot without a serving worker."""
        return [
            _SLOT.unpack_from(self._memory, number * _SLOT.size)[0]
            for number in range(self._workers)
        ]

    def slot(self, number: int) -> WorkerSlot:
        """Worker ``number``'s side of the table, counting from zero open connections."""
        return WorkerSlot(self, number)

    def _publish(self, number: int, count: int) -> None:
        _SLOT.pack_into(self._memory, number * _SLOT.size, count)


class WorkerSlot:
    """One worker's open connections, published to the table, and its turn to accept."""

    def __init__(self, table: ConnectionTable, number: int) -> None:
        self._table = table
        self._number = number
        self._open = 0
        self._serving = True
        # Connections open on the accepting thread and close on their own threads.
        self._lock = threading.Lock()
        table._publish(number, 0)

    def __repr__(self) -> str:
        return f"WorkerSlot(number={self._number}, open={self._open})"

    def opened(self) -> None:
        self._change(+1)

    def closed(self) -> None:
        self._change(-1)

    def leave(self) -> None:
        """This worker accepts no more connections (it is stopping): nobody defers to it."""
        with self._lock:
            self._serving = False
            self._table.mark_absent(self._number)

    def my_turn(self) -> bool:
        """Whether this worker holds no more open connections than any other serving one."""
        counts = self._table.counts()
        mine = counts[self._number]
        others = [count for number, count in enumerate(counts) if number != self._number]
        return all(mine <= count for count in others if count != _ABSENT)

    def accept(self, listener: socket.socket) -> tuple[socket.socket, object]:
        """A connection from ``listener`` (non-blocking, shared with the other workers) once it
        is this worker's turn or the connection has waited long enough; BlockingIOError if
        another worker took it meanwhile."""
        if not self.my_turn():
            deadline = time.monotonic() + MAX_DEFER_SECONDS
            waiting = select.poll()
            waiting.register(listener, select.POLLIN)
            while not self.my_turn() and time.monotonic() < deadline:
                time.sleep(_DEFER_POLL_SECONDS)
                if not waiting.poll(0):
                    raise BlockingIOError("another worker took the connection")
        connection, address = listener.accept()
        self.opened()
        return connection, address

    def _change(self, delta: int) -> None:
        with self._lock:
            self._open += delta
            if self._serving:
                self._table._publish(self._number, self._open)
