"""The keystore on disk: it persists, keeps key material sealed and private, refuses other files."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from keystore_helpers import (
    ACCOUNT,
    NOW,
    REGION,
    arn_of,
    dump,
    make_alias,
    make_grant,
    make_key,
    material_id,
    python,
    python_together,
)
from kmspair.kms.keystore_errors import KeystoreError
from kmspair.kms.keystore_schema import APPLICATION_ID
from kmspair.kms.sqlite_store import SQLiteKeyStore

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

# A new process printing what the keystore in sys.argv[2] holds.
DUMP = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from keystore_helpers import dump
from kmspair.kms.sqlite_store import SQLiteKeyStore
with SQLiteKeyStore.open(Path(sys.argv[2])) as store:
    print(dump(store))
"""


pytestmark = pytest.mark.usefixtures("no_keystore_environment")


def fill(store: SQLiteKeyStore) -> None:
    """Keys in several states, a rotated key, aliases and grants."""
    store.add_key(make_key("enabled"), material_id("e1"), os.urandom(32))
    store.add_material(arn_of("enabled"), material_id("e2"), os.urandom(32), "ON_DEMAND", NOW)
    store.add_key(make_key("disabled"), material_id("d1"), os.urandom(32))
    store.update_key(arn_of("disabled"), key_state="Disabled")
    store.add_key(make_key("doomed"), material_id("x1"), os.urandom(32))
    store.update_key(
        arn_of("doomed"),
        key_state="PendingDeletion",
        deletion_date=NOW + timedelta(days=7),
        pending_deletion_window_in_days=7,
    )
    store.add_key(make_key("imported", origin="EXTERNAL", key_state="PendingImport"))
    store.add_alias(make_alias("alias/orders", "enabled"))
    store.add_alias(make_alias("alias/old", "disabled"))
    store.add_grant(make_grant(arn_of("enabled"), "reader"))


def keystore_files(home: Path) -> list[Path]:
    return [path for path in home.iterdir() if path.name.startswith("keystore.sqlite3")]


# -- persistence --------------------------------------------------------------------------------


def test_a_new_process_sees_everything_another_wrote(home: Path) -> None:
    with SQLiteKeyStore.open(home) as store:
        fill(store)
        expected = dump(store) + "\n"
    assert python(DUMP, str(home)) == expected


def test_a_new_process_sees_writes_of_a_process_still_running(home: Path) -> None:
    with SQLiteKeyStore.open(home) as store:
        fill(store)
        assert python(DUMP, str(home)) == dump(store) + "\n"


def test_this_process_sees_what_a_new_process_wrote(home: Path) -> None:
    with SQLiteKeyStore.open(home) as store:
        python(
            "import sys, os; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from keystore_helpers import *;"
            "from kmspair.kms.sqlite_store import SQLiteKeyStore;"
            "s = SQLiteKeyStore.open(Path(sys.argv[2]));"
            "s.add_key(make_key('theirs'), material_id('t'), os.urandom(32)); s.close()",
            str(home),
        )
        assert store.get_key(arn_of("theirs")) == make_key("theirs")


# -- at rest ------------------------------------------------------------------------------------


def test_the_database_never_holds_key_material_in_the_clear(home: Path) -> None:
    materials = [os.urandom(32) for _ in range(40)]
    with SQLiteKeyStore.open(home) as store:
        for n, material in enumerate(materials[:20]):
            store.add_key(make_key(f"k{n}"), material_id(f"k{n}"), material)
        for n, material in enumerate(materials[20:]):
            store.add_material(arn_of(f"k{n}"), material_id(f"r{n}"), material, "ON_DEMAND", NOW)
        on_disk = b"".join(path.read_bytes() for path in keystore_files(home))  # WAL included
        assert store.material(arn_of("k0"), material_id("r0")) == materials[20]
    on_disk += b"".join(path.read_bytes() for path in keystore_files(home))
    for material in materials:
        assert material not in on_disk
        assert material.hex().encode() not in on_disk


def test_the_database_never_holds_the_root_key(home: Path) -> None:
    root_key = os.urandom(32)
    with SQLiteKeyStore.open(home, root_key=root_key) as store:
        fill(store)
        on_disk = b"".join(path.read_bytes() for path in keystore_files(home))
    assert root_key not in on_disk and base64.b64encode(root_key) not in on_disk


def test_the_store_repr_names_the_file_and_nothing_secret(home: Path) -> None:
    root_key = os.urandom(32)
    with SQLiteKeyStore.open(home, root_key=root_key) as store:
        assert repr(store) == f"SQLiteKeyStore({str(home / 'keystore.sqlite3')!r})"


@posix_only
def test_a_new_home_is_private_to_its_owner(home: Path) -> None:
    SQLiteKeyStore.open(home).close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


@posix_only
def test_the_database_its_journal_and_the_root_key_are_private_to_their_owner(home: Path) -> None:
    with SQLiteKeyStore.open(home) as store:
        store.add_key(make_key("k1"), material_id("m"), os.urandom(32))
        names = {path.name for path in keystore_files(home)}
        assert "keystore.sqlite3-wal" in names  # WAL mode
        for path in [*keystore_files(home), home / "root.key"]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# -- files that are not ours --------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 100, 4096])
def test_a_corrupt_file_is_refused_and_left_unchanged(home: Path, size: int) -> None:
    home.mkdir()
    path = home / "keystore.sqlite3"
    junk = os.urandom(size)
    path.write_bytes(junk)
    with pytest.raises(KeystoreError, match="not an SQLite database") as refused:
        SQLiteKeyStore.open(home)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == junk
    assert sorted(p.name for p in home.iterdir()) == ["keystore.sqlite3"]  # no root key either


@pytest.mark.parametrize("application_id", [0, 0x12345678, APPLICATION_ID])
def test_another_applications_database_is_refused_and_left_unchanged(
    home: Path, application_id: int
) -> None:
    # The last case carries our application_id but not our tables.
    home.mkdir()
    path = home / "keystore.sqlite3"
    with closing(sqlite3.connect(path)) as other:
        other.execute(f"PRAGMA application_id = {application_id}")
        other.execute("CREATE TABLE users (name TEXT)")
        other.execute("INSERT INTO users VALUES ('ada')")
        other.commit()
    before = path.read_bytes()
    with pytest.raises(KeystoreError, match=r"kmspair keystore|damaged") as refused:
        SQLiteKeyStore.open(home)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == before
    assert not [p for p in keystore_files(home) if p != path]


def test_a_keystore_of_a_newer_schema_is_refused_and_left_unchanged(home: Path) -> None:
    SQLiteKeyStore.open(home).close()
    path = home / "keystore.sqlite3"
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    with pytest.raises(KeystoreError, match="newer kmspair"):
        SQLiteKeyStore.open(home)
    assert path.read_bytes() == before


# -- the root key -------------------------------------------------------------------------------


def test_the_wrong_root_key_is_refused_clearly(home: Path) -> None:
    right, wrong = os.urandom(32), os.urandom(32)
    with SQLiteKeyStore.open(home, root_key=right) as store:
        store.add_key(make_key("k1"), material_id("m"), os.urandom(32))
    with pytest.raises(KeystoreError, match="root key does not match") as refused:
        SQLiteKeyStore.open(home, root_key=wrong)
    message = str(refused.value)
    for secret in (right, wrong):
        assert secret.hex() not in message and base64.b64encode(secret).decode() not in message


def test_the_root_key_can_come_from_the_environment(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root_key, material = os.urandom(32), os.urandom(32)
    monkeypatch.setenv("KMSPAIR_ROOT_KEY", base64.b64encode(root_key).decode())
    with SQLiteKeyStore.open(home) as store:
        store.add_key(make_key("k1"), material_id("m"), material)
    assert not (home / "root.key").exists()
    monkeypatch.delenv("KMSPAIR_ROOT_KEY")
    with SQLiteKeyStore.open(home, root_key=root_key) as store:
        assert store.material(arn_of("k1"), material_id("m")) == material


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"sixteen byte key").decode()])
def test_a_bad_root_key_in_the_environment_is_refused_without_echoing_it(
    home: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("KMSPAIR_ROOT_KEY", value)
    with pytest.raises(KeystoreError, match="KMSPAIR_ROOT_KEY") as refused:
        SQLiteKeyStore.open(home)
    assert value not in str(refused.value)


def test_a_root_key_argument_of_the_wrong_length_is_refused(home: Path) -> None:
    with pytest.raises(KeystoreError, match="32 bytes"):
        SQLiteKeyStore.open(home, root_key=os.urandom(16))


def test_the_root_key_file_is_made_once_and_reused(home: Path) -> None:
    material = os.urandom(32)
    with SQLiteKeyStore.open(home) as store:
        store.add_key(make_key("k1"), material_id("m"), material)
    root_key = (home / "root.key").read_bytes()
    with SQLiteKeyStore.open(home) as store:
        assert store.material(arn_of("k1"), material_id("m")) == material
    assert len(root_key) == 32 and (home / "root.key").read_bytes() == root_key


def test_a_lost_root_key_file_is_not_silently_replaced(home: Path) -> None:
    SQLiteKeyStore.open(home).close()
    (home / "root.key").unlink()
    with pytest.raises(KeystoreError, match=r"root key file .* is missing"):
        SQLiteKeyStore.open(home)
    assert not (home / "root.key").exists()


def test_processes_creating_the_root_key_at_once_all_end_up_with_the_same_one(
    home: Path,
) -> None:
    # Each process opens the new keystore at the same moment and stores a key with material;
    # if any had sealed under a root key of its own, its material would not open below.
    code = """
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from keystore_helpers import make_key, material_id, wait_for_go
from kmspair.kms.sqlite_store import SQLiteKeyStore
wait_for_go()
material = os.urandom(32)
with SQLiteKeyStore.open(Path(sys.argv[2])) as store:
    store.add_key(make_key(sys.argv[3]), material_id(sys.argv[3]), material)
print(material.hex())
"""
    names = [f"p{n}" for n in range(6)]
    printed = python_together(code, [[str(home), name] for name in names])
    with SQLiteKeyStore.open(home) as store:
        for name, material in zip(names, printed, strict=True):
            assert store.material(arn_of(name), material_id(name)) == bytes.fromhex(material)
    assert sorted(path.name for path in home.iterdir() if "root" in path.name) == ["root.key"]


def test_keys_of_other_accounts_and_regions_persist_too(home: Path) -> None:
    with SQLiteKeyStore.open(home) as store:
        store.add_key(make_key("far", account="444455556666", region="eu-west-1"))
    with SQLiteKeyStore.open(home) as store:
        assert store.list_keys("444455556666", "eu-west-1") == [
            make_key("far", account="444455556666", region="eu-west-1")
        ]
        assert store.list_keys(ACCOUNT, REGION) == []
