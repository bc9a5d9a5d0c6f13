"""The accelerator against ``kmspair serve``, whose own GenerateDataKeyPair is the reference:
an accelerated call answers what the real operation answers, except that the pair was made by
the caller and the private key sealed by the endpoint's Encrypt."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmspair
from kmspair.server import Server
from server_helpers import ACCOUNT, REGION, kms_client, server  # noqa: F401 - the fixture

SPECS = ", ".join(kmspair.KEY_PAIR_SPECS)
OPERATIONS = ("generate_data_key_pair", "generate_data_key_pair_without_plaintext")


@pytest.fixture
def client(server: Server) -> Any:  # noqa: F811 - server is the fixture
    return kms_client(server.url)


@pytest.fixture
def key_id(client: Any) -> str:
    key = client.create_key()["KeyMetadata"]
    client.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    return str(key["KeyId"])


def answer(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """The response, or the error response, of one call, without the per-request metadata
    (keeping the status)."""
    try:
        response: dict[str, Any] = getattr(client, operation)(**params)
    except ClientError as error:
        response = dict(error.response)
    metadata = response.pop("ResponseMetadata")
    response["status"] = metadata["HTTPStatusCode"]
    return response


def real_and_accelerated(client: Any, operation: str, **params: Any) -> tuple[Any, Any]:
    real = answer(client, operation, **params)
    with kmspair.accelerate(client):
        accelerated = answer(client, operation, **params)
    return real, accelerated


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_response_has_the_real_members_but_key_material_id(
    client: Any, key_id: str, operation: str
) -> None:
    real, accelerated = real_and_accelerated(
        client, operation, KeyId="alias/orders", KeyPairSpec="ECC_NIST_P521"
    )
    assert set(accelerated) == set(real) - {"KeyMaterialId"}
    assert accelerated["KeyId"] == real["KeyId"]  # the key ARN, whatever form was given
    assert accelerated["KeyPairSpec"] == "ECC_NIST_P521"
    assert accelerated["status"] == 200


def test_the_blob_decrypts_under_the_same_context_to_the_private_key(
    client: Any, key_id: str
) -> None:
    context = {"order": "42"}
    with kmspair.accelerate(client):
        pair = client.generate_data_key_pair(
            KeyId=key_id, KeyPairSpec="RSA_2048", EncryptionContext=context
        )
    opened = client.decrypt(
        CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=context
    )
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])


BAD_REQUESTS = {
    "unknown-spec": {"KeyId": "alias/orders", "KeyPairSpec": "RSA_1024"},
    "ml-kem-spec": {"KeyId": "alias/orders", "KeyPairSpec": "ML_KEM_512"},
    "long-key-id": {"KeyId": "k" * 2049, "KeyPairSpec": "ECC_NIST_P256"},
    "eleven-grant-tokens": {
        "KeyId": "alias/orders",
        "KeyPairSpec": "ECC_NIST_P256",
        "GrantTokens": ["t"] * 11,
    },
    "long-grant-token": {
        "KeyId": "alias/orders",
        "KeyPairSpec": "ECC_NIST_P256",
        "GrantTokens": ["t" * 8193],
    },
    "three-violations": {"KeyId": "k" * 2049, "KeyPairSpec": "P-256", "GrantTokens": ["t"] * 11},
    "sm2-outside-china": {"KeyId": "alias/orders", "KeyPairSpec": "SM2"},
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("params", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_bad_request_gets_the_error_the_real_operation_gets(
    client: Any, key_id: str, operation: str, params: dict[str, Any]
) -> None:
    real, accelerated = real_and_accelerated(client, operation, **params)
    assert real["status"] == 400
    assert accelerated == real


def test_an_unknown_spec_lists_the_nine_specs(client: Any) -> None:
    with kmspair.accelerate(client), pytest.raises(ClientError) as caught:
        client.generate_data_key_pair(KeyId="alias/orders", KeyPairSpec="RSA_1024")
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to "
        f"satisfy constraint: Member must satisfy enum value set: [{SPECS}]",
    }


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("params", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_bad_request_is_refused_before_any_network_call(params: dict[str, Any]) -> None:
    client = kms_client(closed_port_url())  # nothing listens there
    with kmspair.accelerate(client), pytest.raises(ClientError) as caught:
        client.generate_data_key_pair(**params)
    assert caught.value.response["Error"]["Code"] in (
        "ValidationException",
        "UnsupportedOperationException",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "key_id",
    [
        "alias/missing",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "not-a-key-id",
        f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ],
    ids=["missing-alias", "missing-key", "malformed", "other-region"],
)
def test_a_missing_key_is_the_backends_not_found_error(
    client: Any, operation: str, key_id: str
) -> None:
    real, accelerated = real_and_accelerated(
        client, operation, KeyId=key_id, KeyPairSpec="RSA_2048"
    )
    assert accelerated["Error"]["Code"] == "NotFoundException"
    assert accelerated == real


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_disabled_key_is_the_backends_disabled_error(
    client: Any, key_id: str, operation: str
) -> None:
    client.disable_key(KeyId=key_id)
    real, accelerated = real_and_accelerated(
        client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256"
    )
    assert accelerated == real
    assert accelerated["Error"] == {
        "Code": "DisabledException",
        "Message": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id} is disabled.",
    }


def test_a_key_pending_deletion_is_the_backends_invalid_state_error(
    client: Any, key_id: str
) -> None:
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    real, accelerated = real_and_accelerated(
        client, "generate_data_key_pair", KeyId=key_id, KeyPairSpec="RSA_2048"
    )
    assert accelerated["Error"]["Code"] == "KMSInvalidStateException"
    assert accelerated == real


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_dry_run_is_the_backends_dry_run_error(client: Any, key_id: str, operation: str) -> None:
    real, accelerated = real_and_accelerated(
        client, operation, KeyId=key_id, KeyPairSpec="RSA_4096", DryRun=True
    )
    assert accelerated["Error"]["Code"] == "DryRunOperationException"
    assert accelerated == real


def test_an_invalid_grant_token_is_the_backends_error(client: Any, key_id: str) -> None:
    real, accelerated = real_and_accelerated(
        client,
        "generate_data_key_pair",
        KeyId=key_id,
        KeyPairSpec="ECC_NIST_P256",
        GrantTokens=["not-issued-here"],
    )
    assert accelerated["Error"]["Code"] == "InvalidGrantTokenException"
    assert accelerated == real


def test_a_call_with_a_recipient_goes_to_the_real_operation(client: Any, key_id: str) -> None:
    recipient = {
        "KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
        "AttestationDocument": b"attestation",
    }
    real, accelerated = real_and_accelerated(
        client, "generate_data_key_pair", KeyId=key_id, KeyPairSpec="RSA_2048", Recipient=recipient
    )
    # kmspair serve refuses Recipient; the point is that this answer is the endpoint's own.
    assert accelerated["Error"]["Message"].startswith("Recipient")
    assert accelerated == real


ALICE = ("AKIDALICE", "alice-secret", "111122223333")
BOB = ("AKIDBOB", "bob-secret", "444455556666")


@pytest.fixture
def two_identities(tmp_path: Path) -> Iterator[Server]:
    credentials = tmp_path / "credentials.json"
    credentials.write_text(
        json.dumps(
            {
                ALICE[0]: {"secret_access_key": ALICE[1], "account_id": ALICE[2]},
                BOB[0]: {"secret_access_key": BOB[1], "account_id": BOB[2]},
            }
        )
    )
    with Server(port=0, home=tmp_path / "shared", credentials=credentials).start() as running:
        yield running


def test_the_caller_needs_kms_encrypt_not_kms_generate_data_key_pair(
    two_identities: Server,
) -> None:
    alice = kms_client(two_identities.url, ALICE[0], ALICE[1])
    bob = kms_client(two_identities.url, BOB[0], BOB[1])
    owner = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ALICE[2]}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    bob_may_pair = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{BOB[2]}:root"},
        "Action": "kms:GenerateDataKeyPair",
        "Resource": "*",
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [owner, bob_may_pair]})
    arn = alice.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    assert bob.generate_data_key_pair(KeyId=arn, KeyPairSpec="ECC_NIST_P256")["KeyId"] == arn
    with kmspair.accelerate(bob), pytest.raises(ClientError) as caught:
        bob.generate_data_key_pair(KeyId=arn, KeyPairSpec="ECC_NIST_P256")
    # The backend's own refusal, unchanged: it names the action it checked, kms:Encrypt.
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "not authorized to perform: kms:Encrypt on resource: " + arn in error["Message"]


def test_concurrent_callers_each_get_their_own_pair(client: Any, key_id: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(index: int) -> tuple[bytes, bytes]:
        context = {"caller": str(index)}
        pair = client.generate_data_key_pair(
            KeyId=key_id, KeyPairSpec="ECC_NIST_P256", EncryptionContext=context
        )
        opened = client.decrypt(
            CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=context
        )
        assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
        return pair["PrivateKeyPlaintext"], pair["PublicKey"]

    with kmspair.accelerate(client), ThreadPoolExecutor(max_workers=6) as pool:
        pairs = list(pool.map(one, range(24)))
    assert len({private for private, _ in pairs}) == 24
    assert len({public for _, public in pairs}) == 24
