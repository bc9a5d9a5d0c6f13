"""When a key's deletion waiting period ends, the key is deleted, as AWS deletes it: with its
key material, grants and aliases. Time passing is played by moving the stored DeletionDate into
the past with a plain SQLite connection; a new client is a local KMS whose first request sweeps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from conftest import ACCOUNT, REGION, error_of
from kmspair.kms.sqlite_store import DATABASE_FILE_NAME


def scheduled(kms: Any, key: dict[str, Any]) -> None:
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)


def let_waiting_period_end(tmp_path: Path, key: dict[str, Any]) -> None:
    past = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp() * 1_000_000)
    database = tmp_path / "home" / DATABASE_FILE_NAME
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute(
            "UPDATE keys SET deletion_date = ? WHERE arn = ? AND deletion_date IS NOT NULL",
            (past, key["Arn"]),
        )


def does_not_exist(key: dict[str, Any]) -> tuple[str, str]:
    return "NotFoundException", f"Key '{key['Arn']}' does not exist"


def test_a_key_past_its_deletion_date_no_longer_exists(
    kms: Any, make_client: Callable[..., Any], key: dict[str, Any], tmp_path: Path
) -> None:
    scheduled(kms, key)
    let_waiting_period_end(tmp_path, key)
    later = make_client()
    assert error_of(lambda: later.describe_key(KeyId=key["KeyId"])) == does_not_exist(key)
    assert key["KeyId"] not in [k["KeyId"] for k in later.list_keys()["Keys"]]


def test_a_deleted_keys_ciphertexts_can_no_longer_be_decrypted(
    kms: Any, make_client: Callable[..., Any], key: dict[str, Any], tmp_path: Path
) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    scheduled(kms, key)
    let_waiting_period_end(tmp_path, key)
    assert error_of(lambda: make_client().decrypt(CiphertextBlob=blob)) == (
        "AccessDeniedException",
        "The ciphertext refers to a customer master key that does not exist, does not exist "
        "in this region, or you are not allowed to access.",
    )


def test_a_deleted_keys_aliases_and_grants_go_with_it(
    kms: Any, make_client: Callable[..., Any], key: dict[str, Any], tmp_path: Path
) -> None:
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key["KeyId"])
    kms.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:root", Operations=["Encrypt"]
    )
    scheduled(kms, key)
    let_waiting_period_end(tmp_path, key)
    later = make_client()
    later.list_keys()  # any request: the first one sweeps
    assert "alias/doomed" not in [a["AliasName"] for a in later.list_aliases()["Aliases"]]
    database = tmp_path / "home" / DATABASE_FILE_NAME
    with closing(sqlite3.connect(database)) as connection:
        left = connection.execute(
            "SELECT (SELECT COUNT(*) FROM grants WHERE key_arn = ?), "
            "(SELECT COUNT(*) FROM materials WHERE key_arn = ?)",
            (key["Arn"], key["Arn"]),
        ).fetchone()
    assert left == (0, 0)
    # The alias name is free again, as in AWS.
    other = later.create_key()["KeyMetadata"]
    later.create_alias(AliasName="alias/doomed", TargetKeyId=other["KeyId"])


def test_a_key_within_its_waiting_period_stays_pending_deletion(
    kms: Any, make_client: Callable[..., Any], key: dict[str, Any]
) -> None:
    scheduled(kms, key)
    later = make_client()
    assert later.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_a_key_whose_deletion_was_cancelled_is_kept(
    kms: Any, make_client: Callable[..., Any], key: dict[str, Any], tmp_path: Path
) -> None:
    scheduled(kms, key)
    let_waiting_period_end(tmp_path, key)
    kms.cancel_key_deletion(KeyId=key["KeyId"])  # this client swept before the date moved
    let_waiting_period_end(tmp_path, key)  # no deletion date any more: nothing to move
    later = make_client()
    assert later.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_other_keys_are_untouched_by_a_deletion(
    kms: Any, make_client: Callable[..., Any], key: dict[str, Any], tmp_path: Path
) -> None:
    kept = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=kept["KeyId"], Plaintext=b"kept")["CiphertextBlob"]
    scheduled(kms, key)
    let_waiting_period_end(tmp_path, key)
    later = make_client()
    assert later.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    assert [k["KeyId"] for k in later.list_keys()["Keys"]] == [kept["KeyId"]]
    assert REGION in kept["Arn"]
