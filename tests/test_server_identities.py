"""Identities: a credentials file maps access keys to accounts and principals, and the caller's
account, region and principal flow from the signature into the local KMS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kmspair.server import CredentialsFileError, Server, load_identities
from server_helpers import REGION, call, kms_client

ALICE = ("AKIDALICE", "alice-secret", "111122223333", "arn:aws:iam::111122223333:user/alice")
BOB = ("AKIDBOB", "bob-secret", "444455556666", "arn:aws:iam::444455556666:root")


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    return write(
        tmp_path / "credentials.json",
        {
            ALICE[0]: {
                "secret_access_key": ALICE[1],
                "account_id": ALICE[2],
                "principal": ALICE[3],
            },
            BOB[0]: {"secret_access_key": BOB[1], "account_id": BOB[2]},
        },
    )


@pytest.fixture
def two_accounts(tmp_path: Path, credentials: Path) -> Iterator[Server]:
    with Server(port=0, home=tmp_path / "home", credentials=credentials).start() as running:
        yield running


def test_each_identity_works_in_its_own_account(two_accounts: Server) -> None:
    alice = kms_client(two_accounts.url, ALICE[0], ALICE[1])
    bob = kms_client(two_accounts.url, BOB[0], BOB[1])
    assert alice.create_key()["KeyMetadata"]["AWSAccountId"] == ALICE[2]
    assert bob.create_key()["KeyMetadata"]["AWSAccountId"] == BOB[2]


def test_an_account_does_not_see_another_accounts_keys(two_accounts: Server) -> None:
    alice = kms_client(two_accounts.url, ALICE[0], ALICE[1])
    bob = kms_client(two_accounts.url, BOB[0], BOB[1])
    alice.create_key()
    assert bob.list_keys()["Keys"] == []


def test_another_accounts_key_by_key_id_is_not_found_in_the_callers_account(
    two_accounts: Server,
) -> None:
    alice = kms_client(two_accounts.url, ALICE[0], ALICE[1])
    key_id = alice.create_key()["KeyMetadata"]["KeyId"]
    reply = call(
        two_accounts.url,
        "TrentService.DescribeKey",
        {"KeyId": key_id},
        access_key_id=BOB[0],
        secret=BOB[1],
    )
    assert (reply.status, reply.json["__type"], reply.json["message"]) == (
        400,
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{BOB[2]}:key/{key_id}' does not exist",
    )


def test_the_default_test_identity_is_refused_when_a_file_is_given(two_accounts: Server) -> None:
    reply = call(two_accounts.url, "TrentService.ListKeys", {})
    assert reply.json["__type"] == "UnrecognizedClientException"


def test_another_identitys_secret_is_invalid_signature(two_accounts: Server) -> None:
    reply = call(
        two_accounts.url, "TrentService.ListKeys", {}, access_key_id=ALICE[0], secret=BOB[1]
    )
    assert reply.json["__type"] == "InvalidSignatureException"


def test_the_endpoint_listens_on_the_loopback_address_unless_told_otherwise(
    tmp_path: Path,
) -> None:
    with Server(port=0, home=tmp_path / "home") as server:
        assert server.host == "127.0.0.1"


def test_the_principal_defaults_to_the_accounts_root(credentials: Path) -> None:
    assert load_identities(credentials)[BOB[0]].principal == f"arn:aws:iam::{BOB[2]}:root"


def test_the_secret_is_not_in_an_identitys_repr(credentials: Path) -> None:
    assert ALICE[1] not in repr(load_identities(credentials)[ALICE[0]])


@pytest.mark.parametrize(
    "document",
    [
        pytest.param([], id="not-an-object"),
        pytest.param({}, id="empty"),
        pytest.param({"AKID": {"account_id": "111122223333"}}, id="no-secret"),
        pytest.param({"AKID": {"secret_access_key": "s", "account_id": "1"}}, id="bad-account"),
        pytest.param(
            {"AKID": {"secret_access_key": "s", "account_id": "111122223333", "region": "x"}},
            id="unknown-field",
        ),
        pytest.param(
            {
                "AKID": {
                    "secret_access_key": "s",
                    "account_id": "111122223333",
                    "principal": "arn:aws:iam::444455556666:root",
                }
            },
            id="principal-of-another-account",
        ),
    ],
)
def test_a_malformed_credentials_file_is_refused_without_printing_secrets(
    tmp_path: Path, document: object
) -> None:
    with pytest.raises(CredentialsFileError) as caught:
        load_identities(write(tmp_path / "credentials.json", document))
    assert "s'" not in str(caught.value)


def test_a_credentials_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialsFileError):
        load_identities(write(tmp_path / "credentials.json", "x").with_suffix(".json"))
    (tmp_path / "bad.json").write_text("[default]\naws_access_key_id = x\n")
    with pytest.raises(CredentialsFileError, match="not valid JSON"):
        load_identities(tmp_path / "bad.json")
