"""The embedded keystore's interface: what goes in comes back out, as the KeyStore protocol says."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from keystore_helpers import (
    ACCOUNT,
    NOW,
    REGION,
    arn_of,
    make_alias,
    make_grant,
    make_key,
    material_id,
)
from kmspair.kms.keystore_errors import KeystoreError, UnknownKeyError
from kmspair.kms.records import AliasRecord
from kmspair.kms.sqlite_store import SQLiteKeyStore
from kmspair.kms.store import AliasExistsError, KeyStore

pytestmark = pytest.mark.usefixtures("no_keystore_environment")


def as_key_store(store: KeyStore) -> KeyStore:
    return store


# -- keys ---------------------------------------------------------------------------------------


def test_sqlite_store_implements_the_key_store_protocol(store: SQLiteKeyStore) -> None:
    # mypy checks the conformance; at run time this only shows the store is usable as one.
    assert as_key_store(store) is store


def test_an_added_key_reads_back_equal(store: SQLiteKeyStore) -> None:
    key = make_key(
        "k1",
        multi_region=True,
        custom_key_store_id="cks-1234567890abcdef0",
        deletion_date=NOW + timedelta(days=7),
        pending_deletion_window_in_days=7,
        tags=(("team", "orders"), ("env", "prod")),
    )
    store.add_key(key)
    assert store.get_key(key.arn) == key


def test_datetimes_come_back_in_utc_at_the_same_instant(store: SQLiteKeyStore) -> None:
    tokyo = timezone(timedelta(hours=9))
    store.add_key(make_key("k1", creation_date=NOW.astimezone(tokyo)))
    creation = store.get_key(arn_of("k1")).creation_date  # type: ignore[union-attr]
    assert creation == NOW and creation.tzinfo == timezone.utc


def test_naive_datetimes_are_refused(store: SQLiteKeyStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_key(make_key("k1", creation_date=datetime(2024, 1, 1)))


def test_a_missing_key_is_none(store: SQLiteKeyStore) -> None:
    assert store.get_key(arn_of("nope")) is None


def test_adding_a_key_twice_is_refused(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"))
    with pytest.raises(KeystoreError, match="already exists"):
        store.add_key(make_key("k1"))


def test_list_keys_gives_the_account_and_regions_keys_oldest_first(store: SQLiteKeyStore) -> None:
    for name in ("c", "a", "b"):
        store.add_key(make_key(name))
    store.add_key(make_key("other-region", region="eu-west-1"))
    store.add_key(make_key("other-account", account="444455556666"))
    assert [key.key_id for key in store.list_keys(ACCOUNT, REGION)] == ["c", "a", "b"]


def test_update_key_replaces_the_named_fields_and_returns_the_result(
    store: SQLiteKeyStore,
) -> None:
    store.add_key(make_key("k1"))
    deletion = NOW + timedelta(days=30)
    updated = store.update_key(
        arn_of("k1"),
        key_state="PendingDeletion",
        deletion_date=deletion,
        pending_deletion_window_in_days=30,
    )
    expected = make_key(
        "k1",
        key_state="PendingDeletion",
        deletion_date=deletion,
        pending_deletion_window_in_days=30,
    )
    assert updated == expected
    assert store.get_key(arn_of("k1")) == expected


def test_update_key_can_clear_a_field(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1", deletion_date=NOW, pending_deletion_window_in_days=7))
    updated = store.update_key(
        arn_of("k1"), deletion_date=None, pending_deletion_window_in_days=None
    )
    assert updated.deletion_date is None and updated.pending_deletion_window_in_days is None


def test_update_key_refuses_an_unknown_field(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"))
    with pytest.raises(TypeError, match="colour"):
        store.update_key(arn_of("k1"), colour="blue")


def test_update_key_refuses_to_change_what_names_the_key(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"))
    with pytest.raises(ValueError, match="region"):
        store.update_key(arn_of("k1"), region="eu-west-1")


def test_update_key_of_a_missing_key_is_unknown_key_error(store: SQLiteKeyStore) -> None:
    with pytest.raises(UnknownKeyError):
        store.update_key(arn_of("nope"), key_state="Disabled")


# -- key material -------------------------------------------------------------------------------


def test_a_keys_first_material_is_current(store: SQLiteKeyStore) -> None:
    material = os.urandom(32)
    store.add_key(make_key("k1"), material_id("m1"), material)
    record, plaintext = store.current_material(arn_of("k1"))  # type: ignore[misc]
    assert (record.key_material_id, record.rotation_type, record.current) == (
        material_id("m1"),
        None,
        True,
    )
    assert record.created == NOW and plaintext == material


def test_a_key_without_material_has_none(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1", origin="EXTERNAL", key_state="PendingImport"))
    assert store.current_material(arn_of("k1")) is None
    assert store.materials(arn_of("k1")) == []


def test_material_id_and_material_come_together(store: SQLiteKeyStore) -> None:
    with pytest.raises(ValueError):
        store.add_key(make_key("k1"), material_id("m1"), None)


def test_added_material_becomes_current_and_older_material_stays_readable(
    store: SQLiteKeyStore,
) -> None:
    first, second = os.urandom(32), os.urandom(32)
    store.add_key(make_key("k1"), material_id("m1"), first)
    later = NOW + timedelta(days=1)
    added = store.add_material(arn_of("k1"), material_id("m2"), second, "ON_DEMAND", later)
    assert added == store.materials(arn_of("k1"))[1]
    assert store.current_material(arn_of("k1")) == (added, second)
    assert store.material(arn_of("k1"), material_id("m1")) == first


def test_materials_are_listed_oldest_first_with_only_the_newest_current(
    store: SQLiteKeyStore,
) -> None:
    store.add_key(make_key("k1"), material_id("m0"), os.urandom(32))
    for n in (1, 2, 3):
        store.add_material(arn_of("k1"), material_id(f"m{n}"), os.urandom(32), "AUTOMATIC", NOW)
    listed = store.materials(arn_of("k1"))
    assert [m.key_material_id for m in listed] == [material_id(f"m{n}") for n in range(4)]
    assert [m.current for m in listed] == [False, False, False, True]


def test_a_key_reads_with_the_id_of_its_current_material_in_one_go(
    store: SQLiteKeyStore, home: Path
) -> None:
    key = make_key("k1")
    store.add_key(key, material_id("m1"), os.urandom(32))
    assert store.get_key_and_current_material_id(key.arn) == (key, material_id("m1"))
    # Another connection (another process, as far as SQLite knows) rotates the key and
    # disables it: the very next read sees both.
    with SQLiteKeyStore.open(home) as other:
        other.add_material(key.arn, material_id("m2"), os.urandom(32), "ON_DEMAND", NOW)
        other.update_key(key.arn, key_state="Disabled")
    read = store.get_key_and_current_material_id(key.arn)
    assert read is not None
    assert (read[0].key_state, read[1]) == ("Disabled", material_id("m2"))


def test_a_key_without_material_reads_with_no_material_id(store: SQLiteKeyStore) -> None:
    key = make_key("k1", origin="EXTERNAL", key_state="PendingImport")
    store.add_key(key)
    assert store.get_key_and_current_material_id(key.arn) == (key, None)
    assert store.get_key_and_current_material_id(arn_of("nope")) is None


def test_an_unknown_material_is_none(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"), material_id("m1"), os.urandom(32))
    assert store.material(arn_of("k1"), material_id("other")) is None


def test_material_for_a_missing_key_is_unknown_key_error(store: SQLiteKeyStore) -> None:
    with pytest.raises(UnknownKeyError):
        store.add_material(arn_of("nope"), material_id("m"), os.urandom(32), "ON_DEMAND", NOW)


def test_material_moved_to_another_key_does_not_open(store: SQLiteKeyStore, home: Path) -> None:
    store.add_key(make_key("k1"), material_id("m"), os.urandom(32))
    store.add_key(make_key("k2"), material_id("m"), os.urandom(32))
    with closing(sqlite3.connect(home / "keystore.sqlite3")) as raw, raw:
        raw.execute(
            "UPDATE materials SET sealed = (SELECT sealed FROM materials WHERE key_arn = ?) "
            "WHERE key_arn = ?",
            (arn_of("k1"), arn_of("k2")),
        )
    with pytest.raises(KeystoreError, match="does not open"):
        store.material(arn_of("k2"), material_id("m"))


# -- aliases ------------------------------------------------------------------------------------


def test_an_added_alias_reads_back_equal(store: SQLiteKeyStore) -> None:
    alias = make_alias("alias/orders", "k1")
    store.add_alias(alias)
    assert store.get_alias(ACCOUNT, REGION, "alias/orders") == alias


def test_a_taken_alias_name_is_alias_exists_error(store: SQLiteKeyStore) -> None:
    store.add_alias(make_alias("alias/orders", "k1"))
    with pytest.raises(AliasExistsError):
        store.add_alias(make_alias("alias/orders", "k2"))


def test_the_same_alias_name_is_free_in_another_region_and_account(store: SQLiteKeyStore) -> None:
    store.add_alias(make_alias("alias/orders", "k1"))
    store.add_alias(make_alias("alias/orders", "k2", region="eu-west-1"))
    store.add_alias(make_alias("alias/orders", "k3", account="444455556666"))
    assert store.get_alias(ACCOUNT, "eu-west-1", "alias/orders").target_key_id == "k2"  # type: ignore[union-attr]


def test_update_alias_retargets_it_and_records_when(store: SQLiteKeyStore) -> None:
    store.add_alias(make_alias("alias/orders", "k1"))
    later = NOW + timedelta(hours=1)
    updated = store.update_alias(ACCOUNT, REGION, "alias/orders", "k2", later)
    assert updated == AliasRecord(
        make_alias("alias/orders", "k1").arn, "alias/orders", ACCOUNT, REGION, "k2", NOW, later
    )
    assert store.get_alias(ACCOUNT, REGION, "alias/orders") == updated


def test_update_alias_of_a_missing_alias_is_none(store: SQLiteKeyStore) -> None:
    assert store.update_alias(ACCOUNT, REGION, "alias/nope", "k2", NOW) is None


def test_delete_alias_says_whether_it_existed(store: SQLiteKeyStore) -> None:
    store.add_alias(make_alias("alias/orders", "k1"))
    assert store.delete_alias(ACCOUNT, REGION, "alias/orders") is True
    assert store.delete_alias(ACCOUNT, REGION, "alias/orders") is False
    assert store.get_alias(ACCOUNT, REGION, "alias/orders") is None


def test_list_aliases_gives_the_account_and_regions_aliases_by_name(store: SQLiteKeyStore) -> None:
    for name in ("alias/b", "alias/C", "alias/a"):
        store.add_alias(make_alias(name, "k1"))
    store.add_alias(make_alias("alias/elsewhere", "k1", region="eu-west-1"))
    names = [alias.alias_name for alias in store.list_aliases(ACCOUNT, REGION)]
    assert names == ["alias/C", "alias/a", "alias/b"]


# -- grants -------------------------------------------------------------------------------------


def test_an_added_grant_reads_back_by_key_id_and_token(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"))
    grant = make_grant(arn_of("k1"), "g1")
    store.add_grant(grant)
    for found in (store.grants(arn_of("k1"))[0], store.grant_by_id("grant-g1")):
        assert found == grant and found.constraints == grant.constraints
    assert store.grant_by_token("token-g1") == grant


def test_grants_are_listed_oldest_first(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"))
    for name in ("z", "a", "m"):
        store.add_grant(make_grant(arn_of("k1"), name))
    assert [grant.name for grant in store.grants(arn_of("k1"))] == ["z", "a", "m"]


def test_unknown_grant_lookups_are_none(store: SQLiteKeyStore) -> None:
    assert store.grant_by_id("nope") is None and store.grant_by_token("nope") is None


def test_a_grant_on_a_missing_key_is_unknown_key_error(store: SQLiteKeyStore) -> None:
    with pytest.raises(UnknownKeyError):
        store.add_grant(make_grant(arn_of("nope"), "g1"))


def test_delete_grant_says_whether_it_existed(store: SQLiteKeyStore) -> None:
    store.add_key(make_key("k1"))
    store.add_grant(make_grant(arn_of("k1"), "g1"))
    assert store.delete_grant("grant-g1") is True
    assert store.delete_grant("grant-g1") is False
    assert store.grant_by_token("token-g1") is None


def test_a_closed_store_refuses_use(home: Path) -> None:
    store = SQLiteKeyStore.open(home)
    store.close()
    with pytest.raises(KeystoreError, match="is closed"):
        store.get_key(arn_of("k1"))
