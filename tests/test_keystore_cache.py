"""Key reads are cached for the process, and never outlive a change to the database."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from keystore_helpers import make_key, material_id
from kmspair.kms import keystore_cache
from kmspair.kms.records import KeyRecord
from kmspair.kms.sqlite_store import DATABASE_FILE_NAME, SQLiteKeyStore

pytestmark = pytest.mark.usefixtures("no_keystore_environment")


@pytest.fixture
def key(store: SQLiteKeyStore) -> KeyRecord:
    stored = make_key("k1")
    store.add_key(stored, material_id("m1"), os.urandom(32))
    return stored


def read_state(store: SQLiteKeyStore, arn: str) -> tuple[str, str | None]:
    read = store.get_key_and_current_material_id(arn)
    assert read is not None
    return read[0].key_state, read[1]


def test_an_unchanged_key_is_served_from_the_cache(store: SQLiteKeyStore, key: KeyRecord) -> None:
    first = store.get_key_and_current_material_id(key.arn)
    assert first is not None
    assert store.get_key_and_current_material_id(key.arn) is first


def test_a_write_through_the_same_store_is_read_at_once(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    read_state(store, key.arn)
    store.update_key(key.arn, key_state="Disabled")
    store.add_material(key.arn, material_id("m2"), os.urandom(32), "ON_DEMAND", key.creation_date)
    assert read_state(store, key.arn) == ("Disabled", material_id("m2"))


def test_a_write_by_another_thread_of_the_same_store_is_read_at_once(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    read_state(store, key.arn)
    writer = threading.Thread(
        target=store.update_key, args=(key.arn,), kwargs={"key_state": "Disabled"}
    )
    writer.start()
    writer.join()
    assert read_state(store, key.arn) == ("Disabled", material_id("m1"))


def test_a_write_by_a_plain_sqlite_connection_is_read_at_once(
    store: SQLiteKeyStore, key: KeyRecord, home: Path
) -> None:
    read_state(store, key.arn)
    with closing(sqlite3.connect(home / DATABASE_FILE_NAME, isolation_level=None)) as other:
        other.execute("UPDATE keys SET key_state = 'Disabled' WHERE arn = ?", (key.arn,))
    assert read_state(store, key.arn) == ("Disabled", material_id("m1"))


def test_a_rolled_back_write_is_never_served_from_the_cache(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    read_state(store, key.arn)
    with pytest.raises(RuntimeError), store._transaction() as connection:
        connection.execute("UPDATE keys SET key_state = 'Disabled' WHERE arn = ?", (key.arn,))
        # Read inside the transaction: it sees (and would cache) the uncommitted state.
        assert read_state(store, key.arn) == ("Disabled", material_id("m1"))
        raise RuntimeError("abandon the transaction")
    assert read_state(store, key.arn) == ("Enabled", material_id("m1"))


def test_a_key_created_after_a_miss_is_found(store: SQLiteKeyStore) -> None:
    late = make_key("late")
    assert store.get_key_and_current_material_id(late.arn) is None
    store.add_key(late, material_id("m1"), os.urandom(32))
    assert store.get_key_and_current_material_id(late.arn) == (late, material_id("m1"))


def test_the_cache_starts_over_beyond_its_bound(
    store: SQLiteKeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keystore_cache, "MAX_ENTRIES", 3)
    keys = [make_key(f"k{index}") for index in range(5)]
    for stored in keys:
        store.add_key(stored, material_id("m1"), os.urandom(32))
    reads = [store.get_key_and_current_material_id(stored.arn) for stored in keys]
    assert reads == [(stored, material_id("m1")) for stored in keys]
    assert len(store._connections.shared_reads()) <= 3


def test_a_read_cached_by_one_thread_serves_every_thread(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    first = store.get_key_and_current_material_id(key.arn)
    seen: list[object] = []
    reader = threading.Thread(
        target=lambda: seen.append(store.get_key_and_current_material_id(key.arn))
    )
    reader.start()
    reader.join()
    assert seen[0] is first


def test_a_thread_that_finds_the_cache_busy_reads_for_itself_without_waiting(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    cached = store.get_key_and_current_material_id(key.arn)
    store.update_key(key.arn, key_state="Disabled")
    with store._connections.shared_reads()._lock:  # another thread in the middle of a read
        read = store.get_key_and_current_material_id(key.arn)
    assert read is not None and read is not cached
    assert read[0].key_state == "Disabled"


def test_a_read_inside_a_write_transaction_is_its_own_and_never_cached(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    with store._transaction() as connection:
        connection.execute("UPDATE keys SET key_state = 'Disabled' WHERE arn = ?", (key.arn,))
        assert read_state(store, key.arn) == ("Disabled", material_id("m1"))
        assert len(store._connections.shared_reads()) == 0
    assert read_state(store, key.arn) == ("Disabled", material_id("m1"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_reads_through_its_own_connection_and_sees_later_writes(
    store: SQLiteKeyStore, key: KeyRecord
) -> None:
    parents = store._connections.shared_reads()
    read_state(store, key.arn)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's cleanup
        try:
            store.update_key(key.arn, key_state="Disabled")
            fresh = store._connections.shared_reads() is not parents
            state = read_state(store, key.arn)[0]
            os.write(writer, f"{fresh} {state}".encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as report:
        said = report.read()
    os.waitpid(pid, 0)
    assert said == "True Disabled"
    assert read_state(store, key.arn) == ("Disabled", material_id("m1"))
