"""How pre-forked workers take turns accepting: the shared table of open connections per worker
(:mod:`kmspair.server.balance`). End to end, with real workers, in test_server_workers.py."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from kmspair.server.balance import ConnectionTable


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()


def connect(listener: socket.socket) -> socket.socket:
    return socket.create_connection(listener.getsockname()[:2])


def test_a_new_table_has_no_serving_worker() -> None:
    assert ConnectionTable(3).counts() == [-1, -1, -1]


def test_a_worker_counts_its_open_connections_in_the_table() -> None:
    table = ConnectionTable(2)
    slot = table.slot(1)
    slot.opened()
    slot.opened()
    slot.closed()
    assert table.counts() == [-1, 1]


def test_it_is_a_workers_turn_while_it_holds_no_more_connections_than_any_other() -> None:
    table = ConnectionTable(2)
    first, second = table.slot(0), table.slot(1)
    first.opened()
    assert second.my_turn()
    assert not first.my_turn()
    second.opened()
    assert first.my_turn() and second.my_turn()


def test_workers_without_a_slot_in_service_are_not_waited_for() -> None:
    table = ConnectionTable(3)
    first, second = table.slot(0), table.slot(1)
    first.opened()
    assert not first.my_turn()
    second.leave()
    assert first.my_turn()
    assert table.counts() == [1, -1, -1]


def test_a_worker_that_left_keeps_its_slot_absent_as_its_connections_close() -> None:
    table = ConnectionTable(2)
    slot = table.slot(0)
    slot.opened()
    slot.leave()
    slot.closed()
    assert table.counts() == [-1, -1]


def test_an_exited_worker_is_marked_absent() -> None:
    table = ConnectionTable(2)
    table.slot(0)
    table.slot(1).opened()
    table.mark_absent(0)
    assert table.counts() == [-1, 1]


def test_counts_written_in_a_forked_child_are_read_in_the_parent() -> None:
    table = ConnectionTable(2)
    pid = os.fork()
    if pid == 0:
        slot = table.slot(1)
        for _ in range(3):
            slot.opened()
        os._exit(0)
    os.waitpid(pid, 0)
    assert table.counts() == [-1, 3]


def test_a_worker_whose_turn_it_is_accepts_at_once(listener: socket.socket) -> None:
    table = ConnectionTable(2)
    slot, other = table.slot(0), table.slot(1)
    other.opened()
    with connect(listener):
        accepted, _ = slot.accept(listener)
        accepted.close()
    assert table.counts() == [1, 1]


def test_a_worker_with_more_connections_still_accepts_a_connection_left_waiting(
    listener: socket.socket,
) -> None:
    table = ConnectionTable(2)
    busy = table.slot(0)
    table.slot(1)  # serving, with no connection, but never accepting
    busy.opened()
    with connect(listener):
        accepted, _ = busy.accept(listener)
        accepted.close()
    assert table.counts() == [2, 0]


def test_a_deferring_worker_gives_up_when_another_takes_the_connection(
    listener: socket.socket,
) -> None:
    table = ConnectionTable(2)
    busy = table.slot(0)
    table.slot(1)
    busy.opened()
    with connect(listener):
        taken, _ = listener.accept()  # by another worker, before this one looks again
        with pytest.raises(BlockingIOError):
            busy.accept(listener)
        taken.close()
    assert table.counts() == [1, 0]
