"""Key policies over HTTP: two identities from a credentials file, each in its own account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kmspair.server import Server
from server_helpers import kms_client

ALICE = ("AKIDALICE", "alice-secret", "111122223333")
BOB = ("AKIDBOB", "bob-secret", "444455556666")
BOB_ROOT = f"arn:aws:iam::{BOB[2]}:root"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Server]:
    credentials = tmp_path / "credentials.json"
    credentials.write_text(
        json.dumps(
            {
                ALICE[0]: {"secret_access_key": ALICE[1], "account_id": ALICE[2]},
                BOB[0]: {"secret_access_key": BOB[1], "account_id": BOB[2]},
            }
        )
    )
    with Server(port=0, home=tmp_path / "home", credentials=credentials).start() as server:
        yield server


@pytest.fixture
def alice(running: Server) -> Any:
    return kms_client(running.url, ALICE[0], ALICE[1])


@pytest.fixture
def bob(running: Server) -> Any:
    return kms_client(running.url, BOB[0], BOB[1])


def policy(*statements: dict[str, Any]) -> str:
    owner = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ALICE[2]}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [owner, *statements]})


def for_bob(effect: str, action: str) -> dict[str, Any]:
    return {"Effect": effect, "Principal": {"AWS": BOB_ROOT}, "Action": action, "Resource": "*"}


def refusal(call: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_another_accounts_key_by_arn_is_denied_without_a_policy(alice: Any, bob: Any) -> None:
    arn = alice.create_key()["KeyMetadata"]["Arn"]
    assert refusal(lambda: bob.generate_data_key_pair(KeyId=arn, KeyPairSpec="ECC_NIST_P256")) == (
        400,
        "AccessDeniedException",
        f"User: {BOB_ROOT} is not authorized to perform: kms:GenerateDataKeyPair on resource: "
        f"{arn} because no resource-based policy allows the kms:GenerateDataKeyPair action",
    )


def test_another_accounts_key_by_arn_works_once_its_policy_allows_it(alice: Any, bob: Any) -> None:
    key = alice.create_key()["KeyMetadata"]
    alice.put_key_policy(
        KeyId=key["KeyId"],
        PolicyName="default",
        Policy=policy(for_bob("Allow", "kms:GenerateDataKeyPair*")),
    )
    pair = bob.generate_data_key_pair(KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256")
    assert pair["KeyId"] == key["Arn"]
    # The blob is sealed under Alice's key: she can open it, and Bob, without kms:Decrypt, not.
    opened = alice.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    code = refusal(lambda: bob.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"]))[1]
    assert code == "AccessDeniedException"


def test_a_deny_statement_wins_over_an_allow(alice: Any, bob: Any) -> None:
    key = alice.create_key()["KeyMetadata"]
    alice.put_key_policy(
        KeyId=key["KeyId"],
        PolicyName="default",
        Policy=policy(for_bob("Allow", "kms:*"), for_bob("Deny", "kms:GenerateDataKeyPair")),
    )
    assert refusal(
        lambda: bob.generate_data_key_pair(KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256")
    ) == (
        400,
        "AccessDeniedException",
        f"User: {BOB_ROOT} is not authorized to perform: kms:GenerateDataKeyPair on resource: "
        f"{key['Arn']} with an explicit deny in a resource-based policy",
    )
    assert bob.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]
