"""``kmspair create-key``, with ``--alias`` naming the new key in the same command."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli_support import kmspair_cli, kmspair_json

import kmspair


def aliases_of(home: Path) -> dict[str, str]:
    kms = kmspair.client(region_name="us-east-1", home=home)
    try:
        return {a["AliasName"]: a.get("TargetKeyId", "") for a in kms.list_aliases()["Aliases"]}
    finally:
        kms.close()


def test_create_key_prints_the_key_metadata(tmp_path: Path) -> None:
    created = kmspair_json(tmp_path / "home", "create-key", "--description", "orders")
    assert created["KeyMetadata"]["Description"] == "orders"
    assert created["KeyMetadata"]["KeyState"] == "Enabled"


def test_create_key_alias_names_the_new_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = kmspair_json(home, "create-key", "--alias", "alias/orders")
    assert aliases_of(home)["alias/orders"] == created["KeyMetadata"]["KeyId"]


def test_taken_alias_fails_and_schedules_the_new_key_for_deletion(tmp_path: Path) -> None:
    home = tmp_path / "home"
    kmspair_json(home, "create-key", "--alias", "alias/orders")
    result = kmspair_cli(home, "create-key", "--alias", "alias/orders")
    assert result.returncode == 254
    assert "(AlreadyExistsException) when calling the CreateAlias operation" in result.stderr
    kms = kmspair.client(region_name="us-east-1", home=home)
    states = sorted(
        kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
        for k in kms.list_keys()["Keys"]
    )
    kms.close()
    assert states == ["Enabled", "PendingDeletion"]


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("orders", 'Alias must start with the prefix "alias/".'),
        ("alias/aws/orders", "Cannot create or change an alias that begins with alias/aws/."),
        ("alias/has space", "Member must satisfy regular expression pattern"),
    ],
)
def test_an_alias_that_cannot_be_made_is_refused_before_the_key_is(
    tmp_path: Path, alias: str, message: str
) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(home, "create-key", "--alias", alias)
    assert result.returncode == 254
    assert "when calling the CreateAlias operation" in result.stderr
    assert message in result.stderr
    assert kmspair_json(home, "list-keys")["Keys"] == []


def test_create_key_with_key_spec_and_usage_options(tmp_path: Path) -> None:
    created = kmspair_json(
        tmp_path / "home", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"
    )
    assert created["KeyMetadata"]["KeySpec"] == "ECC_NIST_P256"
